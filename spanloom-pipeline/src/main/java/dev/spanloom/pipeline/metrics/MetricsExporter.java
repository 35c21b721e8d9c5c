package dev.spanloom.pipeline.metrics;

import dev.spanloom.pipeline.Component;

/**
 * The end of a metrics pipeline. It is built with the {@link MetricsProducer} of every metrics
 * pipeline that lists it and reads it whenever it exports (for {@code prometheus}: per scrape).
 */
public interface MetricsExporter extends Component {}
