package dev.spanloom.storage.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteAheadLogTest {
  @TempDir Path dir;

  final List<String> replayed = new ArrayList<>();

  WriteAheadLog open(long firstUncovered) throws IOException {
    WriteAheadLog wal = new WriteAheadLog(dir, 4096);
    wal.open(firstUncovered, (b, off, len) -> replayed.add(new String(b, off, len, StandardCharsets.UTF_8)));
    return wal;
  }

  static void append(WriteAheadLog wal, String record) throws IOException {
    byte[] b = record.getBytes(StandardCharsets.UTF_8);
    wal.awaitDurable(wal.append(b, 0, b.length));
  }

  @Test
  void replaysRecordsOfEverySegmentInOrder() throws IOException {
    try (WriteAheadLog wal = open(0)) {
      append(wal, "a");
      wal.roll();
      append(wal, "b");
      append(wal, "c");
    }

    open(0).close();

    assertThat(replayed).containsExactly("a", "b", "c");
  }

  @Test
  void corruptionInAnOlderSegmentKeepsItsPrefixAndLaterSegments() throws IOException {
    long first;
    try (WriteAheadLog wal = open(0)) {
      first = wal.currentSegment();
      append(wal, "a");
      append(wal, "b");
      wal.roll();
      append(wal, "c");
    }
    Path segment = new WriteAheadLog(dir, 4096).segmentPath(first);
    byte[] bytes = Files.readAllBytes(segment);
    bytes[bytes.length - 1] ^= 1; // the payload of "b"
    Files.write(segment, bytes);

    WriteAheadLog.ReplayResult result;
    WriteAheadLog wal = new WriteAheadLog(dir, 4096);
    result = wal.open(0, (b, off, len) -> replayed.add(new String(b, off, len, StandardCharsets.UTF_8)));
    wal.close();

    assertThat(replayed).containsExactly("a", "c");
    assertThat(result.corruptTailsTruncated()).isEqualTo(1);
  }

  @Test
  void skipsAndDeletesSegmentsCoveredByBlocks() throws IOException {
    long second;
    try (WriteAheadLog wal = open(0)) {
      append(wal, "in a block");
      second = wal.roll();
      append(wal, "not yet");
    }

    open(second).close();

    assertThat(replayed).containsExactly("not yet");
    assertThat(new WriteAheadLog(dir, 4096).segmentPath(second - 1)).doesNotExist();
  }

  @Test
  void neverReusesASegmentNumberBelowTheCoveredOne() throws IOException {
    try (WriteAheadLog wal = open(42)) {
      assertThat(wal.currentSegment()).isEqualTo(42);
    }
  }

  @Test
  void groupCommitKeepsEveryRecordOfConcurrentWriters() throws Exception {
    WriteAheadLog wal = open(0);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 100; i++) append(wal, thread + ":" + i);
          return null;
        }));
      }
      for (Future<?> f : futures) f.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
      wal.close();
    }

    open(0).close();

    assertThat(replayed).hasSize(400).doesNotHaveDuplicates();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      List<String> own = replayed.stream().filter(r -> r.startsWith(thread + ":")).toList();
      assertThat(own).isEqualTo(java.util.stream.IntStream.range(0, 100).mapToObj(i -> thread + ":" + i).toList());
    }
  }

  @Test
  void interruptedWriterDoesNotBreakTheLog() throws Exception {
    WriteAheadLog wal = open(0);
    append(wal, "before");
    Thread.currentThread().interrupt();
    try {
      append(wal, "interrupted");
    } catch (IOException expected) {
      // The interrupted write may or may not be kept; it was not acknowledged.
    } finally {
      Thread.interrupted();
    }
    append(wal, "after");
    wal.close();

    open(0).close();

    assertThat(wal.isHealthy()).isTrue();
    assertThat(replayed).startsWith("before").endsWith("after");
  }
}
