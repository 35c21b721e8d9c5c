package dev.spanloom.query;

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
import dev.spanloom.storage.tests.TestSpans;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fixed traces the TraceQL conformance table runs on, each under a short name. One minute
 * apart, in this order (so newest first is the reverse):
 *
 * <pre>
 * shop    TestSpans.TRACE: api-gateway → auth, order → (INSERT orders, publish → send_email ERROR)
 * shop2   the same shape one minute later
 * cart    frontend GET /cart → cart-service SELECT cart (redis); environment staging
 * slow    frontend GET /report 5s → report-service generate 4.5s → SELECT big 3s (postgresql)
 * pay     frontend POST /pay ERROR 500 → payment-service charge ERROR (exception event), retry OK
 * arrays  tagger tag: array, bool and spaced attributes, instrumentation attributes
 * orphan  two spans whose root was never stored
 * fanout  fan fanout → 4 × leaf-svc leaf (one ERROR), branch → leaf
 * spoof   real-svc spoofed, with a span attribute service.name = "spoof"
 * batch   batch run batch → 6 × process item (10…60 ms, item.weight 1…6, item.price 1.5…9.0)
 * </pre>
 */
final class TraceQlDataset {
  static final long MS = 1_000_000L;
  static final long MINUTE = 60_000 * MS;
  static final long BASE = TestSpans.TRACE_START_EPOCH_NANOS;

  static final Resource FRONTEND = Resource.of(Attributes.builder()
      .put(Resource.SERVICE_NAME, "frontend").put("deployment.environment", "staging").build());

  static final Map<String, Trace> TRACES = build();

  private TraceQlDataset() {}

  static List<Span> allSpans() {
    List<Span> spans = new ArrayList<>();
    for (Trace t : TRACES.values()) spans.addAll(t.spans());
    return spans;
  }

  static String nameOf(TraceId id) {
    for (Map.Entry<String, Trace> e : TRACES.entrySet()) {
      if (e.getValue().traceId().equals(id)) return e.getKey();
    }
    return id.toHex();
  }

  private static Map<String, Trace> build() {
    Map<String, Trace> t = new LinkedHashMap<>();
    t.put("shop", TestSpans.TRACE);
    t.put("shop2", TestSpans.shifted(TestSpans.TRACE, TraceId.fromHex("5b0b000000000000000000000000000b"), MINUTE));
    t.put("cart", cart(BASE + 2 * MINUTE));
    t.put("slow", slow(BASE + 3 * MINUTE));
    t.put("pay", pay(BASE + 4 * MINUTE));
    t.put("arrays", arrays(BASE + 5 * MINUTE));
    t.put("orphan", orphan(BASE + 6 * MINUTE));
    t.put("fanout", fanout(BASE + 7 * MINUTE));
    t.put("spoof", spoof(BASE + 8 * MINUTE));
    t.put("batch", batch(BASE + 9 * MINUTE));
    return t;
  }

  private static Resource service(String name) {
    return Resource.of(Attributes.builder().put(Resource.SERVICE_NAME, name).build());
  }

  private static Span.Builder span(TraceId trace, long id, Long parent, String name, SpanKind kind,
      Resource resource, long start, long from, long to) {
    return Span.builder()
        .traceId(trace)
        .spanId(new SpanId(id))
        .parentSpanId(parent == null ? null : new SpanId(parent))
        .name(name)
        .kind(kind)
        .resource(resource)
        .startEpochNanos(start + from)
        .endEpochNanos(start + to);
  }

  private static Trace cart(long start) {
    TraceId id = TestSpans.CART_TRACE_ID;
    return Trace.of(id, List.of(
        span(id, 0xc1, null, "GET /cart", SpanKind.SERVER, FRONTEND, start, 0, 40 * MS)
            .attributes(Attributes.builder().put("http.request.method", "GET").put("http.response.status_code", 200L).build())
            .status(Status.OK).build(),
        span(id, 0xc2, 0xc1L, "SELECT cart", SpanKind.CLIENT, service("cart-service"), start, 5 * MS, 25 * MS)
            .attributes(Attributes.builder().put("db.system", "redis").build())
            .scope(InstrumentationScope.of("io.opentelemetry.lettuce", "1.0")).build()));
  }

  private static Trace slow(long start) {
    TraceId id = TraceId.fromHex("5b0b0000000000000000000000000510");
    Resource report = service("report-service");
    return Trace.of(id, List.of(
        span(id, 0x51, null, "GET /report", SpanKind.SERVER, FRONTEND, start, 0, 5_000 * MS)
            .attributes(Attributes.builder().put("http.request.method", "GET").put("http.response.status_code", 200L).build())
            .build(),
        span(id, 0x52, 0x51L, "generate", SpanKind.INTERNAL, report, start, 100 * MS, 4_600 * MS)
            .attributes(Attributes.builder().put("report.rows", 120_000L).build()).build(),
        span(id, 0x53, 0x52L, "SELECT big", SpanKind.CLIENT, report, start, 200 * MS, 3_200 * MS)
            .attributes(Attributes.builder().put("db.system", "postgresql").put("server.port", 5432L).build())
            .build()));
  }

