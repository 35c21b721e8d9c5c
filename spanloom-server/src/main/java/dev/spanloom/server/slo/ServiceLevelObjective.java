package dev.spanloom.server.slo;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.SpanKind;
import java.time.Duration;
import java.util.Set;

/**
 * One entry of {@code slo.objectives}: the spans of {@code service} (and of the span name
 * {@code operation}, or of every name when it is null) and of {@code spanKinds}, an SLI, the
 * objective as a ratio ({@code 0.995} for {@code objective: 99.5}) and the budget window.
 */
public record ServiceLevelObjective(
    String name, String service, String operation, Set<SpanKind> spanKinds, Sli sli, double objective,
    Duration window) {
  public ServiceLevelObjective {
    requireNonNull(name, "name");
    requireNonNull(service, "service");
    spanKinds = Set.copyOf(spanKinds);
    requireNonNull(sli, "sli");
    requireNonNull(window, "window");
    if (!(objective > 0 && objective < 1)) throw new IllegalArgumentException("objective: " + objective + " (expected: > 0 and < 1)");
  }

  /** The error budget as a ratio of requests: {@code 1 - objective}. */
  public double errorBudget() {
    // Decimal: in doubles 1 - 0.99 is 0.010000000000000009, and a 100% error ratio would burn 99.99999999999991x.
    return java.math.BigDecimal.ONE.subtract(new java.math.BigDecimal(Double.toString(objective))).doubleValue();
  }
}
