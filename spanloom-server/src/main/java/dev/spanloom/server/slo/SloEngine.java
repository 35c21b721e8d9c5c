package dev.spanloom.server.slo;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.SpanKind;
import dev.spanloom.model.StatusCode;
import dev.spanloom.pipeline.metrics.SpanMetricsView;
import dev.spanloom.pipeline.metrics.SpanSeries;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates every objective each {@code evaluation_interval}: reads the spanmetrics connector's
 * cumulative series, adds their increase since the last evaluation to the objective's running
 * good/total counters (a series that shrank or was re-created counts from zero, as Prometheus'
 * {@code increase} treats a counter reset), and keeps samples of those counters — one per
 * evaluation over the longest alert window, coarser ones (720 per window) for the budget. From
 * them it computes burn rates, SLI and budget, moves the alerts between inactive and firing and
 * hands each change to the {@link AlertNotifier}.
 */
public final class SloEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SloEngine.class);
  private static final Duration LONGEST_WINDOW = Duration.ofHours(6);
  private static final int BUDGET_SAMPLES = 720;

  /** Runs the evaluation periodically; tests pass one they drive by hand. */
  @FunctionalInterface
  public interface Ticker {
    /** Starts running {@code task} every {@code interval}; closing the result stops it. */
    AutoCloseable schedule(Runnable task, Duration interval);

    /** A daemon thread of its own. */
    static Ticker scheduled() {
      return (task, interval) -> {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "spanloom-slo");
          t.setDaemon(true);
          return t;
        });
        executor.scheduleAtFixedRate(task, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
        return () -> {
          executor.shutdownNow();
          executor.awaitTermination(5, TimeUnit.SECONDS);
        };
      };
    }
  }

  private final SloConfig config;
  private final SpanMetricsView view;
  private final Clock clock;
  private final Ticker ticker;
  private final AlertNotifier notifier;
  private final List<Tracker> trackers = new ArrayList<>();
  private volatile List<SloStatus> statuses;
  private AutoCloseable scheduled;

  /**
   * @param view the connector's series; its bucket bounds must contain every latency threshold
   *     ({@link SloConfig#checkThresholds})
   */
  public SloEngine(SloConfig config, SpanMetricsView view, Clock clock, Ticker ticker, AlertNotifier notifier) {
    this.config = requireNonNull(config, "config");
    this.view = requireNonNull(view, "view");
    this.clock = requireNonNull(clock, "clock");
    this.ticker = requireNonNull(ticker, "ticker");
    this.notifier = requireNonNull(notifier, "notifier");
    long[] bounds = view.bucketBoundsNanos();
    for (ServiceLevelObjective o : config.objectives()) trackers.add(new Tracker(o, bounds, config.evaluationInterval()));
    List<SloStatus> initial = new ArrayList<>();
    for (Tracker t : trackers) initial.add(t.status);
    statuses = List.copyOf(initial);
  }

  /** Takes the series kept now as the baseline, then evaluates every interval. */
  public synchronized void start() {
    if (scheduled != null) return;
    long now = nanos(clock.instant());
    List<SpanSeries> series = view.series();
    for (Tracker t : trackers) t.baseline(series, now);
    scheduled = ticker.schedule(this::evaluateLogged, config.evaluationInterval());
    LOG.info("event=slo_started {}", config);
  }

  private void evaluateLogged() {
    try {
      evaluate();
    } catch (RuntimeException e) {
      // One bad evaluation must not stop the schedule.
      LOG.warn("event=slo_evaluation_failed error=\"{}\"", e.toString(), e);
    }
  }

  /** One evaluation at the clock's current time. */
  public synchronized void evaluate() {
    if (scheduled == null) throw new IllegalStateException("not started");
    Instant now = clock.instant();
    long nowNanos = nanos(now);
    List<SpanSeries> series = view.series();
    List<SloStatus> next = new ArrayList<>(trackers.size());
    for (Tracker t : trackers) {
      t.observe(series);
      t.record(nowNanos);
      AlertNotification change = t.evaluate(nowNanos, now, config.webhook() == null || config.webhook().sendResolved());
      next.add(t.status);
      if (change != null) notifier.notify(change);
    }
    statuses = List.copyOf(next);
  }

  /** Every objective as the latest evaluation left it, in configuration order. */
  public List<SloStatus> statuses() {
    return statuses;
  }

  /** The span metrics the objectives are computed from. */
  public SpanMetricsView view() {
    return view;
  }

  public SloConfig config() {
    return config;
  }

  @Override
  public synchronized void close() {
    if (scheduled == null) return;
    try {
      scheduled.close();
    } catch (Exception e) {
      LOG.warn("event=slo_stop_failed error=\"{}\"", e.toString());
    }
  }

  @Override
  public String toString() {
    return "SloEngine{" + config + "}";
  }

  static long nanos(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }

  private record SeriesKey(String spanName, SpanKind kind, StatusCode status) {}

  /** The counters, samples and alert states of one objective. */
  private static final class Tracker {
    final ServiceLevelObjective objective;
    final int lastGoodBucket; // -1 for availability: good is then "not ERROR"
    final long fineStepNanos;
    final long coarseStepNanos;
    final SampleRing fine;
    final SampleRing coarse;
    Map<SeriesKey, long[]> lastSeen = new HashMap<>(); // {calls, good, createdEpochNanos}
    long total;
    long good;
    final boolean[] firing = new boolean[BurnRateAlert.WORKBOOK.size()];
    final Instant[] activeAt = new Instant[BurnRateAlert.WORKBOOK.size()];
    SloStatus status;

    Tracker(ServiceLevelObjective objective, long[] bounds, Duration interval) {
      this.objective = objective;
      int lastGood = -1;
      if (objective.sli() instanceof Sli.Latency latency) {
        for (int i = 0; i < bounds.length; i++) if (bounds[i] == latency.thresholdNanos()) lastGood = i;
        if (lastGood < 0) throw new IllegalArgumentException("threshold of " + objective.name() + " is no bucket bound");
      }
      lastGoodBucket = lastGood;
      long intervalNanos = interval.toNanos();
      // Twice the samples an even schedule needs over 6h: a late tick never loses the 6h base.
      fineStepNanos = intervalNanos / 2;
      fine = new SampleRing((int) (LONGEST_WINDOW.toNanos() / fineStepNanos) + 2);
      coarseStepNanos = Math.max(intervalNanos, objective.window().toNanos() / BUDGET_SAMPLES);
      coarse = new SampleRing((int) (objective.window().toNanos() / coarseStepNanos) + 2);
      status = status(null, null, new LinkedHashMap<>());
    }

    void baseline(List<SpanSeries> series, long now) {
      lastSeen = matching(series, null);
      fine.add(now, 0, 0);
      coarse.add(now, 0, 0);
    }

    /** Adds each matching series' increase since the last evaluation. */
    void observe(List<SpanSeries> series) {
      lastSeen = matching(series, lastSeen);
    }

    private Map<SeriesKey, long[]> matching(List<SpanSeries> series, Map<SeriesKey, long[]> previous) {
      Map<SeriesKey, long[]> seen = new HashMap<>();
      for (SpanSeries s : series) {
        if (!s.service().equals(objective.service())) continue;
        if (objective.operation() != null && !objective.operation().equals(s.spanName())) continue;
        if (!objective.spanKinds().contains(s.kind())) continue;
        // One key per series: the view has already summed any further dimensions.
        seen.merge(new SeriesKey(s.spanName(), s.kind(), s.status()), new long[] {s.calls(), good(s), s.createdEpochNanos()},
            (a, b) -> new long[] {a[0] + b[0], a[1] + b[1], Math.max(a[2], b[2])});
      }
      if (previous == null) return seen;
      for (Map.Entry<SeriesKey, long[]> e : seen.entrySet()) {
        long[] now = e.getValue();
        long[] before = previous.get(e.getKey());
        // New, shrunk or re-created (expired, then seen again): counts from zero, as increase() does.
        boolean reset = before == null || now[0] < before[0] || now[1] < before[1] || now[2] != before[2];
        total += reset ? now[0] : now[0] - before[0];
        good += reset ? now[1] : now[1] - before[1];
      }
      return seen;
    }

    private long good(SpanSeries s) {
      if (lastGoodBucket < 0) return s.status() == StatusCode.ERROR ? 0 : s.calls();
      long sum = 0;
      long[] counts = s.bucketCounts();
      for (int i = 0; i <= lastGoodBucket && i < counts.length; i++) sum += counts[i];
      return sum;
    }

    void record(long now) {
      if (fine.isEmpty() || now - fine.newestTime() >= fineStepNanos) fine.add(now, total, good);
      if (coarse.isEmpty() || now - coarse.newestTime() >= coarseStepNanos) coarse.add(now, total, good);
    }

    /** Computes the status at {@code now}; returns the alert change to notify, or null. */
    AlertNotification evaluate(long nowNanos, Instant now, boolean sendResolved) {
      Map<String, Double> burnRates = new LinkedHashMap<>();
      Map<Duration, Double> byWindow = new HashMap<>();
      for (Duration w : BurnRateAlert.WINDOWS) {
        Double burn = burnRate(fine, nowNanos - w.toNanos());
        burnRates.put(PromDuration.format(w), burn);
        byWindow.put(w, burn);
      }
      Double windowBurn = burnRate(coarse, nowNanos - objective.window().toNanos());
      Double sli = null;
      int base = coarse.baseAt(nowNanos - objective.window().toNanos());
      long windowTotal = total - coarse.total(base);
      if (windowTotal > 0) sli = (double) (good - coarse.good(base)) / windowTotal;

      List<AlertNotification.Alert> alerts = new ArrayList<>();
      boolean changed = false;
      boolean newlyFiring = false;
      for (int i = 0; i < firing.length; i++) {
        BurnRateAlert rule = BurnRateAlert.WORKBOOK.get(i);
        Double longBurn = byWindow.get(rule.longWindow());
        Double shortBurn = byWindow.get(rule.shortWindow());
        boolean fires = longBurn != null && shortBurn != null && longBurn > rule.burnRate() && shortBurn > rule.burnRate();
        if (fires && !firing[i]) {
          firing[i] = true;
          activeAt[i] = now;
          changed = true;
          newlyFiring = true;
          LOG.info("event=slo_alert_firing slo={} long_window={} burn_rate_long={} burn_rate_short={}",
              objective.name(), rule.longWindowName(), longBurn, shortBurn);
          alerts.add(alert(rule, byWindow, activeAt[i], null));
        } else if (!fires && firing[i]) {
          firing[i] = false;
          changed = true;
          LOG.info("event=slo_alert_resolved slo={} long_window={}", objective.name(), rule.longWindowName());
          if (sendResolved) alerts.add(alert(rule, byWindow, activeAt[i], now));
          activeAt[i] = null;
        } else if (firing[i]) {
          alerts.add(alert(rule, byWindow, activeAt[i], null));
        }
      }
      status = status(sli, windowBurn == null ? null : 1 - windowBurn, burnRates);
      if (!changed || (!newlyFiring && !sendResolved)) return null;
      Map<String, String> groupLabels = new TreeMap<>();
      groupLabels.put("alertname", BurnRateAlert.ALERTNAME);
      groupLabels.put("slo", objective.name());
      return new AlertNotification(groupLabels, alerts);
    }

    /** The error ratio since the base sample for {@code since}, over the error budget; null without spans. */
    private Double burnRate(SampleRing ring, long since) {
      int base = ring.baseAt(since);
      long all = total - ring.total(base);
      if (all <= 0) return null;
      long bad = all - (good - ring.good(base));
      return (double) bad / all / objective.errorBudget();
    }

    private AlertNotification.Alert alert(BurnRateAlert rule, Map<Duration, Double> burns, Instant startsAt, Instant endsAt) {
      Map<String, String> labels = new TreeMap<>();
      labels.put("alertname", rule.alertname());
      labels.put("severity", rule.severity());
      labels.put("slo", objective.name());
      labels.put("service", objective.service());
      if (objective.operation() != null) labels.put("operation", objective.operation());
      labels.put("sli", objective.sli().kind());
      labels.put("long_window", rule.longWindowName());
      labels.put("short_window", rule.shortWindowName());
      Map<String, String> annotations = new TreeMap<>();
      annotations.put("summary", "SLO " + objective.name() + " burns its error budget more than "
          + format(rule.burnRate()) + "x as fast as it may");
      annotations.put("description", String.format(Locale.ROOT,
          "Burn rate %s over %s and %s over %s (threshold %s) for %s of %s; objective %s%% over %s.",
          format(burns.get(rule.longWindow())), rule.longWindowName(), format(burns.get(rule.shortWindow())),
          rule.shortWindowName(), format(rule.burnRate()), objective.sli().kind(), objective.service()
              + (objective.operation() == null ? "" : " " + objective.operation()),
          format(objective.objective() * 100), PromDuration.format(objective.window())));
      return new AlertNotification.Alert(labels, annotations, startsAt, endsAt);
    }

    private static String format(Double v) {
      if (v == null) return "n/a";
      return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }

    private SloStatus status(Double sli, Double budget, Map<String, Double> burnRates) {
      if (burnRates.isEmpty()) for (Duration w : BurnRateAlert.WINDOWS) burnRates.put(PromDuration.format(w), null);
      List<SloStatus.AlertStatus> alertStatuses = new ArrayList<>();
      for (int i = 0; i < firing.length; i++) {
        alertStatuses.add(new SloStatus.AlertStatus(BurnRateAlert.WORKBOOK.get(i), firing[i], activeAt[i]));
      }
      return new SloStatus(objective, sli, budget, java.util.Collections.unmodifiableMap(burnRates), List.copyOf(alertStatuses));
    }
  }
}
