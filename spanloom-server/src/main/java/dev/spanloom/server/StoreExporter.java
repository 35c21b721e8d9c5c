package dev.spanloom.server;

import dev.spanloom.model.Span;
import dev.spanloom.pipeline.RefusedException;
import dev.spanloom.pipeline.SpanExporter;
import dev.spanloom.storage.SpanWriter;
import dev.spanloom.storage.StorageException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The {@code store} exporter: writes through the storage SPI; a storage failure is retryable. */
final class StoreExporter implements SpanExporter {
  static final String TYPE = "store";

  private final SpanWriter writer;

  StoreExporter(SpanWriter writer) {
    this.writer = writer;
  }

  @Override
  public CompletableFuture<Void> consume(List<Span> spans) {
    try {
      writer.write(spans);
      return CompletableFuture.completedFuture(null);
    } catch (StorageException e) {
      return CompletableFuture.failedFuture(new RefusedException(RefusedException.Reason.EXPORT_FAILED,
          "store: " + e.getMessage(), Duration.ofSeconds(1)));
    }
  }

  @Override
  public String toString() {
    return "store{}";
  }
}
