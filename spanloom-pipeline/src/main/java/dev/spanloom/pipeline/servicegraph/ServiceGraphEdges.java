package dev.spanloom.pipeline.servicegraph;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.StatusCode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The edges of the service graph in the spans of one trace — the one algorithm behind the
 * servicegraph connector, Jaeger's {@code /api/dependencies}, Zipkin's {@code /api/v2/dependencies}
 * and {@code /api/servicegraph}. It follows the Collector's servicegraph connector (itself Tempo's
 * service-graph processor):
 *
 * <ul>
 *   <li>a SERVER or CONSUMER span whose parent is a CLIENT or PRODUCER span is one request from
 *       the parent's service to its own (also within one service); a SERVER span sharing its ID
 *       with a CLIENT span (a B3 shared span, as Zipkin clients send) pairs with that span.
 *       PRODUCER or CONSUMER on either side makes it {@code messaging_system};
 *   <li>where a span names its messaging system ({@code messaging.system}), the system is a node
 *       between producer and consumer: {@code order-service → kafka → notification-service}
 *       instead of the Collector's single producer → consumer edge, so the broker is seen;
 *   <li>a CLIENT span no server span answers, with {@code db.system} or one of the database name
 *       attributes, calls a database node named by the first database name attribute present
 *       (else {@code db.system}): {@code database};
 *   <li>any other unanswered CLIENT or PRODUCER span with one of the virtual-node peer attributes
 *       calls an uninstrumented peer named by its value: {@code virtual_node};
 *   <li>a SERVER or CONSUMER span whose parent is a SERVER or CONSUMER span of another service
 *       (the caller's client side not instrumented, as Zipkin's and Jaeger's dependency links
 *       count it) is a plain request from that service;
 *   <li>everything else that should have a partner — a CLIENT or PRODUCER span nobody answered, a
 *       SERVER or CONSUMER span whose parent is not in the trace — is unpaired.
 * </ul>
 *
 * Attributes are looked up on the span, then on its resource. Internal spans are never a side
 * of an edge nor consulted, so a store holding only the other kinds finds the same edges. Instances are immutable and thread-safe.
 */
public final class ServiceGraphEdges {
  static final String DB_SYSTEM = "db.system";
  static final String MESSAGING_SYSTEM = "messaging.system";

  /** The Collector's defaults for {@code virtual_node_peer_attributes}. */
  public static final List<String> DEFAULT_PEER_ATTRIBUTES = List.of("peer.service", "db.name", "db.system");

  /** The Collector's default for {@code database_name_attributes}. */
  public static final List<String> DEFAULT_DATABASE_NAME_ATTRIBUTES = List.of("db.name");

  /** With the Collector's defaults. */
  public static final ServiceGraphEdges DEFAULT =
      new ServiceGraphEdges(DEFAULT_PEER_ATTRIBUTES, DEFAULT_DATABASE_NAME_ATTRIBUTES);

  private final List<String> peerAttributes;
  private final List<String> databaseNameAttributes;

  /**
   * @param peerAttributes attributes naming an uninstrumented peer, first present wins
   * @param databaseNameAttributes attributes naming a database, first present wins
   */
  public ServiceGraphEdges(List<String> peerAttributes, List<String> databaseNameAttributes) {
    this.peerAttributes = List.copyOf(requireNonNull(peerAttributes, "peerAttributes"));
    this.databaseNameAttributes = List.copyOf(requireNonNull(databaseNameAttributes, "databaseNameAttributes"));
  }

  public List<String> peerAttributes() {
    return peerAttributes;
  }

  public List<String> databaseNameAttributes() {
    return databaseNameAttributes;
  }

  /** What one trace holds: its edges, in span order, and the spans left without a partner. */
  public record Result(List<ServiceGraphEdge> edges, List<Span> unpaired) {}

