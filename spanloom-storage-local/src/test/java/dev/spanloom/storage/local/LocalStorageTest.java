package dev.spanloom.storage.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import dev.spanloom.storage.SearchRequest;
import dev.spanloom.storage.SpanName;
import dev.spanloom.storage.AttributeEquality;
import dev.spanloom.storage.TraceScan;
import dev.spanloom.storage.TraceSummary;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's own promises: durability, recovery, blocks, retention and compaction. */
class LocalStorageTest {
  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Spans.T0);
  LocalStorage storage;

  LocalStorageConfig.Builder config() {
    return LocalStorageConfig.builder()
        .path(dir.resolve("blocks"))
        .walPath(dir.resolve("wal"))
        .clock(clock);
  }

  LocalStorage start(LocalStorageConfig.Builder config) {
    storage = new LocalStorage(config.build());
    storage.start();
    return storage;
  }

  LocalStorage restart() {
    LocalStorageConfig config = storage.config();
    storage.close();
    storage = new LocalStorage(config);
    storage.start();
    return storage;
  }

  @AfterEach
  void close() {
    if (storage != null) storage.close();
  }

  Trace find(TraceId id) {
    return storage.findTrace(id).orElseThrow(() -> new AssertionError("trace " + id + " not found"));
  }

  List<Path> walSegments() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("wal"))) {
      return files.filter(p -> p.toString().endsWith(".wal")).sorted().toList();
    }
  }

  List<Path> blockDirs() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("blocks"))) {
      return files.filter(Files::isDirectory).toList();
    }
  }

  @Test
  void constructorDoesNoIo() {
    new LocalStorage(config().build());

    assertThat(dir.resolve("blocks")).doesNotExist();
    assertThat(dir.resolve("wal")).doesNotExist();
  }

  @Test
  void replaysWalAfterClose() {
    start(config());
    List<Span> trace = Spans.trace(Spans.traceId(1), 5);
    storage.write(trace.subList(0, 2));
    storage.write(trace.subList(2, 5));

    restart();

    assertThat(find(Spans.traceId(1)).spans()).containsExactlyElementsOf(trace);
    assertThat(storage.blockCount()).isZero();
    assertThat(storage.headSpans()).isEqualTo(5);
  }

  @Test
  void cutsGarbageTailAndKeepsRecordsBeforeIt() throws IOException {
    start(config());
    storage.write(Spans.trace(Spans.traceId(1), 3));
    storage.write(Spans.trace(Spans.traceId(2), 3));
    storage.close();
    Path segment = walSegments().get(walSegments().size() - 1);
    long goodSize = Files.size(segment);
    Files.write(segment, new byte[] {0, 0, 0, 40, 1, 2, 3, 4, 5, 6}, StandardOpenOption.APPEND);

    storage = new LocalStorage(storage.config());
    storage.start();

    assertThat(find(Spans.traceId(1)).spans()).hasSize(3);
    assertThat(find(Spans.traceId(2)).spans()).hasSize(3);
    assertThat(storage.corruptWalTailsTruncated()).isEqualTo(1);
    assertThat(Files.size(segment)).isEqualTo(goodSize);
  }

  @Test
  void cutsTornLastRecordAndKeepsRecordsBeforeIt() throws IOException {
    start(config());
    storage.write(Spans.trace(Spans.traceId(1), 3));
    storage.write(Spans.trace(Spans.traceId(2), 3));
    storage.close();
    Path segment = walSegments().get(walSegments().size() - 1);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 7); // the second record loses its last bytes
    }

    storage = new LocalStorage(storage.config());
    storage.start();

    assertThat(find(Spans.traceId(1)).spans()).hasSize(3);
    assertThat(storage.findTrace(Spans.traceId(2))).isEmpty();
    assertThat(storage.corruptWalTailsTruncated()).isEqualTo(1);
    storage.write(Spans.trace(Spans.traceId(3), 1));
    assertThat(restart().findTrace(Spans.traceId(3))).isPresent();
  }

  @Test
  void cutsRecordWithFlippedBit() throws IOException {
    start(config());
    storage.write(Spans.trace(Spans.traceId(1), 3));
    storage.write(Spans.trace(Spans.traceId(2), 3));
    storage.close();
    Path segment = walSegments().get(walSegments().size() - 1);
    byte[] bytes = Files.readAllBytes(segment);
    bytes[bytes.length - 3] ^= 0x10;
    Files.write(segment, bytes);

    storage = new LocalStorage(storage.config());
    storage.start();

    assertThat(find(Spans.traceId(1)).spans()).hasSize(3);
    assertThat(storage.findTrace(Spans.traceId(2))).isEmpty();
    assertThat(storage.corruptWalTailsTruncated()).isEqualTo(1);
  }

  @Test
  void deletesHalfWrittenBlockAtStartAndFindsItsDataInTheWal() throws IOException {
    start(config());
    storage.write(Spans.trace(Spans.traceId(1), 4));
    storage.close();
    // A crash during a cut: data and index written, meta not yet.
    Path half = dir.resolve("blocks").resolve("5f0c6a1e-0000-0000-0000-000000000000");
    Files.createDirectories(half);
    Files.write(half.resolve(BlockWriter.DATA), new byte[] {'S', 'L', 'B', 'D', 0, 0, 0, 1, 9, 9});
    Files.write(half.resolve(BlockMeta.FILE_NAME + ".tmp"), new byte[] {'{'});

    storage = new LocalStorage(storage.config());
    storage.start();

    assertThat(half).doesNotExist();
    assertThat(find(Spans.traceId(1)).spans()).hasSize(4);
    assertThat(storage.blockCount()).isZero();
  }

  @Test
  void flushWritesABlockAndDeletesTheWalSegmentsItCovers() throws IOException {
    start(config());
    storage.write(Spans.trace(Spans.traceId(1), 4));
    List<Path> before = walSegments();

    storage.flush();

    assertThat(storage.blockCount()).isEqualTo(1);
    assertThat(storage.headSpans()).isZero();
    assertThat(walSegments()).doesNotContainAnyElementsOf(before);
    assertThat(find(Spans.traceId(1)).spans()).hasSize(4);
    assertThat(blockDirs()).singleElement()
        .satisfies(b -> assertThat(b.resolve(BlockMeta.FILE_NAME)).exists());
  }

  @Test
  void blocksSurviveRestartWithoutReplay() {
    start(config());
    storage.write(Spans.trace(Spans.traceId(1), 4));
    storage.flush();

    restart();

    assertThat(storage.blockCount()).isEqualTo(1);
    assertThat(storage.headSpans()).isZero();
    assertThat(find(Spans.traceId(1)).spans()).hasSize(4);
  }

  @Test
  void findsTraceSplitAcrossWalHeadAndTwoBlocksWhole() {
    start(config());
    List<Span> trace = Spans.trace(Spans.traceId(7), 8);
    storage.write(trace.subList(0, 2));
    storage.write(Spans.trace(Spans.traceId(8), 3));
    storage.flush(); // block 1
    storage.write(trace.subList(2, 4));
    storage.write(trace.subList(0, 1)); // a client re-sends a span
    storage.flush(); // block 2
    storage.write(trace.subList(4, 6));
    restart(); // spans 4-5 come back from the WAL
    storage.write(trace.subList(6, 8)); // spans 6-7 are in the head only

    assertThat(storage.blockCount()).isEqualTo(2);
    assertThat(find(Spans.traceId(7)).spans()).containsExactlyElementsOf(trace);
  }

  @Test
  void readsTracesFromManyRowGroups() {
    start(config().rowGroupSpans(10));
    List<Trace> traces = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Trace t = Trace.of(Spans.traceId(i), Spans.trace(Spans.traceId(i), 1 + i % 7));
      traces.add(t);
      storage.write(t.spans());
    }
    storage.flush();

    for (Trace t : traces) assertThat(find(t.traceId())).isEqualTo(t);
    assertThat(storage.findTrace(Spans.traceId(999))).isEmpty();
  }

  @Test
  void searchSkipsBlocksWhoseStatisticsCannotMatch() throws IOException {
    start(config());
    storage.write(Spans.trace(Spans.traceId(1), 3)); // frontend and backend
    storage.flush();
    zeroRowGroups(blockDirs().get(0), rg -> true);

    assertThat(storage.search(SearchRequest.builder().serviceName("billing").build())).isEmpty();
    assertThat(storage.search(SearchRequest.builder().spanName("no such span").build())).isEmpty();
    assertThat(storage.search(SearchRequest.builder().minDurationNanos(Duration.ofHours(1).toNanos()).build())).isEmpty();
    assertThat(storage.search(SearchRequest.builder()
        .startEpochNanos(Spans.T0 + Duration.ofHours(3).toNanos()).build())).isEmpty();
    assertThat(storage.readErrors()).isZero();

    assertThat(storage.search(SearchRequest.builder().serviceName("backend").build())).isEmpty();
    assertThat(storage.readErrors()).isEqualTo(1);
  }

  @Test
  void searchReturnsNewestFirstAcrossHeadAndBlocks() {
    start(config());
    for (int i = 0; i < 6; i++) {
      storage.write(Spans.shifted(Spans.trace(Spans.traceId(i), 2), i * 1_000_000_000L));
      if (i % 2 == 0) storage.flush();
    }

    List<TraceSummary> hits = storage.search(SearchRequest.builder().serviceName("frontend").limit(4).build());

    assertThat(hits).extracting(TraceSummary::traceId)
        .containsExactly(Spans.traceId(5), Spans.traceId(4), Spans.traceId(3), Spans.traceId(2));
    assertThat(hits.get(0).spanCount()).isEqualTo(2);
  }

  @Test
  void searchSummarizesATraceFoundInTheHeadWithItsBlockParts() {
    start(config());
    List<Span> trace = Spans.trace(Spans.traceId(1), 3);
    storage.write(trace.subList(0, 2));
    storage.flush();
    storage.write(trace.subList(2, 3)); // the matching span is in the head

    List<TraceSummary> hits = storage.search(SearchRequest.builder().spanName("query 2").build());

    assertThat(hits).singleElement().satisfies(hit -> {
      assertThat(hit.spanCount()).isEqualTo(3);
      assertThat(hit.rootSpanName()).isEqualTo("GET /");
    });
  }

  @Test
  void cutsHeadWhenItIsOld() throws InterruptedException {
    start(config().headMaxAge(Duration.ofSeconds(30)));
    storage.write(Spans.trace(Spans.traceId(1), 2));
    assertThat(storage.blockCount()).isZero();

    clock.advance(Duration.ofSeconds(31));

    awaitBlocks(1);
    assertThat(find(Spans.traceId(1)).spans()).hasSize(2);
  }

  @Test
  void cutsHeadWhenItIsFull() throws InterruptedException {
    start(config().headMaxBytes(10_000));
    for (int i = 0; i < 40; i++) storage.write(Spans.trace(Spans.traceId(i), 3));

    awaitBlocks(1);
    for (int i = 0; i < 40; i++) assertThat(find(Spans.traceId(i)).spans()).hasSize(3);
  }

  /**
   * Overwrites the chosen row groups of a block with zeros: only a read of them notices (it fails
   * its checksum and counts a read error), which shows what a read skipped.
   */
  static void zeroRowGroups(Path blockDir, IntPredicate which) throws IOException {
    List<RowGroupInfo> rowGroups;
    try (Block block = Block.open(blockDir)) {
      rowGroups = block.rowGroups();
    }
    Path data = blockDir.resolve(BlockWriter.DATA);
    byte[] bytes = Files.readAllBytes(data);
    for (int i = 0; i < rowGroups.size(); i++) {
      RowGroupInfo rg = rowGroups.get(i);
      if (which.test(i)) Arrays.fill(bytes, (int) rg.offset(), (int) rg.offset() + rg.compressedLength(), (byte) 0);
    }
    Files.write(data, bytes);
  }

  /** Waits for the background cutter; polls, as the cut runs on its own thread. */
  void awaitBlocks(int atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (storage.blockCount() < atLeast && System.nanoTime() < deadline) Thread.sleep(10);
    assertThat(storage.blockCount()).isGreaterThanOrEqualTo(atLeast);
  }

  @Test
  void retentionDeletesBlocksPastIt() throws IOException {
    start(config().blockRetention(Duration.ofHours(24)).compactionWindow(Duration.ofHours(1)));
    storage.write(Spans.trace(Spans.traceId(1), 2)); // ends just after T0
    storage.flush();
    List<Path> oldBlock = blockDirs();
    clock.advance(Duration.ofHours(20));
    storage.write(Spans.shifted(Spans.trace(Spans.traceId(2), 2), Duration.ofHours(20).toNanos()));
    storage.flush();

    clock.advance(Duration.ofHours(5)); // the first block is now 25h old, the second 5h
    storage.compact();

    assertThat(storage.blockCount()).isEqualTo(1);
    assertThat(storage.blocksExpired()).isEqualTo(1);
    assertThat(storage.findTrace(Spans.traceId(1))).isEmpty();
    assertThat(storage.findTrace(Spans.traceId(2))).isPresent();
    assertThat(oldBlock.get(0)).doesNotExist();
    assertThat(restart().blockCount()).isEqualTo(1);
  }

  @Test
  void compactionMergesBlocksOfOneWindowJoiningTraces() throws IOException {
    start(config());
    List<Span> trace = Spans.trace(Spans.traceId(1), 6);
    storage.write(trace.subList(0, 4));
    storage.write(Spans.trace(Spans.traceId(2), 2));
    storage.flush();
    storage.write(trace.subList(3, 6)); // span 3 again: a duplicate across blocks
    storage.write(Spans.trace(Spans.traceId(3), 2));
    storage.flush();
    assertThat(storage.blockCount()).isEqualTo(2);

    storage.compact();

    assertThat(storage.blockCount()).isEqualTo(1);
    assertThat(storage.compactions()).isEqualTo(1);
    assertThat(blockDirs()).hasSize(1);
    assertThat(find(Spans.traceId(1)).spans()).containsExactlyElementsOf(trace);
    assertThat(find(Spans.traceId(2)).spans()).hasSize(2);
    assertThat(find(Spans.traceId(3)).spans()).hasSize(2);
    // The merged block itself holds each span once.
    Block merged = Block.open(blockDirs().get(0));
    try {
      assertThat(merged.meta().spanCount()).isEqualTo(10);
      assertThat(merged.meta().compactionLevel()).isEqualTo(1);
    } finally {
      merged.close();
    }
    assertThat(restart().findTrace(Spans.traceId(1)).orElseThrow().spans()).containsExactlyElementsOf(trace);
  }

  @Test
  void compactionLeavesBlocksOfDifferentWindowsApart() {
    start(config().compactionWindow(Duration.ofHours(1)));
    storage.write(Spans.trace(Spans.traceId(1), 2));
    storage.flush();
    storage.write(Spans.shifted(Spans.trace(Spans.traceId(2), 2), Duration.ofHours(2).toNanos()));
    storage.flush();

    storage.compact();

    assertThat(storage.blockCount()).isEqualTo(2);
    assertThat(storage.compactions()).isZero();
  }

  // ---------------------------------------------------------------- scan and name lists

  /** Every trace a scan visits, by ID, failing on a second visit of one. */
  Map<TraceId, Trace> scan(TraceScan scan) {
    Map<TraceId, Trace> visited = new LinkedHashMap<>();
    storage.scan(scan, t -> {
      assertThat(visited.put(t.traceId(), t)).as("second visit of %s", t.traceId()).isNull();
      return true;
    });
    return visited;
  }

  static TraceScan hints(Set<String> services, Set<String> spanNames, long minSpanDurationNanos) {
    return new TraceScan(0, 0, services, spanNames, minSpanDurationNanos, false);
  }

  @Test
  void scanSkipsBlocksWhoseStatisticsRuleOutTheHintsOrWindow() throws IOException {
    start(config());
    storage.write(Spans.trace(Spans.traceId(1), 3)); // frontend and backend, 5 ms spans
    storage.flush();
    zeroRowGroups(blockDirs().get(0), rg -> true);

    assertThat(scan(hints(Set.of("billing"), Set.of(), 0))).isEmpty();
    assertThat(scan(hints(Set.of(), Set.of("no such span"), 0))).isEmpty();
    assertThat(scan(hints(Set.of(), Set.of(), Duration.ofHours(1).toNanos()))).isEmpty();
    assertThat(scan(TraceScan.window(Spans.T0 + Duration.ofHours(3).toNanos(), 0))).isEmpty();
    assertThat(storage.readErrors()).isZero();

    assertThat(scan(hints(Set.of("backend"), Set.of(), 0))).isEmpty();
    assertThat(storage.readErrors()).isEqualTo(1);
  }

  @Test
  void scanSkipsRowGroupsWhoseStatisticsRuleOutTheHint() throws IOException {
    start(config().rowGroupSpans(2));
    List<Span> billing = List.of(Spans.span(Spans.traceId(1), 0, Spans.BILLING, "charge"));
    storage.write(billing);
    for (int i = 2; i < 8; i++) storage.write(Spans.trace(Spans.traceId(i), 2)); // frontend and backend
    storage.flush();
    int billingRowGroup;
    try (Block block = Block.open(blockDirs().get(0))) {
      billingRowGroup = block.rowGroupOf(Spans.traceId(1));
      assertThat(block.rowGroups()).hasSizeGreaterThan(3);
    }
    zeroRowGroups(blockDirs().get(0), rg -> rg != billingRowGroup);

    assertThat(scan(hints(Set.of("billing"), Set.of(), 0)).values())
        .containsExactly(Trace.of(Spans.traceId(1), billing));
    assertThat(storage.readErrors()).isZero();
  }

  @Test
  void scanOfTracesStartingInTheWindowReadsNoMarginBeforeIt() throws IOException {
    start(config());
    storage.write(Spans.trace(Spans.traceId(1), 3)); // at T0, 5 ms spans
    storage.flush();
    Path early = blockDirs().get(0);
    long later = Duration.ofMinutes(30).toNanos(); // within the search slack of the first block
    List<Span> second = Spans.shifted(Spans.trace(Spans.traceId(2), 3), later);
    storage.write(second);
    storage.flush();
    zeroRowGroups(early, rg -> true);

    TraceScan window = TraceScan.window(Spans.T0 + later, 0).withStartsInWindow(true);
    assertThat(scan(window).keySet()).containsExactly(Spans.traceId(2));
    TraceScan hinted = new TraceScan(Spans.T0 + later, 0, Set.of("backend"), Set.of(), 0, true);
    assertThat(scan(hinted).keySet()).containsExactly(Spans.traceId(2));
    assertThat(storage.readErrors()).isZero();

    // Without the flag the first block is within the slack, and read.
    assertThat(scan(TraceScan.window(Spans.T0 + later, 0)).keySet()).containsExactly(Spans.traceId(2));
    assertThat(storage.readErrors()).isEqualTo(1);
  }

  @Test
  void scanOfTracesStartingInTheWindowAssemblesPartsOfOtherBlocks() throws IOException {
    start(config());
    long later = Duration.ofMinutes(30).toNanos();
    List<Span> first = List.of(Spans.span(Spans.traceId(1), 0, Spans.FRONTEND, "GET /"));
    List<Span> last = Spans.shifted(List.of(Spans.span(Spans.traceId(1), 1, Spans.BILLING, "charge")), later);
    storage.write(first);
    storage.flush();
    storage.write(last);
    storage.flush();
    List<Span> all = new ArrayList<>(first);
    all.addAll(last);
    Trace whole = Trace.of(Spans.traceId(1), all);

    long t0 = Spans.T0;
    assertThat(scan(TraceScan.window(t0, t0 + 1).withStartsInWindow(true)).values()).containsExactly(whole);
    // The hint's span starts half an hour after the window: its part is still the candidate.
    TraceScan billing = new TraceScan(t0, t0 + 1, Set.of("billing"), Set.of(), 0, true);
    assertThat(scan(billing).values()).containsExactly(whole);
    // Overlapping the window is not starting in it.
    TraceScan late = TraceScan.window(t0 + later, t0 + later + 1);
    assertThat(scan(late).values()).containsExactly(whole);
    assertThat(scan(late.withStartsInWindow(true))).isEmpty();
    assertThat(storage.readErrors()).isZero();
  }

  static TraceScan equalities(AttributeEquality... equalities) {
    return new TraceScan(0, 0, Set.of(), Set.of(), 0, false, Set.of(equalities));
  }

  @Test
  void scanSkipsRowGroupsWhoseAttributeValuesRuleOutAnEquality() throws IOException {
    start(config().rowGroupSpans(2));
    Span teapot = Spans.span(Spans.traceId(1), 0, Spans.FRONTEND, "GET /").toBuilder()
        .attributes(Attributes.builder().put("http.method", "GET").put("code", 418).build()).build();
    storage.write(List.of(teapot));
    for (int i = 2; i < 8; i++) storage.write(Spans.trace(Spans.traceId(i), 2));
    storage.flush();
    int teapotRowGroup;
    try (Block block = Block.open(blockDirs().get(0))) {
      assertThat(block.meta().formatVersion()).isEqualTo(3);
      teapotRowGroup = block.rowGroupOf(Spans.traceId(1));
      assertThat(block.rowGroups()).hasSizeGreaterThan(3).allSatisfy(rg -> assertThat(rg.attributeValues()).isNotNull());
    }
    zeroRowGroups(blockDirs().get(0), rg -> rg != teapotRowGroup);

    AttributeEquality code = new AttributeEquality(AttributeEquality.Scope.SPAN, "code", AttributeValue.of(418));
    AttributeEquality unscoped = new AttributeEquality(AttributeEquality.Scope.SPAN_OR_RESOURCE, "code", AttributeValue.of(418));
    AttributeEquality frontend = new AttributeEquality(AttributeEquality.Scope.RESOURCE, "service.name", AttributeValue.of("frontend"));
    assertThat(scan(equalities(code)).values()).containsExactly(Trace.of(Spans.traceId(1), List.of(teapot)));
    assertThat(scan(equalities(unscoped)).keySet()).containsExactly(Spans.traceId(1));
    // Every row group has frontend spans; the equality on code is the one that prunes.
    assertThat(scan(equalities(code, frontend)).keySet()).containsExactly(Spans.traceId(1));
    assertThat(scan(new TraceScan(0, 0, Set.of("frontend"), Set.of(), 0, false, Set.of(code))).keySet())
        .containsExactly(Spans.traceId(1));
    assertThat(scan(equalities(new AttributeEquality(AttributeEquality.Scope.SPAN, "code", AttributeValue.of(500))))).isEmpty();
    assertThat(scan(equalities(new AttributeEquality(AttributeEquality.Scope.RESOURCE, "code", AttributeValue.of(418))))).isEmpty();
    assertThat(storage.readErrors()).isZero();
  }

  @Test
  void equalityHintsNeverHideATraceWhoseMatchIsInAnotherPart() throws IOException {
    start(config().rowGroupSpans(2));
    AttributeEquality billing = new AttributeEquality(AttributeEquality.Scope.RESOURCE, "service.name", AttributeValue.of("billing"));
    AttributeEquality n1 = new AttributeEquality(AttributeEquality.Scope.SPAN, "n", AttributeValue.of(1));
    // The billing span in the head, the span with n = 1 in a block.
    List<Span> first = List.of(Spans.span(Spans.traceId(1), 1, Spans.FRONTEND, "GET /"));
    List<Span> second = List.of(Spans.span(Spans.traceId(1), 2, Spans.BILLING, "charge"));
    storage.write(first);
    storage.flush();
    storage.write(second);
    List<Span> all = new ArrayList<>(first);
    all.addAll(second);

    assertThat(scan(equalities(billing, n1)).values()).containsExactly(Trace.of(Spans.traceId(1), all));
    assertThat(scan(equalities(n1)).keySet()).containsExactly(Spans.traceId(1));
    assertThat(scan(equalities(billing, new AttributeEquality(AttributeEquality.Scope.SPAN, "n", AttributeValue.of(3))))).isEmpty();
  }

  @Test
  void scanPrunesWithTheHintThatRulesOutMostData() throws IOException {
    start(config());
    storage.write(Spans.trace(Spans.traceId(1), 3));
    storage.flush();
    zeroRowGroups(blockDirs().get(0), rg -> true);

    // Every block has backend spans, none has a span of an hour: the duration hint prunes.
    assertThat(scan(hints(Set.of("backend"), Set.of("query 1"), Duration.ofHours(1).toNanos()))).isEmpty();
    assertThat(storage.readErrors()).isZero();
  }

  @Test
  void scanFindsTraceWhoseHintsAreSatisfiedInDifferentBlocks() {
    start(config());
    TraceId id = Spans.traceId(1);
    Span billing = Spans.span(id, 1, Spans.BILLING, "authorize");
    Span charge = Spans.span(id, 2, Spans.BACKEND, "charge");
    Span slow = Spans.span(id, 0, Spans.FRONTEND, "GET /").toBuilder()
        .endEpochNanos(Spans.T0 + Duration.ofSeconds(10).toNanos()).build();
    storage.write(List.of(billing));
    storage.write(Spans.trace(Spans.traceId(2), 2));
    storage.flush();
    storage.write(List.of(charge));
    storage.flush();
    storage.write(List.of(slow)); // stays in the head

    // No one part satisfies all three hints; the trace does.
    Map<TraceId, Trace> visited =
        scan(hints(Set.of("billing"), Set.of("charge"), Duration.ofSeconds(10).toNanos()));

    assertThat(visited.values()).containsExactly(Trace.of(id, List.of(slow, billing, charge)));
  }

  @Test
  void scanVisitsATraceSplitAcrossHeadAndBlocksOnceAndWhole() {
    start(config().rowGroupSpans(4));
    List<Trace> traces = new ArrayList<>();
    for (int i = 1; i <= 12; i++) traces.add(Trace.of(Spans.traceId(i), Spans.trace(Spans.traceId(i), 6)));
    for (int part = 0; part < 3; part++) {
      for (Trace t : traces) storage.write(t.spans().subList(part * 2, part * 2 + 2));
      if (part < 2) storage.flush(); // two blocks, then the head
    }

    Map<TraceId, Trace> visited = scan(TraceScan.ALL);

    assertThat(storage.blockCount()).isEqualTo(2);
    assertThat(visited.values()).containsExactlyInAnyOrderElementsOf(traces);
  }

  @Test
  void scanStopsReadingWhenTheVisitorSaysSo() throws IOException {
    start(config().rowGroupSpans(2));
    for (int i = 1; i <= 10; i++) storage.write(Spans.trace(Spans.traceId(i), 2));
    storage.flush();
    zeroRowGroups(blockDirs().get(0), rg -> rg > 0);
    int[] visits = {0};

    storage.scan(TraceScan.ALL, t -> ++visits[0] < 1);

    assertThat(visits[0]).isEqualTo(1);
    assertThat(storage.readErrors()).isZero();
  }

  @Test
  void namesComeFromBlockMetadataWithoutDecodingSpans() throws IOException {
    start(config());
    // More span names than a row group's or block's exact filter keeps.
    List<Span> spans = Spans.trace(Spans.traceId(1), StringFilter.MAX_EXACT + 20);
    storage.write(spans);
    storage.flush();
    zeroRowGroups(blockDirs().get(0), rg -> true);

    assertThat(storage.serviceNames()).containsExactly("backend", "frontend");
    assertThat(storage.spanNames("frontend")).containsExactly(new SpanName("GET /", SpanKind.SERVER));
    assertThat(storage.spanNames("backend")).hasSize(StringFilter.MAX_EXACT + 19)
        .contains(new SpanName("query 1", SpanKind.CLIENT), new SpanName("query 83", SpanKind.CLIENT))
        .isSorted();
    assertThat(storage.spanNames("billing")).isEmpty();
    assertThat(storage.readErrors()).isZero();
  }

  @Test
  void namesCoverHeadAndBlocksWithEveryKindOfAName() {
    start(config());
    storage.write(Spans.trace(Spans.traceId(1), 2));
    storage.flush();
    storage.write(List.of(Spans.span(Spans.traceId(2), 1, Spans.BACKEND, "query 1").toBuilder()
        .kind(SpanKind.SERVER).build()));
    storage.write(List.of(Spans.span(Spans.traceId(3), 0, Spans.BILLING, "charge")));

    assertThat(storage.serviceNames()).containsExactly("backend", "billing", "frontend");
    assertThat(storage.spanNames("backend"))
        .containsExactly(new SpanName("query 1", SpanKind.SERVER), new SpanName("query 1", SpanKind.CLIENT));
  }

  @Test
  void compactionCarriesNamesOver() throws IOException {
    start(config());
    storage.write(Spans.trace(Spans.traceId(1), 3));
    storage.flush();
    storage.write(List.of(Spans.span(Spans.traceId(2), 0, Spans.BILLING, "charge")));
    storage.flush();

    storage.compact();
    zeroRowGroups(blockDirs().get(0), rg -> true);

    assertThat(storage.blockCount()).isEqualTo(1);
    assertThat(storage.serviceNames()).containsExactly("backend", "billing", "frontend");
    assertThat(storage.spanNames("billing")).containsExactly(new SpanName("charge", SpanKind.SERVER));
    assertThat(storage.readErrors()).isZero();
  }

  /**
   * A block written by format 1, which kept no span-name catalog: traces {@code Spans.traceId(3)},
   * (2) and (1), each {@code Spans.trace(id, 2 + n)} with span 1 of trace 2 made a server span, in
   * row groups of 3 spans.
   */
  static final String FORMAT_1_BLOCK = "0b1ec7f1-0000-4000-8000-000000000001";

  static List<Trace> format1Traces() {
    List<Trace> traces = new ArrayList<>();
    for (int n = 1; n <= 3; n++) {
      List<Span> spans = new ArrayList<>(Spans.trace(Spans.traceId(n), 2 + n));
      if (n == 2) spans.set(1, spans.get(1).toBuilder().kind(SpanKind.SERVER).build());
      traces.add(Trace.of(Spans.traceId(n), spans));
    }
    return traces;
  }

  Path copyFormat1Block() throws Exception {
    Path from = Path.of(LocalStorageTest.class.getResource("/format-v1/" + FORMAT_1_BLOCK).toURI());
    Path to = dir.resolve("blocks").resolve(FORMAT_1_BLOCK);
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) Files.copy(f, to.resolve(f.getFileName().toString()));
    }
    return to;
  }

  @Test
  void readsAFormat1BlockAndDecodesItsNamesOnce() throws Exception {
    Path block = copyFormat1Block();
    start(config());

    assertThat(storage.blockCount()).isEqualTo(1);
    for (Trace t : format1Traces()) assertThat(find(t.traceId())).isEqualTo(t);
    assertThat(scan(TraceScan.ALL).values()).containsExactlyInAnyOrderElementsOf(format1Traces());
    assertThat(scan(hints(Set.of("frontend"), Set.of("query 4"), 0)).keySet())
        .containsExactlyInAnyOrder(Spans.traceId(3));
    // Format 1 has no attribute-value filters: any value may be in its row groups.
    assertThat(scan(equalities(new AttributeEquality(AttributeEquality.Scope.SPAN, "n", AttributeValue.of(4)))).keySet())
        .containsExactlyInAnyOrder(Spans.traceId(3));

    assertThat(storage.serviceNames()).containsExactly("backend", "frontend");
    zeroRowGroups(block, rg -> true); // decoded once: later answers need no row group
    assertThat(storage.spanNames("backend")).containsExactly(
        new SpanName("query 1", SpanKind.SERVER), new SpanName("query 1", SpanKind.CLIENT),
        new SpanName("query 2", SpanKind.CLIENT), new SpanName("query 3", SpanKind.CLIENT),
        new SpanName("query 4", SpanKind.CLIENT));
    assertThat(storage.readErrors()).isZero();
  }

  @Test
  void compactionRewritesAFormat1BlockWithItsNames() throws Exception {
    copyFormat1Block();
    start(config());
    storage.write(List.of(Spans.span(Spans.traceId(9), 0, Spans.BILLING, "charge")));
    storage.flush();

    storage.compact();

    assertThat(storage.blockCount()).isEqualTo(1);
    Path merged = blockDirs().get(0);
    try (Block block = Block.open(merged)) {
      assertThat(block.meta().formatVersion()).isEqualTo(BlockMeta.FORMAT_VERSION);
    }
    zeroRowGroups(merged, rg -> true);
    assertThat(storage.serviceNames()).containsExactly("backend", "billing", "frontend");
    assertThat(storage.spanNames("backend")).hasSize(5);
    assertThat(storage.readErrors()).isZero();
  }


  @Test
  void concurrentWritersShareTheLogAndLoseNothing() throws Exception {
    start(config());
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 50; i++) storage.write(Spans.trace(Spans.traceId(thread * 1000 + i), 2));
        }));
      }
      for (Future<?> f : futures) f.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }

    restart();

    assertThat(storage.spansWritten()).isZero();
    for (int t = 0; t < 6; t++) {
      for (int i = 0; i < 50; i++) assertThat(find(Spans.traceId(t * 1000 + i)).spans()).hasSize(2);
    }
  }

  @Test
  void intervalFsyncPolicyStoresAndReplays() {
    start(config().fsyncPolicy(FsyncPolicy.INTERVAL).fsyncInterval(Duration.ofMillis(20)));
    storage.write(Spans.trace(Spans.traceId(1), 3));

    assertThat(restart().findTrace(Spans.traceId(1)).orElseThrow().spans()).hasSize(3);
  }

  @Test
  void rollsWalSegmentsAndReplaysThemAll() throws IOException {
    start(config().walSegmentBytes(4096));
    for (int i = 0; i < 60; i++) storage.write(Spans.trace(Spans.traceId(i), 3));
    assertThat(walSegments().size()).isGreaterThan(2);

    restart();

    for (int i = 0; i < 60; i++) assertThat(find(Spans.traceId(i)).spans()).hasSize(3);
  }

  @Test
  void unreadableBlockIsSkippedNotFatal() throws IOException {
    start(config());
    storage.write(Spans.trace(Spans.traceId(1), 2));
    storage.flush();
    storage.write(Spans.trace(Spans.traceId(2), 2));
    storage.flush();
    storage.close();
    Path broken = blockDirs().get(0);
    Files.write(broken.resolve(BlockWriter.INDEX), new byte[] {1, 2, 3});

    storage = new LocalStorage(storage.config());
    storage.start();

    assertThat(storage.isReady()).isTrue();
    assertThat(storage.blockCount()).isEqualTo(1);
    assertThat(broken).exists();
  }

  @Test
  void interruptedReaderDoesNotBreakTheBlockForOthers() throws Exception {
    start(config());
    storage.write(Spans.trace(Spans.traceId(1), 3));
    storage.flush();
    Thread.currentThread().interrupt();
    try {
      storage.findTrace(Spans.traceId(1));
    } catch (RuntimeException expected) {
      // The interrupted reader may fail; what matters is the next one.
    } finally {
      Thread.interrupted();
    }

    assertThat(find(Spans.traceId(1)).spans()).hasSize(3);
  }

  @Test
  void interruptedWriterDoesNotBreakTheStorage() {
    start(config());
    storage.write(Spans.trace(Spans.traceId(1), 3));
    Thread.currentThread().interrupt();
    try {
      storage.write(Spans.trace(Spans.traceId(2), 3));
    } catch (RuntimeException expected) {
      // Not acknowledged: the client retries.
    } finally {
      Thread.interrupted();
    }
    storage.write(Spans.trace(Spans.traceId(3), 3));

    assertThat(storage.isReady()).isTrue();
    restart();
    assertThat(find(Spans.traceId(1)).spans()).hasSize(3);
    assertThat(find(Spans.traceId(3)).spans()).hasSize(3);
  }

  @Test
  void countsWhatItDoes() {
    start(config());
    storage.write(Spans.trace(Spans.traceId(1), 3));

    assertThat(storage.spansWritten()).isEqualTo(3);
    assertThat(storage.walBytesWritten()).isPositive();
    assertThat(storage.headBytes()).isPositive();
    assertThat(storage.isReady()).isTrue();
    assertThat(storage.toString()).contains("storage.trace.local.path=").contains("block_retention=168h");
  }

  @Test
  void refusesUseBeforeStartAndAfterClose() {
    LocalStorage notStarted = new LocalStorage(config().build());
    assertThat(notStarted.isReady()).isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> notStarted.write(Spans.trace(Spans.traceId(1), 1)))
        .hasMessageContaining("not started");

    start(config());
    storage.close();
    assertThat(storage.isReady()).isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> storage.findTrace(Spans.traceId(1)))
        .hasMessageContaining("closed");
  }

}
