package dev.spanloom.demo;

import static dev.spanloom.demo.ShopTraces.ALL_SERVICES;
import static dev.spanloom.demo.ShopTraces.atLeast;
import static dev.spanloom.demo.ShopTraces.byTrace;
import static dev.spanloom.demo.ShopTraces.completeOrders;
import static dev.spanloom.demo.ShopTraces.ofKind;
import static dev.spanloom.demo.ShopTraces.only;
import static dev.spanloom.demo.ShopTraces.parentOf;
import static dev.spanloom.demo.ShopTraces.service;
import static dev.spanloom.demo.ShopTraces.services;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The demo shop with the in-process order.created queue, its spans exported into memory by the
 * real SDK: the trace shape, the propagation over HTTP and over the queue, and each fault.
 */
class DemoShopTest {
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private DemoShop shop;
  private ShopTraces traces;

  private void start(UnaryOperator<DemoShop.Builder> settings) {
    shop = settings.apply(DemoShop.builder().spanExporters(service -> exporter).requestsPerSecond(0)
        .faults(FaultRates.NONE).incidents(IncidentSchedule.NEVER)).build();
    shop.start();
    traces = new ShopTraces(shop, exporter);
  }

  @AfterEach
  void stop() {
    if (shop != null) shop.close();
  }

  @Test
  void everyOrderIsOneTraceAcrossAllFiveServices() throws Exception {
    start(b -> b);
    for (int i = 0; i < 3; i++) assertThat(shop.placeOrder()).isEqualTo(201);

    Map<String, List<SpanData>> byTrace = byTrace(traces.awaitSpans(completeOrders(3)));

    assertThat(byTrace).hasSize(3);
    for (List<SpanData> trace : byTrace.values()) {
      assertThat(services(trace)).containsExactlyInAnyOrderElementsOf(ALL_SERVICES);
      List<SpanData> roots = trace.stream().filter(s -> !s.getParentSpanContext().isValid()).toList();
      assertThat(roots).singleElement().satisfies(root -> {
        assertThat(service(root)).isEqualTo("api-gateway");
        assertThat(root.getName()).isEqualTo("POST /order");
        assertThat(root.getKind()).isEqualTo(SpanKind.SERVER);
      });
      assertThat(trace).allSatisfy(s -> assertThat(s.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR));
    }
  }

  @Test
  void eachServerSpanIsTheChildOfItsCallersClientSpanOverHttp() throws Exception {
    start(b -> b);
    assertThat(shop.placeOrder()).isEqualTo(201);

    List<SpanData> trace = traces.awaitSpans(completeOrders(1));

    List<SpanData> servers = ofKind(trace, SpanKind.SERVER);
    assertThat(servers).extracting(ShopTraces::service)
        .containsExactlyInAnyOrder("api-gateway", "auth-service", "order-service", "payment-service");
    for (SpanData server : servers) {
      if (service(server).equals("api-gateway")) continue;
      SpanData caller = parentOf(trace, server);
      assertThat(caller.getKind()).isEqualTo(SpanKind.CLIENT);
      assertThat(service(caller)).isNotEqualTo(service(server));
      assertThat(caller.getName()).isEqualTo(server.getName());
      assertThat(caller.getAttributes().get(AttributeKey.longKey("server.port")))
          .isEqualTo((long) shop.ports().get(service(server)));
    }
  }

  @Test
  void tracestateFromTheRootTravelsToEverySpan() throws Exception {
    start(b -> b);
    shop.placeOrder();

    List<SpanData> trace = traces.awaitSpans(completeOrders(1));

    assertThat(trace).allSatisfy(s -> assertThat(s.getSpanContext().getTraceState().get("ot")).isEqualTo("th:0"));
  }

