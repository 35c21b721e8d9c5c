package dev.spanloom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.QueryParams;
import dev.spanloom.demo.DemoShop;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code spanloom --demo} in one test: a real Spanloom and the demo shop sending to its OTLP
 * gRPC port with the default faults and traffic; Tempo's search API finds the shop's traces and
 * one of them holds all five services, the PostgreSQL INSERT, and the Kafka hop.
 */
class DemoShopEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIVE_SERVICES =
      Set.of("api-gateway", "auth-service", "order-service", "payment-service", "notification-service");

  private static final String COMPLETE_ORDER_QUERY = "{ resource.service.name = \"notification-service\" && name = \"send_email\" }";

  // The root and the consumer span end last; with them and the INSERT stored, the trace is whole.
  private static final Set<String> WHOLE_ORDER =
      Set.of("POST /order", "INSERT orders", "publish order.created", "process order.created", "send_email");

  /** A stored trace: its spans with their service names. */
  private record StoredSpan(String service, Span span) {}

  @Test
  void demoTracesAreFoundBySearchAndOneHoldsEveryServiceTheInsertAndTheKafkaHop() throws Exception {
    try (RunningSpanloom spanloom = RunningSpanloom.start()) {
      DemoShop shop = Spanloom.demoShop(spanloom.server, 20, null);
      shop.start();
      try {
        List<StoredSpan> trace = awaitCompleteOrderTrace(spanloom);

        Set<String> services = trace.stream().map(StoredSpan::service).collect(Collectors.toCollection(TreeSet::new));
        assertThat(services).containsExactlyInAnyOrderElementsOf(FIVE_SERVICES);
        Span insert = span(trace, "INSERT orders");
        assertThat(insert.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
        assertThat(attribute(insert, "db.system")).isEqualTo("postgresql");
        Span producer = span(trace, "publish order.created");
        Span consumer = span(trace, "process order.created");
        assertThat(producer.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_PRODUCER);
        assertThat(consumer.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CONSUMER);
        assertThat(consumer.getParentSpanId()).isEqualTo(producer.getSpanId());
        assertThat(consumer.getTraceState()).isEqualTo("ot=th:0");
        // The queries docs/demo.md suggests find the shop's spans.
        assertThat(search(spanloom, "{ kind = producer } >> { kind = consumer }")).isNotEmpty();
        assertThat(search(spanloom, "{ span.db.system = \"postgresql\" }")).isNotEmpty();
      } finally {
        shop.close();
      }
    }
  }

  @Test
  void demoRefusesAConfigurationWithoutAnOtlpGrpcReceiver() {
    String httpOnly = RunningSpanloom.LOOPBACK_OTLP.replace("      grpc:\n        endpoint: 127.0.0.1:0\n", "");
    assertThat(httpOnly).doesNotContain("grpc");
    try (RunningSpanloom spanloom = new RunningSpanloom(httpOnly)) {
      assertThatThrownBy(() -> Spanloom.demoShop(spanloom.server, 5, null))
          .hasMessage("receivers.otlp.protocols.grpc: not configured (expected: an OTLP gRPC receiver for the demo's spans)");
    }
  }

  /** Searches until a trace of a placed order is stored whole (notification-service's spans come last), for at most 60 s. */
  private static List<StoredSpan> awaitCompleteOrderTrace(RunningSpanloom spanloom) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    String seen = "nothing";
    while (System.nanoTime() < deadline) {
      JsonNode traces = search(spanloom, COMPLETE_ORDER_QUERY);
      seen = traces.size() + " traces found";
      for (JsonNode t : traces) {
        List<StoredSpan> trace = fetch(spanloom, t.get("traceID").asText());
        Map<String, Long> services = trace.stream().collect(Collectors.groupingBy(StoredSpan::service, Collectors.counting()));
        Set<String> names = trace.stream().map(s -> s.span().getName()).collect(Collectors.toSet());
        if (services.keySet().containsAll(FIVE_SERVICES) && names.containsAll(WHOLE_ORDER)) {
          return trace;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no complete order trace in 60 s; " + seen);
  }

  private static JsonNode search(RunningSpanloom spanloom, String traceQl) throws Exception {
    AggregatedHttpResponse found = spanloom.get("/api/search?" + QueryParams.of("q", traceQl).toQueryString());
    assertThat(found.status().code()).as(found.contentUtf8()).isEqualTo(200);
    return JSON.readTree(found.contentUtf8()).get("traces");
  }

  private static List<StoredSpan> fetch(RunningSpanloom spanloom, String traceId) throws Exception {
    AggregatedHttpResponse got = spanloom.get("/api/v2/traces/" + traceId);
    assertThat(got.status().code()).isEqualTo(200);
    TracesData.Builder data = TracesData.newBuilder();
    JsonFormat.parser().merge(JSON.readTree(got.contentUtf8()).get("trace").toString(), data);
    List<StoredSpan> spans = new ArrayList<>();
    for (ResourceSpans rs : data.getResourceSpansList()) {
      String service = rs.getResource().getAttributesList().stream().filter(kv -> kv.getKey().equals("service.name"))
          .map(kv -> kv.getValue().getStringValue()).findFirst().orElse("?");
      for (ScopeSpans ss : rs.getScopeSpansList()) for (Span s : ss.getSpansList()) spans.add(new StoredSpan(service, s));
    }
    return spans;
  }

  private static Span span(List<StoredSpan> trace, String name) {
    List<Span> found = trace.stream().map(StoredSpan::span).filter(s -> s.getName().equals(name)).toList();
    assertThat(found).as(name).hasSize(1);
    return found.get(0);
  }

  private static String attribute(Span span, String key) {
    return span.getAttributesList().stream().filter(kv -> kv.getKey().equals(key)).map(KeyValue::getValue)
        .map(v -> v.getStringValue()).findFirst().orElse(null);
  }
}
