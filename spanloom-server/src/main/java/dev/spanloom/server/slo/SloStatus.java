package dev.spanloom.server.slo;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An objective as its latest evaluation left it. The ratios are null while there is no data
 * (no span in the window): Prometheus' ratio of two zero rates is NaN, and alerts stay quiet.
 *
 * @param sliValue good spans / all spans over the objective's window
 * @param errorBudgetRemaining {@code 1 - bad / (all * (1 - objective))} over the window; below 0
 *     when the budget is overspent
 * @param burnRates by window name ({@code 5m}, {@code 30m}, {@code 1h}, {@code 6h}): the error
 *     ratio over that window divided by the error budget
 */
public record SloStatus(
    ServiceLevelObjective objective, Double sliValue, Double errorBudgetRemaining, Map<String, Double> burnRates,
    List<AlertStatus> alerts) {
  /** One burn-rate alert of the objective; {@code activeAt} is null unless it fires. */
  public record AlertStatus(BurnRateAlert alert, boolean firing, Instant activeAt) {
    public String state() {
      return firing ? "firing" : "inactive";
    }
  }
}
