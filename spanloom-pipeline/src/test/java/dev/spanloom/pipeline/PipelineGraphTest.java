package dev.spanloom.pipeline;

import static dev.spanloom.pipeline.TestConfigs.yaml;
import static dev.spanloom.pipeline.TestFutures.awaitFailure;
import static dev.spanloom.pipeline.TestFutures.awaitSuccess;
import static dev.spanloom.pipeline.TestSpans.spans;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.Span;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.pipeline.connector.ForwardConnector;
import dev.spanloom.pipeline.metrics.MetricsConnector;
import dev.spanloom.pipeline.metrics.MetricsExporter;
import dev.spanloom.pipeline.metrics.MetricsProducer;
import dev.spanloom.pipeline.processor.BatchProcessor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PipelineGraphTest {
  private static final List<Span> SPANS = spans("span", 3);

  /** Start and close of every recording component, in order. */
  private final List<String> lifecycle = new CopyOnWriteArrayList<>();
  /** Exporters by ID, the last one the graph created for each (the graph also builds one to check its settings). */
  private final Map<String, RecordingExporter> exporters = new LinkedHashMap<>();
  private final List<PipelineGraph> built = new ArrayList<>();
  /** What each metrics exporter was given to read. */
  private final Map<String, MetricsProducer> captured = new LinkedHashMap<>();

  /** Counts the spans it is sent, as a gauge named after its ID. */
  static final class CountingConnector implements MetricsConnector {
    final String name;
    final java.util.concurrent.atomic.AtomicLong spans = new java.util.concurrent.atomic.AtomicLong();

    CountingConnector(String id) {
      this.name = id.replace('/', '_') + "_spans";
    }

    @Override
    public CompletableFuture<Void> consume(List<Span> batch) {
      spans.addAndGet(batch.size());
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public io.prometheus.metrics.model.snapshots.MetricSnapshots collect() {
      return new io.prometheus.metrics.model.snapshots.MetricSnapshots(
          io.prometheus.metrics.model.snapshots.GaugeSnapshot.builder().name(name)
              .dataPoint(io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot.builder()
                  .value(spans.get()).build())
              .build());
    }
  }

  /** The built-ins, the otlp receiver, a recording {@code store} exporter and {@code recording} processor. */
  private ComponentRegistry registry() {
    return ComponentRegistry.withBuiltins()
        .metricsConnector("counting", node -> new CountingConnector(node.path().substring("connectors.".length())))
        .metricsExporter("capture", (node, producer) -> {
          captured.put(node.path().substring("exporters.".length()), producer);
          return new MetricsExporter() {};
        })
        .receiver("otlp")
        .exporter("store", node -> {
          String id = node.path().substring("exporters.".length());
          RecordingExporter e = new RecordingExporter(id, lifecycle);
          exporters.put(id, e);
          return e;
        })
        .processor("recording", node -> new RecordingProcessor(node.path().substring("processors.".length()), lifecycle));
  }

  private PipelineGraph build(String yaml) {
    PipelineGraph graph = PipelineGraph.build(yaml(yaml), registry());
    built.add(graph);
    return graph;
  }

  @AfterEach
  void closeGraphs() {
    built.forEach(PipelineGraph::close);
  }

  /** Passes spans on after noting who saw them; starts and closes into the lifecycle log. */
  static final class RecordingProcessor implements SpanProcessor {
    final String id;
    final List<String> lifecycle;
    final List<Span> seen = new CopyOnWriteArrayList<>();

    RecordingProcessor(String id, List<String> lifecycle) {
      this.id = id;
      this.lifecycle = lifecycle;
    }

    @Override
    public CompletableFuture<Void> process(List<Span> spans, SpanConsumer next) {
      seen.addAll(spans);
      lifecycle.add("process " + id);
      return next.consume(spans);
    }

    @Override
    public void start() {
      lifecycle.add("start " + id);
    }

    @Override
    public void close() {
      lifecycle.add("close " + id);
    }
  }

  @Nested
  class Wiring {
    @Test
    void deliversSpansFromReceiverToExporter() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}}
          exporters: {store: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [store]}
          """);

      awaitSuccess(graph.receiverEntry("otlp").consume(SPANS));

      assertThat(exporters.get("store").batches()).containsExactly(SPANS);
    }

    @Test
    void fansOutAReceiverInTwoPipelinesToBoth() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}}
          exporters: {store/a: {}, store/b: {}}
          service:
            pipelines:
              traces/a: {receivers: [otlp], exporters: [store/a]}
              traces/b: {receivers: [otlp], exporters: [store/b]}
          """);

      awaitSuccess(graph.receiverEntry("otlp").consume(SPANS));

      assertThat(exporters.get("store/a").spans()).isEqualTo(SPANS);
      assertThat(exporters.get("store/b").spans()).isEqualTo(SPANS);
    }

    @Test
    void fansOutAPipelineToEachOfItsExporters() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}}
          exporters: {store/a: {}, store/b: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [store/a, store/b]}
          """);

      awaitSuccess(graph.receiverEntry("otlp").consume(SPANS));

      assertThat(exporters.get("store/a").spans()).isEqualTo(SPANS);
      assertThat(exporters.get("store/b").spans()).isEqualTo(SPANS);
    }

    @Test
    void completesAFannedOutRequestOnlyWhenEveryBranchHasFinished() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}}
          exporters: {store/a: {}, store/b: {}}
          service:
            pipelines:
              traces/a: {receivers: [otlp], exporters: [store/a]}
              traces/b: {receivers: [otlp], exporters: [store/b]}
          """);
      exporters.get("store/b").hold();

      CompletableFuture<Void> result = graph.receiverEntry("otlp").consume(SPANS);

      assertThat(result).isNotDone();
      exporters.get("store/b").completeHeld();
      awaitSuccess(result);
    }

    @Test
    void failsAFannedOutRequestWhenOneBranchFails() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}}
          exporters: {store/a: {}, store/b: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [store/a, store/b]}
          """);
      IllegalStateException diskFull = new IllegalStateException("disk full");
      exporters.get("store/a").failWith(diskFull);

      CompletableFuture<Void> result = graph.receiverEntry("otlp").consume(SPANS);

      assertThat(awaitFailure(result)).isSameAs(diskFull);
      assertThat(exporters.get("store/b").spans()).isEqualTo(SPANS);
    }

    @Test
    void failsAFannedOutRequestWhenOneBranchThrows() {
      PipelineGraph graph = PipelineGraph.build(yaml("""
          receivers: {otlp: {}}
          exporters: {store: {}, broken: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [store, broken]}
          """), registry().exporter("broken", node -> new SpanExporter() {
            @Override
            public CompletableFuture<Void> consume(List<Span> spans) {
              throw new IllegalStateException("bug");
            }
          }));

      assertThat(awaitFailure(graph.receiverEntry("otlp").consume(SPANS))).hasMessage("bug");
    }

    @Test
    void runsProcessorsInTheOrderListed() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}}
          processors: {recording/first: {}, recording/second: {}, recording/third: {}}
          exporters: {store: {}}
          service:
            pipelines:
              traces:
                receivers: [otlp]
                processors: [recording/second, recording/first, recording/third]
                exporters: [store]
          """);

      awaitSuccess(graph.receiverEntry("otlp").consume(SPANS));

      assertThat(lifecycle).filteredOn(e -> e.startsWith("process"))
          .containsExactly("process recording/second", "process recording/first", "process recording/third");
    }

    @Test
    void givesEachPipelineItsOwnProcessorInstances() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}, otlp/internal: {}}
          processors: {recording: {}}
          exporters: {store: {}}
          service:
            pipelines:
              traces/a: {receivers: [otlp], processors: [recording], exporters: [store]}
              traces/b: {receivers: [otlp/internal], processors: [recording], exporters: [store]}
          """);

      awaitSuccess(graph.receiverEntry("otlp").consume(SPANS));

      List<RecordingProcessor> inGraph = graph.components(RecordingProcessor.class);
      assertThat(inGraph).hasSize(2).doesNotHaveDuplicates();
      assertThat(inGraph).filteredOn(p -> !p.seen.isEmpty()).hasSize(1);
    }

    @Test
    void checksTheSettingsOfComponentsThatNoPipelineUses() {
      assertThatThrownBy(() -> build("""
          receivers: {otlp: {}}
          processors: {batch/unused: {send_batch_size: -1}}
          exporters: {store: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [store]}
          """))
          .isInstanceOf(ConfigException.class)
          .hasMessage("processors.batch/unused.send_batch_size: -1 (expected: >= 0)");
    }

    @Test
    void sharesAnExporterBetweenPipelines() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}, otlp/internal: {}}
          exporters: {store: {}}
          service:
            pipelines:
              traces/a: {receivers: [otlp], exporters: [store]}
              traces/b: {receivers: [otlp/internal], exporters: [store]}
          """);

      awaitSuccess(graph.receiverEntry("otlp").consume(spans("a", 1)));
      awaitSuccess(graph.receiverEntry("otlp/internal").consume(spans("b", 1)));

      assertThat(exporters).containsOnlyKeys("store");
      assertThat(exporters.get("store").batches()).containsExactly(spans("a", 1), spans("b", 1));
    }

    @Test
    void forwardConnectorPassesSpansFromOnePipelineToAnother() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}}
          processors: {recording/a: {}, recording/b: {}}
          exporters: {store/b: {}}
          connectors: {forward: {}}
          service:
            pipelines:
              traces/a: {receivers: [otlp], processors: [recording/a], exporters: [forward]}
              traces/b: {receivers: [forward], processors: [recording/b], exporters: [store/b]}
          """);

      awaitSuccess(graph.receiverEntry("otlp").consume(SPANS));

      assertThat(exporters.get("store/b").spans()).isEqualTo(SPANS);
      assertThat(lifecycle).containsExactly("process recording/a", "process recording/b");
    }

    @Test
    void forwardConnectorFansOutToEveryPipelineReceivingFromIt() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}}
          exporters: {store/b: {}, store/c: {}}
          connectors: {forward: {}}
          service:
            pipelines:
              traces/a: {receivers: [otlp], exporters: [forward]}
              traces/b: {receivers: [forward], exporters: [store/b]}
              traces/c: {receivers: [forward], exporters: [store/c]}
          """);

      awaitSuccess(graph.receiverEntry("otlp").consume(SPANS));

      assertThat(exporters.get("store/b").spans()).isEqualTo(SPANS);
      assertThat(exporters.get("store/c").spans()).isEqualTo(SPANS);
    }

    @Test
    void pipelineTakesSpansFromBothAReceiverAndAConnector() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}, otlp/internal: {}}
          exporters: {store: {}}
          connectors: {forward: {}}
          service:
            pipelines:
              traces/a: {receivers: [otlp], exporters: [forward]}
              traces/b: {receivers: [otlp/internal, forward], exporters: [store]}
          """);

      awaitSuccess(graph.receiverEntry("otlp").consume(spans("via-forward", 1)));
      awaitSuccess(graph.receiverEntry("otlp/internal").consume(spans("direct", 1)));

      assertThat(exporters.get("store").batches()).containsExactly(spans("via-forward", 1), spans("direct", 1));
    }

    @Test
    void listsOnlyReceiversThatSomePipelineUses() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}, otlp/unused: {}}
          exporters: {store: {}}
          connectors: {forward: {}}
          service:
            pipelines:
              traces/a: {receivers: [otlp], exporters: [forward]}
              traces/b: {receivers: [forward], exporters: [store]}
          """);

      assertThat(graph.receiverIds()).containsExactly("otlp");
    }

    @Test
    void refusesToGiveAnEntryForAReceiverInNoPipeline() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}, otlp/unused: {}}
          exporters: {store: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [store]}
          """);

      assertThatThrownBy(() -> graph.receiverEntry("otlp/unused"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("receiver otlp/unused is in no pipeline");
    }

    @Test
    void findsItsComponentsByType() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}}
          processors: {batch: {}, recording: {}}
          exporters: {store: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], processors: [recording, batch], exporters: [store]}
          """);

      assertThat(graph.components(BatchProcessor.class)).hasSize(1);
      assertThat(graph.components(SpanExporter.class)).containsExactly(exporters.get("store"));
    }

    @Test
    void batchesThroughTheBuiltInBatchProcessorOnceStarted() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}}
          processors: {batch: {timeout: 10ms, send_batch_size: 1000}}
          exporters: {store: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], processors: [batch], exporters: [store]}
          """);
      graph.start();

      awaitSuccess(graph.receiverEntry("otlp").consume(SPANS));

      assertThat(exporters.get("store").spans()).isEqualTo(SPANS);
    }

    @Test
    void describesItsPipelines() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}}
          processors: {batch: {}}
          exporters: {store: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], processors: [batch], exporters: [store]}
          """);

      assertThat(graph).hasToString("pipelines{traces: [otlp] -> [batch] -> [store]}");
    }
  }

  @Nested
  class Lifecycle {
    @Test
    void startsExportersBeforeProcessorsAndProcessorsFromLastToFirst() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}}
          processors: {recording/first: {}, recording/second: {}}
          exporters: {store: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], processors: [recording/first, recording/second], exporters: [store]}
          """);

      graph.start();

      assertThat(lifecycle).containsExactly("start store", "start recording/second", "start recording/first");
    }

    @Test
    void closesInReverseOrderOfStart() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}}
          processors: {recording/first: {}, recording/second: {}}
          exporters: {store: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], processors: [recording/first, recording/second], exporters: [store]}
          """);
      graph.start();
      lifecycle.clear();

      graph.close();

      assertThat(lifecycle).containsExactly("close recording/first", "close recording/second", "close store");
    }

    @Test
    void startsPipelinesDownstreamOfAConnectorFirst() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}}
          processors: {recording/a: {}, recording/b: {}}
          exporters: {store/b: {}}
          connectors: {forward: {}}
          service:
            pipelines:
              traces/a: {receivers: [otlp], processors: [recording/a], exporters: [forward]}
              traces/b: {receivers: [forward], processors: [recording/b], exporters: [store/b]}
          """);

      graph.start();
      graph.close();

      assertThat(lifecycle).containsExactly(
          "start store/b", "start recording/b", "start recording/a",
          "close recording/a", "close recording/b", "close store/b");
    }

    @Test
    void startsASharedExporterOnce() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}, otlp/internal: {}}
          exporters: {store: {}}
          service:
            pipelines:
              traces/a: {receivers: [otlp], exporters: [store]}
              traces/b: {receivers: [otlp/internal], exporters: [store]}
          """);

      graph.start();

      assertThat(lifecycle).containsExactly("start store");
    }

    @Test
    void isReadyOnlyWhenEveryComponentIs() {
      PipelineGraph graph = PipelineGraph.build(yaml("""
          receivers: {otlp: {}}
          exporters: {store: {}, remote: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [store, remote]}
          """), registry().exporter("remote", node -> new SpanExporter() {
            @Override
            public CompletableFuture<Void> consume(List<Span> spans) {
              return CompletableFuture.completedFuture(null);
            }

            @Override
            public boolean isReady() {
              return false;
            }
          }));

      assertThat(graph.isReady()).isFalse();
    }
  }

  @Nested
  class Errors {
    private void assertRejected(String yaml, String message) {
      assertThatThrownBy(() -> build(yaml)).isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @Test
    void rejectsAConfigurationWithoutPipelines() {
      assertRejected("receivers: {otlp: {}}", "service.pipelines: no pipelines (expected: at least one, e.g. traces)");
    }

    @Test
    void rejectsAnUnknownProcessorType() {
      assertThatThrownBy(() -> PipelineGraph.build(yaml("""
              receivers: {otlp: {}}
              processors: {groupbytrace: {}}
              exporters: {store: {}}
              service:
                pipelines:
                  traces: {receivers: [otlp], exporters: [store]}
              """), ComponentRegistry.withBuiltins().receiver("otlp").exporter("store", node -> new RecordingExporter())))
          .isInstanceOf(ConfigException.class)
          .hasMessage("processors.groupbytrace: unknown type \"groupbytrace\" (expected one of: batch, db_statement,"
              + " memory_limiter, probabilistic_sampler, tail_sampling)");
    }

    @Test
    void rejectsAnUnknownProcessorTypeByTheTypeBeforeTheSlash() {
      assertRejected("""
          receivers: {otlp: {}}
          processors: {filter/errors: {}}
          exporters: {store: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [store]}
          """, "processors.filter/errors: unknown type \"filter\" (expected one of: batch, db_statement,"
          + " memory_limiter, probabilistic_sampler, recording, tail_sampling)");
    }

    @Test
    void rejectsAnUnknownReceiverType() {
      assertRejected("""
          receivers: {zipkin: {}}
          exporters: {store: {}}
          service:
            pipelines:
              traces: {receivers: [zipkin], exporters: [store]}
          """, "receivers.zipkin: unknown type \"zipkin\" (expected one of: otlp)");
    }

    @Test
    void rejectsAnUnknownExporterType() {
      assertRejected("""
          receivers: {otlp: {}}
          exporters: {kafka: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [kafka]}
          """, "exporters.kafka: unknown type \"kafka\" (expected one of: capture, store)");
    }

    @Test
    void rejectsAnUnknownConnectorType() {
      assertRejected("""
          receivers: {otlp: {}}
          exporters: {store: {}}
          connectors: {exceptions: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [store]}
          """, "connectors.exceptions: unknown type \"exceptions\" (expected one of: counting, forward, servicegraph, spanmetrics)");
    }

    @Test
    void rejectsAPipelineReferencingAnUndefinedReceiver() {
      assertRejected("""
          receivers: {otlp: {}}
          exporters: {store: {}}
          service:
            pipelines:
              traces: {receivers: [otlp, otlp/2], exporters: [store]}
          """, "service.pipelines.traces.receivers: \"otlp/2\" is not defined under receivers or connectors");
    }

    @Test
    void rejectsAPipelineReferencingAnUndefinedProcessor() {
      assertRejected("""
          receivers: {otlp: {}}
          exporters: {store: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], processors: [batch], exporters: [store]}
          """, "service.pipelines.traces.processors: \"batch\" is not defined under processors");
    }

    @Test
    void rejectsAPipelineReferencingAnUndefinedExporter() {
      assertRejected("""
          receivers: {otlp: {}}
          exporters: {store: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [store, store/archive]}
          """, "service.pipelines.traces.exporters: \"store/archive\" is not defined under exporters or connectors");
    }

    @Test
    void rejectsAPipelineWithoutReceivers() {
      assertRejected("""
          exporters: {store: {}}
          service:
            pipelines:
              traces: {receivers: [], exporters: [store]}
          """, "service.pipelines.traces.receivers: empty (expected: at least one receiver)");
    }

    @Test
    void rejectsAPipelineWithoutExporters() {
      assertRejected("""
          receivers: {otlp: {}}
          service:
            pipelines:
              traces: {receivers: [otlp]}
          """, "service.pipelines.traces.exporters: empty (expected: at least one exporter)");
    }

    @Test
    void rejectsAnEmptyPipeline() {
      assertRejected("""
          service:
            pipelines:
              traces:
          """, "service.pipelines.traces.receivers: empty (expected: at least one receiver)");
    }

    @Test
    void rejectsALogsPipeline() {
      assertRejected("""
          receivers: {otlp: {}}
          exporters: {store: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [store]}
              logs: {receivers: [otlp], exporters: [store]}
          """, "service.pipelines.logs: pipelines of type \"logs\" are not supported yet "
              + "(expected: traces, traces/<name>, metrics or metrics/<name>)");
    }

    @Test
    void rejectsAMetricsPipelineFedByAReceiver() {
      assertRejected("""
          receivers: {otlp: {}}
          exporters: {store: {}, capture: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [store]}
              metrics: {receivers: [otlp], exporters: [capture]}
          """, "service.pipelines.metrics.receivers: \"otlp\" is not a connector producing metrics "
              + "(expected: one of [counting, servicegraph, spanmetrics] defined under connectors)");
    }

    @Test
    void rejectsASpanExporterInAMetricsPipeline() {
      assertRejected("""
          receivers: {otlp: {}}
          exporters: {store: {}}
          connectors: {counting: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [counting]}
              metrics: {receivers: [counting], exporters: [store]}
          """, "service.pipelines.metrics.exporters: \"store\" is not a metrics exporter "
              + "(expected: one of [capture] defined under exporters)");
    }

    @Test
    void rejectsAMetricsExporterInATracesPipeline() {
      assertRejected("""
          receivers: {otlp: {}}
          exporters: {capture: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [capture]}
          """, "service.pipelines.traces.exporters: \"capture\" exports metrics "
              + "(expected: in the exporters of a metrics pipeline)");
    }

    @Test
    void rejectsAMetricsConnectorNoMetricsPipelineReads() {
      assertRejected("""
          receivers: {otlp: {}}
          connectors: {counting: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [counting]}
          """, "service.pipelines.traces.exporters: connector \"counting\" is the receiver of no pipeline "
              + "(expected: a metrics pipeline listing it under receivers)");
    }

    @Test
    void rejectsProcessorsInAMetricsPipeline() {
      assertRejected("""
          receivers: {otlp: {}}
          processors: {batch: {}}
          exporters: {capture: {}}
          connectors: {counting: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [counting]}
              metrics: {receivers: [counting], processors: [batch], exporters: [capture]}
          """, "service.pipelines.metrics.processors: [batch] (expected: none; metrics pipelines take no processors yet)");
    }

    @Test
    void rejectsAnUnknownKeyInAPipeline() {
      assertRejected("""
          receivers: {otlp: {}}
          exporters: {store: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [store], exporter: [store]}
          """, "service.pipelines.traces.exporter: unknown key (expected one of: exporters, processors, receivers)");
    }

    @Test
    void rejectsAnUnknownKeyInService() {
      assertRejected("""
          service:
            pipeline: {}
          """, "service.pipeline: unknown key (expected one of: extensions, ingest_queue, pipelines, telemetry)");
    }

    @Test
    void rejectsConnectorsThatFormACycle() {
      assertRejected("""
          receivers: {otlp: {}}
          exporters: {store: {}}
          connectors: {forward/ab: {}, forward/ba: {}}
          service:
            pipelines:
              traces/a: {receivers: [otlp, forward/ba], exporters: [forward/ab]}
              traces/b: {receivers: [forward/ab], exporters: [forward/ba, store]}
          """, "service.pipelines.traces/a: connectors form a cycle through this pipeline");
    }

    @Test
    void rejectsAConnectorThatFeedsItsOwnPipeline() {
      assertRejected("""
          receivers: {otlp: {}}
          exporters: {store: {}}
          connectors: {forward: {}}
          service:
            pipelines:
              traces: {receivers: [otlp, forward], exporters: [forward, store]}
          """, "service.pipelines.traces: connectors form a cycle through this pipeline");
    }

    @Test
    void rejectsACycleThatNoReceiverReaches() {
      assertRejected("""
          receivers: {otlp: {}}
          exporters: {store: {}}
          connectors: {forward/ab: {}, forward/ba: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [store]}
              traces/a: {receivers: [forward/ba], exporters: [forward/ab]}
              traces/b: {receivers: [forward/ab], exporters: [forward/ba]}
          """, "service.pipelines.traces/a: connectors form a cycle through this pipeline");
    }

    @Test
    void rejectsAConnectorThatNoPipelineReceivesFrom() {
      assertRejected("""
          receivers: {otlp: {}}
          exporters: {store: {}}
          connectors: {forward: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [store, forward]}
          """, "service.pipelines.traces.exporters: connector \"forward\" is the receiver of no pipeline "
              + "(expected: a pipeline listing it under receivers)");
    }

    @Test
    void rejectsAConnectorThatNoPipelineExportsTo() {
      assertRejected("""
          receivers: {otlp: {}}
          exporters: {store: {}}
          connectors: {forward: {}}
          service:
            pipelines:
              traces/a: {receivers: [otlp], exporters: [store]}
              traces/b: {receivers: [forward], exporters: [store]}
          """, "service.pipelines.traces/b.receivers: connector \"forward\" is the exporter of no pipeline "
              + "(expected: a pipeline listing it under exporters)");
    }

    @Test
    void namesTheKeyOfABadProcessorSetting() {
      assertRejected("""
          receivers: {otlp: {}}
          processors: {batch: {send_batch_size: -1}}
          exporters: {store: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], processors: [batch], exporters: [store]}
          """, "processors.batch.send_batch_size: -1 (expected: >= 0)");
    }

    @Test
    void rejectsSettingsOfTheForwardConnector() {
      assertRejected("""
          receivers: {otlp: {}}
          exporters: {store: {}}
          connectors: {forward: {fanout: true}}
          service:
            pipelines:
              traces/a: {receivers: [otlp], exporters: [forward]}
              traces/b: {receivers: [forward], exporters: [store]}
          """, "connectors.forward.fanout: unknown key (expected no keys)");
    }

    @Test
    void prefixesAFactorysIllegalArgumentWithTheComponentsPath() {
      ConfigNode root = yaml("""
          receivers: {otlp: {}}
          exporters: {remote: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [remote]}
          """);
      ComponentRegistry registry = registry().exporter("remote", node -> {
        throw new IllegalArgumentException("endpoint: missing (expected: host:port)");
      });

      assertThatThrownBy(() -> PipelineGraph.build(root, registry))
          .isInstanceOf(ConfigException.class)
          .hasMessage("exporters.remote: endpoint: missing (expected: host:port)");
    }
  }

  @Nested
  class MetricsPipelines {
    @Test
    void aMetricsExporterReadsWhatItsConnectorsCountedFromTraces() {
      PipelineGraph graph = build("""
          receivers: {otlp: {}}
          exporters: {store: {}, capture: {}}
          connectors: {counting: {}, counting/2: {}}
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [store, counting]}
              traces/2: {receivers: [otlp], exporters: [counting/2]}
              metrics: {receivers: [counting], exporters: [capture]}
              metrics/2: {receivers: [counting/2], exporters: [capture]}
          """);
      graph.start();

      awaitSuccess(graph.receiverEntry("otlp").consume(SPANS));

      assertThat(exporters.get("store").spans()).hasSize(3);
      assertThat(captured.get("capture").collect().stream().map(m -> m.getMetadata().getName()))
          .containsExactlyInAnyOrder("counting_spans", "counting_2_spans");
      assertThat(captured.get("capture").collect().stream()
          .map(m -> ((io.prometheus.metrics.model.snapshots.GaugeSnapshot) m).getDataPoints().get(0).getValue()))
          .containsExactly(3.0, 3.0);
      assertThat(graph.components(MetricsConnector.class)).hasSize(2);
      assertThat(graph).hasToString("pipelines{traces: [otlp] -> [] -> [store, counting], "
          + "traces/2: [otlp] -> [] -> [counting/2], metrics: [counting] -> [] -> [capture], "
          + "metrics/2: [counting/2] -> [] -> [capture]}");
    }
  }

  @Test
  void forwardConnectorPrintsItsType() {
    assertThat(new ForwardConnector()).hasToString("forward{}");
  }
}
