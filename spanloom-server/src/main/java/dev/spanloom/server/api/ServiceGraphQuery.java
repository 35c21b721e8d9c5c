package dev.spanloom.server.api;

import static java.util.Objects.requireNonNull;

import dev.spanloom.pipeline.servicegraph.NodeKind;
import dev.spanloom.pipeline.servicegraph.ServiceGraphEdge;
import dev.spanloom.pipeline.servicegraph.ServiceGraphEdges;
import dev.spanloom.storage.TraceReader;
import dev.spanloom.storage.TraceScan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The service graph of the stored traces: every trace overlapping a window goes through {@link
 * ServiceGraphEdges} — the algorithm of the servicegraph connector — and its requests that started
 * in the window are summed per edge. Jaeger's and Zipkin's dependency APIs and {@code
 * /api/servicegraph} all read it, so they draw one graph.
 */
public final class ServiceGraphQuery {
  private final TraceReader reader;
  private final ServiceGraphEdges edges;

  public ServiceGraphQuery(TraceReader reader, ServiceGraphEdges edges) {
    this.reader = requireNonNull(reader, "reader");
    this.edges = requireNonNull(edges, "edges");
  }

  /**
   * The requests of one edge in the window.
   *
   * @param durationsNanos each request's duration, server side when measured there, ascending
   */
  public record Edge(String client, NodeKind clientKind, String server, NodeKind serverKind, String connectionType,
      long requests, long failed, long[] durationsNanos) {

    /** The duration at quantile {@code q} (0 to 1) by nearest rank, in milliseconds. */
    public double quantileMillis(double q) {
      if (durationsNanos.length == 0) return 0;
      int rank = (int) Math.ceil(q * durationsNanos.length);
      return durationsNanos[Math.max(0, Math.min(durationsNanos.length - 1, rank - 1))] / 1e6;
    }
  }

  private static final class Sum {
    final ServiceGraphEdge first;
    long requests;
    long failed;
    long[] durations = new long[4];

    Sum(ServiceGraphEdge first) {
      this.first = first;
    }

    void add(ServiceGraphEdge e) {
      if (requests == durations.length) durations = Arrays.copyOf(durations, durations.length * 2);
      durations[(int) requests++] = e.durationNanos();
      if (e.failed()) failed++;
    }
  }

  /** The edges of requests that started in the window (both ends inclusive), by client, server and connection type. */
  public List<Edge> edges(long startEpochNanos, long endEpochNanos) {
    Map<List<String>, Sum> sums = new TreeMap<>(Comparator.<List<String>, String>comparing(k -> k.get(0))
        .thenComparing(k -> k.get(1)).thenComparing(k -> k.get(2)));
    forEachEdge(startEpochNanos, endEpochNanos,
        e -> sums.computeIfAbsent(List.of(e.client(), e.server(), e.connectionType()), k -> new Sum(e)).add(e));
    List<Edge> out = new ArrayList<>(sums.size());
    for (Sum s : sums.values()) {
      long[] durations = Arrays.copyOf(s.durations, (int) s.requests);
      Arrays.sort(durations);
      ServiceGraphEdge e = s.first;
      out.add(new Edge(e.client(), e.clientKind(), e.server(), e.serverKind(), e.connectionType(), s.requests, s.failed,
          durations));
    }
    return out;
  }

  /** Every request of a stored trace in the window that started in it (both ends inclusive). */
  private void forEachEdge(long startEpochNanos, long endEpochNanos, java.util.function.Consumer<ServiceGraphEdge> action) {
    reader.scan(TraceScan.window(startEpochNanos, endEpochNanos), trace -> {
      for (ServiceGraphEdge e : edges.edgesOf(trace.spans()).edges()) {
        if (e.startEpochNanos() >= startEpochNanos && e.startEpochNanos() <= endEpochNanos) action.accept(e);
      }
      return true;
    });
  }

  /** Calls and failed calls per parent and child, as both dependency APIs count them. */
  public record Link(String parent, String child, long callCount, long errorCount) {}

  /**
   * The edges of the window by client and server only, whatever their connection type. Counts
   * only: a day's lookback need not keep a day of durations.
   */
  public List<Link> links(long startEpochNanos, long endEpochNanos) {
    Map<List<String>, long[]> counts = new TreeMap<>(Comparator.<List<String>, String>comparing(k -> k.get(0))
        .thenComparing(k -> k.get(1)));
    forEachEdge(startEpochNanos, endEpochNanos, e -> {
      long[] c = counts.computeIfAbsent(List.of(e.client(), e.server()), k -> new long[2]);
      c[0]++;
      if (e.failed()) c[1]++;
    });
    List<Link> out = new ArrayList<>(counts.size());
    counts.forEach((k, c) -> out.add(new Link(k.get(0), k.get(1), c[0], c[1])));
    return out;
  }

  @Override
  public String toString() {
    return "ServiceGraphQuery{" + edges + "}";
  }
}
