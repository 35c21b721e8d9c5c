package dev.spanloom.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.StatusCode;
import dev.spanloom.pipeline.connector.SpanMetricsConnector;
import dev.spanloom.pipeline.metrics.SpanExemplar;
import dev.spanloom.pipeline.metrics.SpanSeries;
import dev.spanloom.server.api.RedHistory.OpKey;
import dev.spanloom.server.api.RedHistory.Point;
import dev.spanloom.server.api.RedHistory.Sample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Spanloom's RED API (rate, errors, duration) from span metrics, for the UI:
 * {@code GET /api/red} gives every service over the last 5 minutes (or since start), and
 * {@code GET /api/red?service=S&since=1h} one service's operations with totals, a series per
 * {@link RedHistory} step and exemplar spans. Quantiles interpolate linearly within buckets, as
 * Prometheus' {@code histogram_quantile} does, and are {@code null} without data. A service's
 * overview counts its SERVER and CONSUMER spans (the requests it serves), or all its spans
 * when it has none of those.
 */
public final class RedApi {
  static final long OVERVIEW_SECONDS = 300;
  static final int MAX_EXEMPLARS_PER_OPERATION = 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RedHistory history; // null when no spanmetrics connector is configured
  private final int bucketCount; // of the duration histogram, +Inf included

  /** @param history null when no spanmetrics connector runs: every request then answers 404 */
  public RedApi(RedHistory history) {
    this.history = history;
    this.bucketCount = history == null ? 0 : history.view().bucketBoundsNanos().length + 1;
  }

  public void mount(ServerBuilder sb) {
    // Reading the history copies every series under the connector's lock: off the event loop.
    sb.service("/api/red", (ctx, req) -> HttpResponse.of(
        java.util.concurrent.CompletableFuture.supplyAsync(() -> answer(ctx), ctx.blockingTaskExecutor())));
  }