  /** The edges in {@code trace}: spans of one trace, in any order, possibly incomplete. */
  public Result edgesOf(Collection<Span> trace) {
    Map<SpanId, Span> clientsById = new HashMap<>();
    Map<SpanId, Span> serversById = new HashMap<>();
    for (Span s : trace) {
      if (isClientSide(s.kind())) clientsById.putIfAbsent(s.spanId(), s);
      if (isServerSide(s.kind())) serversById.putIfAbsent(s.spanId(), s);
    }
    List<ServiceGraphEdge> edges = new ArrayList<>();
    List<Span> unpaired = new ArrayList<>();
    Set<Span> answered = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Span s : trace) {
      if (!isServerSide(s.kind())) continue;
      Span client = s.parentSpanId() == null ? null : clientsById.get(s.parentSpanId());
      if (client == null && s.kind() == SpanKind.SERVER) {
        Span shared = clientsById.get(s.spanId());
        if (shared != null && shared.kind() == SpanKind.CLIENT) client = shared;
      }
      if (client != null) {
        answered.add(client);
        pair(client, s, edges);
        continue;
      }
      String system = s.kind() == SpanKind.CONSUMER ? attribute(s, MESSAGING_SYSTEM) : null;
      if (system != null) {
        edges.add(fromMessagingSystem(system, s));
        continue;
      }
      Span parent = s.parentSpanId() == null ? null : serversById.get(s.parentSpanId());
      if (parent != null && parent != s && !parent.serviceName().equals(s.serviceName())) {
        edges.add(new ServiceGraphEdge(parent.serviceName(), NodeKind.SERVICE, s.serviceName(), NodeKind.SERVICE,
            s.kind() == SpanKind.CONSUMER ? ServiceGraphEdge.MESSAGING_SYSTEM : ServiceGraphEdge.PLAIN,
            failed(s), -1, s.durationNanos(), s.startEpochNanos(), null, s));
      } else if (s.parentSpanId() != null && parent == null) {
        unpaired.add(s);
      }
    }
    for (Span c : trace) {
      if (!isClientSide(c.kind()) || answered.contains(c)) continue;
      ServiceGraphEdge edge = unanswered(c);
      if (edge != null) {
        edges.add(edge);
      } else {
        unpaired.add(c);
      }
    }
    return new Result(edges, unpaired);
  }

  private void pair(Span client, Span server, List<ServiceGraphEdge> edges) {
    boolean messaging = client.kind() == SpanKind.PRODUCER || server.kind() == SpanKind.CONSUMER;
    String system = null;
    if (messaging) {
      system = attribute(client, MESSAGING_SYSTEM);
      if (system == null) system = attribute(server, MESSAGING_SYSTEM);
    }
    if (system != null) {
      edges.add(toMessagingSystem(client, system));
      edges.add(fromMessagingSystem(system, server));
      return;
    }
    edges.add(new ServiceGraphEdge(client.serviceName(), NodeKind.SERVICE, server.serviceName(), NodeKind.SERVICE,
        messaging ? ServiceGraphEdge.MESSAGING_SYSTEM : ServiceGraphEdge.PLAIN,
        failed(client) || failed(server), client.durationNanos(), server.durationNanos(),
        Math.min(client.startEpochNanos(), server.startEpochNanos()), client, server));
  }

  /** The edge of a client span no server span answered, or null when it has none. */
  private ServiceGraphEdge unanswered(Span c) {
    if (c.kind() == SpanKind.PRODUCER) {
      String system = attribute(c, MESSAGING_SYSTEM);
      if (system != null) return toMessagingSystem(c, system);
    } else {
      String database = firstAttribute(c, databaseNameAttributes);
      if (database == null) database = attribute(c, DB_SYSTEM);
      if (database != null) {
        // A database has no span of its own: the client's measurement stands for both sides, as in the Collector.
        return new ServiceGraphEdge(c.serviceName(), NodeKind.SERVICE, database, NodeKind.DATABASE,
            ServiceGraphEdge.DATABASE, failed(c), c.durationNanos(), c.durationNanos(), c.startEpochNanos(), c, null);
      }
    }
    String peer = firstAttribute(c, peerAttributes);
    if (peer == null) return null;
    return new ServiceGraphEdge(c.serviceName(), NodeKind.SERVICE, peer, NodeKind.PEER,
        ServiceGraphEdge.VIRTUAL_NODE, failed(c), c.durationNanos(), -1, c.startEpochNanos(), c, null);
  }

  private static ServiceGraphEdge toMessagingSystem(Span producer, String system) {
    return new ServiceGraphEdge(producer.serviceName(), NodeKind.SERVICE, system, NodeKind.MESSAGING,
        ServiceGraphEdge.MESSAGING_SYSTEM, failed(producer), producer.durationNanos(), -1,
        producer.startEpochNanos(), producer, null);
  }

  private static ServiceGraphEdge fromMessagingSystem(String system, Span consumer) {
    return new ServiceGraphEdge(system, NodeKind.MESSAGING, consumer.serviceName(), NodeKind.SERVICE,
        ServiceGraphEdge.MESSAGING_SYSTEM, failed(consumer), -1, consumer.durationNanos(),
        consumer.startEpochNanos(), null, consumer);
  }

  private static boolean isClientSide(SpanKind kind) {
    return kind == SpanKind.CLIENT || kind == SpanKind.PRODUCER;
  }

  private static boolean isServerSide(SpanKind kind) {
    return kind == SpanKind.SERVER || kind == SpanKind.CONSUMER;
  }

  private static boolean failed(Span s) {
    return s.status().code() == StatusCode.ERROR;
  }

  private static String firstAttribute(Span s, List<String> keys) {
    for (String key : keys) {
      String v = attribute(s, key);
      if (v != null) return v;
    }
    return null;
  }

  /** The non-empty value of {@code key} on the span, else on its resource, else null. */
  public static String attribute(Span s, String key) {
    AttributeValue v = s.attributes().get(key);
    if (v == null) v = s.resource().attributes().get(key);
    if (v == null) return null;
    String text = v.asString();
    return text.isEmpty() ? null : text;
  }

  @Override
  public String toString() {
    return "ServiceGraphEdges{virtual_node_peer_attributes=" + peerAttributes
        + ", database_name_attributes=" + databaseNameAttributes + "}";
  }
}
