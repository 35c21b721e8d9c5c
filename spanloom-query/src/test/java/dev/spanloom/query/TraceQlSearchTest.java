package dev.spanloom.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import dev.spanloom.storage.InMemoryStorage;
import dev.spanloom.storage.SearchRequest;
import dev.spanloom.storage.SpanName;
import dev.spanloom.storage.TraceReader;
import dev.spanloom.storage.TraceScan;
import dev.spanloom.storage.TraceSummary;
import dev.spanloom.storage.tests.TestSpans;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TraceQlSearchTest {
  private InMemoryStorage storage;
  private RecordingReader reader;

  @BeforeEach
  void store() {
    storage = InMemoryStorage.builder().build();
    storage.writer().write(TraceQlDataset.allSpans());
    reader = new RecordingReader(storage.reader());
  }

  @AfterEach
  void close() {
    storage.close();
  }

  private SearchResult search(String query, int limit) {
    return new TraceQlSearch(reader).search(new TraceQlSearch.Request(TraceQlQuery.parse(query), 0, 0, limit));
  }

  private static List<String> names(SearchResult r) {
    List<String> names = new ArrayList<>();
    for (TraceMatch m : r.traces()) names.add(TraceQlDataset.nameOf(m.trace().traceId()));
    return names;
  }

  @Test
  void resultsAreNewestFirst() {
    assertThat(names(search("{ }", 100)))
        .containsExactly("batch", "spoof", "fanout", "orphan", "arrays", "pay", "slow", "cart", "shop2", "shop");
  }

  @Test
  void limitKeepsTheNewest() {
    assertThat(names(search("{ status = error }", 2))).containsExactly("fanout", "pay");
    assertThat(names(search("{ }", 3))).containsExactly("batch", "spoof", "fanout");
  }

  @Test
  void equalStartsOrderByTraceId() {
    Trace copy = TestSpans.shifted(TraceQlDataset.TRACES.get("batch"), new TraceId(0, 1), 0);
    storage.writer().write(copy.spans());
    List<TraceMatch> found = search("{ name = \"run batch\" }", 10).traces();
    assertThat(found).extracting(m -> m.trace().traceId())
        .containsExactly(new TraceId(0, 1), TraceQlDataset.TRACES.get("batch").traceId());
  }

  @Test
  void serviceNameBecomesAScanHint() {
    search("{ resource.service.name = \"frontend\" && span.http.response.status_code = 500 }", 20);
    assertThat(reader.scans).isNotEmpty().allSatisfy(s -> assertThat(s.serviceNames()).containsExactly("frontend"));
  }

  @Test
  void regexOnServiceNameResolvesAgainstStoredServices() {
    search("{ resource.service.name =~ \".*-service\" }", 20);
    assertThat(reader.scans.get(0).serviceNames())
        .containsExactlyInAnyOrder("auth-service", "order-service", "notification-service", "cart-service", "report-service", "payment-service");
  }

  @Test
  void spanNameAndDurationBecomeScanHints() {
    search("{ name = \"charge\" && duration > 100ms } >> { status = error }", 20);
    TraceScan scan = reader.scans.get(0);
    assertThat(scan.spanNames()).containsExactly("charge");
    assertThat(scan.minSpanDurationNanos()).isEqualTo(100_000_001L);
  }

  @Test
  void theSmallerSideOfAnAndGivesTheHint() {
    search("{ resource.service.name =~ \".*-service\" } && { resource.service.name = \"frontend\" }", 20);
    assertThat(reader.scans.get(0).serviceNames()).containsExactly("frontend");
  }

  @Test
  void orJoinsHints() {
    search("{ resource.service.name = \"frontend\" } || { resource.service.name = \"batch\" }", 20);
    assertThat(reader.scans.get(0).serviceNames()).containsExactlyInAnyOrder("frontend", "batch");
  }

  @Test
  void unsafeConditionsGiveNoHints() {
    search("{ .service.name = \"frontend\" || duration > 1s }", 20); // span attribute may answer; or
    search("{ !(resource.service.name = \"frontend\") }", 20);
    search("{ resource.service.name = \"frontend\" } !> { name = \"leaf\" }", 20);
    assertThat(reader.scans.get(0).serviceNames()).isEmpty();
    assertThat(reader.scans.get(0).minSpanDurationNanos()).isZero();
    assertThat(reader.scans.stream().filter(s -> !s.serviceNames().isEmpty())).isEmpty();
    assertThat(reader.scans.get(reader.scans.size() - 1).spanNames()).containsExactly("leaf");
  }

  @Test
  void rootServiceIsAHintButNotOnTheSameSpan() {
    SearchResult r = search("{ trace:rootService = \"api-gateway\" && name = \"send_email\" }", 20);
    assertThat(names(r)).containsExactly("shop2", "shop");
    assertThat(reader.scans.get(0).serviceNames()).containsExactly("api-gateway");
    assertThat(reader.scans.get(0).spanNames()).containsExactly("send_email");
  }

  @Test
  void unknownServiceAnswersWithoutScanning() {
    SearchResult r = search("{ resource.service.name = \"no-such-service\" && span.http.response.status_code = 500 }", 20);
    assertThat(r.traces()).isEmpty();
    assertThat(r.scans()).isZero();
    assertThat(reader.scans).isEmpty();
  }

  @Test
  void unknownSpanNameAnswersWithoutScanning() {
    assertThat(search("{ name = \"never stored\" } >> { }", 20).scans()).isZero();
    assertThat(search("{ resource.service.name = \"frontend\" && name = \"charge\" }", 20).scans()).isZero();
    assertThat(reader.scans).isEmpty();
  }

  @Test
  void slicesStopOnceTheLimitIsMetFromTheNewestData() {
    // Now is a minute after the newest trace: the first 5-minute slice holds batch, spoof,
    // fanout, orphan and arrays, and already has the one match asked for.
    Instant now = Instant.ofEpochSecond(0, TraceQlDataset.BASE + 9 * TraceQlDataset.MINUTE).plusSeconds(60);
    TraceQlSearch search = new TraceQlSearch(reader, Clock.fixed(now, ZoneOffset.UTC));
    SearchResult r = search.search(new TraceQlSearch.Request(TraceQlQuery.parse("{ }"), 0, 0, 1));
    assertThat(names(r)).containsExactly("batch");
    assertThat(r.scans()).isEqualTo(1);
    assertThat(r.inspectedTraces()).isBetween(1L, 5L);
    assertThat(reader.scans.get(0).startEpochNanos()).isEqualTo(TraceQlDataset.BASE + 9 * TraceQlDataset.MINUTE + 60_000_000_000L - TraceQlSearch.FIRST_SLICE_NANOS);
  }

  @Test
  void everyTraceIsEvaluatedOnceAcrossSlices() {
    Instant now = Instant.ofEpochSecond(0, TraceQlDataset.BASE + 7 * TraceQlDataset.MINUTE);
    TraceQlSearch search = new TraceQlSearch(reader, Clock.fixed(now, ZoneOffset.UTC));
    SearchResult r = search.search(new TraceQlSearch.Request(TraceQlQuery.parse("{ }"), 0, 0, 100));
    assertThat(r.traces()).hasSize(10);
    assertThat(r.inspectedTraces()).isEqualTo(10);
    assertThat(r.scans()).isGreaterThan(1);
    // The first slice asks only for traces starting in it; the rest of the window overlaps.
    assertThat(reader.scans.get(0).startsInWindow()).isTrue();
    assertThat(reader.scans.get(reader.scans.size() - 1).startsInWindow()).isFalse();
  }

  @Test
  void windowSelectsOverlappingTraces() {
    long slowStart = TraceQlDataset.TRACES.get("slow").startEpochNanos();
    TraceQlSearch search = new TraceQlSearch(reader);
    // A window inside the slow trace (which runs 5 s) finds it, and only it.
    SearchResult r = search.search(new TraceQlSearch.Request(TraceQlQuery.parse("{ }"), slowStart + 1_000_000_000L, slowStart + 2_000_000_000L, 20));
    assertThat(names(r)).containsExactly("slow");
    r = search.search(new TraceQlSearch.Request(TraceQlQuery.parse("{ }"), slowStart, TraceQlDataset.TRACES.get("arrays").startEpochNanos(), 20));
    assertThat(names(r)).containsExactly("arrays", "pay", "slow");
  }

  @Test
  void requestValidatesItsArguments() {
    TraceQlQuery q = TraceQlQuery.parse("{ }");
    assertThatThrownBy(() -> new TraceQlSearch.Request(q, 0, 0, 0)).hasMessage("limit: 0 (expected: > 0)");
    assertThatThrownBy(() -> new TraceQlSearch.Request(q, 5, 4, 1)).hasMessageContaining("start: 5 (expected: <= end 4)");
  }

  @Test
  void resultsCarryMatchedAttributesAndSpansetLabels() {
    SearchResult r = search("{ status = error && resource.service.name = \"payment-service\" } | select(span.payment.amount)", 20);
    MatchedSpan charge = r.traces().get(0).spansets().get(0).spans().get(0);
    assertThat(charge.span().name()).isEqualTo("charge");
    assertThat(charge.attributes().asMap()).containsKeys("status", "service.name", "payment.amount");
    assertThat(charge.attributes().get("status").asString()).isEqualTo("error");

    r = search("{ status = unset } | by(resource.service.name) | count() > 3", 20);
    assertThat(r.traces()).extracting(m -> m.spansets().get(0).attributes().get("by(resource.service.name)").asString())
        .containsExactly("batch", "leaf-svc");
  }

  /** Records the scans a search asks for. */
  static final class RecordingReader implements TraceReader {
    final TraceReader delegate;
    final List<TraceScan> scans = new ArrayList<>();

    RecordingReader(TraceReader delegate) {
      this.delegate = delegate;
    }

    @Override
    public Optional<Trace> findTrace(TraceId traceId) {
      return delegate.findTrace(traceId);
    }

    @Override
    public List<TraceSummary> search(SearchRequest request) {
      return delegate.search(request);
    }

    @Override
    public void scan(TraceScan scan, Predicate<Trace> visitor) {
      scans.add(scan);
      delegate.scan(scan, visitor);
    }

    @Override
    public List<String> serviceNames() {
      return delegate.serviceNames();
    }

    @Override
    public List<SpanName> spanNames(String serviceName) {
      return delegate.spanNames(serviceName);
    }
  }

  static Set<String> set(String... s) {
    return Set.of(s);
  }
}
