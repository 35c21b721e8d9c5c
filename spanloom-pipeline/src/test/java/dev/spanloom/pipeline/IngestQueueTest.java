package dev.spanloom.pipeline;

import static dev.spanloom.pipeline.Eventually.assertThatEventually;
import static dev.spanloom.pipeline.TestFutures.awaitFailure;
import static dev.spanloom.pipeline.TestFutures.awaitRefusal;
import static dev.spanloom.pipeline.TestFutures.awaitSuccess;
import static dev.spanloom.pipeline.TestSpans.spans;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IngestQueueTest {
  private static final List<Span> SPANS = spans("span", 2);

  private final RecordingExporter pipeline = new RecordingExporter();
  private final IngestQueue queue = new IngestQueue(1000, 1);

  @AfterEach
  void close() {
    pipeline.completeHeld();
    queue.close();
  }

  @Test
  void handsRequestsToTheirTarget() {
    queue.start();

    CompletableFuture<Void> result = queue.offer(pipeline, SPANS, 100);

    awaitSuccess(result);
    assertThat(pipeline.batches()).containsExactly(SPANS);
  }

  @Test
  void completesARequestOnlyWhenThePipelineHasFinishedWithIt() {
    pipeline.hold();
    queue.start();

    CompletableFuture<Void> result = queue.offer(pipeline, SPANS, 100);
    assertThatEventually(() -> assertThat(pipeline.heldCount()).isEqualTo(1));
    assertThat(result).isNotDone();

    pipeline.completeHeld();
    awaitSuccess(result);
  }

  @Test
  void countsBytesUntilThePipelineHasFinished() {
    pipeline.hold();
    queue.start();

    queue.offer(pipeline, SPANS, 600);
    assertThatEventually(() -> assertThat(pipeline.heldCount()).isEqualTo(1));

    assertThat(queue.bytesInFlight()).isEqualTo(600);
  }

  @Test
  void refusesAtOnceARequestOverTheBoundWhileAnotherIsInFlight() {
    pipeline.hold();
    queue.start();
    CompletableFuture<Void> first = queue.offer(pipeline, SPANS, 600);

    CompletableFuture<Void> second = queue.offer(pipeline, SPANS, 500);

    assertThat(second).isCompletedExceptionally();
    RefusedException refusal = awaitRefusal(second);
    assertThat(refusal.reason()).isEqualTo(RefusedException.Reason.QUEUE_FULL);
    assertThat(first).isNotDone();
  }

  @Test
  void saysWithNumbersWhyTheQueueIsFull() {
    pipeline.hold();
    queue.start();
    queue.offer(pipeline, SPANS, 600);

    RefusedException refusal = awaitRefusal(queue.offer(pipeline, SPANS, 500));

    assertThat(refusal).hasMessage("ingest queue full: 600 of 1000 bytes in use, request needs 500; retry later");
    assertThat(refusal.retryAfter()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void countsRefusedRequestsAndDoesNotKeepTheirBytes() {
    pipeline.hold();
    queue.start();
    queue.offer(pipeline, SPANS, 600);

    queue.offer(pipeline, SPANS, 500);
    queue.offer(pipeline, SPANS, 401);

    assertThat(queue.refusedBatches()).isEqualTo(2);
    assertThat(queue.bytesInFlight()).isEqualTo(600);
  }

  @Test
  void takesRequestsThatFitBesideThoseInFlight() {
    pipeline.hold();
    queue.start();
    queue.offer(pipeline, SPANS, 600);

    CompletableFuture<Void> second = queue.offer(pipeline, SPANS, 400);

    assertThat(second).isNotCompletedExceptionally();
    assertThat(queue.bytesInFlight()).isEqualTo(1000);
  }

  @Test
  void releasesBytesWhenThePipelineFinishes() {
    pipeline.hold();
    queue.start();
    CompletableFuture<Void> first = queue.offer(pipeline, SPANS, 600);
    assertThatEventually(() -> assertThat(pipeline.heldCount()).isEqualTo(1));

    pipeline.completeHeld();
    awaitSuccess(first);

    assertThat(queue.bytesInFlight()).isZero();
    assertThat(queue.offer(pipeline, SPANS, 600)).isNotCompletedExceptionally();
  }

  @Test
  void releasesBytesWhenThePipelineFails() {
    pipeline.hold();
    queue.start();
    CompletableFuture<Void> first = queue.offer(pipeline, SPANS, 600);
    assertThatEventually(() -> assertThat(pipeline.heldCount()).isEqualTo(1));

    pipeline.failHeld(new IllegalStateException("storage down"));
    awaitFailure(first);

    assertThat(queue.bytesInFlight()).isZero();
  }

  @Test
  void takesASingleRequestLargerThanTheBoundWhenNothingIsInFlight() {
    pipeline.hold();
    queue.start();

    CompletableFuture<Void> huge = queue.offer(pipeline, SPANS, 5000);

    assertThat(huge).isNotCompletedExceptionally();
    assertThatEventually(() -> assertThat(pipeline.heldCount()).isEqualTo(1));
    pipeline.completeHeld();
    awaitSuccess(huge);
  }

  @Test
  void refusesEverythingElseWhileAnOversizedRequestIsInFlight() {
    pipeline.hold();
    queue.start();
    queue.offer(pipeline, SPANS, 5000);

    assertThat(awaitRefusal(queue.offer(pipeline, SPANS, 1)).reason()).isEqualTo(RefusedException.Reason.QUEUE_FULL);
  }

  @Test
  void refusesAnOversizedRequestWhileAnotherIsInFlight() {
    pipeline.hold();
    queue.start();
    queue.offer(pipeline, SPANS, 1);

    assertThat(awaitRefusal(queue.offer(pipeline, SPANS, 5000)).reason()).isEqualTo(RefusedException.Reason.QUEUE_FULL);
  }

  @Test
  void failsTheRequestWithTheExceptionThePipelineFailsWith() {
    IllegalStateException storageDown = new IllegalStateException("storage down");
    pipeline.failWith(storageDown);
    queue.start();

    assertThat(awaitFailure(queue.offer(pipeline, SPANS, 100))).isSameAs(storageDown);
  }

  @Test
  void failsTheRequestWhenThePipelineThrows() {
    IllegalStateException bug = new IllegalStateException("bug");
    queue.start();

    CompletableFuture<Void> result = queue.offer(spans -> {
      throw bug;
    }, SPANS, 100);

    assertThat(awaitFailure(result)).isSameAs(bug);
    assertThatEventually(() -> assertThat(queue.bytesInFlight()).isZero());
  }

  @Test
  void keepsWorkingAfterThePipelineThrows() {
    queue.start();
    awaitFailure(queue.offer(spans -> {
      throw new IllegalStateException("bug");
    }, SPANS, 100));

    awaitSuccess(queue.offer(pipeline, SPANS, 100));
  }

  @Test
  void refusesRequestsBeforeStart() {
    RefusedException refusal = awaitRefusal(queue.offer(pipeline, SPANS, 100));

    assertThat(refusal.reason()).isEqualTo(RefusedException.Reason.EXPORT_FAILED);
    assertThat(pipeline.batches()).isEmpty();
  }

  @Test
  void refusesRequestsAfterClose() {
    queue.start();
    queue.close();

    RefusedException refusal = awaitRefusal(queue.offer(pipeline, SPANS, 100));

    assertThat(refusal.reason()).isEqualTo(RefusedException.Reason.EXPORT_FAILED);
    assertThat(refusal).hasMessage("Spanloom is shutting down");
    assertThat(queue.bytesInFlight()).isZero();
  }

  @Test
  void closeHandsQueuedRequestsToThePipeline() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    SpanConsumer slow = spans -> {
      await(release);
      return pipeline.consume(spans);
    };
    queue.start();
    CompletableFuture<Void> first = queue.offer(slow, spans("first", 1), 10);
    CompletableFuture<Void> second = queue.offer(slow, spans("second", 1), 10);
    CompletableFuture<Void> third = queue.offer(slow, spans("third", 1), 10);
    assertThatEventually(() -> assertThat(queue.depth()).isEqualTo(2));

    Thread closer = new Thread(queue::close, "test-closer");
    closer.start();
    assertThatEventually(() -> assertThat(queue.isReady()).isFalse());
    release.countDown();
    closer.join(TimeUnit.SECONDS.toMillis(10));

    awaitSuccess(first);
    awaitSuccess(second);
    awaitSuccess(third);
    assertThat(pipeline.spans()).extracting(Span::name).containsExactly("first-0", "second-0", "third-0");
  }

  @Test
  void neverLeavesARequestUnansweredWhenOffersRaceWithClose() throws Exception {
    SpanConsumer stored = spans -> CompletableFuture.completedFuture(null);
    IngestQueue racing = new IngestQueue(Long.MAX_VALUE, 2);
    racing.start();
    List<CompletableFuture<Void>> results = java.util.Collections.synchronizedList(new ArrayList<>());
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> offerers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Thread thread = new Thread(() -> {
        await(go);
        for (int i = 0; i < 10_000; i++) results.add(racing.offer(stored, SPANS, 1));
      }, "test-offerer-" + t);
      thread.start();
      offerers.add(thread);
    }

    go.countDown();
    racing.close();
    for (Thread thread : offerers) thread.join(TimeUnit.SECONDS.toMillis(10));

    for (CompletableFuture<Void> result : results) {
      try {
        awaitSuccess(result);
      } catch (AssertionError notSuccessful) {
        assertThat(awaitRefusal(result).reason()).isEqualTo(RefusedException.Reason.EXPORT_FAILED);
      }
    }
    assertThat(racing.bytesInFlight()).isZero();
  }

  @Test
  void isReadyOnlyWhileRunning() {
    assertThat(queue.isReady()).isFalse();
    queue.start();
    assertThat(queue.isReady()).isTrue();
    queue.close();
    assertThat(queue.isReady()).isFalse();
  }

  @Test
  void stopsItsWorkerThreadsOnClose() {
    queue.start();
    assertThat(workerThreads()).isNotEmpty();

    queue.close();

    assertThat(workerThreads()).isEmpty();
  }

  @Test
  void printsItsConfiguration() {
    assertThat(new IngestQueue(64 * 1024 * 1024, 4)).hasToString("IngestQueue{max_bytes=67108864, workers=4}");
  }

  @Test
  void rejectsANonPositiveBound() {
    assertThatThrownBy(() -> new IngestQueue(0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("max_bytes: 0 (expected: > 0)");
  }

  @Test
  void rejectsZeroWorkers() {
    assertThatThrownBy(() -> new IngestQueue(1000, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("workers: 0 (expected: > 0)");
  }

  private static List<Thread> workerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("spanloom-ingest-") && t.isAlive())
        .toList();
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) throw new AssertionError("latch not released");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
