package dev.spanloom.storage;

import static dev.spanloom.storage.StorageFixtures.sizeOf;
import static dev.spanloom.storage.StorageFixtures.span;
import static dev.spanloom.storage.StorageFixtures.spans;
import static dev.spanloom.storage.StorageFixtures.traceId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What only the in-memory backend promises: the byte bound, eviction and its lifecycle. What
 * every backend promises is in {@code InMemoryStorageConformanceTest}.
 */
class InMemoryStorageTest {
  /** The size of {@code spans(n, 3)}, the same for every trace number. */
  static final long TRACE_BYTES = sizeOf(spans(1, 3));

  static InMemoryStorage storageFor(int traces) {
    return InMemoryStorage.builder().maxBytes(traces * TRACE_BYTES).build();
  }

  @Nested
  class Configuration {
    @Test
    void rejectsNonPositiveMaxBytes() {
      assertThatThrownBy(() -> InMemoryStorage.builder().maxBytes(0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxBytes: 0 (expected: > 0)");
      assertThatThrownBy(() -> InMemoryStorage.builder().maxBytes(-1))
          .hasMessage("maxBytes: -1 (expected: > 0)");
    }

    @Test
    void defaultsTo256MiB() {
      assertThat(InMemoryStorage.builder().build().maxBytes()).isEqualTo(256L * 1024 * 1024);
    }

    @Test
    void toStringPrintsConfiguration() {
      assertThat(InMemoryStorage.builder().maxBytes(4096).build())
          .hasToString("InMemoryStorage{maxBytes=4096}");
    }

    @Test
    void isItsOwnWriterAndReader() {
      InMemoryStorage storage = InMemoryStorage.builder().build();

      assertThat(storage.writer()).isSameAs(storage);
      assertThat(storage.reader()).isSameAs(storage);
    }
  }

  @Nested
  class Bound {
    @Test
    void countsUsedBytesFromSpanEstimates() {
      InMemoryStorage storage = storageFor(10);

      storage.write(spans(1, 3));
      storage.write(List.of(span(2, 1).build()));

      assertThat(storage.usedBytes()).isEqualTo(TRACE_BYTES + span(2, 1).build().estimatedSizeBytes());
    }

    @Test
    void keepsEverythingWhileWithinBound() {
      InMemoryStorage storage = storageFor(3);

      for (int n = 1; n <= 3; n++) storage.write(spans(n, 3));

      assertThat(storage.traceCount()).isEqualTo(3);
      assertThat(storage.usedBytes()).isEqualTo(3 * TRACE_BYTES);
      assertThat(storage.evictedTraces()).isZero();
    }

    @Test
    void evictsOldestWholeTraceWhenOverBound() {
      InMemoryStorage storage = storageFor(3);

      for (int n = 1; n <= 4; n++) storage.write(spans(n, 3));

      assertThat(storage.findTrace(traceId(1))).isEmpty();
      for (int n = 2; n <= 4; n++) {
        assertThat(storage.findTrace(traceId(n))).get()
            .satisfies(t -> assertThat(t.spans()).hasSize(3));
      }
      assertThat(storage.evictedTraces()).isEqualTo(1);
      assertThat(storage.usedBytes()).isEqualTo(3 * TRACE_BYTES);
    }

    @Test
    void evictsInFirstWriteOrderNotLastWriteOrder() {
      InMemoryStorage storage = storageFor(3);
      List<Span> first = spans(1, 3);
      storage.write(first.subList(0, 1));
      storage.write(spans(2, 3));
      storage.write(first.subList(1, 3)); // trace 1 written again, but it is still the oldest

      storage.write(spans(3, 3));
      storage.write(spans(4, 3));

      assertThat(storage.findTrace(traceId(1))).isEmpty();
      assertThat(storage.findTrace(traceId(2))).isPresent();
      assertThat(storage.evictedTraces()).isEqualTo(1);
    }

    @Test
    void evictsAsManyTracesAsTheWriteNeeds() {
      InMemoryStorage storage = storageFor(3);
      for (int n = 1; n <= 3; n++) storage.write(spans(n, 3));

      List<Span> big = new ArrayList<>(spans(4, 3));
      big.addAll(spans(5, 3));
      storage.write(big);

      assertThat(storage.findTrace(traceId(1))).isEmpty();
      assertThat(storage.findTrace(traceId(2))).isEmpty();
      assertThat(storage.findTrace(traceId(3))).isPresent();
      assertThat(storage.evictedTraces()).isEqualTo(2);
    }

    @Test
    void neverHoldsMoreThanMaxBytesAfterAWrite() {
      InMemoryStorage storage = InMemoryStorage.builder().maxBytes(5 * TRACE_BYTES + 17).build();

      for (int n = 1; n <= 50; n++) {
        storage.write(spans(n, 1 + n % 5));
        assertThat(storage.usedBytes()).isLessThanOrEqualTo(storage.maxBytes());
      }
      assertThat(storage.evictedTraces()).isPositive();
    }

    @Test
    void dropsATraceLargerThanTheWholeBound() {
      InMemoryStorage storage = InMemoryStorage.builder().maxBytes(TRACE_BYTES - 1).build();

      storage.write(spans(1, 3));

      assertThat(storage.findTrace(traceId(1))).isEmpty();
      assertThat(storage.usedBytes()).isZero();
      assertThat(storage.evictedTraces()).isEqualTo(1);
    }

    @Test
    void evictedTraceIsNoLongerSearched() {
      InMemoryStorage storage = storageFor(1);
      storage.write(spans(1, 3));
      storage.write(spans(2, 3));

      assertThat(storage.search(SearchRequest.builder().build()))
          .extracting(TraceSummary::traceId)
          .containsExactly(traceId(2));
    }
  }

  @Nested
  class Reads {
    @Test
    void findSeesPartsWrittenAfterAnEarlierFind() {
      InMemoryStorage storage = storageFor(10);
      List<Span> spans = spans(1, 3);
      storage.write(spans.subList(0, 2));
      assertThat(storage.findTrace(traceId(1))).get()
          .satisfies(t -> assertThat(t.spans()).hasSize(2));

      storage.write(spans.subList(2, 3));

      assertThat(storage.findTrace(traceId(1))).get()
          .satisfies(t -> assertThat(t.spans()).containsExactlyElementsOf(spans));
    }

    @Test
    void searchSeesPartsWrittenAfterAnEarlierSearch() {
      InMemoryStorage storage = storageFor(10);
      SearchRequest request = SearchRequest.builder().spanName("SELECT").build();
      storage.write(spans(1, 2));
      assertThat(storage.search(request)).isEmpty();

      storage.write(List.of(span(1, 9).parentSpanId(new SpanId(1)).name("SELECT").build()));

      assertThat(storage.search(request)).singleElement()
          .satisfies(s -> assertThat(s.spanCount()).isEqualTo(3));
    }

    @Test
    void concurrentReadersSeeOnlyWholeWrites() throws Exception {
      InMemoryStorage storage = storageFor(1_000);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> futures = new ArrayList<>();
        futures.add(pool.submit(() -> {
          for (int n = 1; n <= 300; n++) storage.write(spans(n, 4));
        }));
        for (int r = 0; r < 3; r++) {
          futures.add(pool.submit(() -> {
            for (int n = 1; n <= 300; n++) {
              storage.findTrace(traceId(n))
                  .ifPresent(t -> assertThat(t.spans()).hasSize(4));
              for (TraceSummary s : storage.search(SearchRequest.builder().limit(5).build())) {
                assertThat(s.spanCount()).isEqualTo(4);
              }
            }
          }));
        }
        for (Future<?> f : futures) f.get(30, TimeUnit.SECONDS);
      } finally {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(storage.traceCount()).isEqualTo(300);
    }
  }

  @Nested
  class Lifecycle {
    @Test
    void isReadyUntilClosed() {
      InMemoryStorage storage = storageFor(10);
      storage.start();
      assertThat(storage.isReady()).isTrue();

      storage.close();

      assertThat(storage.isReady()).isFalse();
    }

    @Test
    void closeReleasesEverythingAndRefusesFurtherUse() {
      InMemoryStorage storage = storageFor(10);
      storage.write(spans(1, 3));

      storage.close();

      assertThat(storage.usedBytes()).isZero();
      assertThat(storage.traceCount()).isZero();
      assertThatThrownBy(() -> storage.write(spans(2, 3)))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("closed");
      assertThatThrownBy(() -> storage.findTrace(traceId(1))).isInstanceOf(StorageException.class);
      assertThatThrownBy(() -> storage.search(SearchRequest.builder().build()))
          .isInstanceOf(StorageException.class);
    }

    @Test
    void writingNothingChangesNothing() {
      InMemoryStorage storage = storageFor(10);

      storage.write(List.of());

      assertThat(storage.traceCount()).isZero();
      assertThat(storage.usedBytes()).isZero();
    }
  }
}
