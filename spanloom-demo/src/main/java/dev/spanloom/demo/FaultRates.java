package dev.spanloom.demo;

/**
 * How often each simulated fault happens, as probabilities in [0, 1]. During an incident the
 * payment provider fails {@value #INCIDENT_FAILURE_FACTOR} times as often (at most always).
 *
 * @param invalidToken auth-service refuses the token (401)
 * @param paymentFailure the payment provider (stripe-api) answers 503, so the order fails with 500
 * @param slowQuery the orders INSERT exceeds the slow-query threshold ({@code query_slow} event)
 * @param queryFailure the orders INSERT fails with a serialization error (500)
 * @param smtpError one SMTP attempt fails ({@code smtp_error} event, retried up to 3 times)
 */
public record FaultRates(double invalidToken, double paymentFailure, double slowQuery, double queryFailure, double smtpError) {
  static final int INCIDENT_FAILURE_FACTOR = 15;

  /** The rates of a normal day: a few percent of everything. */
  public static final FaultRates DEFAULT = new FaultRates(0.01, 0.02, 0.05, 0.005, 0.10);
  /** Nothing fails and nothing is slow (incidents still slow the payment provider). */
  public static final FaultRates NONE = new FaultRates(0, 0, 0, 0, 0);

  public FaultRates {
    check("invalidToken", invalidToken);
    check("paymentFailure", paymentFailure);
    check("slowQuery", slowQuery);
    check("queryFailure", queryFailure);
    check("smtpError", smtpError);
  }

  private static void check(String name, double p) {
    if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(name + ": " + p + " (expected: 0..1)");
  }

  double paymentFailure(boolean incident) {
    return incident ? Math.min(1, paymentFailure * INCIDENT_FAILURE_FACTOR) : paymentFailure;
  }
}
