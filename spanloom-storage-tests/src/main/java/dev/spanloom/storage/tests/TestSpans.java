package dev.spanloom.storage.tests;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Event;
import dev.spanloom.model.InstrumentationScope;
import dev.spanloom.model.Link;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.Status;
import dev.spanloom.model.StatusCode;
import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Shared fixtures for storage tests, as Zipkin's {@code TestObjects}: one hand-written reference
 * trace that uses every field of the model, and seeded generators for volume.
 *
 * <p>The reference trace, {@link #TRACE}:
 *
 * <pre>
 * api-gateway          POST /order            SERVER, root, status OK
 * ├─ auth-service      validate_token         SERVER
 * └─ order-service     create_order           SERVER, status OK, link to the cart trace
 *    ├─ order-service  INSERT orders          CLIENT, db.system=postgresql, event query_slow
 *    └─ order-service  publish order.created  PRODUCER, messaging.system=kafka
 *       └─ notification-service send_email    CONSUMER, event smtp_error, status ERROR
 * </pre>
 *
 * Times are in epoch nanoseconds with non-round nanosecond parts, so that a backend that loses
 * precision (micros, millis) fails. Every attribute type appears: string, bool, long, double,
 * bytes, array and key-value list.
 */
public final class TestSpans {
  static final long MILLIS = TimeUnit.MILLISECONDS.toNanos(1);

  /**
   * The start of the UTC hour two hours before the tests began, in epoch nanoseconds. Every
   * fixture lies between it and an hour later: recent for any retention, never in the future.
   * Like Zipkin's {@code TODAY} it moves with the clock; offsets from it never change.
   */
  public static final long BASE_EPOCH_NANOS =
      TimeUnit.HOURS.toNanos(TimeUnit.MILLISECONDS.toHours(System.currentTimeMillis()) - 2);

  /** When {@link #TRACE} starts: 1.234567891 s after {@link #BASE_EPOCH_NANOS}. */
  public static final long TRACE_START_EPOCH_NANOS = BASE_EPOCH_NANOS + 1_234_567_891L;

  /** Random traces start within {@link #RANDOM_TRACES_SPREAD_NANOS} after this. */
  public static final long RANDOM_TRACES_EPOCH_NANOS = BASE_EPOCH_NANOS + TimeUnit.MINUTES.toNanos(10);

  public static final long RANDOM_TRACES_SPREAD_NANOS = TimeUnit.MINUTES.toNanos(30);

  // -- The reference trace -----------------------------------------------------------------

  public static final TraceId TRACE_ID = TraceId.fromHex("4bf92f3577b34da6a3ce929d0e0e4736");

  /** A trace the order links to: the shopping cart the order was created from. */
  public static final TraceId CART_TRACE_ID = TraceId.fromHex("0af7651916cd43dd8448eb211c80319c");

  static final String SCHEMA_URL = "https://opentelemetry.io/schemas/1.26.0";

  public static final Resource GATEWAY_RESOURCE = new Resource(
      Attributes.builder()
          .put(Resource.SERVICE_NAME, "api-gateway")
          .put("service.version", "2.4.1")
          .put("deployment.environment", "production")
          .put("host.name", "gw-7d9f")
          .build(),
      0,
      SCHEMA_URL);

  public static final Resource AUTH_RESOURCE = Resource.of(Attributes.builder()
      .put(Resource.SERVICE_NAME, "auth-service")
      .put("service.version", "0.9.12")
      .put("deployment.environment", "production")
      .put("host.name", "auth-5c4b")
      .build());

  public static final Resource ORDER_RESOURCE = new Resource(
      Attributes.builder()
          .put(Resource.SERVICE_NAME, "order-service")
          .put("service.version", "3.1.0")
          .put("service.instance.id", "order-7f9c6-xk2lp")
          .put("deployment.environment", "production")
          .put("host.name", "orders-7f9c")
          .put("process.pid", 4242L)
          .build(),
      1,
      SCHEMA_URL);

  public static final Resource NOTIFICATION_RESOURCE = Resource.of(Attributes.builder()
      .put(Resource.SERVICE_NAME, "notification-service")
      .put("service.version", "1.12.0")
      .put("deployment.environment", "production")
      .put("host.name", "notify-0")
      .put("telemetry.sdk.language", "java")
      .build());

  /** api-gateway {@code POST /order}: the root, a SERVER span with status OK. */
  public static final Span GATEWAY_SPAN = Span.builder()
      .traceId(TRACE_ID)
      .spanId(SpanId.fromHex("00f067aa0ba902b7"))
      .traceState("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7")
      .flags(0x101) // sampled; parent-is-remote known: not remote
      .name("POST /order")
      .kind(SpanKind.SERVER)
      .startEpochNanos(TRACE_START_EPOCH_NANOS)
      .endEpochNanos(TRACE_START_EPOCH_NANOS + 250_123_457L)
      .attributes(Attributes.builder()
          .put("http.request.method", "POST")
          .put("http.route", "/order")
          .put("url.path", "/order")
          .put("http.response.status_code", 201L)
          .put("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0")
          .build())
      .status(Status.OK)
      .resource(GATEWAY_RESOURCE)
      .scope(new InstrumentationScope(
          "io.opentelemetry.armeria-grpc-1.14", "2.9.0-alpha", Attributes.EMPTY, 0, SCHEMA_URL))
      .build();

  /** auth-service {@code validate_token}: bool and bytes attributes, status unset. */
  public static final Span AUTH_SPAN = Span.builder()
      .traceId(TRACE_ID)
      .spanId(SpanId.fromHex("a1b2c3d4e5f60718"))
      .parentSpanId(GATEWAY_SPAN.spanId())
      .flags(0x301) // sampled; parent is remote
      .name("validate_token")
      .kind(SpanKind.SERVER)
      .startEpochNanos(TRACE_START_EPOCH_NANOS + 2_345_679L)
      .endEpochNanos(TRACE_START_EPOCH_NANOS + 14_567_891L)
      .attributes(Attributes.builder()
          .put("auth.method", "jwt")
          .put("auth.cached", true)
          .put("auth.token_sha256_prefix",
              AttributeValue.of(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 0}))
          .put("enduser.id", "u-1042")
          .build())
      .resource(AUTH_RESOURCE)
      .scope(InstrumentationScope.of("dev.spanloom.demo.auth", "1.0.0"))
      .build();

  /**
   * order-service {@code create_order}: double, array, key-value list and non-ASCII string
   * attributes, a link to {@link #CART_TRACE_ID}, dropped attributes and links, status OK.
   */
  public static final Span ORDER_SPAN = Span.builder()
      .traceId(TRACE_ID)
      .spanId(SpanId.fromHex("b7ad6b7169203331"))
      .parentSpanId(GATEWAY_SPAN.spanId())
      .flags(0x301)
      .name("create_order")
      .kind(SpanKind.SERVER)
      .startEpochNanos(TRACE_START_EPOCH_NANOS + 15_678_912L)
      .endEpochNanos(TRACE_START_EPOCH_NANOS + 240_987_654L)
      .attributes(Attributes.builder()
          .put("order.id", "ord-20240611-0042")
          .put("order.total", 129.95)
          .put("order.item_count", 3L)
          .put("order.item_skus", AttributeValue.ofArray(List.of(
              AttributeValue.of("sku-1"), AttributeValue.of("sku-2"), AttributeValue.of("sku-3"))))
          .put("order.customer", new AttributeValue.KeyValueList(Attributes.builder()
              .put("id", "c-42")
              .put("tier", "gold")
              .put("vip", true)
              .put("lifetime_orders", 17L)
              .build()))
          .put("order.note", "Grüße, 注文 ✓")
          .put("order.coupon", "")
          .build())
      .droppedAttributesCount(2)
      .links(List.of(new Link(
          CART_TRACE_ID,
          SpanId.fromHex("53995c3f42cd8ad8"),
          "rojo=1",
          Attributes.of("link.reason", AttributeValue.of("checkout of cart")),
          1,
          0x01)))
      .droppedLinksCount(1)
      .status(Status.OK)
      .resource(ORDER_RESOURCE)
      .scope(new InstrumentationScope(
          "dev.spanloom.demo.orders",
          "3.1.0",
          Attributes.of("scope.owner", AttributeValue.of("checkout-team")),
          0,
          SCHEMA_URL))
      .build();

  /** order-service {@code INSERT orders}: a postgresql CLIENT span with a query_slow event. */
  public static final Span DB_SPAN = Span.builder()
      .traceId(TRACE_ID)
      .spanId(SpanId.fromHex("c0ffee0000000001"))
      .parentSpanId(ORDER_SPAN.spanId())
      .flags(0x101)
      .name("INSERT orders")
      .kind(SpanKind.CLIENT)
      .startEpochNanos(TRACE_START_EPOCH_NANOS + 20_123_457L)
      .endEpochNanos(TRACE_START_EPOCH_NANOS + 180_246_813L)
      .attributes(Attributes.builder()
          .put("db.system", "postgresql")
          .put("db.namespace", "shop")
          .put("db.operation.name", "INSERT")
          .put("db.collection.name", "orders")
          .put("db.query.text", "INSERT INTO orders (id, customer_id, total) VALUES ($1, $2, $3)")
          .put("server.address", "pg-primary.internal")
          .put("server.port", 5432L)
          .build())
      .events(List.of(Event.of(
          "query_slow",
          TRACE_START_EPOCH_NANOS + 120_000_017L,
          Attributes.builder()
              .put("db.slow_threshold_ms", 100L)
              .put("db.elapsed_ms", 99.999983)
              .build())))
      .resource(ORDER_RESOURCE)
      .scope(InstrumentationScope.of("io.opentelemetry.jdbc", "2.9.0-alpha"))
      .build();

  /** order-service {@code publish order.created}: a kafka PRODUCER span. */
  public static final Span KAFKA_SPAN = Span.builder()
      .traceId(TRACE_ID)
      .spanId(SpanId.fromHex("d00dfeed12345678"))
      .parentSpanId(ORDER_SPAN.spanId())
      .flags(0x101)
      .name("publish order.created")
      .kind(SpanKind.PRODUCER)
      .startEpochNanos(TRACE_START_EPOCH_NANOS + 182_345_679L)
      .endEpochNanos(TRACE_START_EPOCH_NANOS + 190_864_213L)
      .attributes(Attributes.builder()
          .put("messaging.system", "kafka")
          .put("messaging.operation.type", "publish")
          .put("messaging.destination.name", "order.created")
          .put("messaging.destination.partition.id", "3")
          .put("messaging.kafka.message.key", "ord-20240611-0042")
          .put("messaging.message.body.size", 512L)
          .build())
      .resource(ORDER_RESOURCE)
      .scope(InstrumentationScope.of("io.opentelemetry.kafka-clients-2.6", "2.9.0-alpha"))
      .build();

  /**
   * notification-service {@code send_email}: a CONSUMER span ending after the root, with an
   * smtp_error event, a link to the producer, dropped events and status ERROR with a message.
   */
  public static final Span EMAIL_SPAN = Span.builder()
      .traceId(TRACE_ID)
      .spanId(SpanId.fromHex("e3a1f00dcafe4242"))
      .parentSpanId(KAFKA_SPAN.spanId())
      .flags(0x301)
      .name("send_email")
      .kind(SpanKind.CONSUMER)
      .startEpochNanos(TRACE_START_EPOCH_NANOS + 201_234_567L)
      .endEpochNanos(TRACE_START_EPOCH_NANOS + 312_345_679L)
      .attributes(Attributes.builder()
          .put("messaging.system", "kafka")
          .put("messaging.operation.type", "process")
          .put("email.template", "order_confirmation")
          .put("email.recipient_domain", "example.com")
          .put("email.retry", true)
          .build())
      .events(List.of(
          new Event(
              "smtp_error",
              TRACE_START_EPOCH_NANOS + 298_765_432L,
              Attributes.builder()
                  .put("exception.type", "jakarta.mail.MessagingException")
                  .put("exception.message", "451 4.7.1 Greylisted, try again later")
                  .put("smtp.code", 451L)
                  .build(),
              1),
          Event.of("retry_scheduled", TRACE_START_EPOCH_NANOS + 300_000_001L, Attributes.EMPTY)))
      .droppedEventsCount(3)
      .links(List.of(Link.of(
          TRACE_ID,
          SpanId.fromHex("d00dfeed12345678"),
          Attributes.of("messaging.operation.type", AttributeValue.of("receive")))))
      .status(Status.of(StatusCode.ERROR, "SMTP 451 4.7.1: greylisted, try again later"))
      .resource(NOTIFICATION_RESOURCE)
      .scope(InstrumentationScope.of("dev.spanloom.demo.notify", "1.12.0"))
      .build();

  /** The reference trace: six spans, four services, 312.345679 ms from first start to last end. */
  public static final Trace TRACE = Trace.of(
      TRACE_ID, List.of(GATEWAY_SPAN, AUTH_SPAN, ORDER_SPAN, DB_SPAN, KAFKA_SPAN, EMAIL_SPAN));

  // -- Generated traces --------------------------------------------------------------------

  static final String[] SERVICES = {"frontend", "cart", "checkout", "payment", "inventory"};
  static final String[] REGIONS = {"eu-west-1", "us-east-1"};
  static final String[] OPERATIONS = {
      "GET /cart", "POST /checkout", "charge", "reserve_stock", "SELECT stock", "publish cart.updated"
  };
  static final long[] STATUS_CODES = {200, 201, 404, 500};
  static final double[] WEIGHTS = {0.5, 1.25, 2.0};

  private TestSpans() {}

  /**
   * The {@code n}th of a series of distinct trace IDs ({@code n > 0}); they sort in {@code n}
   * order and never equal {@link #TRACE_ID} or an ID from {@link #randomTraces}.
   */
  public static TraceId traceId(long n) {
    if (n <= 0) throw new IllegalArgumentException("n: " + n + " (expected: > 0)");
    return new TraceId(0x00000000_5b8efff7L, n);
  }

  /**
   * {@code trace} under another ID with every time moved by {@code offsetNanos}; links into the
   * trace itself follow it. Used to make many traces of the reference shape.
   */
  public static Trace shifted(Trace trace, TraceId traceId, long offsetNanos) {
    List<Span> spans = new ArrayList<>(trace.spans().size());
    for (Span s : trace.spans()) {
      List<Event> events = new ArrayList<>(s.events().size());
      for (Event e : s.events()) {
        events.add(new Event(
            e.name(), e.epochNanos() + offsetNanos, e.attributes(), e.droppedAttributesCount()));
      }
      List<Link> links = new ArrayList<>(s.links().size());
      for (Link l : s.links()) {
        links.add(!l.traceId().equals(trace.traceId()) ? l : new Link(traceId, l.spanId(),
            l.traceState(), l.attributes(), l.droppedAttributesCount(), l.flags()));
      }
      spans.add(s.toBuilder()
          .traceId(traceId)
          .startEpochNanos(s.startEpochNanos() + offsetNanos)
          .endEpochNanos(s.endEpochNanos() + offsetNanos)
          .events(events)
          .links(links)
          .build());
    }
    return Trace.of(traceId, spans);
  }

  /**
   * {@code count} traces of 1 to 12 spans each, the same for the same seed: random trees over
   * five services in two regions, with string, long, bool, double and occasionally bytes and
   * array attributes drawn from small sets (so that searches hit several traces), events,
   * statuses, and starts spread over {@link #RANDOM_TRACES_SPREAD_NANOS} from {@link
   * #RANDOM_TRACES_EPOCH_NANOS}.
   */
  public static List<Trace> randomTraces(int count, long seed) {
    Random random = new Random(seed);
    Set<TraceId> ids = new HashSet<>();
    List<Trace> traces = new ArrayList<>(count);
    while (traces.size() < count) {
      Trace trace = randomTrace(random);
      if (ids.add(trace.traceId())) traces.add(trace);
    }
    return traces;
  }

  /** The spans of {@code traces}, shuffled together the same way for the same seed. */
  public static List<Span> interleave(List<Trace> traces, long seed) {
    List<Span> spans = new ArrayList<>();
    for (Trace t : traces) spans.addAll(t.spans());
    Collections.shuffle(spans, new Random(seed));
    return spans;
  }

  static Trace randomTrace(Random random) {
    TraceId traceId = new TraceId(random.nextLong() | 1L << 62, random.nextLong());
    int spanCount = 1 + random.nextInt(12);
    long start = RANDOM_TRACES_EPOCH_NANOS + nextLong(random, RANDOM_TRACES_SPREAD_NANOS);
    long rootDuration = MILLIS + nextLong(random, 2_000 * MILLIS);
    List<Span> spans = new ArrayList<>(spanCount);
    Set<SpanId> spanIds = new HashSet<>();
    for (int i = 0; i < spanCount; i++) {
      SpanId spanId;
      do {
        spanId = new SpanId(random.nextLong());
      } while (!spanId.isValid() || !spanIds.add(spanId));
      Span parent = i == 0 ? null : spans.get(random.nextInt(i));
      long spanStart = parent == null
          ? start
          : parent.startEpochNanos() + nextLong(random, parent.durationNanos() + 1);
      long spanEnd = parent == null
          ? start + rootDuration
          : spanStart + nextLong(random, parent.endEpochNanos() - spanStart + 1);
      spans.add(randomSpan(random, traceId, spanId, parent, spanStart, spanEnd));
    }
    return Trace.of(traceId, spans);
  }

  private static Span randomSpan(
      Random random, TraceId traceId, SpanId spanId, Span parent, long start, long end) {
    String service = SERVICES[random.nextInt(SERVICES.length)];
    String region = REGIONS[random.nextInt(REGIONS.length)];
    long statusCode = STATUS_CODES[random.nextInt(STATUS_CODES.length)];
    Attributes.Builder attributes = Attributes.builder()
        .put("http.response.status_code", statusCode)
        .put("retry", random.nextBoolean())
        .put("weight", WEIGHTS[random.nextInt(WEIGHTS.length)])
        .put("tenant", "tenant-" + random.nextInt(4));
    if (random.nextInt(4) == 0) {
      attributes.put("digest", AttributeValue.of(new byte[] {(byte) random.nextInt(4), 7}));
    }
    if (random.nextInt(4) == 0) {
      attributes.put("tags", AttributeValue.ofArray(
          List.of(AttributeValue.of("t" + random.nextInt(3)), AttributeValue.of(random.nextInt(3)))));
    }
    List<Event> events = random.nextInt(3) == 0
        ? List.of(Event.of("cache_miss", start + nextLong(random, end - start + 1),
            Attributes.of("cache.key", AttributeValue.of("k" + random.nextInt(10)))))
        : List.of();
    Status status = statusCode == 500
        ? Status.of(StatusCode.ERROR, "upstream returned 500")
        : random.nextBoolean() ? Status.OK : Status.UNSET;
    return Span.builder()
        .traceId(traceId)
        .spanId(spanId)
        .parentSpanId(parent == null ? null : parent.spanId())
        .flags(0x01)
        .name(OPERATIONS[random.nextInt(OPERATIONS.length)])
        .kind(SpanKind.fromNumber(1 + random.nextInt(5)))
        .startEpochNanos(start)
        .endEpochNanos(end)
        .attributes(attributes.build())
        .events(events)
        .status(status)
        .resource(Resource.of(Attributes.builder()
            .put(Resource.SERVICE_NAME, service)
            .put("cloud.region", region)
            .build()))
        .scope(InstrumentationScope.of("dev.spanloom.random", "1.0." + random.nextInt(3)))
        .build();
  }

  /** A value in {@code [0, bound)}, computed the same on every JDK. */
  private static long nextLong(Random random, long bound) {
    return (random.nextLong() >>> 1) % bound;
  }
}
