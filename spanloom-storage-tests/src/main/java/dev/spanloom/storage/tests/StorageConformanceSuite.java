package dev.spanloom.storage.tests;

import static dev.spanloom.storage.tests.TestSpans.AUTH_SPAN;
import static dev.spanloom.storage.tests.TestSpans.DB_SPAN;
import static dev.spanloom.storage.tests.TestSpans.EMAIL_SPAN;
import static dev.spanloom.storage.tests.TestSpans.GATEWAY_SPAN;
import static dev.spanloom.storage.tests.TestSpans.KAFKA_SPAN;
import static dev.spanloom.storage.tests.TestSpans.ORDER_SPAN;
import static dev.spanloom.storage.tests.TestSpans.TRACE;
import static dev.spanloom.storage.tests.TestSpans.TRACE_ID;
import static dev.spanloom.storage.tests.TestSpans.TRACE_START_EPOCH_NANOS;
import static dev.spanloom.storage.tests.TestSpans.interleave;
import static dev.spanloom.storage.tests.TestSpans.randomTraces;
import static dev.spanloom.storage.tests.TestSpans.shifted;
import static dev.spanloom.storage.tests.TestSpans.traceId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import dev.spanloom.storage.AttributeEquality;
import dev.spanloom.storage.SearchRequest;
import dev.spanloom.storage.SpanName;
import dev.spanloom.storage.TraceScan;
import dev.spanloom.storage.SpanMatcher;
import dev.spanloom.storage.StorageComponent;
import dev.spanloom.storage.TraceSummary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What every storage backend promises, as Zipkin's {@code zipkin-tests}: a backend's test class
 * extends this suite and only says how to build the backend ({@link #createStorage()}); it is
 * correct when the whole suite is green. A behaviour a backend cannot offer is a flag ({@link
 * #supportsReopen()}) whose skip states the reason.
 *
 * <p>Each test gets a fresh backend: the suite calls {@link StorageComponent#start()} after
 * {@link #createStorage()} and {@link StorageComponent#close()} after the test. Tests call
 * {@link #afterWrite} after their writes, except those checking that a write is readable as soon
 * as it returns.
 */
public abstract class StorageConformanceSuite {
  static final String NO_REOPEN =
      "supportsReopen() is false: the backend keeps nothing across restarts (as the in-memory"
          + " backend); a durable backend overrides supportsReopen() and reopen()";

  private StorageComponent storage;

  /**
   * A new, empty, not yet started backend; called once before each test. A durable backend puts
   * its files where {@link #reopen} can find them again (a per-test temporary directory).
   */
  protected abstract StorageComponent createStorage() throws Exception;

  /**
   * Called after each write of a test, so that a backend that indexes in the background can
   * finish. The SPI promises visibility when {@code write} returns, so a conforming backend
   * needs nothing here; the default does nothing.
   */
  protected void afterWrite(StorageComponent storage) throws Exception {}

  /**
   * Closes {@code storage} and opens a backend over the same data, as after a restart; the suite
   * starts the returned backend. The default closes it and calls {@link #createStorage()}.
   * Only used when {@link #supportsReopen()}.
   */
  protected StorageComponent reopen(StorageComponent storage) throws Exception {
    storage.close();
    return createStorage();
  }

  /** Whether written data survives {@link #reopen}. False by default: in-memory keeps nothing. */
  protected boolean supportsReopen() {
    return false;
  }

  /** The backend under test. */
  protected final StorageComponent storage() {
    return storage;
  }

  @BeforeEach
  final void openStorage() throws Exception {
    storage = createStorage();
    storage.start();
  }

  @AfterEach
  final void closeStorage() {
    if (storage != null) storage.close();
    storage = null;
  }

  /** Writes {@code spans} in one call, then {@link #afterWrite}. */
  protected final void write(List<Span> spans) throws Exception {
    storage.writer().write(spans);
    afterWrite(storage);
  }

  /** Writes each trace in its own call. */
  protected final void write(Trace... traces) throws Exception {
    for (Trace trace : traces) write(trace.spans());
  }

  protected final Optional<Trace> find(TraceId traceId) {
    return storage.reader().findTrace(traceId);
  }

  protected final List<TraceSummary> search(SearchRequest.Builder request) {
    return storage.reader().search(request.build());
  }

  protected final List<TraceId> searchTraceIds(SearchRequest.Builder request) {
    return search(request).stream().map(TraceSummary::traceId).toList();
  }

  static SearchRequest.Builder request() {
    return SearchRequest.builder();
  }

  static List<List<Span>> chunks(List<Span> spans, int size) {
    List<List<Span>> chunks = new ArrayList<>();
    for (int i = 0; i < spans.size(); i += size) {
      chunks.add(List.copyOf(spans.subList(i, Math.min(spans.size(), i + size))));
    }
    return chunks;
  }

  void assertStored(Trace expected) {
    assertThat(find(expected.traceId()))
        .as("trace %s", expected.traceId())
        .hasValue(expected);
  }

  void assertSpanField(Function<Span, Object> field) {
    List<Span> found = find(TRACE_ID).orElseThrow().spans();
    assertThat(found).extracting(field::apply)
        .containsExactlyElementsOf(TRACE.spans().stream().map(field).toList());
  }

  /** Writing and reading whole traces by ID. */
  @Nested
  public class WriteAndFind {
    @Test
    public void findsWrittenTraceWithEveryFieldEqual() throws Exception {
      write(TRACE);

      assertStored(TRACE);
    }

    @Test
    public void keepsIdsFlagsAndTraceState() throws Exception {
      write(TRACE);

      assertSpanField(Span::spanId);
      assertSpanField(s -> String.valueOf(s.parentSpanId()));
      assertSpanField(Span::flags);
      assertSpanField(Span::traceState);
    }

    @Test
    public void keepsNamesKindsAndNanosecondTimes() throws Exception {
      write(TRACE);

      assertSpanField(Span::name);
      assertSpanField(Span::kind);
      assertSpanField(Span::startEpochNanos);
      assertSpanField(Span::endEpochNanos);
    }

    @Test
    public void keepsEveryAttributeType() throws Exception {
      write(TRACE);

      assertSpanField(Span::attributes);
      assertSpanField(Span::droppedAttributesCount);
    }

    @Test
    public void keepsEventsAndLinks() throws Exception {
      write(TRACE);

      assertSpanField(Span::events);
      assertSpanField(Span::droppedEventsCount);
      assertSpanField(Span::links);
      assertSpanField(Span::droppedLinksCount);
    }

    @Test
    public void keepsStatusResourceAndScope() throws Exception {
      write(TRACE);

      assertSpanField(Span::status);
      assertSpanField(Span::resource);
      assertSpanField(Span::scope);
    }

    @Test
    public void returnsEmptyForUnknownTraceId() throws Exception {
      write(TRACE);

      assertThat(find(traceId(404))).isEmpty();
    }

    @Test
    public void doesNotConfuseTraceIdsSharingAHalf() throws Exception {
      write(TRACE);

      assertThat(find(new TraceId(TRACE_ID.high(), TRACE_ID.low() + 1))).isEmpty();
      assertThat(find(new TraceId(TRACE_ID.high() + 1, TRACE_ID.low()))).isEmpty();
      assertThat(find(new TraceId(0, TRACE_ID.low()))).isEmpty();
    }

    @Test
    public void findsTraceWith64BitTraceId() throws Exception {
      Trace trace = shifted(TRACE, new TraceId(0, 0x00f067aa0ba902b7L), 0);
      write(trace);

      assertStored(trace);
    }

    @Test
    public void assemblesTraceWrittenInSeveralPartsInAnyOrder() throws Exception {
      write(List.of(EMAIL_SPAN, DB_SPAN));
      write(List.of(ORDER_SPAN));
      write(List.of(KAFKA_SPAN, GATEWAY_SPAN, AUTH_SPAN));

      assertStored(TRACE);
    }

    @Test
    public void returnsResentSpansOnce() throws Exception {
      write(TRACE);
      write(TRACE);
      write(List.of(DB_SPAN, DB_SPAN, EMAIL_SPAN));

      assertStored(TRACE);
    }

    @Test
    public void keepsSharedSpansThatDifferOnlyInKind() throws Exception {
      // Zipkin's shared spans: the client and the server report the same span ID.
      Span client = DB_SPAN.toBuilder().kind(SpanKind.CLIENT).build();
      Span server = DB_SPAN.toBuilder().kind(SpanKind.SERVER).build();
      write(List.of(client));
      write(List.of(server));

      assertThat(find(TRACE_ID)).get()
          .satisfies(t -> assertThat(t.spans()).containsExactlyInAnyOrder(client, server));
    }

    @Test
    public void separatesTracesInterleavedInOneWrite() throws Exception {
      List<Trace> traces = new ArrayList<>(randomTraces(50, 1));
      traces.add(TRACE);

      write(interleave(traces, 2));

      for (Trace trace : traces) assertStored(trace);
    }

    @Test
    public void acceptsEmptyWrite() throws Exception {
      write(List.of());

      assertThat(find(TRACE_ID)).isEmpty();
      assertThat(search(request())).isEmpty();
    }
  }

  /** What {@code write} promises on return, without {@link #afterWrite}. */
  @Nested
  public class Visibility {
    @Test
    public void findsTraceAsSoonAsWriteReturns() {
      storage.writer().write(TRACE.spans());

      assertStored(TRACE);
    }

    @Test
    public void findsLaterPartAsSoonAsWriteReturns() {
      storage.writer().write(List.of(GATEWAY_SPAN));
      assertThat(find(TRACE_ID)).isPresent();

      storage.writer().write(TRACE.spans().subList(1, TRACE.spans().size()));

      assertStored(TRACE);
    }

    @Test
    public void searchFindsTraceAsSoonAsWriteReturns() {
      storage.writer().write(TRACE.spans());

      assertThat(searchTraceIds(request().serviceName("notification-service")))
          .containsExactly(TRACE_ID);
    }
  }

  /** Searching by the conditions of {@link SearchRequest}, evaluated as {@link SpanMatcher}. */
  @Nested
  public class Search {
    static final long TRACE_END = TRACE_START_EPOCH_NANOS + 312_345_679L;

    @BeforeEach
    void writeReferenceTrace() throws Exception {
      write(TRACE);
    }

    @Test
    public void findsTraceByServiceName() {
      assertThat(searchTraceIds(request().serviceName("notification-service")))
          .containsExactly(TRACE_ID);
    }

    @Test
    public void summaryDescribesWholeTraceByItsRoot() {
      assertThat(search(request().serviceName("auth-service"))).containsExactly(new TraceSummary(
          TRACE_ID, "api-gateway", "POST /order", TRACE_START_EPOCH_NANOS, 312_345_679L, 6, 1));
    }

    @Test
    public void countsEveryMatchingSpan() {
      assertThat(search(request().serviceName("order-service")))
          .singleElement()
          .extracting(TraceSummary::matchedSpanCount)
          .isEqualTo(3);
    }

    @Test
    public void findsTraceBySpanName() {
      assertThat(searchTraceIds(request().spanName("publish order.created")))
          .containsExactly(TRACE_ID);
    }

    @Test
    public void findsTraceBySpanAttribute() {
      assertThat(search(request().attribute("db.system", "postgresql")))
          .singleElement()
          .satisfies(s -> assertThat(s.traceId()).isEqualTo(TRACE_ID))
          .satisfies(s -> assertThat(s.matchedSpanCount()).isEqualTo(1));
    }

    @Test
    public void findsTraceByResourceAttribute() {
      assertThat(search(request().attribute("host.name", "orders-7f9c")))
          .singleElement()
          .extracting(TraceSummary::matchedSpanCount)
          .isEqualTo(3);
    }

    @Test
    public void findsTraceByLongAttributeAsString() {
      assertThat(searchTraceIds(request().attribute("http.response.status_code", "201")))
          .containsExactly(TRACE_ID);
      assertThat(searchTraceIds(request().attribute("server.port", "5432")))
          .containsExactly(TRACE_ID);
    }

    @Test
    public void findsTraceByBoolAttributeAsString() {
      assertThat(searchTraceIds(request().attribute("auth.cached", "true")))
          .containsExactly(TRACE_ID);
      assertThat(searchTraceIds(request().attribute("auth.cached", "false"))).isEmpty();
    }

    @Test
    public void findsTraceByDoubleAttributeAsString() {
      assertThat(searchTraceIds(request().attribute("order.total", "129.95")))
          .containsExactly(TRACE_ID);
    }

    @Test
    public void findsTraceByNonAsciiAttribute() {
      assertThat(searchTraceIds(request().attribute("order.note", "Grüße, 注文 ✓")))
          .containsExactly(TRACE_ID);
    }

    @Test
    public void minDurationIsInclusive() {
      SearchRequest.Builder insert = request().spanName("INSERT orders");

      assertThat(searchTraceIds(insert.minDurationNanos(DB_SPAN.durationNanos())))
          .containsExactly(TRACE_ID);
      assertThat(searchTraceIds(insert.minDurationNanos(DB_SPAN.durationNanos() + 1))).isEmpty();
    }

    @Test
    public void maxDurationIsInclusive() {
      SearchRequest.Builder insert = request().spanName("INSERT orders");

      assertThat(searchTraceIds(insert.maxDurationNanos(DB_SPAN.durationNanos())))
          .containsExactly(TRACE_ID);
      assertThat(searchTraceIds(insert.maxDurationNanos(DB_SPAN.durationNanos() - 1))).isEmpty();
    }

    @Test
    public void durationBoundsApplyToOneSpanNotTheTrace() {
      // Only the 8.5 ms kafka span lies within [5 ms, 10 ms]; the trace lasts 312 ms.
      assertThat(search(request().minDurationNanos(5_000_000).maxDurationNanos(10_000_000)))
          .singleElement()
          .extracting(TraceSummary::matchedSpanCount)
          .isEqualTo(1);
    }

    @Test
    public void findsTraceOverlappingTimeWindow() {
      long start = TRACE_START_EPOCH_NANOS;

      assertThat(searchTraceIds(request().startEpochNanos(start - 1_000).endEpochNanos(start)))
          .as("window ending at the trace's start").containsExactly(TRACE_ID);
      assertThat(searchTraceIds(request().startEpochNanos(TRACE_END).endEpochNanos(TRACE_END + 1)))
          .as("window starting at the trace's end").containsExactly(TRACE_ID);
      assertThat(searchTraceIds(request().startEpochNanos(start + 1).endEpochNanos(start + 2)))
          .as("window inside the trace").containsExactly(TRACE_ID);
      assertThat(searchTraceIds(request().startEpochNanos(start - 1)))
          .as("window open at its end").containsExactly(TRACE_ID);
      assertThat(searchTraceIds(request().endEpochNanos(TRACE_END)))
          .as("window open at its start").containsExactly(TRACE_ID);
    }

    @Test
    public void excludesTraceOutsideTimeWindow() {
      long start = TRACE_START_EPOCH_NANOS;

      assertThat(searchTraceIds(request().startEpochNanos(start - 1_000).endEpochNanos(start - 1)))
          .as("window ending before the trace").isEmpty();
      assertThat(searchTraceIds(request().startEpochNanos(TRACE_END + 1)))
          .as("window starting after the trace").isEmpty();
    }

    @Test
    public void timeWindowAppliesToTheWholeTrace() {
      // send_email starts 201 ms into the trace; a window over the first millisecond still finds
      // the trace through it.
      assertThat(searchTraceIds(request()
              .spanName("send_email")
              .startEpochNanos(TRACE_START_EPOCH_NANOS)
              .endEpochNanos(TRACE_START_EPOCH_NANOS + 1_000_000)))
          .containsExactly(TRACE_ID);
    }

    @Test
    public void combinesConditionsOnOneSpan() {
      assertThat(search(request()
              .serviceName("order-service")
              .spanName("INSERT orders")
              .attribute("db.system", "postgresql")
              .attribute("deployment.environment", "production")
              .minDurationNanos(DB_SPAN.durationNanos())
              .maxDurationNanos(DB_SPAN.durationNanos())
              .startEpochNanos(TRACE_START_EPOCH_NANOS)
              .endEpochNanos(TRACE_END)))
          .singleElement()
          .extracting(TraceSummary::matchedSpanCount)
          .isEqualTo(1);
    }

    @Test
    public void requiresEveryConditionOnTheSameSpan() {
      assertThat(search(request().serviceName("auth-service").attribute("db.system", "postgresql")))
          .as("service of one span, attribute of another").isEmpty();
      assertThat(search(request().spanName("send_email").attribute("http.route", "/order")))
          .as("name of one span, attribute of another").isEmpty();
      assertThat(search(request().serviceName("api-gateway").spanName("create_order")))
          .as("service of one span, name of another").isEmpty();
    }

    @Test
    public void returnsEmptyWhenNothingMatches() {
      assertThat(search(request().serviceName("payment-service"))).isEmpty();
      assertThat(search(request().spanName("POST"))).as("names match exactly").isEmpty();
      assertThat(search(request().attribute("db.system", "mysql"))).isEmpty();
      assertThat(search(request().attribute("no.such.key", "postgresql"))).isEmpty();
    }

    @Test
    public void emptyRequestFindsEveryTrace() throws Exception {
      List<Trace> others = randomTraces(5, 3);
      for (Trace trace : others) write(trace);

      assertThat(search(request())).hasSize(6);
    }

    @Test
    public void doesNotMixSpansOfDifferentTraces() throws Exception {
      List<Trace> others = randomTraces(10, 4); // services frontend, cart, checkout, …
      write(interleave(others, 5));

      assertThat(search(request().serviceName("frontend").spanName("send_email")))
          .as("service only in random traces, name only in the reference trace").isEmpty();
      assertThat(search(request().serviceName("notification-service")))
          .singleElement()
          .satisfies(s -> assertThat(s.spanCount()).isEqualTo(6))
          .satisfies(s -> assertThat(s.matchedSpanCount()).isEqualTo(1));
      for (TraceSummary hit : search(request().serviceName("frontend").limit(100))) {
        Trace trace = others.stream()
            .filter(t -> t.traceId().equals(hit.traceId())).findFirst().orElseThrow();
        assertThat(hit.spanCount()).as("spans of %s", hit.traceId()).isEqualTo(trace.spans().size());
      }
    }

    @Test
    public void returnsNewestFirst() throws Exception {
      long[] offsetSeconds = {3, 1, 5, 2, 6, 4};
      for (int i = 0; i < offsetSeconds.length; i++) {
        write(shifted(TRACE, traceId(i + 1), TimeUnit.SECONDS.toNanos(offsetSeconds[i])));
      }

      assertThat(searchTraceIds(request().serviceName("api-gateway")))
          .containsExactly(traceId(5), traceId(3), traceId(6), traceId(1), traceId(4), traceId(2),
              TRACE_ID);
    }

    @Test
    public void breaksStartTimeTiesByTraceId() throws Exception {
      long later = TimeUnit.SECONDS.toNanos(1);
      write(shifted(TRACE, traceId(9), later));
      write(shifted(TRACE, traceId(4), later));
      write(shifted(TRACE, traceId(7), later));

      assertThat(searchTraceIds(request().serviceName("api-gateway")))
          .containsExactly(traceId(4), traceId(7), traceId(9), TRACE_ID);
    }

    @Test
    public void honoursLimitKeepingTheNewest() throws Exception {
      List<Span> spans = new ArrayList<>();
      for (int i = 1; i <= 12; i++) {
        spans.addAll(shifted(TRACE, traceId(i), TimeUnit.SECONDS.toNanos(i)).spans());
      }
      Collections.shuffle(spans, new Random(6));
      write(spans);

      assertThat(searchTraceIds(request().serviceName("api-gateway").limit(5)))
          .containsExactly(traceId(12), traceId(11), traceId(10), traceId(9), traceId(8));
    }

    @Test
    public void agreesWithSpanMatcherOnRandomTraces() throws Exception {
      List<Trace> traces = new ArrayList<>(randomTraces(80, 7));
      for (List<Span> chunk : chunks(interleave(traces, 8), 50)) write(chunk);
      traces.add(TRACE);

      Random random = new Random(9);
      for (int i = 0; i < 40; i++) {
        Trace trace = traces.get(random.nextInt(traces.size()));
        Span span = trace.spans().get(random.nextInt(trace.spans().size()));
        SearchRequest request = requestLike(span, trace, i, random).build();

        List<TraceSummary> expected = expectedResult(request, traces);
        assertThat(storage.reader().search(request)).as("%s", request).isEqualTo(expected);
      }
    }

    /** A request some spans match: built from {@code span}, varied by {@code i}. */
    SearchRequest.Builder requestLike(Span span, Trace trace, int i, Random random) {
      int attribute = random.nextInt(span.attributes().size() + span.resource().attributes().size());
      Attributes from = attribute < span.attributes().size()
          ? span.attributes()
          : span.resource().attributes();
      int index = attribute < span.attributes().size()
          ? attribute
          : attribute - span.attributes().size();
      SearchRequest.Builder request = request().limit(i % 4 == 0 ? 3 : 1000);
      switch (i % 5) {
        case 0 -> request.serviceName(span.serviceName()).spanName(span.name());
        case 1 -> request.attribute(from.key(index), from.value(index).asString());
        case 2 -> request.serviceName(span.serviceName())
            .minDurationNanos(Math.max(1, span.durationNanos() / 2))
            .maxDurationNanos(span.durationNanos() * 2 + 1);
        case 3 -> request.spanName(span.name())
            .startEpochNanos(trace.startEpochNanos() - TimeUnit.MINUTES.toNanos(5))
            .endEpochNanos(trace.startEpochNanos() + TimeUnit.MINUTES.toNanos(5));
        default -> request.serviceName(span.serviceName())
            .attribute(from.key(index), from.value(index).asString())
            .startEpochNanos(trace.endEpochNanos());
      }
      return request;
    }

    List<TraceSummary> expectedResult(SearchRequest request, List<Trace> traces) {
      SpanMatcher matcher = SpanMatcher.of(request);
      List<TraceSummary> hits = new ArrayList<>();
      for (Trace trace : traces) matcher.match(trace).ifPresent(hits::add);
      return matcher.newestFirst(hits);
    }
  }

  /** Several threads writing and reading at once. */
  /** Listing what is stored, for query engines and the Jaeger/Zipkin service lists. */
  @Nested
  public class ScanAndNames {
    @Test
    public void scanVisitsEveryStoredTraceWhole() throws Exception {
      List<Trace> traces = TestSpans.randomTraces(30, 7);
      write(TestSpans.interleave(traces, 7));
      Map<TraceId, Trace> seen = new HashMap<>();
      storage().reader().scan(TraceScan.ALL, t -> {
        seen.put(t.traceId(), t);
        return true;
      });
      assertThat(seen).hasSize(traces.size());
      for (Trace t : traces) assertThat(seen.get(t.traceId())).isEqualTo(t);
    }

    @Test
    public void scanStopsWhenTheVisitorSaysSo() throws Exception {
      write(TestSpans.interleave(TestSpans.randomTraces(10, 3), 3));
      int[] visits = {0};
      storage().reader().scan(TraceScan.ALL, t -> ++visits[0] < 3);
      assertThat(visits[0]).isEqualTo(3);
    }

    @Test
    public void scanSkipsTracesOutsideTheWindow() throws Exception {
      write(TRACE);
      long start = TRACE.startEpochNanos();
      long end = TRACE.endEpochNanos();
      assertThat(scanIds(TraceScan.window(end + 1, 0))).isEmpty();
      assertThat(scanIds(TraceScan.window(0, start - 1))).isEmpty();
      assertThat(scanIds(TraceScan.window(end, end))).containsExactly(TRACE_ID);
      assertThat(scanIds(TraceScan.window(start - 1000, start))).containsExactly(TRACE_ID);
    }

    @Test
    public void scanOfTracesStartingInTheWindowSkipsTracesOnlyOverlappingIt() throws Exception {
      write(TRACE);
      long start = TRACE.startEpochNanos();
      long end = TRACE.endEpochNanos();
      assertThat(scanIds(TraceScan.window(start + 1, end).withStartsInWindow(true))).isEmpty();
      assertThat(scanIds(TraceScan.window(start + 1, 0).withStartsInWindow(true))).isEmpty();
      assertThat(scanIds(TraceScan.window(end, end).withStartsInWindow(true))).isEmpty();
      assertThat(scanIds(TraceScan.window(0, start - 1).withStartsInWindow(true))).isEmpty();
      // Both ends inclusive, 0 = open.
      assertThat(scanIds(TraceScan.window(start, start).withStartsInWindow(true))).containsExactly(TRACE_ID);
      assertThat(scanIds(TraceScan.window(start - 1000, start).withStartsInWindow(true))).containsExactly(TRACE_ID);
      assertThat(scanIds(TraceScan.window(start, 0).withStartsInWindow(true))).containsExactly(TRACE_ID);
      assertThat(scanIds(TraceScan.window(0, start).withStartsInWindow(true))).containsExactly(TRACE_ID);
      assertThat(scanIds(TraceScan.ALL.withStartsInWindow(true))).containsExactly(TRACE_ID);
      // Without the flag, overlapping is enough.
      assertThat(scanIds(TraceScan.window(start + 1, end))).containsExactly(TRACE_ID);
    }

    @Test
    public void scanOfTracesStartingInTheWindowVisitsThemWholeWithLaterParts() throws Exception {
      // The first span in one write, a span ten minutes later in another: a backend may keep
      // them apart (the local engine's blocks conformance test cuts a block per write).
      long later = TimeUnit.MINUTES.toNanos(10);
      Span first = GATEWAY_SPAN;
      Span late = DB_SPAN.toBuilder()
          .startEpochNanos(DB_SPAN.startEpochNanos() + later)
          .endEpochNanos(DB_SPAN.endEpochNanos() + later)
          .build();
      assertThat(late.serviceName()).isNotEqualTo(first.serviceName());
      Trace trace = Trace.of(TRACE_ID, List.of(first, late));
      write(List.of(first));
      write(List.of(late));
      long start = trace.startEpochNanos();

      Map<TraceId, Trace> seen = new HashMap<>();
      storage().reader().scan(TraceScan.window(start, start + 1).withStartsInWindow(true), t -> {
        seen.put(t.traceId(), t);
        return true;
      });
      assertThat(seen).containsOnlyKeys(TRACE_ID);
      assertThat(seen.get(TRACE_ID)).isEqualTo(trace);

      // The hints are met only by the late span, which starts long after the window.
      TraceScan hinted = new TraceScan(start, start + 1, Set.of(late.serviceName()), Set.of(late.name()),
          late.durationNanos(), true);
      seen.clear();
      storage().reader().scan(hinted, t -> {
        seen.put(t.traceId(), t);
        return true;
      });
      assertThat(seen).containsOnlyKeys(TRACE_ID);
      assertThat(seen.get(TRACE_ID)).isEqualTo(trace);

      // The late span's time overlaps the trace, but the trace does not start there.
      long lateStart = late.startEpochNanos();
      assertThat(scanIds(TraceScan.window(lateStart, lateStart).withStartsInWindow(true))).isEmpty();
      assertThat(scanIds(TraceScan.window(lateStart, lateStart))).containsExactly(TRACE_ID);
    }

    @Test
    public void scanAttributeEqualitiesKeepTracesWithThemAndSkipOthers() throws Exception {
      List<Trace> others = randomTraces(20, 11);
      write(TRACE);
      write(interleave(others, 11));
      AttributeEquality.Scope span = AttributeEquality.Scope.SPAN;
      AttributeEquality.Scope resource = AttributeEquality.Scope.RESOURCE;
      AttributeEquality.Scope either = AttributeEquality.Scope.SPAN_OR_RESOURCE;
      AttributeEquality postgres = new AttributeEquality(span, "db.system", AttributeValue.of("postgresql"));
      AttributeEquality port = new AttributeEquality(span, "server.port", AttributeValue.of(5432));
      AttributeEquality pid = new AttributeEquality(resource, "process.pid", AttributeValue.of(4242));
      AttributeEquality host = new AttributeEquality(either, "host.name", AttributeValue.of("gw-7d9f"));
      // Each met by a different span: the trace is kept.
      assertThat(scanIds(equalities(postgres, port, pid, host))).containsExactly(TRACE_ID);
      assertThat(scanIds(equalities(new AttributeEquality(either, "db.system", AttributeValue.of("postgresql")))))
          .containsExactly(TRACE_ID);
      // Wrong scope, value or type.
      assertThat(scanIds(equalities(new AttributeEquality(resource, "db.system", AttributeValue.of("postgresql"))))).isEmpty();
      assertThat(scanIds(equalities(new AttributeEquality(span, "process.pid", AttributeValue.of(4242))))).isEmpty();
      assertThat(scanIds(equalities(new AttributeEquality(span, "server.port", AttributeValue.of("5432"))))).isEmpty();
      assertThat(scanIds(equalities(postgres, new AttributeEquality(span, "server.port", AttributeValue.of(5433))))).isEmpty();
      assertThat(scanIds(equalities(new AttributeEquality(either, "no.such.key", AttributeValue.of(true))))).isEmpty();
    }

    @Test
    public void scanAttributeEqualitiesAgreeWithTheSpans() throws Exception {
      List<Trace> traces = randomTraces(40, 12);
      write(interleave(traces, 12));
      for (Trace t : traces) {
        Span first = t.spans().get(0);
        for (int i = 0; i < first.attributes().size(); i++) {
          AttributeValue v = first.attributes().value(i);
          if (!AttributeEquality.isSupported(v)) continue;
          AttributeEquality e = new AttributeEquality(AttributeEquality.Scope.SPAN, first.attributes().key(i), v);
          List<TraceId> expected = traces.stream()
              .filter(x -> x.spans().stream().anyMatch(e::isSatisfiedBy)).map(Trace::traceId).toList();
          assertThat(scanIds(equalities(e))).as("%s", e).containsExactlyInAnyOrderElementsOf(expected).contains(t.traceId());
        }
      }
    }

    private TraceScan equalities(AttributeEquality... equalities) {
      return new TraceScan(0, 0, Set.of(), Set.of(), 0, false, Set.of(equalities));
    }

    @Test
    public void scanHintsNeverHideAMatchingTrace() throws Exception {
      write(TRACE);
      Span db = TestSpans.DB_SPAN;
      TraceScan hinted = new TraceScan(0, 0, Set.of(db.serviceName()), Set.of(db.name()), db.durationNanos(), false);
      assertThat(scanIds(hinted)).containsExactly(TRACE_ID);
    }

    @Test
    public void listsServiceNamesSorted() throws Exception {
      write(TRACE);
      List<String> expected = TRACE.spans().stream().map(Span::serviceName).distinct().sorted().toList();
      assertThat(storage().reader().serviceNames()).containsExactlyElementsOf(expected);
    }

    @Test
    public void listsSpanNamesOfAServiceWithKinds() throws Exception {
      write(TRACE);
      String service = TestSpans.ORDER_SPAN.serviceName();
      List<SpanName> expected = TRACE.spans().stream().filter(sp -> sp.serviceName().equals(service))
          .map(sp -> new SpanName(sp.name(), sp.kind())).distinct().sorted().toList();
      assertThat(storage().reader().spanNames(service)).isNotEmpty().containsExactlyElementsOf(expected);
      assertThat(storage().reader().spanNames("no-such-service")).isEmpty();
    }

    private List<TraceId> scanIds(TraceScan scan) {
      List<TraceId> ids = new ArrayList<>();
      storage().reader().scan(scan, t -> ids.add(t.traceId()));
      return ids;
    }
  }

  @Nested
  public class Concurrency {
    static final int THREADS = 8;

    @Test
    public void concurrentWritersLoseNothing() throws Exception {
      List<Trace> traces = randomTraces(160, 10);
      // Chunks go round-robin to the threads, so most traces are written by several threads.
      List<List<Span>> chunks = chunks(interleave(traces, 11), 7);

      runConcurrently(THREADS, thread -> {
        for (int c = thread; c < chunks.size(); c += THREADS) storage.writer().write(chunks.get(c));
      });
      afterWrite(storage);

      for (Trace trace : traces) assertStored(trace);
      assertThat(search(request().limit(1_000))).hasSize(traces.size());
    }

    @Test
    public void readsDuringWritesSeeOnlyWrittenSpans() throws Exception {
      List<Trace> traces = randomTraces(60, 12);
      List<List<Span>> chunks = chunks(interleave(traces, 13), 5);

      runConcurrently(4, thread -> {
        if (thread == 0) {
          for (List<Span> chunk : chunks) storage.writer().write(chunk);
          return;
        }
        for (int round = 0; round < 20; round++) {
          for (Trace trace : traces.subList(thread * 10, thread * 10 + 10)) {
            find(trace.traceId()).ifPresent(found ->
                assertThat(trace.spans()).containsAll(found.spans()));
          }
          for (TraceSummary hit : search(request().limit(10))) {
            assertThat(traces).anyMatch(t -> t.traceId().equals(hit.traceId()));
          }
        }
      });
      afterWrite(storage);

      for (Trace trace : traces) assertStored(trace);
    }
  }

  /** Data surviving a restart of the backend; only for backends that {@link #supportsReopen()}. */
  @Nested
  public class Restart {
    @BeforeEach
    void requireReopen() {
      assumeTrue(supportsReopen(), NO_REOPEN);
    }

    @Test
    public void findsEverythingAfterReopen() throws Exception {
      List<Trace> traces = new ArrayList<>(randomTraces(40, 14));
      write(interleave(traces, 15));
      write(TRACE);
      traces.add(TRACE);

      reopenStorage();

      for (Trace trace : traces) assertStored(trace);
      assertThat(search(request().limit(1_000))).hasSize(traces.size());
      assertThat(searchTraceIds(request().attribute("db.system", "postgresql")))
          .containsExactly(TRACE_ID);
    }

    @Test
    public void assemblesTraceWrittenAcrossReopen() throws Exception {
      write(List.of(GATEWAY_SPAN, ORDER_SPAN, EMAIL_SPAN));

      reopenStorage();
      write(List.of(AUTH_SPAN, DB_SPAN, KAFKA_SPAN, EMAIL_SPAN));

      assertStored(TRACE);
    }

    @Test
    public void acceptsWritesAfterReopenOfEmptyStorage() throws Exception {
      reopenStorage();
      write(TRACE);

      assertStored(TRACE);
    }

    void reopenStorage() throws Exception {
      StorageComponent old = storage;
      storage = null; // reopen closes it; never close it twice
      storage = reopen(old);
      storage.start();
    }
  }

  /** Runs {@code task(thread)} on {@code threads} threads released together; fails on any error. */
  static void runConcurrently(int threads, ThreadTask task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          task.run(thread);
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) f.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
      if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
        throw new AssertionError("writer threads still running 10 s after the test");
      }
    }
  }

  @FunctionalInterface
  interface ThreadTask {
    void run(int thread) throws Exception;
  }
}
