package dev.spanloom.pipeline;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.Span;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The queue between receivers and the pipeline, bounded in bytes. A request's bytes count from
 * {@link #offer} until the pipeline has finished with it (stored, or refused downstream), so the
 * bound covers everything ingest holds in memory, batches waiting in processors included. When
 * the bound is reached {@link #offer} refuses at once, without blocking the receiver's event
 * loop; nothing it accepted is dropped: its future says how the pipeline ended.
 */
public final class IngestQueue implements Component {
  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  private record Item(SpanConsumer target, List<Span> spans, CompletableFuture<Void> done) {}

  private final long maxBytes;
  private final int workers;
  private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final AtomicLong bytesInFlight = new AtomicLong();
  private final AtomicLong refusedBatches = new AtomicLong();
  private Thread[] threads = new Thread[0];
  private volatile boolean running;

  public IngestQueue(long maxBytes, int workers) {
    if (maxBytes <= 0) throw new IllegalArgumentException("max_bytes: " + maxBytes + " (expected: > 0)");
    if (workers <= 0) throw new IllegalArgumentException("workers: " + workers + " (expected: > 0)");
    this.maxBytes = maxBytes;
    this.workers = workers;
  }

  @Override
  public synchronized void start() {
    if (running) return;
    running = true;
    threads = new Thread[workers];
    for (int i = 0; i < workers; i++) {
      threads[i] = new Thread(this::work, "spanloom-ingest-" + i);
      threads[i].setDaemon(true);
      threads[i].start();
    }
  }

  /**
   * Enqueues spans that take {@code bytes} of memory, for {@code target} (a receiver's entry into
   * its pipelines). A single request larger than the whole bound is still taken when the queue
   * is empty, or it could never be.
   */
  public CompletableFuture<Void> offer(SpanConsumer target, List<Span> spans, long bytes) {
    requireNonNull(target, "target");
    if (!running) {
      return CompletableFuture.failedFuture(new RefusedException(
          RefusedException.Reason.EXPORT_FAILED, "Spanloom is shutting down", RETRY_AFTER));
    }
    long after = bytesInFlight.addAndGet(bytes);
    if (after > maxBytes && after != bytes) {
      bytesInFlight.addAndGet(-bytes);
      refusedBatches.incrementAndGet();
      return CompletableFuture.failedFuture(new RefusedException(RefusedException.Reason.QUEUE_FULL,
          "ingest queue full: " + (after - bytes) + " of " + maxBytes + " bytes in use, request needs "
              + bytes + "; retry later", RETRY_AFTER));
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    done.whenComplete((v, e) -> bytesInFlight.addAndGet(-bytes));
    Item item = new Item(target, spans, done);
    queue.add(item);
    // close() may have drained the queue between the check above and the add: whoever removes
    // the item answers it, so a request that raced with shutdown is refused, never left hanging.
    if (!running && queue.remove(item)) refuseForShutdown(item);
    return done;
  }

  private static void refuseForShutdown(Item item) {
    item.done.completeExceptionally(new RefusedException(
        RefusedException.Reason.EXPORT_FAILED, "Spanloom is shutting down", RETRY_AFTER));
  }

  private void work() {
    while (running || !queue.isEmpty()) {
      Item item;
      try {
        item = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (item == null) continue;
      try {
        item.target.consume(item.spans).whenComplete((v, e) -> {
          if (e == null) item.done.complete(null);
          else item.done.completeExceptionally(e);
        });
      } catch (RuntimeException e) {
        item.done.completeExceptionally(e);
      }
    }
  }

  public long bytesInFlight() {
    return bytesInFlight.get();
  }

  public long maxBytes() {
    return maxBytes;
  }

  /** Requests waiting for a worker. */
  public int depth() {
    return queue.size();
  }

  public long refusedBatches() {
    return refusedBatches.get();
  }

  @Override
  public boolean isReady() {
    return running;
  }

  /** Stops taking requests, hands what is queued to the pipeline, and stops the workers. */
  @Override
  public void close() {
    running = false;
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // A request that raced with shutdown is refused, never left unanswered.
    for (Item item; (item = queue.poll()) != null; ) refuseForShutdown(item);
  }

  @Override
  public String toString() {
    return "IngestQueue{max_bytes=" + maxBytes + ", workers=" + workers + "}";
  }
}
