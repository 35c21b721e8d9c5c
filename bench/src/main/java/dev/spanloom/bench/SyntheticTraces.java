package dev.spanloom.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import dev.spanloom.model.internal.Hex;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Export requests shaped like those of an instrumented Java service fleet: per service a
 * resource of ~13 attributes (service, host, k8s, SDK), spans grouped under the HTTP-server and
 * JDBC instrumentation scopes, traces of {@value #SPANS_PER_TRACE} spans (an HTTP server root
 * with internal, database, cache, downstream-HTTP and Kafka children, each with ~8 attributes),
 * one event on some spans, and an error trace now and then. The one fixture of the decode
 * benchmark and the load generator, so both measure the same shape.
 *
 * <p>Not thread-safe: each instance owns its random source.
 */
public final class SyntheticTraces {
  /** A trace longer than a resource's share of a request is cut, as batching cuts real traces. */
  public static final int SPANS_PER_TRACE = 8;

  private static final String[] SERVICE_NAMES = {
    "frontend", "checkout", "cart", "payment", "shipping", "currency", "catalog", "recommendation",
    "email", "ad", "quote", "fraud-detection"
  };
  private static final String[] ROUTES = {
    "/api/orders/{id}", "/api/cart", "/api/products/{id}", "/api/checkout", "/api/users/{id}/profile",
    "/health"
  };
  private static final String[] TABLES = {"orders", "order_items", "customers", "products", "inventory"};
  private static final int SCOPE_HTTP = 0;
  private static final int SCOPE_JDBC = 1;
  private static final InstrumentationScope[] SCOPES = {
    InstrumentationScope.newBuilder().setName("io.opentelemetry.spring-webmvc-6.0").setVersion("2.10.0-alpha").build(),
    InstrumentationScope.newBuilder().setName("io.opentelemetry.jdbc").setVersion("2.10.0-alpha").build(),
  };
  private static final String SCHEMA_URL = "https://opentelemetry.io/schemas/1.24.0";
  private static final long MILLI = 1_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();
  // Sampled (W3C bit 0) and "parent is-remote known" (bit 8), as the Java SDK sets them.
  private static final int FLAGS = 0x101;

  private final SplittableRandom random;
  private final Resource[] resources;
  private int nextResource;

  private SyntheticTraces(int services, long seed) {
    this.random = new SplittableRandom(seed);
    this.resources = new Resource[services];
    for (int i = 0; i < services; i++) resources[i] = resource(i);
  }

  /**
   * A generator over {@code services} distinct services; the same {@code seed} gives the same
   * requests for the same {@code endEpochNanos}.
   */
  public static SyntheticTraces create(int services, long seed) {
    if (services < 1) throw new IllegalArgumentException("services: " + services + " (expected: >= 1)");
    return new SyntheticTraces(services, seed);
  }

  /**
   * A request of exactly {@code spans} spans spread evenly over {@code resourcesPerRequest}
   * services, taken round-robin from this generator's pool. Every trace ends by
   * {@code endEpochNanos}, so a server with retention keeps them.
   */
  public ExportTraceServiceRequest request(int spans, int resourcesPerRequest, long endEpochNanos) {
    if (spans < 1) throw new IllegalArgumentException("spans: " + spans + " (expected: >= 1)");
    int groups = Math.min(Math.min(resourcesPerRequest, resources.length), spans);
    if (groups < 1) {
      throw new IllegalArgumentException("resourcesPerRequest: " + resourcesPerRequest + " (expected: >= 1)");
    }
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    for (int g = 0; g < groups; g++) {
      int share = spans / groups + (g < spans % groups ? 1 : 0);
      Resource resource = resources[nextResource];
      nextResource = (nextResource + 1) % resources.length;
      request.addResourceSpans(resourceSpans(resource, share, endEpochNanos));
    }
    return request.build();
  }

  private ResourceSpans resourceSpans(Resource resource, int spans, long endEpochNanos) {
    ScopeSpans.Builder[] scopes = new ScopeSpans.Builder[SCOPES.length];
    for (int i = 0; i < scopes.length; i++) {
      scopes[i] = ScopeSpans.newBuilder().setScope(SCOPES[i]).setSchemaUrl(SCHEMA_URL);
    }
    String service = resource.getAttributes(0).getValue().getStringValue();
    for (int done = 0; done < spans; done += SPANS_PER_TRACE) {
      addTrace(scopes, service, Math.min(SPANS_PER_TRACE, spans - done), endEpochNanos);
    }
    ResourceSpans.Builder rs = ResourceSpans.newBuilder().setResource(resource).setSchemaUrl(SCHEMA_URL);
    for (ScopeSpans.Builder s : scopes) {
      if (s.getSpansCount() > 0) rs.addScopeSpans(s);
    }
    return rs.build();
  }

