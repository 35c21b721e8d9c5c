package dev.spanloom.bench.storage;

import dev.spanloom.model.Attributes;
import dev.spanloom.model.Event;
import dev.spanloom.model.InstrumentationScope;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.Status;
import dev.spanloom.model.StatusCode;
import dev.spanloom.model.TraceId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Model spans of the reference trace shape (the seed's "Trace Anatomy"), for the storage
 * benchmark:
 *
 * <pre>
 * api-gateway POST /order                       SERVER, root
 * ├── auth-service validate_token               SERVER (gRPC)
 * ├── order-service create_order                SERVER (HTTP)
 * │   ├── INSERT orders                         CLIENT, db.system=postgresql (event query_slow when slow)
 * │   └── order.created publish                 PRODUCER, messaging.system=kafka
 * └── notification-service send_email           SERVER (event smtp_error now and then)
 * </pre>
 *
 * <p>The middle service is order-service in about 30% of traces and otherwise one of the other
 * business services (skewed, so some are rare), each with its own route, table and statement;
 * some add a Redis read, publish to Kafka, or notify. About 1% of traces fail with
 * {@code http.response.status_code = 500}, an {@code exception} event and error status. Each
 * service runs three instances (resources of 12 attributes); IDs are random.
 *
 * <p>The data is cut into {@code chunks}: chunk {@code c} holds whole traces starting in the
 * {@code c}-th slice of the time range, at least {@code spansPerChunk} spans, and depends only on
 * the seed and {@code c}, so any number of writer threads write the same data. A few chunks at
 * known positions also hold a <em>needle</em> (service {@value #NEEDLE_SERVICE}, status 500) or a
 * <em>decoy</em> (service {@value #NEEDLE_SERVICE}, status 200); the service exists nowhere else.
 *
 * <p>Thread-safe: {@link #chunk} keeps no state between calls.
 */
public final class ReferenceTraces {
  /** The service of needle and decoy traces, and of no other trace. */
  public static final String NEEDLE_SERVICE = "x";
  /** Where needles go, as fractions of the chunk range. */
  static final double[] NEEDLE_POSITIONS = {0.02, 0.25, 0.5, 0.75, 0.98};
  /** Where decoys go: service {@value #NEEDLE_SERVICE} without the error. */
  static final double[] DECOY_POSITIONS = {0.1, 0.4, 0.6, 0.9};
  /** Services every trace or many traces touch; the rest are business services. */
  static final String GATEWAY = "api-gateway";
  static final String AUTH = "auth-service";
  static final String ORDERS = "order-service";
  static final String NOTIFICATION = "notification-service";
  static final int INSTANCES_PER_SERVICE = 3;

  private static final long MS = 1_000_000L;
  private static final int FLAGS = 0x101; // sampled, parent-is-remote known: what the Java SDK sets
  private static final String SCHEMA_URL = "https://opentelemetry.io/schemas/1.24.0";
  private static final String[] NOUNS = {
    "cart", "catalog", "checkout", "payment", "shipping", "inventory", "pricing", "recommendation",
    "search", "review", "user", "loyalty", "coupon", "tax", "fraud", "currency", "wishlist", "returns",
    "invoice", "warehouse", "ledger", "subscription", "address", "media", "session"
  };
  private static final String[] USER_AGENTS = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "okhttp/4.12.0",
    "shop-android/5.31.2 (Pixel 8; Android 14)"
  };
  private static final InstrumentationScope SCOPE_GATEWAY = InstrumentationScope.of("io.opentelemetry.spring-webflux-5.3", "1.32.0-alpha");
  private static final InstrumentationScope SCOPE_GRPC = InstrumentationScope.of("io.opentelemetry.grpc-1.6", "1.32.0-alpha");
  private static final InstrumentationScope SCOPE_HTTP = InstrumentationScope.of("io.opentelemetry.spring-webmvc-6.0", "1.32.0-alpha");
  private static final InstrumentationScope SCOPE_JDBC = InstrumentationScope.of("io.opentelemetry.jdbc", "1.32.0-alpha");
  private static final InstrumentationScope SCOPE_REDIS = InstrumentationScope.of("io.opentelemetry.lettuce-5.1", "1.32.0-alpha");
  private static final InstrumentationScope SCOPE_KAFKA = InstrumentationScope.of("io.opentelemetry.kafka-clients-2.6", "1.32.0-alpha");
  private static final InstrumentationScope SCOPE_MAIL = InstrumentationScope.of("com.example.notification", "3.2.0");

  private final long seed;
  private final long startEpochNanos;
  private final long chunkNanos;
  private final int chunks;
  private final int spansPerChunk;
  private final Resource[] gateway;
  private final Resource[] auth;
  private final Resource[] notification;
  private final Business orders;
  private final Business[] others;
  private final Business needle;
  private final int[] needleChunks;
  private final int[] decoyChunks;

  /** What a business service (the middle of the trace) does. */
  private record Business(String service, Resource[] instances, String method, String route, String operation,
      String dbOperation, String table, String statement, String topic, boolean readsCache, double notifies) {}

  /**
   * @param services distinct service names, at least 4: the gateway, auth, notification and
   *     order services plus {@code services - 4} other business services (the needle service
   *     comes on top)
   * @param startEpochNanos the first trace starts at or after this
   * @param endEpochNanos every trace starts before this; spans may end up to a few seconds later
   * @param chunks slices of the time range, one per {@link #chunk} call
   * @param spansPerChunk a chunk holds whole traces of at least this many spans
   */
  public ReferenceTraces(long seed, int services, long startEpochNanos, long endEpochNanos, int chunks, int spansPerChunk) {
    if (services < 4) throw new IllegalArgumentException("services: " + services + " (expected: >= 4)");
    if (chunks < 1) throw new IllegalArgumentException("chunks: " + chunks + " (expected: >= 1)");
    if (spansPerChunk < 1) throw new IllegalArgumentException("spansPerChunk: " + spansPerChunk + " (expected: >= 1)");
    if (endEpochNanos - startEpochNanos < chunks) {
      throw new IllegalArgumentException("time range: " + startEpochNanos + ".." + endEpochNanos
          + " (expected: at least one nanosecond per chunk)");
    }
    this.seed = seed;
    this.startEpochNanos = startEpochNanos;
    this.chunkNanos = (endEpochNanos - startEpochNanos) / chunks;
    this.chunks = chunks;
    this.spansPerChunk = spansPerChunk;
    SplittableRandom r = new SplittableRandom(seed);
    this.gateway = instances(r, GATEWAY, 0);
    this.auth = instances(r, AUTH, 1);
    this.notification = instances(r, NOTIFICATION, 2);
    this.orders = new Business(ORDERS, instances(r, ORDERS, 3), "POST", "/order", "create_order", "INSERT", "orders",
        "INSERT INTO orders (id, customer_id, total_cents, currency, created_at) VALUES ($1, $2, $3, $4, now())",
        "order.created", false, 1.0);
    this.others = new Business[services - 4];
    for (int i = 0; i < others.length; i++) others[i] = business(r, i);
    this.needle = new Business(NEEDLE_SERVICE, instances(r, NEEDLE_SERVICE, 99), "POST", "/x/jobs", "run_job", "UPDATE",
        "jobs", "UPDATE jobs SET state = $1, updated_at = now() WHERE id = $2", null, false, 0.0);
    this.needleChunks = positions(NEEDLE_POSITIONS, chunks);
    this.decoyChunks = positions(DECOY_POSITIONS, chunks);
  }

  /** The spans of one chunk, with the IDs of its traces. */
  public record Chunk(int index, List<Span> spans, List<TraceId> traceIds, List<Integer> traceSpanCounts,
      List<TraceId> needles, List<TraceId> decoys) {}

  public int chunks() {
    return chunks;
  }

  /** Chunk {@code index}: the same spans for the same seed, services, range and index. */
  public Chunk chunk(int index) {
    if (index < 0 || index >= chunks) throw new IllegalArgumentException("index: " + index + " (expected: 0.." + (chunks - 1) + ")");
    SplittableRandom r = new SplittableRandom(streamSeed(seed, index));
    long from = startEpochNanos + index * chunkNanos;
    List<Span> spans = new ArrayList<>(spansPerChunk + 8);
    List<TraceId> ids = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    List<TraceId> needles = new ArrayList<>();
    List<TraceId> decoys = new ArrayList<>();
    if (contains(needleChunks, index)) needles.add(addTrace(r, spans, ids, counts, from, needle, true));
    if (contains(decoyChunks, index)) decoys.add(addTrace(r, spans, ids, counts, from, needle, false));
    while (spans.size() < spansPerChunk) {
      Business b = r.nextInt(10) < 3 ? orders : others.length == 0 ? orders : others[skewed(r, others.length)];
      addTrace(r, spans, ids, counts, from, b, r.nextInt(100) == 0);
    }
    return new Chunk(index, spans, ids, counts, needles, decoys);
  }

  private TraceId addTrace(SplittableRandom r, List<Span> out, List<TraceId> ids, List<Integer> counts, long chunkStart,
      Business b, boolean error) {
    int before = out.size();
    TraceId traceId = new TraceId(nonZero(r), r.nextLong());
    long start = chunkStart + r.nextLong(chunkNanos);
    SpanId rootId = spanId(r);
    String userId = "user-" + r.nextInt(250_000);
    String entityId = Long.toString(10_000_000L + r.nextInt(90_000_000));
    int status = error ? 500 : b.method().equals("POST") ? 201 : 200;

    // auth-service validate_token, called first by the gateway
    long authStart = start + between(r, 0.3, 1.5);
    long authEnd = authStart + logNormal(r, 8, 0.5, 1, 2_000);
    out.add(span(traceId, spanId(r), rootId, "validate_token", SpanKind.SERVER, authStart, authEnd,
        pick(r, auth), SCOPE_GRPC, Attributes.builder()
            .put("rpc.system", "grpc")
            .put("rpc.service", "auth.v1.TokenService")
            .put("rpc.method", "ValidateToken")
            .put("rpc.grpc.status_code", 0L)
            .put("enduser.id", userId)
            .put("server.address", AUTH)
            .put("server.port", 9090L)
            .build(), List.of(), Status.UNSET));

    // the business service's handler and what it calls
    Resource instance = pick(r, b.instances());
    SpanId handlerId = spanId(r);
    long handlerStart = authEnd + between(r, 0.2, 1.0);
    long t = handlerStart + between(r, 0.5, 2.0);
    if (b.readsCache()) {
      long end = t + logNormal(r, 0.6, 0.6, 0.1, 500);
      out.add(span(traceId, spanId(r), handlerId, "GET", SpanKind.CLIENT, t, end, instance, SCOPE_REDIS,
          Attributes.builder()
              .put("db.system", "redis")
              .put("db.operation", "GET")
              .put("db.statement", "GET " + b.table() + ":" + entityId)
              .put("net.peer.name", "redis-master.shop.svc.cluster.local")
              .put("net.peer.port", 6379L)
              .build(), List.of(), Status.UNSET));
      t = end + between(r, 0.1, 0.5);
    }
    long dbEnd = t + logNormal(r, b.dbOperation().equals("SELECT") ? 4 : 8, 1.1, 0.3, 3_000);
    List<Event> dbEvents = List.of();
    if (dbEnd - t > 30 * MS) {
      dbEvents = List.of(Event.of("query_slow", dbEnd, Attributes.builder()
          .put("db.slow_query.threshold_ms", 30L)
          .put("db.duration_ms", (dbEnd - t) / MS)
          .build()));
    }
    out.add(span(traceId, spanId(r), handlerId, b.dbOperation() + " " + b.table(), SpanKind.CLIENT, t, dbEnd,
        instance, SCOPE_JDBC, Attributes.builder()
            .put("db.system", "postgresql")
            .put("db.name", "shop")
            .put("db.user", "shop_app")
            .put("db.operation", b.dbOperation())
            .put("db.sql.table", b.table())
            .put("db.statement", b.statement())
            .put("net.peer.name", "postgres-primary.shop.svc.cluster.local")
            .put("net.peer.port", 5432L)
            .build(), dbEvents, Status.UNSET));
    t = dbEnd;
    if (b.topic() != null) {
      long pubStart = t + between(r, 0.2, 1.0);
      long pubEnd = pubStart + logNormal(r, 5, 0.6, 0.5, 2_000);
      out.add(span(traceId, spanId(r), handlerId, b.topic() + " publish", SpanKind.PRODUCER, pubStart, pubEnd,
          instance, SCOPE_KAFKA, Attributes.builder()
              .put("messaging.system", "kafka")
              .put("messaging.destination.name", b.topic())
              .put("messaging.operation", "publish")
              .put("messaging.kafka.message.key", entityId)
              .put("messaging.kafka.destination.partition", (long) r.nextInt(12))
              .put("messaging.message.body.size", 300L + r.nextInt(2_000))
              .build(), List.of(), Status.UNSET));
      t = pubEnd;
    }
    long handlerEnd = t + logNormal(r, 20, 0.8, 0.5, 5_000);
    String path = b.route().replace("{id}", entityId);
    List<Event> handlerEvents = List.of();
    Status handlerStatus = Status.UNSET;
    if (error) {
      handlerStatus = Status.of(StatusCode.ERROR, "org.postgresql.util.PSQLException: could not serialize access due to concurrent update");
      handlerEvents = List.of(Event.of("exception", handlerEnd - MS / 2, Attributes.builder()
          .put("exception.type", "org.postgresql.util.PSQLException")
          .put("exception.message", "ERROR: could not serialize access due to concurrent update")
          .put("exception.stacktrace", "org.postgresql.util.PSQLException: ERROR: could not serialize access due to concurrent update\n"
              + "\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2725)\n"
              + "\tat org.postgresql.jdbc.PgPreparedStatement.executeUpdate(PgPreparedStatement.java:152)\n"
              + "\tat com.example.shop." + b.operation() + "(Handler.java:88)")
          .put("exception.escaped", true)
          .build()));
    }
    out.add(span(traceId, handlerId, rootId, b.operation(), SpanKind.SERVER, handlerStart, handlerEnd, instance,
        SCOPE_HTTP, Attributes.builder()
            .put("http.request.method", b.method())
            .put("http.route", b.route())
            .put("url.path", path)
            .put("url.scheme", "http")
            .put("http.response.status_code", (long) status)
            .put("server.address", b.service())
            .put("server.port", 8080L)
            .put("thread.name", "http-nio-8080-exec-" + (1 + r.nextInt(200)))
            .put("app.entity.id", entityId)
            .build(), handlerEvents, handlerStatus));
    long end = handlerEnd;

    // notification-service send_email, after the handler answered
    if (r.nextDouble() < b.notifies()) {
      long mailStart = handlerEnd + between(r, 0.2, 1.0);
      long mailEnd = mailStart + logNormal(r, 40, 0.4, 5, 10_000);
      List<Event> mailEvents = List.of();
      if (r.nextInt(33) == 0) {
        mailEvents = List.of(Event.of("smtp_error", mailStart + (mailEnd - mailStart) / 2, Attributes.builder()
            .put("smtp.response_code", 421L)
            .put("smtp.message", "4.7.0 Try again later, closing connection")
            .put("retry.attempt", 1L)
            .build()));
      }
      out.add(span(traceId, spanId(r), rootId, "send_email", SpanKind.SERVER, mailStart, mailEnd,
          pick(r, notification), SCOPE_MAIL, Attributes.builder()
              .put("email.template", b == orders ? "order_confirmation" : b.table() + "_update")
              .put("email.provider", "sendgrid")
              .put("enduser.id", userId)
              .put("net.peer.name", "smtp.sendgrid.net")
              .put("net.peer.port", 587L)
              .build(), mailEvents, Status.UNSET));
      end = mailEnd;
    }

    // the gateway's root, enclosing everything
    long rootEnd = end + between(r, 0.3, 2.0);
    String gatewayPath = "/api" + path;
    out.add(span(traceId, rootId, null, b.method() + " /api" + b.route(), SpanKind.SERVER, start, rootEnd,
        pick(r, gateway), SCOPE_GATEWAY, Attributes.builder()
            .put("http.request.method", b.method())
            .put("http.route", "/api" + b.route())
            .put("url.path", gatewayPath)
            .put("url.scheme", "https")
            .put("http.response.status_code", (long) status)
            .put("server.address", "shop.example.com")
            .put("client.address", (1 + r.nextInt(223)) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256))
            .put("user_agent.original", USER_AGENTS[r.nextInt(USER_AGENTS.length)])
            .put("network.protocol.version", r.nextInt(3) == 0 ? "1.1" : "2")
            .build(), List.of(), error ? Status.of(StatusCode.ERROR, "") : Status.UNSET));

    ids.add(traceId);
    counts.add(out.size() - before);
    return traceId;
  }

  private static Span span(TraceId traceId, SpanId spanId, SpanId parent, String name, SpanKind kind, long start,
      long end, Resource resource, InstrumentationScope scope, Attributes attributes, List<Event> events, Status status) {
    return Span.builder()
        .traceId(traceId)
        .spanId(spanId)
        .parentSpanId(parent)
        .flags(FLAGS)
        .name(name)
        .kind(kind)
        .startEpochNanos(start)
        .endEpochNanos(end)
        .attributes(attributes)
        .events(events)
        .status(status)
        .resource(resource)
        .scope(scope)
        .build();
  }

  private Business business(SplittableRandom r, int i) {
    String noun = NOUNS[i % NOUNS.length];
    String service = i < NOUNS.length ? noun + "-service" : noun + "-" + (i / NOUNS.length + 1) + "-service";
    String table = noun + (i < NOUNS.length ? "" : "_" + (i / NOUNS.length + 1));
    Resource[] res = instances(r, service, 4 + i);
    return switch (i % 3) {
      case 0 -> new Business(service, res, "GET", "/" + noun + "/{id}", "get_" + noun, "SELECT", table,
          "SELECT * FROM " + table + " WHERE id = $1 AND tenant_id = $2", null, i % 2 == 0, 0.0);
      case 1 -> new Business(service, res, "POST", "/" + noun, "update_" + noun, "UPDATE", table,
          "UPDATE " + table + " SET payload = $1, version = version + 1 WHERE id = $2 AND version = $3",
          noun + ".updated", false, 0.3);
      default -> new Business(service, res, "PUT", "/" + noun + "/{id}", "put_" + noun, "INSERT", table,
          "INSERT INTO " + table + " (id, payload, created_at) VALUES ($1, $2, now()) ON CONFLICT (id) DO UPDATE SET payload = $2",
          i % 4 == 0 ? noun + ".changed" : null, true, 0.1);
    };
  }

  private static Resource[] instances(SplittableRandom r, String service, int index) {
    Resource[] out = new Resource[INSTANCES_PER_SERVICE];
    String version = "2." + (index % 7) + "." + (index % 13);
    for (int i = 0; i < out.length; i++) {
      String pod = service + "-" + Long.toString(0x10000000L + r.nextLong(0xF0000000L), 16) + "-"
          + Long.toString(r.nextLong(36L * 36 * 36 * 36 * 36), 36);
      Attributes attrs = Attributes.builder()
          .put("service.name", service)
          .put("service.namespace", "shop")
          .put("service.version", version)
          .put("service.instance.id", new UUID(r.nextLong(), r.nextLong()).toString())
          .put("deployment.environment", "production")
          .put("host.name", pod)
          .put("k8s.namespace.name", "shop")
          .put("k8s.pod.name", pod)
          .put("k8s.deployment.name", service)
          .put("k8s.node.name", "ip-10-0-" + r.nextInt(16) + "-" + r.nextInt(256) + ".ec2.internal")
          .put("telemetry.sdk.language", "java")
          .put("telemetry.sdk.version", "1.32.0")
          .build();
      out[i] = new Resource(attrs, 0, SCHEMA_URL);
    }
    return out;
  }

  /**
   * A seed for stream {@code index} of {@code seed}. Mixed, not added: SplittableRandom's seeds
   * that differ by multiples of its gamma give the same sequence shifted, so neighbouring chunks
   * would repeat each other's trace IDs.
   */
  static long streamSeed(long seed, long index) {
    return fmix64(seed ^ fmix64(index + 0x632BE59BD9B4E019L));
  }

  // MurmurHash3's finalizer.
  private static long fmix64(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    x *= 0xc4ceb9fe1a85ec53L;
    x ^= x >>> 33;
    return x;
  }

  /** Chunk indexes for fractions of the range, in order; repeated when the range is short. */
  static int[] positions(double[] fractions, int chunks) {
    int[] out = new int[fractions.length];
    for (int i = 0; i < fractions.length; i++) out[i] = (int) Math.round(fractions[i] * (chunks - 1));
    return out;
  }

  /** The chunks that hold a needle trace. */
  public int[] needleChunks() {
    return needleChunks.clone();
  }

  private static boolean contains(int[] values, int v) {
    for (int x : values) {
      if (x == v) return true;
    }
    return false;
  }

  // A few services take most of the traffic, as in a real shop; the last ones are rare.
  private static int skewed(SplittableRandom r, int n) {
    double u = r.nextDouble();
    return (int) (u * u * n);
  }

  private static <T> T pick(SplittableRandom r, T[] values) {
    return values[r.nextInt(values.length)];
  }

  private static long between(SplittableRandom r, double fromMs, double toMs) {
    return (long) ((fromMs + r.nextDouble() * (toMs - fromMs)) * MS);
  }

  /** A log-normal duration: median {@code medianMs}, shape {@code sigma}, clamped to [min, max] ms. */
  private static long logNormal(SplittableRandom r, double medianMs, double sigma, double minMs, double maxMs) {
    double ms = medianMs * Math.exp(sigma * gaussian(r));
    return (long) (Math.max(minMs, Math.min(maxMs, ms)) * MS);
  }

  private static double gaussian(SplittableRandom r) {
    // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
    double u = 1.0 - r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  private static SpanId spanId(SplittableRandom r) {
    return new SpanId(nonZero(r));
  }

  // An all-zero ID is invalid; one draw in 2^64 would make one.
  private static long nonZero(SplittableRandom r) {
    long v = r.nextLong();
    return v != 0 ? v : 1;
  }

  @Override
  public String toString() {
    return "ReferenceTraces{seed=" + seed + ", services=" + (others.length + 4) + "+" + NEEDLE_SERVICE
        + ", chunks=" + chunks + ", spansPerChunk>=" + spansPerChunk + "}";
  }
}
