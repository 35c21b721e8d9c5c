package dev.spanloom.demo;

import static dev.spanloom.demo.ShopTraces.byTrace;
import static dev.spanloom.demo.ShopTraces.completeOrders;
import static dev.spanloom.demo.ShopTraces.only;
import static dev.spanloom.demo.ShopTraces.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The order.created hop through a real Kafka 4.4 broker: the trace context rides in the record
 * headers from order-service's producer to notification-service's consumer.
 */
class KafkaOrderEventsTest {
  private static KafkaBroker broker;
  private static final InMemorySpanExporter EXPORTER = InMemorySpanExporter.create();
  private static DemoShop shop;
  private static Map<String, List<SpanData>> traces;

  @BeforeAll
  static void placeOrdersThroughKafka() throws Exception {
    broker = KafkaBroker.start();
    shop = DemoShop.builder().spanExporters(service -> EXPORTER).requestsPerSecond(0)
        .faults(FaultRates.NONE).incidents(IncidentSchedule.NEVER)
        .kafkaBootstrapServers(broker.bootstrapServers()).build();
    shop.start();
    for (int i = 0; i < 2; i++) assertThat(shop.placeOrder()).isEqualTo(201);
    traces = byTrace(new ShopTraces(shop, EXPORTER).awaitSpans(completeOrders(2)));
  }

  @AfterAll
  static void stop() {
    if (shop != null) shop.close();
    if (broker != null) broker.close();
  }

  @Test
  void producerAndConsumerSpansShareTheTraceAndTheConsumerIsTheProducersChild() {
    assertThat(traces).hasSize(2);
    for (List<SpanData> trace : traces.values()) {
      SpanData producer = only(trace, "publish order.created");
      SpanData consumer = only(trace, "process order.created");
      assertThat(producer.getKind()).isEqualTo(SpanKind.PRODUCER);
      assertThat(consumer.getKind()).isEqualTo(SpanKind.CONSUMER);
      assertThat(service(consumer)).isEqualTo("notification-service");
      assertThat(consumer.getTraceId()).isEqualTo(producer.getTraceId());
      assertThat(consumer.getParentSpanId()).isEqualTo(producer.getSpanId());
    }
  }

  @Test
  void consumerSeesTheOffsetTheBrokerGaveTheProducer() {
    for (List<SpanData> trace : traces.values()) {
      SpanData producer = only(trace, "publish order.created");
      SpanData consumer = only(trace, "process order.created");
      assertThat(consumer.getAttributes().get(AttributeKey.longKey("messaging.kafka.offset")))
          .isEqualTo(producer.getAttributes().get(AttributeKey.longKey("messaging.kafka.offset")));
      assertThat(consumer.getAttributes().get(AttributeKey.stringKey("messaging.consumer.group.name")))
          .isEqualTo("notification-service");
    }
    assertThat(shop.toString()).contains("order_events=kafka{bootstrap_servers=" + broker.bootstrapServers());
  }
}
