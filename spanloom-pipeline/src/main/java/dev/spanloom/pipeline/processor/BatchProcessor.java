package dev.spanloom.pipeline.processor;

import dev.spanloom.model.Span;
import dev.spanloom.pipeline.SpanConsumer;
import dev.spanloom.pipeline.SpanProcessor;
import dev.spanloom.pipeline.config.ConfigNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Collector's {@code batch} processor, reshaped for acknowledging only what is stored. Each
 * incoming request's future completes only when the batch holding it has been exported, so a
 * receiver never acknowledges spans that are still only in this buffer.
 *
 * <p>Because clients wait for that, batches are formed as a database forms group commits: when
 * no export is running, spans go out at once; while one runs, arriving spans gather and go out
 * together when it ends, or earlier when they reach {@code send_batch_size} or have waited
 * {@code timeout}. Batches are never larger than {@code send_batch_max_size}. Under load batches
 * grow by themselves; an idle pipeline adds no delay. (Waiting out {@code timeout} on every
 * request, as the Collector's processor may, would cap an SDK that exports one batch at a time
 * at one batch per {@code timeout}.)
 */
public final class BatchProcessor implements SpanProcessor {
  public static final String TYPE = "batch";
  private static final Set<String> KEYS = Set.of("timeout", "send_batch_size", "send_batch_max_size", "metadata_keys", "metadata_cardinality_limit");

  private final Duration timeout;
  private final int sendBatchSize;
  private final int sendBatchMaxSize;
  private final Object lock = new Object();
  private List<Span> pending = new ArrayList<>();
  private List<CompletableFuture<Void>> waiting = new ArrayList<>();
  private SpanConsumer pendingNext;
  private boolean closed; // guarded by lock
  private int exporting; // guarded by lock: batches sent and not yet finished
  private ScheduledExecutorService timer;

  public BatchProcessor(Duration timeout, int sendBatchSize, int sendBatchMaxSize) {
    if (timeout.isNegative()) throw new IllegalArgumentException("timeout: " + timeout + " (expected: >= 0)");
    if (sendBatchSize < 0) throw new IllegalArgumentException("send_batch_size: " + sendBatchSize + " (expected: >= 0)");
    if (sendBatchMaxSize != 0 && sendBatchMaxSize < sendBatchSize) {
      throw new IllegalArgumentException("send_batch_max_size: " + sendBatchMaxSize
          + " (expected: 0 or >= send_batch_size " + sendBatchSize + ")");
    }
    this.timeout = timeout;
    this.sendBatchSize = sendBatchSize;
    this.sendBatchMaxSize = sendBatchMaxSize;
  }

  /** From the Collector's keys; defaults are the Collector's (200ms, 8192, 0 = unlimited). */
  public static BatchProcessor fromConfig(ConfigNode config) {
    config.requireKnownKeys(KEYS);
    int size = config.intValue("send_batch_size", 8192);
    int max = config.intValue("send_batch_max_size", 0);
    Duration timeout = config.duration("timeout", Duration.ofMillis(200));
    if (size < 0) throw config.invalid("send_batch_size", size, ">= 0");
    if (max != 0 && max < size) throw config.invalid("send_batch_max_size", max, "0 or >= send_batch_size " + size);
    return new BatchProcessor(timeout, size, max);
  }

  @Override
  public void start() {
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "spanloom-batch");
      t.setDaemon(true);
      return t;
    });
    if (!timeout.isZero()) {
      long ms = Math.max(1, timeout.toMillis());
      timer.scheduleWithFixedDelay(this::flushOnTimer, ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public CompletableFuture<Void> process(List<Span> spans, SpanConsumer next) {
    if (spans.isEmpty()) return CompletableFuture.completedFuture(null);
    CompletableFuture<Void> done = new CompletableFuture<>();
    List<Span> toSend = null;
    List<CompletableFuture<Void>> toComplete = null;
    synchronized (lock) {
      pending.addAll(spans);
      waiting.add(done);
      pendingNext = next;
      // After close no timer runs: anything that still arrives is sent at once, never stranded.
      if (closed || timeout.isZero() || pending.size() >= sendBatchSize || exporting == 0) {
        toSend = pending;
        toComplete = waiting;
        pending = new ArrayList<>();
        waiting = new ArrayList<>();
        exporting++;
      }
    }
    if (toSend != null) send(new Batch(toSend, toComplete, next));
    return done;
  }

  /** Spans on their way out, with the requests that wait for them. */
  private record Batch(List<Span> spans, List<CompletableFuture<Void>> waiting, SpanConsumer next) {}

  /** After a batch finished: the next batch to send, if spans gathered meanwhile and nothing else runs. */
  private Batch nextAfterExport() {
    synchronized (lock) {
      exporting--;
      if (pending.isEmpty() || exporting > 0) return null;
      Batch batch = new Batch(pending, waiting, pendingNext);
      pending = new ArrayList<>();
      waiting = new ArrayList<>();
      exporting++;
      return batch;
    }
  }

  private void flushOnTimer() {
    List<Span> toSend;
    List<CompletableFuture<Void>> toComplete;
    SpanConsumer next;
    synchronized (lock) {
      if (pending.isEmpty()) return;
      toSend = pending;
      toComplete = waiting;
      next = pendingNext;
      pending = new ArrayList<>();
      waiting = new ArrayList<>();
      exporting++;
    }
    send(new Batch(toSend, toComplete, next));
  }

  // A loop rather than recursion: with a synchronous exporter (the store), the thread that sent
  // a batch goes on to send what gathered while it wrote, as a group-commit leader does.
  private void send(Batch first) {
    for (Batch batch = first; batch != null; ) {
      Batch sent = batch;
      CompletableFuture<Void> all = export(sent.spans(), sent.next());
      if (!all.isDone()) {
        all.whenComplete((v, e) -> {
          finish(sent.waiting(), e);
          Batch following = nextAfterExport();
          if (following != null) send(following);
        });
        return;
      }
      Throwable error = null;
      try {
        all.join();
      } catch (RuntimeException e) {
        error = e.getCause() != null ? e.getCause() : e;
      }
      finish(sent.waiting(), error);
      batch = nextAfterExport();
    }
  }

  private CompletableFuture<Void> export(List<Span> spans, SpanConsumer next) {
    try {
      if (sendBatchMaxSize == 0 || spans.size() <= sendBatchMaxSize) return next.consume(spans);
      List<CompletableFuture<Void>> parts = new ArrayList<>();
      for (int i = 0; i < spans.size(); i += sendBatchMaxSize) {
        parts.add(next.consume(spans.subList(i, Math.min(spans.size(), i + sendBatchMaxSize))));
      }
      return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static void finish(List<CompletableFuture<Void>> futures, Throwable error) {
    for (CompletableFuture<Void> f : futures) {
      if (error == null) f.complete(null);
      else f.completeExceptionally(error);
    }
  }

  /** Sends what is buffered, then stops the timer. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
    }
    flushOnTimer();
    if (timer != null) timer.shutdownNow();
  }

  @Override
  public String toString() {
    return "batch{timeout=" + timeout.toMillis() + "ms, send_batch_size=" + sendBatchSize
        + ", send_batch_max_size=" + sendBatchMaxSize + "}";
  }
}
