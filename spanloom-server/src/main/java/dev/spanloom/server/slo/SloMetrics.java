package dev.spanloom.server.slo;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.function.Supplier;

/** The objectives' state in Spanloom's {@code /metrics}, read from the latest evaluation. */
public final class SloMetrics {
  private SloMetrics() {}

  /** @param webhook null when none is configured */
  public static void register(PrometheusRegistry registry, Supplier<java.util.List<SloStatus>> statuses, AlertWebhook webhook) {
    GaugeWithCallback.builder().name("spanloom_slo_objective")
        .help("The objective as a ratio of good spans (slo.objectives[].objective / 100).")
        .labelNames("slo", "service", "sli")
        .callback(cb -> statuses.get().forEach(s -> cb.call(s.objective().objective(), s.objective().name(),
            s.objective().service(), s.objective().sli().kind())))
        .register(registry);
    GaugeWithCallback.builder().name("spanloom_slo_sli")
        .help("Good spans / all spans over the objective's window; absent without spans.")
        .labelNames("slo")
        .callback(cb -> statuses.get().forEach(s -> {
          if (s.sliValue() != null) cb.call(s.sliValue(), s.objective().name());
        }))
        .register(registry);
    GaugeWithCallback.builder().name("spanloom_slo_error_budget_remaining")
        .help("Share of the window's error budget not spent (below 0 when overspent); absent without spans.")
        .labelNames("slo")
        .callback(cb -> statuses.get().forEach(s -> {
          if (s.errorBudgetRemaining() != null) cb.call(s.errorBudgetRemaining(), s.objective().name());
        }))
        .register(registry);
    GaugeWithCallback.builder().name("spanloom_slo_burn_rate")
        .help("Error ratio over the window divided by the error budget; absent without spans in the window.")
        .labelNames("slo", "window")
        .callback(cb -> statuses.get().forEach(s -> {
          for (Map.Entry<String, Double> e : s.burnRates().entrySet()) {
            if (e.getValue() != null) cb.call(e.getValue(), s.objective().name(), e.getKey());
          }
        }))
        .register(registry);
    GaugeWithCallback.builder().name("spanloom_slo_alert_firing")
        .help("1 while the burn-rate alert fires, else 0.")
        .labelNames("slo", "alertname", "severity", "long_window", "short_window")
        .callback(cb -> statuses.get().forEach(s -> {
          for (SloStatus.AlertStatus a : s.alerts()) {
            cb.call(a.firing() ? 1 : 0, s.objective().name(), a.alert().alertname(), a.alert().severity(),
                a.alert().longWindowName(), a.alert().shortWindowName());
          }
        }))
        .register(registry);
    if (webhook == null) return;
    CounterWithCallback.builder().name("spanloom_slo_webhook_notifications")
        .help("Alert notifications by result: sent (2xx), failed (given up after retries, or refused with 4xx), "
            + "dropped (queue full).")
        .labelNames("result")
        .callback(cb -> {
          cb.call(webhook.sent(), "sent");
          cb.call(webhook.failed(), "failed");
          cb.call(webhook.dropped(), "dropped");
        })
        .register(registry);
    CounterWithCallback.builder().name("spanloom_slo_webhook_requests")
        .help("HTTP posts to the webhook, retries included.")
        .callback(cb -> cb.call(webhook.attempts()))
        .register(registry);
  }
}
