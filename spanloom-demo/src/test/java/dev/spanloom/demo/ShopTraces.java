package dev.spanloom.demo;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** The spans a {@link DemoShop} exported into memory, and the questions the tests ask of them. */
final class ShopTraces {
  static final Set<String> ALL_SERVICES =
      Set.of("api-gateway", "auth-service", "order-service", "payment-service", "notification-service");

  private final DemoShop shop;
  private final InMemorySpanExporter exporter;

  ShopTraces(DemoShop shop, InMemorySpanExporter exporter) {
    this.shop = shop;
    this.exporter = exporter;
  }

  /** Flushes until {@code done} holds for the exported spans, for at most 30 s; the spans then. */
  List<SpanData> awaitSpans(Predicate<List<SpanData>> done) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      shop.flush();
      List<SpanData> spans = exporter.getFinishedSpanItems();
      if (done.test(spans)) return spans;
      if (System.nanoTime() > deadline) throw new AssertionError("spans did not arrive in 30 s; have " + describe(spans));
      Thread.sleep(50);
    }
  }

  static Predicate<List<SpanData>> atLeast(int n, String spanName) {
    return spans -> spans.stream().filter(s -> s.getName().equals(spanName)).count() >= n;
  }

  /**
   * {@code n} orders traced whole: a trace's last spans to end are the gateway's root (after the
   * response) and notification-service's consumer span (after the email, asynchronously).
   */
  static Predicate<List<SpanData>> completeOrders(int n) {
    return atLeast(n, "POST /order").and(atLeast(n, "process order.created"));
  }

  static Map<String, List<SpanData>> byTrace(List<SpanData> spans) {
    return spans.stream().collect(Collectors.groupingBy(SpanData::getTraceId));
  }

  static Set<String> services(List<SpanData> spans) {
    return spans.stream().map(ShopTraces::service).collect(Collectors.toCollection(TreeSet::new));
  }

  static String service(SpanData span) {
    return span.getResource().getAttribute(Conventions.SERVICE_NAME);
  }

  static SpanData only(List<SpanData> spans, String name) {
    List<SpanData> found = spans.stream().filter(s -> s.getName().equals(name)).toList();
    if (found.size() != 1) throw new AssertionError("expected one span named " + name + ", have " + describe(spans));
    return found.get(0);
  }

  static SpanData parentOf(List<SpanData> trace, SpanData child) {
    return trace.stream().filter(s -> s.getSpanId().equals(child.getParentSpanId())).findFirst()
        .orElseThrow(() -> new AssertionError("no parent of " + child.getName() + " in " + describe(trace)));
  }

  static List<SpanData> ofKind(List<SpanData> spans, SpanKind kind) {
    return spans.stream().filter(s -> s.getKind() == kind).toList();
  }

  static String describe(List<SpanData> spans) {
    return spans.stream().map(s -> service(s) + ":" + s.getName() + "(" + s.getKind() + ")").toList().toString();
  }
}
