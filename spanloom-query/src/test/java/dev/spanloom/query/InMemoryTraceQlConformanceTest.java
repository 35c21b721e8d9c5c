package dev.spanloom.query;

import dev.spanloom.storage.InMemoryStorage;
import dev.spanloom.storage.TraceReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The TraceQL conformance table over {@link InMemoryStorage}. */
class InMemoryTraceQlConformanceTest extends TraceQlConformanceSuite {
  private static InMemoryStorage storage;

  @BeforeAll
  static void store() {
    storage = InMemoryStorage.builder().build();
    storage.start();
    storage.writer().write(TraceQlDataset.allSpans());
  }

  @AfterAll
  static void close() {
    storage.close();
  }

  @Override
  protected TraceReader reader() {
    return storage.reader();
  }
}