  HttpResponse answer(ServiceRequestContext ctx) {
    if (history == null) {
      return HttpResponse.of(HttpStatus.NOT_FOUND, MediaType.PLAIN_TEXT_UTF_8,
          "no span metrics: configure a spanmetrics connector (connectors: {spanmetrics: {}}) and list it "
              + "under a traces pipeline's exporters and a metrics pipeline's receivers; see docs/metrics.md");
    }
    QueryParams params = QueryParams.fromQueryString(ctx.query());
    String service = params.get("service");
    String since = params.get("since");
    try {
      if (service == null) {
        if (since != null) throw new IllegalArgumentException("since: \"" + since + "\" (expected: with service=…)");
        return json(overview());
      }
      if (service.isEmpty()) throw new IllegalArgumentException("service: \"\" (expected: a service name)");
      return json(service(service, sinceSeconds(since)));
    } catch (IllegalArgumentException e) {
      return HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.PLAIN_TEXT_UTF_8, e.getMessage());
    }
  }

  private long sinceSeconds(String since) {
    if (since == null) return history.retentionSeconds();
    long nanos = GoDuration.parseNanos("since", since);
    long seconds = nanos / 1_000_000_000L;
    if (seconds < 1 || seconds > history.retentionSeconds()) {
      throw new IllegalArgumentException("since: \"" + since + "\" (expected: from 1s to "
          + java.time.Duration.ofSeconds(history.retentionSeconds()).toString().substring(2).toLowerCase()
          + ", the span metrics history kept)");
    }
    return seconds;
  }

  private static HttpResponse json(ObjectNode body) {
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, body.toString());
  }

  /** Every service over the last 5 minutes, or since start when the history is younger. */
  ObjectNode overview() {
    Sample now = history.current();
    Window w = window(now.epochSeconds() - OVERVIEW_SECONDS);
    double[] bounds = boundsMillis();
    Map<String, List<OpKey>> byService = new TreeMap<>();
    for (OpKey k : now.points().keySet()) byService.computeIfAbsent(k.service(), s -> new ArrayList<>()).add(k);
    ObjectNode root = JSON.createObjectNode();
    ArrayNode services = root.putArray("services");
    for (Map.Entry<String, List<OpKey>> e : byService.entrySet()) {
      List<OpKey> ops = e.getValue();
      boolean hasEntries = ops.stream().anyMatch(k -> k.kind() == SpanKind.SERVER || k.kind() == SpanKind.CONSUMER);
      Point total = zero(bounds.length);
      for (OpKey k : ops) {
        if (hasEntries && k.kind() != SpanKind.SERVER && k.kind() != SpanKind.CONSUMER) continue;
        total = plus(total, delta(now.points().get(k), w.base == null ? null : w.base.points().get(k)));
      }
      ObjectNode s = services.addObject();
      s.put("service", e.getKey());
      s.put("requests", total.calls());
      s.put("errors", total.errors());
      s.put("rate", (double) total.calls() / Math.max(1, now.epochSeconds() - w.startSeconds));
      s.put("error_rate", total.calls() == 0 ? null : (double) total.errors() / total.calls());
      s.put("p99_ms", quantile(0.99, bounds, total.buckets()));
    }
    return root;
  }

  /** One service's operations from {@code sinceSeconds} ago to now. */
  ObjectNode service(String service, long sinceSeconds) {
    List<SpanSeries> live = history.view().series(); // one snapshot: the points and the exemplars
    Sample now = history.sampleOf(live, false);
    long start = now.epochSeconds() - sinceSeconds;
    Window w = window(start);
    double[] bounds = boundsMillis();
    TreeSet<OpKey> ops = new TreeSet<>(Comparator.comparing(OpKey::operation).thenComparing(OpKey::kind));
    for (OpKey k : now.points().keySet()) {
      if (k.service().equals(service)) ops.add(k);
    }
    List<Sample> steps = history.after(start);
    ObjectNode root = JSON.createObjectNode();
    root.put("service", service);
    root.put("step_seconds", history.stepSeconds());
    root.put("start", start);
    root.put("end", now.epochSeconds());
    ArrayNode operations = root.putArray("operations");
    for (OpKey k : ops) {
      ObjectNode op = operations.addObject();
      op.put("operation", k.operation());
      op.put("span_kind", SpanMetricsConnector.kindLabel(k.kind()));
      Point total = delta(now.points().get(k), w.base == null ? null : w.base.points().get(k));
      ObjectNode totals = op.putObject("totals");
      totals.put("requests", total.calls());
      totals.put("errors", total.errors());
      totals.put("p50_ms", quantile(0.50, bounds, total.buckets()));
      totals.put("p95_ms", quantile(0.95, bounds, total.buckets()));
      totals.put("p99_ms", quantile(0.99, bounds, total.buckets()));
      ArrayNode series = op.putArray("series");
      Sample prev = w.base;
      long prevSeconds = w.startSeconds;
      for (Sample s : steps) {
        Point d = delta(s.points().get(k), prev == null ? null : prev.points().get(k));
        long seconds = s.epochSeconds() - prevSeconds;
        if (seconds > 0) {
          ObjectNode p = series.addObject();
          p.put("t", s.epochSeconds());
          p.put("rate", (double) d.calls() / seconds);
          p.put("error_rate", d.calls() == 0 ? null : (double) d.errors() / d.calls());
          p.put("p50_ms", quantile(0.50, bounds, d.buckets()));
          p.put("p95_ms", quantile(0.95, bounds, d.buckets()));
          p.put("p99_ms", quantile(0.99, bounds, d.buckets()));
        }
        prev = s;
        prevSeconds = s.epochSeconds();
      }
      ArrayNode exemplars = op.putArray("exemplars");
      for (Exemplar e : exemplars(live, k, start)) {
        ObjectNode x = exemplars.addObject();
        x.put("trace_id", e.span.traceId().toHex());
        x.put("span_id", e.span.spanId().toHex());
        x.put("duration_ms", e.span.durationNanos() / 1e6);
        x.put("t", e.span.endEpochNanos() / 1_000_000_000L);
        x.put("error", e.error);
      }
    }
    return root;
  }

  private record Exemplar(SpanExemplar span, boolean error) {}

  private static List<Exemplar> exemplars(List<SpanSeries> live, OpKey k, long startSeconds) {
    List<Exemplar> out = new ArrayList<>();
    for (SpanSeries s : live) {
      if (!s.service().equals(k.service()) || !s.spanName().equals(k.operation()) || s.kind() != k.kind()) continue;
      for (SpanExemplar e : s.exemplars()) {
        if (e.endEpochNanos() / 1_000_000_000L >= startSeconds) out.add(new Exemplar(e, s.status() == StatusCode.ERROR));
      }
    }
    out.sort(Comparator.comparingLong(e -> e.span.endEpochNanos()));
    return out.size() <= MAX_EXEMPLARS_PER_OPERATION ? out : out.subList(out.size() - MAX_EXEMPLARS_PER_OPERATION, out.size());
  }

  /** The baseline for a window starting at {@code startSeconds}: a sample, or zero since start. */
  private record Window(Sample base, long startSeconds) {}

  private Window window(long startSeconds) {
    Sample base = history.atOrBefore(startSeconds);
    if (base != null) return new Window(base, base.epochSeconds());
    // Younger than the window: every series counts from zero, since Spanloom started.
    return new Window(null, history.startedEpochSeconds());
  }

  private double[] boundsMillis() {
    long[] nanos = history.view().bucketBoundsNanos();
    double[] ms = new double[nanos.length];
    for (int i = 0; i < ms.length; i++) ms[i] = nanos[i] / 1e6;
    return ms;
  }

  private static Point zero(int bounds) {
    return new Point(0, 0, new long[bounds + 1]);
  }

  /** {@code now - base}; a series that went back (expired and came again) counts from zero. */
  private Point delta(Point now, Point base) {
    int buckets = bucketCount;
    if (now == null) return zero(buckets - 1);
    if (base == null || now.calls() < base.calls()) return now;
    long[] d = new long[buckets];
    for (int i = 0; i < buckets; i++) d[i] = Math.max(0, now.buckets()[i] - base.buckets()[i]);
    return new Point(now.calls() - base.calls(), Math.max(0, now.errors() - base.errors()), d);
  }

  private static Point plus(Point a, Point b) {
    long[] sum = a.buckets().clone();
    for (int i = 0; i < sum.length; i++) sum[i] += b.buckets()[i];
    return new Point(a.calls() + b.calls(), a.errors() + b.errors(), sum);
  }

  /**
   * The {@code q} quantile as Prometheus' {@code histogram_quantile} computes it: linear within
   * the bucket holding the rank, from 0 for the first bucket; the highest finite bound when the
   * rank falls in +Inf. Null without observations.
   *
   * @param upperBounds finite upper bounds, ascending
   * @param counts observations per bucket (not cumulative), +Inf last
   */
  static Double quantile(double q, double[] upperBounds, long[] counts) {
    long total = 0;
    for (long c : counts) total += c;
    if (total == 0) return null;
    double rank = q * total;
    long cumulative = 0;
    for (int i = 0; i < counts.length; i++) {
      long before = cumulative;
      cumulative += counts[i];
      if (cumulative >= rank && counts[i] > 0) {
        if (i == upperBounds.length) return upperBounds[upperBounds.length - 1]; // +Inf
        double lower = i == 0 ? 0 : upperBounds[i - 1];
        double upper = upperBounds[i];
        if (i == 0 && upper <= 0) return upper;
        return lower + (upper - lower) * ((rank - before) / counts[i]);
      }
    }
    return upperBounds[upperBounds.length - 1];
  }
}
