package dev.spanloom.pipeline;

import dev.spanloom.model.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An exporter that keeps every batch it is given. By default it answers each batch at once;
 * {@link #hold()} makes it keep the futures until the test calls {@link #completeHeld()} or
 * {@link #failHeld}, {@link #failWith} makes it fail every batch.
 */
public final class RecordingExporter implements SpanExporter {
  private final String name;
  private final List<String> lifecycle;
  private final List<List<Span>> batches = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<CompletableFuture<Void>> held = new ConcurrentLinkedQueue<>();
  private volatile boolean holding;
  private volatile RuntimeException failure;

  public RecordingExporter() {
    this("exporter", new CopyOnWriteArrayList<>());
  }

  /** Records {@code "start <name>"} and {@code "close <name>"} into {@code lifecycle}. */
  public RecordingExporter(String name, List<String> lifecycle) {
    this.name = name;
    this.lifecycle = lifecycle;
  }

  public RecordingExporter hold() {
    holding = true;
    return this;
  }

  public RecordingExporter failWith(RuntimeException e) {
    failure = e;
    return this;
  }

  @Override
  public CompletableFuture<Void> consume(List<Span> spans) {
    batches.add(List.copyOf(spans));
    if (failure != null) return CompletableFuture.failedFuture(failure);
    if (!holding) return CompletableFuture.completedFuture(null);
    CompletableFuture<Void> f = new CompletableFuture<>();
    held.add(f);
    return f;
  }

  public void completeHeld() {
    for (CompletableFuture<Void> f; (f = held.poll()) != null; ) f.complete(null);
  }

  public void failHeld(RuntimeException e) {
    for (CompletableFuture<Void> f; (f = held.poll()) != null; ) f.completeExceptionally(e);
  }

  /** The futures handed out and not yet answered. */
  public int heldCount() {
    return held.size();
  }

  public List<List<Span>> batches() {
    return List.copyOf(batches);
  }

  /** Every span received, in order. */
  public List<Span> spans() {
    List<Span> out = new ArrayList<>();
    for (List<Span> b : batches) out.addAll(b);
    return out;
  }

  @Override
  public void start() {
    lifecycle.add("start " + name);
  }

  @Override
  public void close() {
    lifecycle.add("close " + name);
  }

  @Override
  public String toString() {
    return "recording{" + name + "}";
  }
}
