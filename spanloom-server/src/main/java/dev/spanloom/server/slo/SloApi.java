package dev.spanloom.server.slo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /api/slo}: every objective's latest evaluation as JSON (objective as a ratio,
 * numbers null without data, the alerts firing now); {@code GET /api/slo/rules}: the equivalent Prometheus rules as YAML.
 * Mounted on the query port (3200) and on the Jaeger/UI port (16686).
 */
public final class SloApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType YAML = MediaType.parse("application/yaml; charset=utf-8");

  private final Supplier<List<SloStatus>> statuses;
  private final String rules;

  public SloApi(Supplier<List<SloStatus>> statuses, String rules) {
    this.statuses = statuses;
    this.rules = rules;
  }

  public void mount(ServerBuilder sb) {
    sb.service("/api/slo", (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8,
        JSON.writeValueAsBytes(json(statuses.get()))));
    sb.service("/api/slo/rules", (ctx, req) -> HttpResponse.of(HttpStatus.OK, YAML, rules));
  }

  static ObjectNode json(List<SloStatus> statuses) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode slos = root.putArray("slos");
    for (SloStatus s : statuses) {
      ServiceLevelObjective o = s.objective();
      ObjectNode n = slos.addObject();
      n.put("name", o.name());
      n.put("service", o.service());
      n.put("operation", o.operation());
      n.put("sli", o.sli().kind());
      n.put("threshold_ms", o.sli() instanceof Sli.Latency l ? l.thresholdMillis() : null);
      n.put("objective", o.objective());
      n.put("window", PromDuration.format(o.window()));
      n.put("sli_value", s.sliValue());
      n.put("error_budget_remaining", s.errorBudgetRemaining());
      ObjectNode burn = n.putObject("burn_rates");
      for (Map.Entry<String, Double> e : s.burnRates().entrySet()) burn.put(e.getKey(), e.getValue());
      ArrayNode alerts = n.putArray("alerts");
      for (SloStatus.AlertStatus a : s.alerts()) {
        if (!a.firing()) continue; // active alerts only, as Prometheus' /api/v1/alerts lists them
        ObjectNode alert = alerts.addObject();
        alert.put("alertname", a.alert().alertname());
        alert.put("severity", a.alert().severity());
        alert.put("long_window", a.alert().longWindowName());
        alert.put("short_window", a.alert().shortWindowName());
        alert.put("burn_rate_threshold", a.alert().burnRate());
        alert.put("state", a.state());
        alert.put("active_at", a.activeAt() == null ? null : a.activeAt().toString());
      }
    }
    return root;
  }
}