  private static Trace pay(long start) {
    TraceId id = TraceId.fromHex("5b0b0000000000000000000000000a11");
    Resource payment = service("payment-service");
    return Trace.of(id, List.of(
        span(id, 0xa1, null, "POST /pay", SpanKind.SERVER, FRONTEND, start, 0, 800 * MS)
            .attributes(Attributes.builder().put("http.request.method", "POST").put("http.response.status_code", 500L).build())
            .status(Status.of(StatusCode.ERROR, "payment failed")).build(),
        span(id, 0xa2, 0xa1L, "charge", SpanKind.CLIENT, payment, start, 10 * MS, 700 * MS)
            .attributes(Attributes.builder().put("payment.amount", 42.5).put("payment.currency", "EUR").build())
            .events(List.of(Event.of("exception", start + 650 * MS, Attributes.builder()
                .put("exception.type", "CardDeclinedException").put("exception.message", "card declined").build())))
            .status(Status.of(StatusCode.ERROR, "card declined")).build(),
        span(id, 0xa3, 0xa1L, "retry", SpanKind.INTERNAL, payment, start, 710 * MS, 790 * MS)
            .attributes(Attributes.builder().put("retry", true).build())
            .status(Status.OK).build()));
  }

  private static Trace arrays(long start) {
    TraceId id = TraceId.fromHex("5b0b00000000000000000000000a77a5");
    Resource tagger = Resource.of(Attributes.builder()
        .put(Resource.SERVICE_NAME, "tagger").put("k8s.pod.name", "tagger-0").build());
    return Trace.of(id, List.of(
        span(id, 0x7a, null, "tag", SpanKind.SERVER, tagger, start, 0, 10 * MS)
            .attributes(Attributes.builder()
                .put("tags", AttributeValue.ofArray(List.of(AttributeValue.of("a"), AttributeValue.of("b"), AttributeValue.of("c"))))
                .put("codes", AttributeValue.ofArray(List.of(AttributeValue.of(1L), AttributeValue.of(2L), AttributeValue.of(3L))))
                .put("weights", AttributeValue.ofArray(List.of(AttributeValue.of(0.5), AttributeValue.of(1.5))))
                .put("flags", AttributeValue.ofArray(List.of(AttributeValue.of(true), AttributeValue.of(false))))
                .put("attr with spaces", "yes")
                .put("cache.hit", true)
                .put("http.url", "/a/b?c=1")
                .build())
            .scope(new InstrumentationScope("dev.tagger", "0.1", Attributes.of("language", AttributeValue.of("java")), 0, ""))
            .build()));
  }

  private static Trace orphan(long start) {
    TraceId id = TraceId.fromHex("5b0b000000000000000000000000042f");
    Resource orphan = service("orphan");
    return Trace.of(id, List.of(
        span(id, 0x0f1, 0xdeadbeef00000001L, "late span", SpanKind.CONSUMER, orphan, start, 0, 15 * MS).build(),
        span(id, 0x0f2, 0x0f1L, "late child", SpanKind.INTERNAL, orphan, start, 1 * MS, 5 * MS).build()));
  }

  private static Trace fanout(long start) {
    TraceId id = TraceId.fromHex("5b0b0000000000000000000000000f00");
    Resource fan = service("fan");
    Resource leaf = service("leaf-svc");
    List<Span> spans = new ArrayList<>();
    spans.add(span(id, 0xf1, null, "fanout", SpanKind.SERVER, fan, start, 0, 100 * MS).build());
    for (int i = 0; i < 4; i++) {
      spans.add(span(id, 0xf2 + i, 0xf1L, "leaf", SpanKind.CLIENT, leaf, start, (10 + 10 * i) * MS, (15 + 10 * i) * MS)
          .status(i == 1 ? Status.of(StatusCode.ERROR, "leaf failed") : Status.UNSET).build());
    }
    spans.add(span(id, 0xf6, 0xf1L, "branch", SpanKind.INTERNAL, fan, start, 50 * MS, 90 * MS).build());
    spans.add(span(id, 0xf7, 0xf6L, "leaf", SpanKind.CLIENT, leaf, start, 60 * MS, 70 * MS).build());
    return Trace.of(id, spans);
  }

  private static Trace spoof(long start) {
    TraceId id = TraceId.fromHex("5b0b00000000000000000000000005f0");
    return Trace.of(id, List.of(
        span(id, 0x5f, null, "spoofed", SpanKind.SERVER, service("real-svc"), start, 0, 1 * MS)
            .attributes(Attributes.builder().put(Resource.SERVICE_NAME, "spoof").put("peer.service", "db").build())
            .build()));
  }

  private static Trace batch(long start) {
    TraceId id = TraceId.fromHex("5b0b00000000000000000000000ba7c4");
    Resource batch = service("batch");
    List<Span> spans = new ArrayList<>();
    spans.add(span(id, 0xb1, null, "run batch", SpanKind.INTERNAL, batch, start, 0, 400 * MS).status(Status.OK).build());
    for (int k = 1; k <= 6; k++) {
      spans.add(span(id, 0xb1 + k, 0xb1L, "process item", SpanKind.INTERNAL, batch, start, k * 50 * MS, (k * 50 + 10 * k) * MS)
          .attributes(Attributes.builder().put("item.weight", (long) k).put("item.price", 1.5 * k).build())
          .build());
    }
    return Trace.of(id, spans);
  }
}
