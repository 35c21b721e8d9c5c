package dev.spanloom.pipeline.processor;

import static dev.spanloom.pipeline.TestConfigs.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.Span;
import dev.spanloom.pipeline.RecordingExporter;
import dev.spanloom.pipeline.RefusedException;
import dev.spanloom.pipeline.TestFutures;
import dev.spanloom.pipeline.TestSpans;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.config.ConfigNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MemoryLimiterProcessorTest {
  private static final long MIB = 1024 * 1024;
  private static final List<Span> SPANS = TestSpans.spans("span", 3);

  /** Heap in use as the limiter measures it; tests set it. */
  private final AtomicLong heapInUse = new AtomicLong(100 * MIB);
  private final RecordingExporter next = new RecordingExporter();
  // limit 1000 MiB, spike 200 MiB: the soft limit is 800 MiB.
  private final MemoryLimiterProcessor limiter =
      new MemoryLimiterProcessor(Duration.ofSeconds(1), 1000 * MIB, 200 * MIB, heapInUse::get);

  @AfterEach
  void close() {
    limiter.close();
  }

  @Test
  void passesSpansThroughBelowTheSoftLimit() {
    heapInUse.set(799 * MIB);
    limiter.check();

    CompletableFuture<Void> result = limiter.process(SPANS, next);

    assertThat(result).isCompleted().isNotCompletedExceptionally();
    assertThat(next.spans()).isEqualTo(SPANS);
    assertThat(limiter.isRefusing()).isFalse();
  }

  @Test
  void passesSpansThroughAtExactlyTheSoftLimit() {
    heapInUse.set(800 * MIB);
    limiter.check();

    assertThat(limiter.process(SPANS, next)).isCompleted().isNotCompletedExceptionally();
  }

  @Test
  void refusesAboveTheSoftLimitWithMemoryLimitReason() {
    heapInUse.set(900 * MIB);
    limiter.check();

    CompletableFuture<Void> result = limiter.process(SPANS, next);

    assertThat(refusal(result).reason()).isEqualTo(RefusedException.Reason.MEMORY_LIMIT);
    assertThat(next.batches()).isEmpty();
    assertThat(limiter.isRefusing()).isTrue();
  }

  @Test
  void saysHowMuchHeapIsInUseAndWhatTheSoftLimitIsInMiB() {
    heapInUse.set(900 * MIB);
    limiter.check();

    assertThat(refusal(limiter.process(SPANS, next)))
        .hasMessage("memory_limiter: heap in use 900 MiB is above the soft limit 800 MiB; retry later");
  }

  @Test
  void asksClientsToRetryAfterTwoCheckIntervals() {
    heapInUse.set(900 * MIB);
    limiter.check();

    assertThat(refusal(limiter.process(SPANS, next)).retryAfter()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void countsRefusedBatches() {
    heapInUse.set(900 * MIB);
    limiter.check();

    limiter.process(SPANS, next);
    limiter.process(SPANS, next);

    assertThat(limiter.refusedBatches()).isEqualTo(2);
  }

  @Test
  void passesSpansAgainWhenHeapUseFalls() {
    heapInUse.set(900 * MIB);
    limiter.check();
    heapInUse.set(500 * MIB);
    limiter.check();

    assertThat(limiter.process(SPANS, next)).isCompleted().isNotCompletedExceptionally();
    assertThat(limiter.isRefusing()).isFalse();
  }

  @Test
  void keepsItsDecisionUntilTheNextCheck() {
    heapInUse.set(900 * MIB);
    limiter.check();
    heapInUse.set(500 * MIB);

    assertThat(limiter.process(SPANS, next)).isCompletedExceptionally();
  }

  @Test
  void measuresAgainAfterCollectingGarbageAboveTheHardLimit() {
    // The first measurement is above the hard limit; the one after the collection is not.
    AtomicLong calls = new AtomicLong();
    MemoryLimiterProcessor l = new MemoryLimiterProcessor(Duration.ofSeconds(1), 1000 * MIB, 200 * MIB,
        () -> calls.incrementAndGet() == 1 ? 1200 * MIB : 300 * MIB);

    l.check();

    assertThat(calls).hasValue(2);
    assertThat(l.isRefusing()).isFalse();
  }

  @Test
  void checksOnceWhenStarted() {
    heapInUse.set(900 * MIB);

    limiter.start();

    assertThat(limiter.isRefusing()).isTrue();
  }

  @Test
  void doesNotRefuseBeforeTheFirstCheck() {
    heapInUse.set(900 * MIB);

    assertThat(limiter.process(SPANS, next)).isCompleted().isNotCompletedExceptionally();
  }

  @Test
  void printsItsConfigurationInMiB() {
    assertThat(limiter).hasToString("memory_limiter{check_interval=1000ms, limit_mib=1000, spike_limit_mib=200}");
  }

  // -- Construction -------------------------------------------------------------------------

  @Test
  void rejectsZeroCheckInterval() {
    assertThatThrownBy(() -> new MemoryLimiterProcessor(Duration.ZERO, 1000 * MIB, 200 * MIB, heapInUse::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("check_interval: PT0S (expected: > 0)");
  }

  @Test
  void rejectsSpikeNotBelowTheLimit() {
    assertThatThrownBy(() -> new MemoryLimiterProcessor(Duration.ofSeconds(1), 100, 100, heapInUse::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spike_limit: 100 bytes (expected: >= 0 and < limit 100)");
  }

  // -- From configuration -------------------------------------------------------------------

  @Test
  void readsLimitAndSpikeInMiB() {
    MemoryLimiterProcessor l = fromConfig("limit_mib: 4000\nspike_limit_mib: 800\ncheck_interval: 5s");

    assertThat(l).hasToString("memory_limiter{check_interval=5000ms, limit_mib=4000, spike_limit_mib=800}");
  }

  @Test
  void defaultsTheSpikeToAFifthOfTheLimitAndTheIntervalToOneSecond() {
    MemoryLimiterProcessor l = fromConfig("limit_mib: 1000");

    assertThat(l).hasToString("memory_limiter{check_interval=1000ms, limit_mib=1000, spike_limit_mib=200}");
  }

  @Test
  void defaultsToPercentagesOfTheMaximumHeap() {
    long maxHeap = Runtime.getRuntime().maxMemory();

    MemoryLimiterProcessor l = fromConfig("{}");

    assertThat(l).hasToString("memory_limiter{check_interval=1000ms, limit_mib=" + maxHeap / 100 * 80 / MIB
        + ", spike_limit_mib=" + maxHeap / 100 * 20 / MIB + "}");
  }

  @Test
  void rejectsZeroLimitMib() {
    assertThatThrownBy(() -> fromConfig("limit_mib: 0"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("processors.memory_limiter.limit_mib: 0 (expected: > 0)");
  }

  @Test
  void rejectsLimitMibThatIsNotANumber() {
    assertThatThrownBy(() -> fromConfig("limit_mib: lots"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("processors.memory_limiter.limit_mib: \"lots\" (expected: an integer)");
  }

  @Test
  void rejectsSpikeLimitMibNotBelowLimitMib() {
    assertThatThrownBy(() -> fromConfig("limit_mib: 1000\nspike_limit_mib: 1000"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("processors.memory_limiter.spike_limit_mib: 1000 (expected: >= 0 and < limit_mib 1000)");
  }

  @Test
  void rejectsNegativeSpikeLimitMib() {
    assertThatThrownBy(() -> fromConfig("limit_mib: 1000\nspike_limit_mib: -1"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("processors.memory_limiter.spike_limit_mib: -1 (expected: >= 0 and < limit_mib 1000)");
  }

  @Test
  void rejectsLimitPercentageAbove100() {
    assertThatThrownBy(() -> fromConfig("limit_percentage: 101"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("processors.memory_limiter.limit_percentage: 101 (expected: 1 to 100)");
  }

  @Test
  void rejectsZeroLimitPercentage() {
    assertThatThrownBy(() -> fromConfig("limit_percentage: 0"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("processors.memory_limiter.limit_percentage: 0 (expected: 1 to 100)");
  }

  @Test
  void rejectsSpikePercentageNotBelowLimitPercentage() {
    assertThatThrownBy(() -> fromConfig("limit_percentage: 50\nspike_limit_percentage: 50"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("processors.memory_limiter.spike_limit_percentage: 50 (expected: >= 0 and < limit_percentage 50)");
  }

  @Test
  void rejectsZeroCheckIntervalNamingTheKey() {
    assertThatThrownBy(() -> fromConfig("limit_mib: 100\ncheck_interval: 0s"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("processors.memory_limiter.check_interval: \"0s\" (expected: > 0s)");
  }

  @Test
  void rejectsUnknownKeys() {
    assertThatThrownBy(() -> fromConfig("limit_mb: 100"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("processors.memory_limiter.limit_mb: unknown key (expected one of: check_interval, limit_mib");
  }

  private static MemoryLimiterProcessor fromConfig(String yaml) {
    ConfigNode node = yaml("processors:\n  memory_limiter: " + (yaml.startsWith("{") ? yaml : "\n" + yaml.indent(4)))
        .child("processors").child("memory_limiter");
    return MemoryLimiterProcessor.fromConfig(node);
  }

  private static RefusedException refusal(CompletableFuture<Void> result) {
    assertThat(result).isCompletedExceptionally();
    return TestFutures.awaitRefusal(result);
  }
}
