package dev.spanloom.it.jaeger;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One service's SDK starting root spans of one operation at a steady rate, sampled by {@code
 * sampler} and exported over OTLP/gRPC: the traffic adaptive sampling learns from. Each tick
 * catches up to the nominal rate, so a slow tick on a busy machine does not lower the average;
 * {@link #requestsPerSecond()} is the rate actually achieved.
 */
final class SyntheticRootTraffic implements AutoCloseable {
  private final SdkTracerProvider provider;
  private final Tracer tracer;
  private final String operation;
  private final double perSecond;
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong sampled = new AtomicLong();
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "synthetic-root-traffic");
    t.setDaemon(true);
    return t;
  });

  SyntheticRootTraffic(String otlpGrpcEndpoint, String service, String operation, double perSecond, Sampler sampler) {
    this.operation = operation;
    this.perSecond = perSecond;
    provider = SdkTracerProvider.builder()
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), service)))
        .setSampler(sampler)
        .addSpanProcessor(BatchSpanProcessor.builder(OtlpGrpcSpanExporter.builder().setEndpoint(otlpGrpcEndpoint).build())
            .setScheduleDelay(Duration.ofMillis(100)).build())
        .build();
    tracer = provider.get("dev.spanloom.it.jaeger.traffic");
    ticker.scheduleAtFixedRate(this::tick, 0, 10, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    long due = (long) ((System.nanoTime() - startNanos) / 1e9 * perSecond);
    while (started.get() < due) {
      io.opentelemetry.api.trace.Span root = tracer.spanBuilder(operation).setNoParent().setSpanKind(SpanKind.SERVER).startSpan();
      root.end();
      started.incrementAndGet();
      if (root.getSpanContext().isSampled()) sampled.incrementAndGet();
    }
  }

  /** Root spans started per second since the start. */
  double requestsPerSecond() {
    return started.get() / ((System.nanoTime() - startNanos) / 1e9);
  }

  @Override
  public String toString() {
    return operation + ": " + started.get() + " roots started (" + Math.round(requestsPerSecond()) + "/s), " + sampled.get() + " sampled";
  }

  @Override
  public void close() throws InterruptedException {
    ticker.shutdownNow();
    ticker.awaitTermination(5, TimeUnit.SECONDS);
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }
}
