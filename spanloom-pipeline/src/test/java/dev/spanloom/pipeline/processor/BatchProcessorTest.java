package dev.spanloom.pipeline.processor;

import static dev.spanloom.pipeline.Eventually.assertThatEventually;
import static dev.spanloom.pipeline.TestConfigs.yaml;
import static dev.spanloom.pipeline.TestFutures.awaitFailure;
import static dev.spanloom.pipeline.TestFutures.awaitSuccess;
import static dev.spanloom.pipeline.TestSpans.spans;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.Span;
import dev.spanloom.pipeline.RecordingExporter;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.config.ConfigNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchProcessorTest {
  /** Long enough that no timer flush happens while a test runs, unless it waits for one. */
  private static final Duration NEVER = Duration.ofHours(1);

  private final RecordingExporter exporter = new RecordingExporter();
  private final List<BatchProcessor> started = new ArrayList<>();

  @AfterEach
  void closeProcessors() {
    started.forEach(BatchProcessor::close);
  }

  private BatchProcessor start(BatchProcessor processor) {
    processor.start();
    started.add(processor);
    return processor;
  }

  @Test
  void sendsAtOnceWhenNothingIsBeingExported() {
    BatchProcessor batch = start(new BatchProcessor(NEVER, 3, 0));

    CompletableFuture<Void> first = batch.process(spans("a", 2), exporter);

    assertThat(exporter.batches()).containsExactly(spans("a", 2));
    assertThat(first).isCompleted();
  }

  @Test
  void gathersSpansWhileAnExportRuns() {
    exporter.hold();
    BatchProcessor batch = start(new BatchProcessor(NEVER, 3, 0));
    batch.process(spans("x", 1), exporter);

    CompletableFuture<Void> second = batch.process(spans("a", 2), exporter);

    assertThat(exporter.batches()).containsExactly(spans("x", 1));
    assertThat(second).isNotDone();
  }

  @Test
  void sendsWhatGatheredAsSoonAsTheRunningExportEnds() {
    exporter.hold();
    BatchProcessor batch = start(new BatchProcessor(NEVER, 1000, 0));
    CompletableFuture<Void> first = batch.process(spans("x", 1), exporter);
    CompletableFuture<Void> second = batch.process(spans("a", 1), exporter);
    CompletableFuture<Void> third = batch.process(spans("b", 1), exporter);

    assertThat(exporter.batches()).containsExactly(spans("x", 1));

    exporter.completeHeld(); // also answers the follow-up batch, which is sent while it completes

    assertThat(exporter.batches()).containsExactly(spans("x", 1), concat(spans("a", 1), spans("b", 1)));
    assertThat(first).isCompleted();
    assertThat(second).isCompleted();
    assertThat(third).isCompleted();
  }

  @Test
  void sendsAtOnceWhenSendBatchSizeIsReached() {
    exporter.hold();
    BatchProcessor batch = start(new BatchProcessor(NEVER, 3, 0));
    batch.process(spans("x", 1), exporter);

    batch.process(spans("a", 2), exporter);
    batch.process(spans("b", 1), exporter);

    assertThat(exporter.batches()).containsExactly(spans("x", 1), concat(spans("a", 2), spans("b", 1)));
  }

  @Test
  void sendsEverythingPendingWhenARequestOvershootsTheBatchSize() {
    exporter.hold();
    BatchProcessor batch = start(new BatchProcessor(NEVER, 3, 0));
    batch.process(spans("x", 1), exporter);

    batch.process(spans("a", 2), exporter);
    batch.process(spans("b", 5), exporter);

    assertThat(exporter.batches()).containsExactly(spans("x", 1), concat(spans("a", 2), spans("b", 5)));
  }

  @Test
  void completesRequestsOnlyWhenTheirBatchIsExported() {
    exporter.hold();
    BatchProcessor batch = start(new BatchProcessor(NEVER, 3, 0));
    batch.process(spans("x", 1), exporter);
    CompletableFuture<Void> first = batch.process(spans("a", 2), exporter);
    CompletableFuture<Void> second = batch.process(spans("b", 1), exporter);
    assertThat(exporter.batches()).hasSize(2);
    assertThat(first).isNotDone();
    assertThat(second).isNotDone();

    exporter.completeHeld();

    assertThat(first).isCompleted();
    assertThat(second).isCompleted();
  }

  @Test
  void sendsOnTimeoutWhenTheBatchIsNotFull() {
    exporter.hold();
    BatchProcessor batch = start(new BatchProcessor(Duration.ofMillis(20), 1000, 0));
    batch.process(spans("x", 1), exporter);

    CompletableFuture<Void> result = batch.process(spans("a", 2), exporter);

    assertThatEventually(() -> assertThat(exporter.batches()).containsExactly(spans("x", 1), spans("a", 2)));
    exporter.completeHeld();
    awaitSuccess(result);
  }

  @Test
  void sendsSeveralRequestsTogetherOnTimeout() {
    exporter.hold();
    BatchProcessor batch = start(new BatchProcessor(Duration.ofMillis(20), 1000, 0));
    batch.process(spans("x", 1), exporter);
    CompletableFuture<Void> first = batch.process(spans("a", 1), exporter);
    CompletableFuture<Void> second = batch.process(spans("b", 1), exporter);

    assertThatEventually(() -> assertThat(exporter.batches())
        .containsExactly(spans("x", 1), concat(spans("a", 1), spans("b", 1))));
    exporter.completeHeld();
    awaitSuccess(first);
    awaitSuccess(second);
  }

  @Test
  void splitsBatchesLargerThanSendBatchMaxSize() {
    BatchProcessor batch = start(new BatchProcessor(NEVER, 2, 2));

    CompletableFuture<Void> result = batch.process(spans("a", 5), exporter);

    assertThat(exporter.batches()).extracting(List::size).containsExactly(2, 2, 1);
    assertThat(exporter.spans()).isEqualTo(spans("a", 5));
    assertThat(result).isCompleted();
  }

  @Test
  void completesASplitRequestOnlyWhenEveryPartIsExported() {
    exporter.hold();
    BatchProcessor batch = start(new BatchProcessor(NEVER, 2, 2));
    CompletableFuture<Void> result = batch.process(spans("a", 4), exporter);
    assertThat(exporter.heldCount()).isEqualTo(2);

    assertThat(result).isNotDone();
    exporter.completeHeld();
    assertThat(result).isCompleted();
  }

  @Test
  void failsEveryWaitingRequestWhenTheExportFails() {
    exporter.hold();
    BatchProcessor batch = start(new BatchProcessor(NEVER, 3, 0));
    batch.process(spans("x", 1), exporter);
    CompletableFuture<Void> first = batch.process(spans("a", 1), exporter);
    CompletableFuture<Void> second = batch.process(spans("b", 2), exporter);
    IllegalStateException storageDown = new IllegalStateException("storage down");

    exporter.failHeld(storageDown);

    assertThat(awaitFailure(first)).isSameAs(storageDown);
    assertThat(awaitFailure(second)).isSameAs(storageDown);
  }

  @Test
  void failsTheWholeRequestWhenOnePartOfASplitFails() {
    IllegalStateException storageDown = new IllegalStateException("storage down");
    exporter.failWith(storageDown);
    BatchProcessor batch = start(new BatchProcessor(NEVER, 2, 2));

    CompletableFuture<Void> result = batch.process(spans("a", 4), exporter);

    assertThat(awaitFailure(result)).isSameAs(storageDown);
  }

  @Test
  void failsWaitingRequestsWhenTheNextConsumerThrows() {
    exporter.hold();
    IllegalStateException boom = new IllegalStateException("boom");
    BatchProcessor batch = start(new BatchProcessor(NEVER, 2, 0));
    batch.process(spans("x", 1), exporter);
    CompletableFuture<Void> first = batch.process(spans("a", 1), exporter);

    CompletableFuture<Void> second = batch.process(spans("b", 1), spans -> {
      throw boom;
    });

    assertThat(awaitFailure(first)).isSameAs(boom);
    assertThat(awaitFailure(second)).isSameAs(boom);
  }

  @Test
  void closeSendsWhatIsPending() {
    BatchProcessor batch = new BatchProcessor(NEVER, 1000, 0);
    batch.start();
    CompletableFuture<Void> result = batch.process(spans("a", 3), exporter);

    batch.close();

    assertThat(exporter.batches()).containsExactly(spans("a", 3));
    awaitSuccess(result);
  }

  @Test
  void sendsRequestsThatArriveAfterCloseAtOnce() {
    BatchProcessor batch = new BatchProcessor(NEVER, 1000, 0);
    batch.start();
    batch.close();

    CompletableFuture<Void> late = batch.process(spans("late", 1), exporter);

    assertThat(exporter.batches()).containsExactly(spans("late", 1));
    awaitSuccess(late);
  }

  @Test
  void closeWithoutStartIsHarmless() {
    BatchProcessor batch = new BatchProcessor(NEVER, 10, 0);

    batch.close();

    assertThat(exporter.batches()).isEmpty();
  }

  @Test
  void sendsEachRequestAtOnceWithZeroTimeout() {
    BatchProcessor batch = start(new BatchProcessor(Duration.ZERO, 1000, 0));

    batch.process(spans("a", 1), exporter);
    batch.process(spans("b", 1), exporter);

    assertThat(exporter.batches()).containsExactly(spans("a", 1), spans("b", 1));
  }

  @Test
  void completesAnEmptyRequestAtOnceWithoutSending() {
    BatchProcessor batch = start(new BatchProcessor(NEVER, 3, 0));

    assertThat(batch.process(List.of(), exporter)).isCompleted();
    assertThat(exporter.batches()).isEmpty();
  }

  // -- Configuration ------------------------------------------------------------------------

  @Test
  void usesTheCollectorsDefaults() {
    assertThat(fromConfig("{}")).hasToString("batch{timeout=200ms, send_batch_size=8192, send_batch_max_size=0}");
  }

  @Test
  void readsTheCollectorsKeys() {
    BatchProcessor batch = fromConfig("{timeout: 5s, send_batch_size: 100, send_batch_max_size: 1000}");

    assertThat(batch).hasToString("batch{timeout=5000ms, send_batch_size=100, send_batch_max_size=1000}");
  }

  @Test
  void rejectsMaxSizeBelowBatchSize() {
    assertThatThrownBy(() -> fromConfig("{send_batch_max_size: 100}"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("processors.batch.send_batch_max_size: 100 (expected: 0 or >= send_batch_size 8192)");
  }

  @Test
  void rejectsNegativeBatchSize() {
    assertThatThrownBy(() -> fromConfig("{send_batch_size: -1}"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("processors.batch.send_batch_size: -1 (expected: >= 0)");
  }

  @Test
  void rejectsATimeoutThatIsNotADuration() {
    assertThatThrownBy(() -> fromConfig("{timeout: soon}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("processors.batch.timeout: \"soon\" (expected: a duration");
  }

  @Test
  void rejectsUnknownKeys() {
    assertThatThrownBy(() -> fromConfig("{send_batch: 10}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("processors.batch.send_batch: unknown key (expected one of: ");
  }

  @Test
  void rejectsNegativeTimeoutWhenConstructed() {
    assertThatThrownBy(() -> new BatchProcessor(Duration.ofSeconds(-1), 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout: PT-1S (expected: >= 0)");
  }

  private static BatchProcessor fromConfig(String yaml) {
    ConfigNode node = yaml("processors: {batch: " + yaml + "}").child("processors").child("batch");
    return BatchProcessor.fromConfig(node);
  }

  private static List<Span> concat(List<Span> a, List<Span> b) {
    List<Span> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
