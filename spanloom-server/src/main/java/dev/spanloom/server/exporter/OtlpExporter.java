package dev.spanloom.server.exporter;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.client.ClientFactory;
import dev.spanloom.model.Span;
import dev.spanloom.otlp.OtlpTranslator;
import dev.spanloom.pipeline.RefusedException;
import dev.spanloom.pipeline.SpanExporter;
import dev.spanloom.pipeline.config.ConfigNode;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Collector's {@code otlp} (gRPC) and {@code otlphttp} exporters: forwards spans to another
 * OTLP endpoint.
 *
 * <p>With {@code sending_queue} on (the default), spans count as exported once they are in the
 * bounded queue, as in the Collector; a full queue refuses with {@link RefusedException} ({@code
 * QUEUE_FULL}), so receivers answer 429 / {@code RESOURCE_EXHAUSTED} rather than losing spans
 * silently. Up to {@code num_consumers} batches are in flight at once. A retryable failure is
 * retried with exponential backoff (or after the server's own delay, when longer) until {@code
 * max_elapsed_time}; a permanent failure drops the batch at once. Every span ends in exactly one
 * counter: sent, or failed with a reason.
 *
 * <p>With the queue off, {@link #consume} completes only when the remote has accepted the spans,
 * so a failure reaches the client.
 *
 * <p>{@link #close()} stops taking spans, wakes batches waiting to retry and lets the queue drain
 * for at most {@code timeout}; what is left is counted as dropped ({@code shutdown}).
 */
public final class OtlpExporter implements SpanExporter {
  public static final String GRPC_TYPE = "otlp";
  public static final String HTTP_TYPE = "otlphttp";
  private static final Logger LOG = LoggerFactory.getLogger(OtlpExporter.class);
  private static final Duration REFUSAL_RETRY_AFTER = Duration.ofSeconds(1);
  // After the drain, cancelled requests get this long to report back before close counts them itself.
  private static final long CANCEL_GRACE_MILLIS = 1_000;

  /** Why spans were dropped: the {@code reason} label of {@code spanloom_exporter_send_failed_spans_total}. */
  public enum DropReason {
    /** The remote refused them for good (gRPC {@code INVALID_ARGUMENT}, HTTP 400, 413, …). */
    PERMANENT,
    /** Retryable failures went on past {@code max_elapsed_time}, or retry_on_failure is off. */
    RETRIES_EXHAUSTED,
    /** The remote accepted the request but its partial success rejected these spans. */
    REJECTED,
    /** Still queued or retrying when {@link #close()} ran out of time. */
    SHUTDOWN;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final String id;
  private final OtlpExporterSettings settings;
  private final LinkedBlockingQueue<Batch> queue; // null with sending_queue disabled
  private final int maxInFlight;
  private final AtomicInteger inFlightCount = new AtomicInteger();
  private final Set<Batch> inFlight = ConcurrentHashMap.newKeySet();
  private final Set<CompletableFuture<Void>> backoffWaits = ConcurrentHashMap.newKeySet();
  private final LongAdder sent = new LongAdder();
  private final LongAdder enqueueFailed = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final Map<DropReason, LongAdder> failed = new EnumMap<>(DropReason.class);
  private final Object idle = new Object(); // notified whenever a batch finishes
  private volatile boolean closing;
  private volatile boolean abandoned; // the drain time is over: no further attempts
  private volatile long drainDeadlineNanos;
  private ClientFactory clientFactory;
  private volatile OtlpTransport transport;
  private ScheduledExecutorService executor;

  public OtlpExporter(String id, OtlpExporterSettings settings) {
    this.id = requireNonNull(id, "id");
    this.settings = requireNonNull(settings, "settings");
    this.queue = settings.queue().enabled() ? new LinkedBlockingQueue<>(settings.queue().queueSize()) : null;
    this.maxInFlight = settings.queue().enabled() ? settings.queue().numConsumers() : Integer.MAX_VALUE;
    for (DropReason r : DropReason.values()) failed.put(r, new LongAdder());
  }

  /** The {@code otlp} exporter from its config section ({@code exporters.otlp/jaeger}). */
  public static OtlpExporter grpcFromConfig(ConfigNode config) {
    return new OtlpExporter(idOf(config), OtlpExporterSettings.fromConfig(config, OtlpExporterSettings.Protocol.GRPC));
  }

  /** The {@code otlphttp} exporter from its config section. */
  public static OtlpExporter httpFromConfig(ConfigNode config) {
    return new OtlpExporter(idOf(config), OtlpExporterSettings.fromConfig(config, OtlpExporterSettings.Protocol.HTTP));
  }

  private static String idOf(ConfigNode config) {
    String path = config.path();
    return path.startsWith("exporters.") ? path.substring("exporters.".length()) : path;
  }

  @Override
  public synchronized void start() {
    if (executor != null) return;
    executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "spanloom-exporter-" + id);
      t.setDaemon(true);
      return t;
    });
    clientFactory = ClientFactory.builder().build();
    transport = settings.protocol() == OtlpExporterSettings.Protocol.GRPC
        ? new OtlpGrpcTransport(settings, clientFactory)
        : new OtlpHttpTransport(settings, clientFactory);
    LOG.info("event=exporter_started exporter={} {}", id, settings);
  }

  @Override
  public CompletableFuture<Void> consume(List<Span> spans) {
    if (spans.isEmpty()) return CompletableFuture.completedFuture(null);
    if (closing || transport == null) {
      return CompletableFuture.failedFuture(new RefusedException(RefusedException.Reason.EXPORT_FAILED,
          id + ": exporter is not running", REFUSAL_RETRY_AFTER));
    }
    Batch batch = new Batch(List.copyOf(spans));
    if (queue == null) {
      inFlightCount.incrementAndGet();
      begin(batch);
      return batch.done.thenCompose(drop -> drop == null ? CompletableFuture.<Void>completedFuture(null)
          : CompletableFuture.failedFuture(new RefusedException(RefusedException.Reason.EXPORT_FAILED,
              id + ": " + drop.label() + ": " + batch.lastError, REFUSAL_RETRY_AFTER)));
    }
    if (!queue.offer(batch)) {
      enqueueFailed.add(spans.size());
      return CompletableFuture.failedFuture(new RefusedException(RefusedException.Reason.QUEUE_FULL,
          id + ": sending queue is full (" + settings.queue().queueSize() + " batches)", REFUSAL_RETRY_AFTER));
    }
    pump();
    return CompletableFuture.completedFuture(null);
  }

  /** Starts queued batches while fewer than num_consumers are in flight. */
  private void pump() {
    while (true) {
      int n = inFlightCount.get();
      if (n >= maxInFlight) return;
      if (!inFlightCount.compareAndSet(n, n + 1)) continue;
      Batch batch = queue.poll();
      if (batch == null) {
        inFlightCount.decrementAndGet();
        // A batch offered between the poll and the decrement saw no free slot: look again.
        if (queue.isEmpty()) return;
        continue;
      }
      begin(batch);
    }
  }

  private void begin(Batch batch) {
    inFlight.add(batch);
    batch.startNanos = System.nanoTime();
    attempt(batch);
  }

  private void attempt(Batch batch) {
    if (abandoned) {
      finish(batch, DropReason.SHUTDOWN, "not sent before close");
      return;
    }
    if (batch.request == null) {
      batch.request = ExportTraceServiceRequest.newBuilder().addAllResourceSpans(OtlpTranslator.encode(batch.spans)).build();
    }
    CompletableFuture<ExportOutcome> outcome;
    try {
      outcome = transport.export(batch.request);
    } catch (RuntimeException e) { // the client factory is closed
      outcome = CompletableFuture.completedFuture(ExportOutcome.retryable(null, e.toString()));
    }
    outcome.whenComplete((o, error) -> {
      ExportOutcome result = o != null ? o : ExportOutcome.retryable(null, String.valueOf(error));
      try {
        executor.execute(() -> decide(batch, result));
      } catch (java.util.concurrent.RejectedExecutionException stopped) {
        finish(batch, DropReason.SHUTDOWN, result.message());
      }
    });
  }

  private void decide(Batch batch, ExportOutcome outcome) {
    int n = batch.spans.size();
    switch (outcome.kind()) {
      case ACCEPTED -> delivered(batch, Math.min(outcome.rejectedSpans(), n), outcome.message());
      case PERMANENT -> finish(batch, DropReason.PERMANENT, outcome.message());
      case RETRYABLE -> retryLater(batch, outcome);
    }
  }

  private void retryLater(Batch batch, ExportOutcome outcome) {
    batch.lastError = outcome.message();
    if (abandoned) {
      finish(batch, DropReason.SHUTDOWN, outcome.message());
      return;
    }
    boolean wasClosing = closing;
    OtlpExporterSettings.RetrySettings retry = settings.retry();
    if (!retry.enabled()) {
      finish(batch, DropReason.RETRIES_EXHAUSTED, outcome.message());
      return;
    }
    Duration backoff = retry.backoff(batch.retries, ThreadLocalRandom.current().nextDouble());
    long delay = Math.max(backoff.toNanos(), outcome.retryAfter().toNanos());
    long now = System.nanoTime();
    long maxElapsed = retry.maxElapsedTime().toNanos();
    if (maxElapsed > 0 && now - batch.startNanos + delay > maxElapsed) {
      finish(batch, DropReason.RETRIES_EXHAUSTED, outcome.message());
      return;
    }
    if (wasClosing) {
      long left = drainDeadlineNanos - now;
      if (left <= 0) {
        finish(batch, DropReason.SHUTDOWN, outcome.message());
        return;
      }
      delay = Math.min(delay, left);
    }
    batch.retries++;
    retries.increment();
    CompletableFuture<Void> wake = new CompletableFuture<>();
    backoffWaits.add(wake);
    wake.thenRun(() -> {
      backoffWaits.remove(wake);
      attempt(batch);
    });
    try {
      executor.schedule(() -> wake.complete(null), delay, TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      wake.complete(null); // closed meanwhile: attempt() counts it as dropped
    }
    // close() may have woken the waits just before this one, computed without the drain deadline, was added.
    if (!wasClosing && closing) wake.complete(null);
  }

  /** The remote took the batch, less the spans its partial success rejected. */
  private void delivered(Batch batch, long rejected, String message) {
    if (!batch.finished.compareAndSet(false, true)) return; // counted already, by close()
    int n = batch.spans.size();
    sent.add(n - rejected);
    if (rejected > 0) {
      failed.get(DropReason.REJECTED).add(rejected);
      LOG.warn("event=export_partial_success exporter={} spans={} rejected={} error=\"{}\"", id, n, rejected, message);
    }
    release(batch, null);
  }

  /** The batch is dropped for {@code drop}. Each batch is counted once, by whoever finishes it first. */
  private void finish(Batch batch, DropReason drop, String error) {
    if (!batch.finished.compareAndSet(false, true)) return;
    failed.get(drop).add(batch.spans.size());
    batch.lastError = error;
    LOG.warn("event=export_dropped exporter={} spans={} reason={} retries={} error=\"{}\"",
        id, batch.spans.size(), drop.label(), batch.retries, error);
    release(batch, drop);
  }

  private void release(Batch batch, DropReason drop) {
    if (inFlight.remove(batch)) inFlightCount.decrementAndGet();
    batch.done.complete(drop);
    if (queue != null) pump();
    synchronized (idle) {
      idle.notifyAll();
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (executor == null || closing) return;
      drainDeadlineNanos = System.nanoTime() + settings.timeout().toNanos();
      closing = true;
    }
    backoffWaits.forEach(w -> w.complete(null)); // retry now rather than after a long backoff
    awaitIdle(drainDeadlineNanos);
    abandoned = true;
    if (queue != null) {
      for (Batch b = queue.poll(); b != null; b = queue.poll()) {
        finish(b, DropReason.SHUTDOWN, "not sent before close");
      }
    }
    backoffWaits.forEach(w -> w.complete(null));
    clientFactory.close(); // fails the requests still running
    awaitIdle(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CANCEL_GRACE_MILLIS));
    for (Batch b : List.copyOf(inFlight)) finish(b, DropReason.SHUTDOWN, "still in flight at close");
    executor.shutdownNow();
    LOG.info("event=exporter_stopped exporter={} sent_spans={} failed_spans={}", id, sent.sum(), failedTotal());
  }

  private void awaitIdle(long deadlineNanos) {
    synchronized (idle) {
      while (!inFlight.isEmpty() || (queue != null && !queue.isEmpty())) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) return;
        try {
          TimeUnit.NANOSECONDS.timedWait(idle, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** The exporter's ID in the configuration, e.g. {@code otlp/jaeger}: the {@code exporter} label. */
  public String id() {
    return id;
  }

  public OtlpExporterSettings settings() {
    return settings;
  }

  /** Spans the remote accepted. */
  public long sentSpans() {
    return sent.sum();
  }

  /** Spans dropped for {@code reason}. */
  public long failedSpans(DropReason reason) {
    return failed.get(reason).sum();
  }

  private long failedTotal() {
    long total = 0;
    for (LongAdder a : failed.values()) total += a.sum();
    return total;
  }

  /** Spans refused because the sending queue was full. */
  public long enqueueFailedSpans() {
    return enqueueFailed.sum();
  }

  /** Attempts made again after a retryable failure. */
  public long retries() {
    return retries.sum();
  }

  /** Batches waiting in the sending queue (not those in flight); 0 with the queue off. */
  public int queueSize() {
    return queue == null ? 0 : queue.size();
  }

  /** {@code sending_queue.queue_size}, or 0 with the queue off. */
  public int queueCapacity() {
    return queue == null ? 0 : settings.queue().queueSize();
  }

  @Override
  public String toString() {
    return id + "{" + settings + "}";
  }

  /** Spans on their way out, with what their attempts have come to so far. */
  private static final class Batch {
    final List<Span> spans;
    final CompletableFuture<DropReason> done = new CompletableFuture<>(); // null when delivered
    final AtomicBoolean finished = new AtomicBoolean();
    ExportTraceServiceRequest request;
    long startNanos;
    int retries;
    volatile String lastError;

    Batch(List<Span> spans) {
      this.spans = spans;
    }
  }
}
