package dev.spanloom.pipeline;

/**
 * A connector, as in the Collector: an exporter at the end of one pipeline and a receiver at the
 * start of another (e.g. spanmetrics: traces in, metrics out). The graph asks it for its
 * exporter side once it knows what the receiving pipelines consume.
 */
public interface Connector extends Component {
  SpanExporter exporterFeeding(SpanConsumer downstream);
}