  @Test
  void consumerSpanIsTheChildOfTheProducerSpanThroughTheInProcessQueue() throws Exception {
    start(b -> b);
    shop.placeOrder();

    List<SpanData> trace = traces.awaitSpans(completeOrders(1));

    SpanData producer = only(trace, "publish order.created");
    SpanData consumer = only(trace, "process order.created");
    assertThat(producer.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(service(producer)).isEqualTo("order-service");
    assertThat(producer.getAttributes().get(AttributeKey.stringKey("messaging.system"))).isEqualTo("kafka");
    assertThat(producer.getAttributes().get(AttributeKey.stringKey("messaging.destination.name"))).isEqualTo("order.created");
    assertThat(producer.getAttributes().get(AttributeKey.stringKey("messaging.operation"))).isEqualTo("publish");
    assertThat(consumer.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(service(consumer)).isEqualTo("notification-service");
    assertThat(consumer.getTraceId()).isEqualTo(producer.getTraceId());
    assertThat(consumer.getParentSpanId()).isEqualTo(producer.getSpanId());
    assertThat(consumer.getAttributes().get(AttributeKey.longKey("messaging.kafka.offset")))
        .isEqualTo(producer.getAttributes().get(AttributeKey.longKey("messaging.kafka.offset")));
    SpanData email = only(trace, "send_email");
    assertThat(email.getParentSpanId()).isEqualTo(consumer.getSpanId());
    assertThat(email.getAttributes().get(AttributeKey.stringKey("peer.service"))).isEqualTo("smtp");
  }

  @Test
  void orderInsertIsAPostgresqlClientSpanOfOrderService() throws Exception {
    start(b -> b);
    shop.placeOrder();

    List<SpanData> trace = traces.awaitSpans(completeOrders(1));

    SpanData insert = only(trace, "INSERT orders");
    assertThat(insert.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(service(insert)).isEqualTo("order-service");
    assertThat(parentOf(trace, insert).getName()).isEqualTo("create_order");
    assertThat(insert.getAttributes().get(AttributeKey.stringKey("db.system"))).isEqualTo("postgresql");
    assertThat(insert.getAttributes().get(AttributeKey.stringKey("db.name"))).isEqualTo("shop");
    assertThat(insert.getAttributes().get(AttributeKey.stringKey("db.statement"))).startsWith("INSERT INTO orders");
    assertThat(insert.getAttributes().get(AttributeKey.stringKey("server.address"))).isNotBlank();
    assertThat(insert.getEvents()).isEmpty();
  }

  @Test
  void paymentCallsTheUninstrumentedStripeApiAsAPeer() throws Exception {
    start(b -> b);
    shop.placeOrder();

    List<SpanData> trace = traces.awaitSpans(completeOrders(1));

    SpanData stripe = only(trace, "POST /v1/charges");
    assertThat(stripe.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(service(stripe)).isEqualTo("payment-service");
    assertThat(stripe.getAttributes().get(AttributeKey.stringKey("peer.service"))).isEqualTo("stripe-api");
    assertThat(trace).noneSatisfy(s -> assertThat(s.getParentSpanId()).isEqualTo(stripe.getSpanId()));
  }

  @Test
  void slowInsertCarriesAQuerySlowEvent() throws Exception {
    start(b -> b.faults(new FaultRates(0, 0, 1, 0, 0)));
    shop.placeOrder();

    SpanData insert = only(traces.awaitSpans(completeOrders(1)), "INSERT orders");

    assertThat(insert.getEvents()).extracting(EventData::getName).containsExactly("query_slow");
    assertThat(insert.getEvents().get(0).getAttributes().get(AttributeKey.longKey("db.query.duration_ms"))).isGreaterThan(100);
  }

  @Test
  void smtpErrorsAreRetriedThenTheEmailSpanFails() throws Exception {
    start(b -> b.faults(new FaultRates(0, 0, 0, 0, 1)));
    assertThat(shop.placeOrder()).isEqualTo(201);

    List<SpanData> trace = traces.awaitSpans(completeOrders(1));

    SpanData email = only(trace, "send_email");
    assertThat(email.getEvents()).extracting(EventData::getName)
        .containsExactly("smtp_error", "smtp_error", "smtp_error", "exception");
    assertThat(email.getEvents().get(0).getAttributes().get(AttributeKey.booleanKey("retrying"))).isTrue();
    assertThat(email.getEvents().get(2).getAttributes().get(AttributeKey.booleanKey("retrying"))).isFalse();
    assertThat(email.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(only(trace, "process order.created").getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
  }

  @Test
  void failedPaymentAnswers500WithErrorSpansAndExceptionEvents() throws Exception {
    start(b -> b.faults(new FaultRates(0, 1, 0, 0, 0)));
    assertThat(shop.placeOrder()).isEqualTo(500);

    List<SpanData> trace = traces.awaitSpans(atLeast(1, "POST /order"));

    SpanData root = only(trace, "POST /order");
    assertThat(ofKind(trace, SpanKind.SERVER)).hasSize(4);
    assertThat(root.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(root.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(500);
    SpanData paymentServer = ofKind(trace, SpanKind.SERVER).stream()
        .filter(s -> service(s).equals("payment-service")).findFirst().orElseThrow();
    assertThat(paymentServer.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(paymentServer.getEvents()).extracting(EventData::getName).containsExactly("exception");
    assertThat(trace).noneSatisfy(s -> assertThat(s.getKind()).isEqualTo(SpanKind.PRODUCER));
  }

  @Test
  void rejectedTokenAnswers401WithoutReachingOrderService() throws Exception {
    start(b -> b.faults(new FaultRates(1, 0, 0, 0, 0)));
    assertThat(shop.placeOrder()).isEqualTo(401);

    List<SpanData> trace = traces.awaitSpans(atLeast(1, "POST /order"));

    assertThat(services(trace)).containsExactly("api-gateway", "auth-service");
    // A 401 is the caller's fault: the gateway's server span is not an error, its client span is.
    assertThat(only(trace, "POST /order").getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void trafficGeneratorSendsOrdersAndLookupsOnItsOwn() throws Exception {
    start(b -> b.requestsPerSecond(50).seed(7));

    List<SpanData> spans = traces.awaitSpans(completeOrders(3).and(atLeast(3, "SELECT orders")));

    assertThat(spans).filteredOn(s -> s.getName().equals("GET /orders/{id}") && s.getKind() == SpanKind.SERVER).isNotEmpty();
  }

  @Test
  void anIncidentMakesPaymentsFail() throws Exception {
    start(b -> b.faults(new FaultRates(0, 0.1, 0, 0, 0)).incidents(IncidentSchedule.ALWAYS));
    int failed = 0;
    for (int i = 0; i < 10; i++) if (shop.placeOrder() == 500) failed++;

    // 0.1 × 15 = always during an incident.
    assertThat(failed).isEqualTo(10);
  }

  @Test
  void toStringShowsTheEffectiveConfiguration() {
    start(b -> b.seed(3));

    assertThat(shop.toString()).contains("requests_per_second=0.0", "order_events=in-process", "seed=3",
        "incidents=never", "api-gateway@127.0.0.1:" + shop.ports().get("api-gateway"), "stripe-api@127.0.0.1:");
  }

  @Test
  void builderRefusesBadValuesWithTheExpectation() {
    assertThatThrownBy(() -> DemoShop.builder().requestsPerSecond(-1))
        .hasMessage("rate: -1.0 (expected: 0..10000)");
    assertThatThrownBy(() -> DemoShop.builder().kafkaBootstrapServers("localhost"))
        .hasMessage("kafka bootstrap servers: localhost (expected: host:port[,host:port…])");
    assertThatThrownBy(() -> DemoShop.builder().otlpEndpoint("localhost:4317"))
        .hasMessage("otlp endpoint: localhost:4317 (expected: http://host:port)");
    assertThatThrownBy(() -> new FaultRates(0, 1.5, 0, 0, 0)).hasMessage("paymentFailure: 1.5 (expected: 0..1)");
  }
}
