package dev.spanloom.pipeline.processor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeapAfterGcTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void knowsNothingBeforeTheFirstCollection() {
    assertThat(new HeapAfterGc().estimate(0)).isEqualTo(-1);
  }

  @Test
  void takesTheLowPointOfTheWindowSoOldGarbageDoesNotCount() {
    HeapAfterGc heap = new HeapAfterGc();
    heap.record(1 * SECOND, 1600);
    heap.record(2 * SECOND, 3700); // young collections while old garbage piles up
    heap.record(3 * SECOND, 200); // a mixed collection clears it
    heap.record(4 * SECOND, 2500);

    assertThat(heap.estimate(5 * SECOND)).isEqualTo(200);
  }

  @Test
  void forgetsLowPointsOlderThanTheWindow() {
    HeapAfterGc heap = new HeapAfterGc();
    heap.record(1 * SECOND, 200);
    heap.record(1 * SECOND + HeapAfterGc.WINDOW_NANOS, 3000);
    heap.record(2 * SECOND + HeapAfterGc.WINDOW_NANOS, 2800);

    assertThat(heap.estimate(3 * SECOND + HeapAfterGc.WINDOW_NANOS)).isEqualTo(2800);
  }

  @Test
  void fallsBackToTheNewestCollectionWhenNoneIsRecent() {
    HeapAfterGc heap = new HeapAfterGc();
    heap.record(1 * SECOND, 900);
    heap.record(2 * SECOND, 700);

    assertThat(heap.estimate(100 * SECOND + HeapAfterGc.WINDOW_NANOS)).isEqualTo(700);
  }
}
