package dev.spanloom.server;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import dev.spanloom.server.config.SpanloomConfig;

/**
 * A real Spanloom on loopback with ephemeral ports, for tests. The YAML given is the whole
 * configuration; {@link #LOOPBACK_OTLP} is a starting point.
 */
final class RunningSpanloom implements AutoCloseable {
  static final String LOOPBACK_OTLP = """
      receivers:
        otlp:
          protocols:
            grpc:
              endpoint: 127.0.0.1:0
            http:
              endpoint: 127.0.0.1:0
      exporters:
        store: {}
      service:
        pipelines:
          traces:
            receivers: [otlp]
            exporters: [store]
      server:
        http_listen_address: 127.0.0.1
        http_listen_port: 0
      storage:
        trace:
          backend: memory
      query:
        jaeger:
          endpoint: 127.0.0.1:0
        zipkin:
          endpoint: 127.0.0.1:0
      """;

  /**
   * {@link #LOOPBACK_OTLP} plus the jaeger (thrift_http) and zipkin receivers. The zipkin
   * receiver's endpoint equals {@code query.zipkin.endpoint}, so one server takes both.
   */
  static final String LOOPBACK_ALL = LOOPBACK_OTLP
      .replace("receivers:\n  otlp:", "receivers:\n  jaeger:\n    protocols:\n      thrift_http:\n"
          + "        endpoint: 127.0.0.1:0\n  zipkin:\n    endpoint: 127.0.0.1:0\n  otlp:")
      .replace("receivers: [otlp]", "receivers: [otlp, jaeger, zipkin]");

  final SpanloomServer server;

  RunningSpanloom(String yaml) {
    this(yaml, java.util.function.UnaryOperator.identity());
  }

  RunningSpanloom(String yaml, java.util.function.UnaryOperator<dev.spanloom.pipeline.ComponentRegistry> extraComponents) {
    this(yaml, extraComponents, java.time.Clock.systemUTC(), dev.spanloom.server.slo.SloEngine.Ticker.scheduled());
  }

  /** With the clock and ticker of SLO evaluation, for tests that evaluate by hand. */
  RunningSpanloom(String yaml, java.util.function.UnaryOperator<dev.spanloom.pipeline.ComponentRegistry> extraComponents,
      java.time.Clock sloClock, dev.spanloom.server.slo.SloEngine.Ticker sloTicker) {
    server = new SpanloomServer(SpanloomConfig.parse(yaml, "test"), extraComponents, sloClock, sloTicker);
    server.start();
  }

  static RunningSpanloom start() {
    return new RunningSpanloom(LOOPBACK_OTLP);
  }

  String grpcEndpoint() {
    return "http://127.0.0.1:" + server.receiverPort("receivers.otlp.protocols.grpc");
  }

  String httpEndpoint() {
    return "http://127.0.0.1:" + server.receiverPort("receivers.otlp.protocols.http");
  }

  String queryEndpoint() {
    return "http://127.0.0.1:" + server.queryPort();
  }

  String jaegerThriftEndpoint() {
    return "http://127.0.0.1:" + server.receiverPort("receivers.jaeger.protocols.thrift_http");
  }

  String zipkinEndpoint() {
    return "http://127.0.0.1:" + server.receiverPort("receivers.zipkin");
  }

  String jaegerQueryEndpoint() {
    return "http://127.0.0.1:" + server.jaegerQueryPort();
  }

  String zipkinQueryEndpoint() {
    return "http://127.0.0.1:" + server.zipkinQueryPort();
  }

  AggregatedHttpResponse get(String path) {
    return WebClient.of(queryEndpoint()).get(path).aggregate().join();
  }

  @Override
  public void close() {
    server.close();
  }
}
