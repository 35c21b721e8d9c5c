package dev.spanloom.pipeline.connector;

import dev.spanloom.pipeline.Connector;
import dev.spanloom.pipeline.SpanConsumer;
import dev.spanloom.pipeline.SpanExporter;
import dev.spanloom.pipeline.config.ConfigNode;
import java.util.Set;

/** The Collector's {@code forward} connector: passes spans from one traces pipeline to others. */
public final class ForwardConnector implements Connector {
  public static final String TYPE = "forward";

  public static ForwardConnector fromConfig(ConfigNode config) {
    config.requireKnownKeys(Set.of());
    return new ForwardConnector();
  }

  @Override
  public SpanExporter exporterFeeding(SpanConsumer downstream) {
    return downstream::consume;
  }

  @Override
  public String toString() {
    return "forward{}";
  }
}
