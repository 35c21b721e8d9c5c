package dev.spanloom.server.slo;

import java.time.Duration;
import java.util.List;

/**
 * One multi-window burn-rate alert of the Google SRE workbook ("Alerting on SLOs", table 5-8):
 * it fires while the error budget burns faster than {@code burnRate} times the sustainable rate
 * over both the long and the short window. The short window makes it resolve soon after the
 * burning stops.
 */
public record BurnRateAlert(String alertname, String severity, Duration longWindow, Duration shortWindow, double burnRate) {
  public static final String ALERTNAME = "SLOBurnRateHigh";

  /** 2% of a 30d budget in 1h, and 5% in 6h: both page. */
  public static final List<BurnRateAlert> WORKBOOK = List.of(
      new BurnRateAlert(ALERTNAME, "page", Duration.ofHours(1), Duration.ofMinutes(5), 14.4),
      new BurnRateAlert(ALERTNAME, "page", Duration.ofHours(6), Duration.ofMinutes(30), 6));

  /** The burn-rate windows the alerts read, shortest first, as {@code /api/slo} names them. */
  public static final List<Duration> WINDOWS =
      List.of(Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(6));

  public String longWindowName() {
    return PromDuration.format(longWindow);
  }

  public String shortWindowName() {
    return PromDuration.format(shortWindow);
  }
}
