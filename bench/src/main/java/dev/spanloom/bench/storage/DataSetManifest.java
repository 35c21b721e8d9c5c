package dev.spanloom.bench.storage;

import dev.spanloom.model.TraceId;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What a written data set holds, saved next to it so that a later run ({@code --reuse}) measures
 * the same data: the time range, counts, the needle and decoy traces, and a sample of stored
 * trace IDs with their span counts for the lookups.
 */
record DataSetManifest(
    long startEpochNanos,
    long endEpochNanos,
    long spans,
    long traces,
    long seed,
    int services,
    List<TraceId> needles,
    List<TraceId> decoys,
    List<Sample> samples) {

  static final String FILE = "dataset.properties";
  static final String SAMPLES_FILE = "samples.txt";

  /** A stored trace and how many spans it has. */
  record Sample(TraceId traceId, int spanCount) {}

  DataSetManifest {
    needles = List.copyOf(needles);
    decoys = List.copyOf(decoys);
    samples = List.copyOf(samples);
  }

  void writeTo(Path dir) throws IOException {
    Properties p = new Properties();
    p.setProperty("startEpochNanos", Long.toString(startEpochNanos));
    p.setProperty("endEpochNanos", Long.toString(endEpochNanos));
    p.setProperty("spans", Long.toString(spans));
    p.setProperty("traces", Long.toString(traces));
    p.setProperty("seed", Long.toString(seed));
    p.setProperty("services", Integer.toString(services));
    p.setProperty("needles", hexList(needles));
    p.setProperty("decoys", hexList(decoys));
    try (Writer w = Files.newBufferedWriter(dir.resolve(FILE), StandardCharsets.UTF_8)) {
      p.store(w, "spanloom StorageBenchmark data set");
    }
    try (Writer w = Files.newBufferedWriter(dir.resolve(SAMPLES_FILE), StandardCharsets.UTF_8)) {
      for (Sample s : samples) w.write(s.traceId().toHex() + " " + s.spanCount() + "\n");
    }
  }

  static DataSetManifest readFrom(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("--reuse: no " + FILE + " in " + dir
          + " (expected: a data set written by an earlier run with --keep)");
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    List<Sample> samples = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve(SAMPLES_FILE), StandardCharsets.UTF_8)) {
      if (line.isBlank()) continue;
      String[] parts = line.trim().split(" ");
      samples.add(new Sample(TraceId.fromHex(parts[0]), Integer.parseInt(parts[1])));
    }
    return new DataSetManifest(
        Long.parseLong(p.getProperty("startEpochNanos")),
        Long.parseLong(p.getProperty("endEpochNanos")),
        Long.parseLong(p.getProperty("spans")),
        Long.parseLong(p.getProperty("traces")),
        Long.parseLong(p.getProperty("seed")),
        Integer.parseInt(p.getProperty("services")),
        parseHexList(p.getProperty("needles", "")),
        parseHexList(p.getProperty("decoys", "")),
        samples);
  }

  private static String hexList(List<TraceId> ids) {
    List<String> hex = new ArrayList<>();
    for (TraceId id : ids) hex.add(id.toHex());
    return String.join(",", hex);
  }

  private static List<TraceId> parseHexList(String value) {
    List<TraceId> ids = new ArrayList<>();
    for (String s : value.split(",")) {
      if (!s.isBlank()) ids.add(TraceId.fromHex(s.trim()));
    }
    return ids;
  }
}
