package dev.spanloom.server.slo;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.Status;
import dev.spanloom.model.StatusCode;
import dev.spanloom.model.TraceId;
import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.pipeline.connector.SpanMetricsConfig;
import dev.spanloom.pipeline.connector.SpanMetricsConnector;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Configurations, connectors and spans of the SLO tests. */
public final class SloFixtures {
  private SloFixtures() {}

  /** The duration buckets of the tests' spanmetrics connectors. */
  public static final String BUCKETS = "[100ms, 250ms, 500ms, 1s, 2.5s]";

  /**
   * A Spanloom whose traces pipeline feeds the real spanmetrics connector, read by a prometheus
   * exporter; append an {@code slo:} section.
   */
  public static final String WITH_SPAN_METRICS = """
      receivers:
        otlp:
          protocols:
            grpc: {endpoint: 127.0.0.1:0}
      connectors:
        spanmetrics:
          histogram: {explicit: {buckets: %s}}
      exporters:
        store: {}
        prometheus: {endpoint: "127.0.0.1:0"}
      service:
        pipelines:
          traces: {receivers: [otlp], exporters: [store, spanmetrics]}
          metrics: {receivers: [spanmetrics], exporters: [prometheus]}
      server: {http_listen_address: 127.0.0.1, http_listen_port: 0}
      storage: {trace: {backend: memory}}
      query: {jaeger: {endpoint: "127.0.0.1:0"}, zipkin: {endpoint: "127.0.0.1:0"}}
      """.formatted(BUCKETS);

  /** The real spanmetrics connector on the test's clock, with {@link #BUCKETS} and {@code extraYaml} settings. */
  public static SpanMetricsConnector spanMetrics(Clock clock, String extraYaml) {
    Map<String, Object> config = SloEngineTest.yaml("histogram: {explicit: {buckets: " + BUCKETS + "}}\n" + extraYaml);
    return new SpanMetricsConnector(SpanMetricsConfig.fromConfig(ConfigNode.root(config)), () -> SloEngine.nanos(clock.instant()));
  }

  /** {@code count} spans of a service, with the given duration and status. */
  public static List<Span> spans(String service, String name, SpanKind kind, long durationMillis, StatusCode status, int count) {
    List<Span> out = new ArrayList<>(count);
    Resource resource = Resource.of(Attributes.of(Resource.SERVICE_NAME, AttributeValue.of(service)));
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < count; i++) {
      out.add(Span.builder()
          .traceId(new TraceId(random.nextLong() | 1, random.nextLong()))
          .spanId(new SpanId(random.nextLong() | 1))
          .name(name)
          .kind(kind)
          .startEpochNanos(1_000_000_000L)
          .endEpochNanos(1_000_000_000L + durationMillis * 1_000_000L)
          .status(status == StatusCode.ERROR ? Status.ERROR : Status.UNSET)
          .resource(resource)
          .build());
    }
    return out;
  }
}
