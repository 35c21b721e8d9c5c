package dev.spanloom.server.sampling;

import com.linecorp.armeria.client.WebClient;
import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import dev.spanloom.server.SpanloomServer;
import dev.spanloom.server.config.SpanloomConfig;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A real Spanloom on loopback ports with in-memory storage and the given processors, for the sampling tests. */
final class SamplingServer implements AutoCloseable {
  final SpanloomServer server;

  SamplingServer(String processorsYaml, String pipelineProcessors) {
    String yaml = """
        receivers:
          otlp:
            protocols:
              grpc:
                endpoint: 127.0.0.1:0
        %s
        exporters:
          store: {}
        service:
          pipelines:
            traces:
              receivers: [otlp]
              processors: %s
              exporters: [store]
        server:
          http_listen_address: 127.0.0.1
          http_listen_port: 0
        query:
          jaeger: {endpoint: 127.0.0.1:0}
          zipkin: {endpoint: 127.0.0.1:0}
        storage:
          trace:
            backend: memory
        """.formatted(processorsYaml, pipelineProcessors);
    server = new SpanloomServer(SpanloomConfig.parse(yaml, "test"));
    server.start();
  }

  String grpcEndpoint() {
    return "http://127.0.0.1:" + server.receiverPort("receivers.otlp.protocols.grpc");
  }

  int storedSpans(TraceId id) {
    return server.storage().reader().findTrace(id).map(Trace::spans).map(java.util.List::size).orElse(0);
  }

  /** The value of one sample line of /metrics, e.g. {@code spanloom_tail_sampling_traces_on_memory{processor="tail_sampling/0"}}. */
  double metric(String sample) {
    String body = WebClient.of("http://127.0.0.1:" + server.queryPort()).get("/metrics").aggregate().join().contentUtf8();
    for (String line : body.split("\n")) {
      if (line.startsWith(sample + " ")) return Double.parseDouble(line.substring(sample.length() + 1).trim());
    }
    return Double.NaN;
  }

  /** Waits at most {@code limit} for {@code condition}; no timing is asserted, only the outcome. */
  static void await(Duration limit, BooleanSupplier condition, java.util.function.Supplier<String> state) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not reached within " + limit + "; " + state.get());
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
