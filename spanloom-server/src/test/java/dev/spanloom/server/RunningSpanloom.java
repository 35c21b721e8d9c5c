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
      """;

  final SpanloomServer server;

  RunningSpanloom(String yaml) {
    server = new SpanloomServer(SpanloomConfig.parse(yaml, "test"));
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

  AggregatedHttpResponse get(String path) {
    return WebClient.of(queryEndpoint()).get(path).aggregate().join();
  }

  @Override
  public void close() {
    server.close();
  }
}
