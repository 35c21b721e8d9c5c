package dev.spanloom.pipeline;

/** The end of a traces pipeline: stores or forwards spans. */
public interface SpanExporter extends Component, SpanConsumer {}
