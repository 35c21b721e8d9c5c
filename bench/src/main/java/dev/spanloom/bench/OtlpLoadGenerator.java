package dev.spanloom.bench;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Sends OTLP gRPC trace exports to one endpoint, {@code --concurrency} of them in flight, for
 * {@code --warmup} then {@code --duration}, and prints accepted spans/s, requests/s, refusals by
 * gRPC status (RESOURCE_EXHAUSTED apart, as backpressure) and export latency percentiles every
 * second and at the end. It talks only to the one target it is given (127.0.0.1:4317 by default).
 *
 * <p>Exit status: 0 when spans were accepted while measuring, 1 when none were, 2 on a bad
 * command line.
 */
public final class OtlpLoadGenerator {
  private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);
  // A request carries spans of at most this many services, as one collector batch would.
  private static final int RESOURCES_PER_REQUEST = 8;

  private final LoadGeneratorOptions options;
  private final PrintStream out;

  OtlpLoadGenerator(LoadGeneratorOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  public static void main(String[] args) throws InterruptedException {
    LoadGeneratorOptions options;
    try {
      options = LoadGeneratorOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(LoadGeneratorOptions.USAGE);
      System.exit(2);
      return;
    }
    if (options == null) {
      System.out.println(LoadGeneratorOptions.USAGE);
      return;
    }
    ExportStats.Window measured = new OtlpLoadGenerator(options, System.out).run();
    System.exit(measured.acceptedSpans() > 0 ? 0 : 1);
  }

  /** Runs the whole load and returns the measured window (warmup excluded). */
  ExportStats.Window run() throws InterruptedException {
    ManagedChannel channel = NettyChannelBuilder.forAddress(options.host(), options.port())
        .usePlaintext()
        .userAgent("spanloom-loadgen")
        // Callbacks only count and release a permit: run them on the event loop.
        .directExecutor()
        .build();
    try {
      return drive(channel);
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private ExportStats.Window drive(ManagedChannel channel) throws InterruptedException {
    TraceServiceGrpc.TraceServiceStub stub = TraceServiceGrpc.newStub(channel);
    SyntheticTraces traces = SyntheticTraces.create(options.services(), System.nanoTime());
    Semaphore inFlight = new Semaphore(options.concurrency());
    long timeoutNanos = options.timeout().toNanos();
    long warmupNanos = options.warmup().toNanos();

    out.println(this);
    out.printf(Locale.ROOT, "request size: %,d bytes of protobuf for %d spans%n",
        traces.request(options.spansPerRequest(), RESOURCES_PER_REQUEST, epochNanos()).getSerializedSize(),
        options.spansPerRequest());

    long start = System.nanoTime();
    ExportStats stats = new ExportStats(start);
    ExportStats.Window measured = ExportStats.Window.empty();
    boolean measuring = warmupNanos == 0;
    // Until measuring starts, stop at the latest moment it could end; then at its real end.
    long stopAt = start + warmupNanos + TICK_NANOS + options.duration().toNanos();
    if (measuring) stopAt = start + options.duration().toNanos();
    long nextTick = start + TICK_NANOS;
    for (long now = start; now < stopAt; now = System.nanoTime()) {
      if (now >= nextTick) {
        ExportStats.Window w = stats.take(now);
        printInterval(now - start, measuring ? "measure" : "warmup", w, options.concurrency() - inFlight.availablePermits());
        if (measuring) {
          measured = measured.plus(w);
        } else if (now - start >= warmupNanos) {
          measuring = true;
          stopAt = now + options.duration().toNanos();
        }
        nextTick += TICK_NANOS;
        continue;
      }
      if (!inFlight.tryAcquire(Math.min(nextTick - now, stopAt - now), TimeUnit.NANOSECONDS)) continue;
      send(stub, traces.request(options.spansPerRequest(), RESOURCES_PER_REQUEST, epochNanos()),
          stats, inFlight, timeoutNanos);
    }

    // Let the exports in flight finish (each has a deadline), so that they are counted.
    boolean drained = inFlight.tryAcquire(options.concurrency(), timeoutNanos + TimeUnit.SECONDS.toNanos(5),
        TimeUnit.NANOSECONDS);
    long end = System.nanoTime();
    ExportStats.Window last = stats.take(end);
    if (measuring) measured = measured.plus(last);
    printInterval(end - start, drained ? "drain" : "drain (timed out)", last, 0);
    printSummary(measured);
    return measured;
  }

  private void send(TraceServiceGrpc.TraceServiceStub stub, ExportTraceServiceRequest request, ExportStats stats,
      Semaphore inFlight, long timeoutNanos) {
    int spans = options.spansPerRequest();
    long sentAt = System.nanoTime();
    try {
      stub.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).export(request,
          new StreamObserver<ExportTraceServiceResponse>() {
            long rejected;

            @Override
            public void onNext(ExportTraceServiceResponse response) {
              rejected = response.getPartialSuccess().getRejectedSpans();
            }

            @Override
            public void onError(Throwable t) {
              stats.failed(Status.fromThrowable(t).getCode());
              inFlight.release();
            }

            @Override
            public void onCompleted() {
              stats.succeeded(spans, rejected, System.nanoTime() - sentAt);
              inFlight.release();
            }
          });
    } catch (RuntimeException e) {
      stats.failed(Status.fromThrowable(e).getCode());
      inFlight.release();
    }
  }

  private void printInterval(long elapsedNanos, String phase, ExportStats.Window w, int inFlight) {
    out.printf(Locale.ROOT,
        "%4ds %-8s spans/s %,10.0f  req/s %,7.0f  backpressure %,6d  errors %,6d  p50 %7.2fms  p99 %7.2fms  max %7.2fms  in-flight %d%n",
        TimeUnit.NANOSECONDS.toSeconds(elapsedNanos), phase, w.perSecond(w.acceptedSpans()), w.perSecond(w.okRequests()),
        w.backpressure(), w.errors(), w.latencyMillis(50), w.latencyMillis(99), w.maxLatencyMillis(), inFlight);
  }

  private void printSummary(ExportStats.Window m) {
    out.println();
    out.printf(Locale.ROOT, "=== summary: %.1fs measured after %.1fs warmup ===%n", m.nanos() / 1e9, options.warmup().toMillis() / 1e3);
    out.printf(Locale.ROOT, "spans accepted   %,d (%,.0f spans/s)%n", m.acceptedSpans(), m.perSecond(m.acceptedSpans()));
    out.printf(Locale.ROOT, "spans rejected   %,d (partial_success.rejected_spans)%n", m.rejectedSpans());
    out.printf(Locale.ROOT, "requests OK      %,d (%,.1f requests/s)%n", m.okRequests(), m.perSecond(m.okRequests()));
    out.printf(Locale.ROOT, "backpressure     %,d (RESOURCE_EXHAUSTED, %,.1f/s)%n", m.backpressure(), m.perSecond(m.backpressure()));
    out.printf(Locale.ROOT, "errors           %s%n", m.errorsByCode());
    out.printf(Locale.ROOT, "latency (OK)     p50 %.2fms  p90 %.2fms  p99 %.2fms  p99.9 %.2fms  max %.2fms%n",
        m.latencyMillis(50), m.latencyMillis(90), m.latencyMillis(99), m.latencyMillis(99.9), m.maxLatencyMillis());
  }

  private static long epochNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  @Override
  public String toString() {
    return "OtlpLoadGenerator{target=" + options.target() + ", concurrency=" + options.concurrency()
        + ", spansPerRequest=" + options.spansPerRequest() + ", services=" + options.services()
        + ", resourcesPerRequest=" + Math.min(RESOURCES_PER_REQUEST, options.services())
        + ", warmup=" + options.warmup().toMillis() + "ms, duration=" + options.duration().toMillis()
        + "ms, timeout=" + options.timeout().toMillis() + "ms}";
  }
}