  // Span 0 is the HTTP server root; the rest cycle through the children a request handler makes.
  // Database spans hang under the latest internal span, everything else under the root.
  private void addTrace(ScopeSpans.Builder[] scopes, String service, int spans, long endEpochNanos) {
    ByteString traceId = traceId();
    boolean error = random.nextInt(50) == 0;
    long rootDuration = (20 + random.nextInt(180)) * MILLI;
    long rootStart = endEpochNanos - rootDuration - random.nextLong(1000 * MILLI);
    ByteString rootId = spanId();
    String route = ROUTES[random.nextInt(ROUTES.length)];
    String orderId = Long.toString(100_000 + random.nextInt(900_000));

    Span.Builder root = span(traceId, rootId, null, "GET " + route, SpanKind.SPAN_KIND_SERVER, rootStart, rootDuration)
        .addAttributes(str("http.method", "GET"))
        .addAttributes(str("http.route", route))
        .addAttributes(str("http.target", route.replace("{id}", orderId)))
        .addAttributes(str("http.scheme", "http"))
        .addAttributes(lng("http.status_code", error ? 500 : 200))
        .addAttributes(str("net.host.name", service))
        .addAttributes(str("net.sock.peer.addr", "10.0." + random.nextInt(256) + "." + random.nextInt(256)))
        .addAttributes(str("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0"));
    if (error) {
      root.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)
          .setMessage("java.sql.SQLTransientConnectionException: connection is not available"));
      root.addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(rootStart + rootDuration - MILLI)
          .addAttributes(str("exception.type", "java.sql.SQLTransientConnectionException"))
          .addAttributes(str("exception.message", "HikariPool-1 - Connection is not available, request timed out after 30000ms."))
          .addAttributes(str("exception.stacktrace",
              "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available\n"
              + "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)\n"
              + "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:197)")));
    }
    scopes[SCOPE_HTTP].addSpans(root);

    ByteString internalId = rootId;
    long slot = rootDuration / spans;
    for (int i = 1; i < spans; i++) {
      long start = rootStart + i * slot - slot / 2;
      long duration = slot / 4 + random.nextLong(slot / 4);
      ByteString id = spanId();
      switch (i % 7) {
        case 1 -> {
          // The handler's internal span encloses the database calls that follow it.
          long enclosing = rootStart + rootDuration - slot / 4 - start;
          Span.Builder s = span(traceId, id, rootId, "OrderService.load", SpanKind.SPAN_KIND_INTERNAL, start, enclosing)
              .addAttributes(str("code.namespace", "com.example.shop.OrderService"))
              .addAttributes(str("code.function", "load"))
              .addAttributes(str("thread.name", "http-nio-8080-exec-" + random.nextInt(200)))
              .addAttributes(lng("thread.id", 40 + random.nextInt(200)))
              .addAttributes(str("order.id", orderId))
              .addAttributes(str("customer.tier", random.nextInt(4) == 0 ? "gold" : "standard"))
              .addAttributes(lng("order.items", 1 + random.nextInt(12)))
              .addAttributes(str("enduser.id", "user-" + random.nextInt(50_000)));
          if (random.nextInt(4) == 0) {
            s.addEvents(Span.Event.newBuilder().setName("cache.miss").setTimeUnixNano(start + duration)
                .addAttributes(str("cache.key", "order:" + orderId)));
          }
          scopes[SCOPE_HTTP].addSpans(s);
          internalId = id;
        }
        case 2, 5 -> {
          String table = TABLES[random.nextInt(TABLES.length)];
          scopes[SCOPE_JDBC].addSpans(span(traceId, id, internalId, "SELECT shop." + table, SpanKind.SPAN_KIND_CLIENT, start, duration)
              .addAttributes(str("db.system", "postgresql"))
              .addAttributes(str("db.name", "shop"))
              .addAttributes(str("db.user", "shop_app"))
              .addAttributes(str("db.operation", "SELECT"))
              .addAttributes(str("db.sql.table", table))
              .addAttributes(str("db.statement", "select * from " + table + " where id = ? and tenant_id = ?"))
              .addAttributes(str("net.peer.name", "postgres-primary.shop.svc.cluster.local"))
              .addAttributes(lng("net.peer.port", 5432)));
        }
        case 3 -> {
          String peer = SERVICE_NAMES[random.nextInt(SERVICE_NAMES.length)];
          scopes[SCOPE_HTTP].addSpans(span(traceId, id, rootId, "GET", SpanKind.SPAN_KIND_CLIENT, start, duration)
              .addAttributes(str("http.method", "GET"))
              .addAttributes(str("http.url", "http://" + peer + ":8080/api/products/" + orderId))
              .addAttributes(lng("http.status_code", 200))
              .addAttributes(str("net.peer.name", peer))
              .addAttributes(lng("net.peer.port", 8080))
              .addAttributes(str("net.protocol.version", "1.1"))
              .addAttributes(str("thread.name", "http-nio-8080-exec-" + random.nextInt(200)))
              .addAttributes(lng("http.response_content_length", 200 + random.nextInt(4000))));
        }
        case 4 -> scopes[SCOPE_JDBC].addSpans(span(traceId, id, rootId, "GET", SpanKind.SPAN_KIND_CLIENT, start, duration)
            .addAttributes(str("db.system", "redis"))
            .addAttributes(str("db.operation", "GET"))
            .addAttributes(str("db.statement", "GET order:" + orderId))
            .addAttributes(lng("db.redis.database_index", 0))
            .addAttributes(str("net.peer.name", "redis.shop.svc.cluster.local"))
            .addAttributes(lng("net.peer.port", 6379))
            .addAttributes(str("thread.name", "lettuce-nioEventLoop-4-1"))
            .addAttributes(lng("thread.id", 31)));
        default -> scopes[SCOPE_HTTP].addSpans(span(traceId, id, rootId, "orders publish", SpanKind.SPAN_KIND_PRODUCER, start, duration)
            .addAttributes(str("messaging.system", "kafka"))
            .addAttributes(str("messaging.destination.name", "orders"))
            .addAttributes(str("messaging.operation", "publish"))
            .addAttributes(lng("messaging.kafka.destination.partition", random.nextInt(12)))
            .addAttributes(str("messaging.kafka.message.key", orderId))
            .addAttributes(lng("messaging.message.payload_size_bytes", 300 + random.nextInt(2000)))
            .addAttributes(str("net.peer.name", "kafka-0.kafka.shop.svc.cluster.local"))
            .addAttributes(str("thread.name", "kafka-producer-network-thread | producer-1")));
      }
    }
  }

  private static Span.Builder span(ByteString traceId, ByteString spanId, ByteString parentId, String name,
      SpanKind kind, long start, long duration) {
    Span.Builder b = Span.newBuilder()
        .setTraceId(traceId)
        .setSpanId(spanId)
        .setFlags(FLAGS)
        .setName(name)
        .setKind(kind)
        .setStartTimeUnixNano(start)
        .setEndTimeUnixNano(start + duration);
    if (parentId != null) b.setParentSpanId(parentId);
    return b;
  }

  private Resource resource(int index) {
    String service = index < SERVICE_NAMES.length ? SERVICE_NAMES[index] : "service-" + index;
    String pod = service + "-7d9f8b6c5-" + Long.toString(random.nextLong(36L * 36 * 36 * 36 * 36), 36);
    return Resource.newBuilder()
        .addAttributes(str("service.name", service))
        .addAttributes(str("service.namespace", "shop"))
        .addAttributes(str("service.version", "1.4." + index))
        .addAttributes(str("service.instance.id", new UUID(random.nextLong(), random.nextLong()).toString()))
        .addAttributes(str("host.name", pod))
        .addAttributes(str("host.arch", "amd64"))
        .addAttributes(str("os.type", "linux"))
        .addAttributes(str("k8s.namespace.name", "shop"))
        .addAttributes(str("k8s.pod.name", pod))
        .addAttributes(str("k8s.deployment.name", service))
        .addAttributes(str("k8s.node.name", "ip-10-0-" + random.nextInt(16) + "-" + random.nextInt(256) + ".ec2.internal"))
        .addAttributes(str("telemetry.sdk.name", "opentelemetry"))
        .addAttributes(str("telemetry.sdk.language", "java"))
        .addAttributes(str("telemetry.sdk.version", "1.68.0"))
        .build();
  }

  private ByteString traceId() {
    byte[] b = new byte[16];
    Hex.longToBytes(nonZero(), b, 0);
    Hex.longToBytes(random.nextLong(), b, 8);
    return ByteString.copyFrom(b);
  }

  private ByteString spanId() {
    byte[] b = new byte[8];
    Hex.longToBytes(nonZero(), b, 0);
    return ByteString.copyFrom(b);
  }

  // An all-zero ID is invalid in OTLP; one draw in 2^64 would be refused.
  private long nonZero() {
    long v = random.nextLong();
    return v != 0 ? v : 1;
  }

  private static KeyValue str(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static KeyValue lng(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }

  /**
   * {@code request} as OTLP/JSON per the OTLP specification: lowerCamelCase fields, hex trace and
   * span IDs, enums as numbers, 64-bit integers as strings.
   */
  public static byte[] toOtlpJson(ExportTraceServiceRequest request) {
    try {
      String protoJson = JsonFormat.printer().printingEnumsAsInts().omittingInsignificantWhitespace().print(request);
      // protobuf's JSON mapping writes bytes as base64; OTLP/JSON wants IDs in hex.
      JsonNode root = JSON.readTree(protoJson);
      for (JsonNode rs : root.path("resourceSpans")) {
        for (JsonNode ss : rs.path("scopeSpans")) {
          for (JsonNode span : ss.path("spans")) {
            for (String field : new String[] {"traceId", "spanId", "parentSpanId"}) {
              JsonNode id = span.get(field);
              if (id != null) ((ObjectNode) span).put(field, hex(Base64.getDecoder().decode(id.asText())));
            }
          }
        }
      }
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot print the OTLP/JSON fixture", e);
    }
  }

  private static String hex(byte[] id) {
    char[] c = new char[id.length * 2];
    for (int i = 0; i < id.length; i += 8) Hex.writeLong(Hex.longFromBytes(id, i), c, i * 2);
    return new String(c);
  }
}
