package dev.spanloom.pipeline.servicegraph;

import static dev.spanloom.pipeline.servicegraph.GraphSpans.client;
import static dev.spanloom.pipeline.servicegraph.GraphSpans.failed;
import static dev.spanloom.pipeline.servicegraph.GraphSpans.server;
import static dev.spanloom.pipeline.servicegraph.GraphSpans.span;
import static dev.spanloom.pipeline.servicegraph.GraphSpans.withAttributes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.spanloom.model.Span;
import dev.spanloom.model.SpanKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceGraphEdgesTest {
  private static final ServiceGraphEdges EDGES = ServiceGraphEdges.DEFAULT;

  private static List<ServiceGraphEdge> edges(Span... trace) {
    return EDGES.edgesOf(List.of(trace)).edges();
  }

  @Test
  void serverSpanWhoseParentIsAClientSpanIsOneRequestWithBothSidesLatencies() {
    Span c = client("api-gateway", 2, 1, 30);
    Span s = server("order-service", 3, 2, 20);

    List<ServiceGraphEdge> edges = edges(server("api-gateway", 1, 0, 50), c, s);

    assertThat(edges).containsExactly(new ServiceGraphEdge("api-gateway", NodeKind.SERVICE, "order-service",
        NodeKind.SERVICE, "", false, 30_000_000, 20_000_000, c.startEpochNanos(), c, s));
  }

  @Test
  void spansArriveInAnyOrder() {
    assertThat(edges(server("order-service", 3, 2, 20), client("api-gateway", 2, 1, 30)))
        .extracting(ServiceGraphEdge::client, ServiceGraphEdge::server).containsExactly(tuple("api-gateway", "order-service"));
  }

  @Test
  void callsWithinOneServiceAreEdgesToo() {
    assertThat(edges(client("order-service", 2, 1, 30), server("order-service", 3, 2, 20)))
        .extracting(ServiceGraphEdge::client, ServiceGraphEdge::server).containsExactly(tuple("order-service", "order-service"));
  }

  @Test
  void sharedB3ServerSpanPairsWithTheClientSpanOfItsId() {
    Span c = client("frontend", 2, 1, 30);
    Span shared = server("backend", 2, 1, 20);

    assertThat(edges(server("frontend", 1, 0, 50), c, shared))
        .extracting(ServiceGraphEdge::client, ServiceGraphEdge::server, ServiceGraphEdge::serverDurationNanos)
        .containsExactly(tuple("frontend", "backend", 20_000_000L));
  }

  @Test
  void requestFailedWhenEitherSideHasStatusError() {
    assertThat(edges(failed(client("a", 2, 1, 30)), server("b", 3, 2, 20)).get(0).failed()).isTrue();
    assertThat(edges(client("a", 2, 1, 30), failed(server("b", 3, 2, 20))).get(0).failed()).isTrue();
    assertThat(edges(client("a", 2, 1, 30), server("b", 3, 2, 20)).get(0).failed()).isFalse();
  }

  @Test
  void producerAndConsumerNamingTheirMessagingSystemGoThroughItsNode() {
    Span producer = withAttributes(span("order-service", SpanKind.PRODUCER, 2, 1, 5), "messaging.system", "kafka");
    Span consumer = withAttributes(span("notification-service", SpanKind.CONSUMER, 3, 2, 40), "messaging.system", "kafka");

    assertThat(edges(producer, consumer))
        .extracting(ServiceGraphEdge::client, ServiceGraphEdge::clientKind, ServiceGraphEdge::server,
            ServiceGraphEdge::serverKind, ServiceGraphEdge::connectionType,
            ServiceGraphEdge::clientDurationNanos, ServiceGraphEdge::serverDurationNanos)
        .containsExactly(
            tuple("order-service", NodeKind.SERVICE, "kafka", NodeKind.MESSAGING, "messaging_system", 5_000_000L, -1L),
            tuple("kafka", NodeKind.MESSAGING, "notification-service", NodeKind.SERVICE, "messaging_system", -1L, 40_000_000L));
  }

  @Test
  void producerAndConsumerWithoutMessagingSystemAreOneMessagingEdgeAsInTheCollector() {
    assertThat(edges(span("order-service", SpanKind.PRODUCER, 2, 1, 5).build(),
        span("notification-service", SpanKind.CONSUMER, 3, 2, 40).build()))
        .extracting(ServiceGraphEdge::client, ServiceGraphEdge::server, ServiceGraphEdge::connectionType)
        .containsExactly(tuple("order-service", "notification-service", "messaging_system"));
  }

  @Test
  void producerNobodyConsumedYetStillReachesItsMessagingSystem() {
    Span producer = withAttributes(span("order-service", SpanKind.PRODUCER, 2, 1, 5), "messaging.system", "kafka");

    ServiceGraphEdges.Result result = EDGES.edgesOf(List.of(producer));

    assertThat(result.edges()).extracting(ServiceGraphEdge::server).containsExactly("kafka");
    assertThat(result.unpaired()).isEmpty();
  }

  @Test
  void unansweredDatabaseClientSpanCallsADatabaseNamedByDbName() {
    Span query = withAttributes(span("order-service", SpanKind.CLIENT, 2, 1, 7), "db.system", "postgresql", "db.name", "orders");

    assertThat(edges(query))
        .extracting(ServiceGraphEdge::server, ServiceGraphEdge::serverKind, ServiceGraphEdge::connectionType,
            ServiceGraphEdge::clientDurationNanos, ServiceGraphEdge::serverDurationNanos)
        .containsExactly(tuple("orders", NodeKind.DATABASE, "database", 7_000_000L, 7_000_000L));
  }

  @Test
  void databaseWithoutANameAttributeIsNamedByItsSystem() {
    Span query = withAttributes(span("order-service", SpanKind.CLIENT, 2, 1, 7), "db.system", "postgresql");

    assertThat(edges(query)).extracting(ServiceGraphEdge::server, ServiceGraphEdge::serverKind)
        .containsExactly(tuple("postgresql", NodeKind.DATABASE));
  }

  @Test
  void databaseNameAttributesAreConfigurable() {
    ServiceGraphEdges bySystem = new ServiceGraphEdges(ServiceGraphEdges.DEFAULT_PEER_ATTRIBUTES, List.of("db.system"));
    Span query = withAttributes(span("order-service", SpanKind.CLIENT, 2, 1, 7), "db.system", "postgresql", "db.name", "orders");

    assertThat(bySystem.edgesOf(List.of(query)).edges()).extracting(ServiceGraphEdge::server).containsExactly("postgresql");
  }

  @Test
  void unansweredClientSpanWithPeerServiceCallsAVirtualNode() {
    Span call = withAttributes(span("order-service", SpanKind.CLIENT, 2, 1, 120), "peer.service", "stripe");

    assertThat(edges(call))
        .extracting(ServiceGraphEdge::client, ServiceGraphEdge::server, ServiceGraphEdge::serverKind,
            ServiceGraphEdge::connectionType, ServiceGraphEdge::serverDurationNanos)
        .containsExactly(tuple("order-service", "stripe", NodeKind.PEER, "virtual_node", -1L));
  }

  @Test
  void peerAttributesAreConfigurableAndTriedInOrder() {
    ServiceGraphEdges byAddress = new ServiceGraphEdges(List.of("server.address", "peer.service"), List.of("db.name"));
    Span call = withAttributes(span("order-service", SpanKind.CLIENT, 2, 1, 120),
        "peer.service", "stripe", "server.address", "api.stripe.com");

    assertThat(byAddress.edgesOf(List.of(call)).edges()).extracting(ServiceGraphEdge::server).containsExactly("api.stripe.com");
  }

  @Test
  void answeredClientSpanIsPairedEvenWithPeerOrDatabaseAttributes() {
    Span c = withAttributes(span("api-gateway", SpanKind.CLIENT, 2, 1, 30), "peer.service", "orders", "db.system", "x");

    assertThat(edges(c, server("order-service", 3, 2, 20)))
        .extracting(ServiceGraphEdge::server, ServiceGraphEdge::connectionType).containsExactly(tuple("order-service", ""));
  }

  @Test
  void serverSpanUnderAServerSpanOfAnotherServiceIsARequestWithoutClientLatency() {
    assertThat(edges(server("checkout", 1, 0, 50), server("inventory", 2, 1, 10)))
        .extracting(ServiceGraphEdge::client, ServiceGraphEdge::server, ServiceGraphEdge::clientDurationNanos,
            ServiceGraphEdge::serverDurationNanos)
        .containsExactly(tuple("checkout", "inventory", -1L, 10_000_000L));
  }

  @Test
  void nestedServerSpansOfOneServiceAreNoRequest() {
    assertThat(EDGES.edgesOf(List.of(server("checkout", 1, 0, 50), server("checkout", 2, 1, 10))))
        .isEqualTo(new ServiceGraphEdges.Result(List.of(), List.of()));
  }

  @Test
  void spansWithoutPartnerAreUnpairedButARootServerSpanIsNot() {
    Span lonelyClient = client("api-gateway", 2, 1, 30);
    Span orphanServer = server("order-service", 5, 4, 20);

    ServiceGraphEdges.Result result = EDGES.edgesOf(List.of(server("api-gateway", 1, 0, 50), lonelyClient, orphanServer));

    assertThat(result.edges()).isEmpty();
    assertThat(result.unpaired()).containsExactlyInAnyOrder(lonelyClient, orphanServer);
  }

  @Test
  void internalSpansAreNeverASideOfAnEdge() {
    Span internal = span("api-gateway", SpanKind.INTERNAL, 2, 1, 30).build();

    ServiceGraphEdges.Result result = EDGES.edgesOf(List.of(internal, server("order-service", 3, 2, 20)));

    assertThat(result.edges()).isEmpty();
    assertThat(result.unpaired()).extracting(Span::serviceName).containsExactly("order-service");
  }

  @Test
  void attributesAreLookedUpOnTheSpanThenOnItsResource() {
    Span onResource = span("order-service", SpanKind.CLIENT, 2, 1, 7)
        .resource(dev.spanloom.model.Resource.of(dev.spanloom.model.Attributes.builder()
            .put("service.name", "order-service").put("peer.service", "ledger").build()))
        .build();

    assertThat(edges(onResource)).extracting(ServiceGraphEdge::server).containsExactly("ledger");
  }
}
