package dev.spanloom.server.slo;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A change of an objective's alerts, as one Alertmanager alert group: the group is the
 * objective ({@code alertname} and {@code slo}), its alerts those firing now plus those just
 * resolved.
 */
public record AlertNotification(Map<String, String> groupLabels, List<Alert> alerts) {
  public AlertNotification {
    groupLabels = Map.copyOf(groupLabels);
    alerts = List.copyOf(alerts);
  }

  /** "firing" while any alert of the group fires, else "resolved", as Alertmanager says. */
  public String status() {
    return alerts.stream().anyMatch(a -> a.endsAt() == null) ? "firing" : "resolved";
  }

  /**
   * One alert; {@code endsAt} is null while it fires.
   *
   * @param labels sorted by name, as Alertmanager keeps them
   */
  public record Alert(Map<String, String> labels, Map<String, String> annotations, Instant startsAt, Instant endsAt) {
    public Alert {
      labels = Map.copyOf(labels);
      annotations = Map.copyOf(annotations);
    }

    public String status() {
      return endsAt == null ? "firing" : "resolved";
    }
  }
}
