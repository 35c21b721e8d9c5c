package dev.spanloom.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.config.ConfigNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Spanloom's configuration: one YAML document in the OpenTelemetry Collector's shape
 * ({@code receivers}, {@code processors}, {@code exporters}, {@code connectors}, {@code service})
 * plus Grafana Tempo's ({@code server}, {@code distributor}, {@code storage}, {@code compactor},
 * {@code query_frontend}, ...). A Tempo-shaped file without {@code service} gets the pipeline
 * Tempo implies: its {@code distributor.receivers} into the store. Parsed and checked once at
 * start; each component then reads its own section.
 */
public final class SpanloomConfig {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> TOP_LEVEL = Set.of(
      // OpenTelemetry Collector
      "receivers", "processors", "exporters", "connectors", "extensions", "service",
      // Spanloom's own: the query ports of other ecosystems (Jaeger 16686, Zipkin 9411), SLOs
      "query", "slo",
      // Grafana Tempo
      "server", "distributor", "ingester", "querier", "query_frontend", "compactor", "storage",
      "metrics_generator", "overrides", "memberlist", "usage_report", "stream_over_http_enabled",
      "multitenancy_enabled", "target");

  private final ConfigNode root;
  private final String source;

  private SpanloomConfig(ConfigNode root, String source) {
    this.root = root;
    this.source = source;
  }

  /** The built-in all-in-one configuration. */
  public static SpanloomConfig defaults() {
    return parse(resource("/default-config.yaml"), "built-in default");
  }

  /** The built-in configuration plus SLOs for the demo shop's services ({@code demo-slo.yaml}). */
  public static SpanloomConfig demoDefaults() {
    return parse(resource("/default-config.yaml") + resource("/demo-slo.yaml"), "built-in default with the demo's SLOs");
  }

  private static String resource(String name) {
    try (InputStream in = SpanloomConfig.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static SpanloomConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("--config: " + file + " does not exist (expected: a readable YAML file)");
    } catch (IOException e) {
      throw new ConfigException("--config: cannot read " + file + ": " + e.getMessage());
    }
    return parse(text, file.toString());
  }

  /** Parses a YAML document; {@code source} names it in messages. */
  @SuppressWarnings("unchecked")
  public static SpanloomConfig parse(String yaml, String source) {
    Object doc;
    try {
      doc = YAML.readValue(yaml, Object.class);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new ConfigException(source + ": not valid YAML" + where + ": " + e.getOriginalMessage());
    }
    if (doc != null && !(doc instanceof Map)) {
      throw new ConfigException(source + ": the document is not a mapping (expected: keys such as receivers, service, server)");
    }
    Map<String, Object> map = doc == null ? new LinkedHashMap<>() : new LinkedHashMap<>((Map<String, Object>) doc);
    ConfigNode.root(map).requireKnownKeys(TOP_LEVEL);
    if (!map.containsKey("service")) tempoPipeline(map, source);
    return new SpanloomConfig(ConfigNode.root(map), source);
  }

  // Tempo has no pipelines: what its distributor receives goes to storage.
  @SuppressWarnings("unchecked")
  private static void tempoPipeline(Map<String, Object> map, String source) {
    Object receivers = map.get("receivers");
    if (receivers == null) {
      Object distributor = map.get("distributor");
      if (distributor instanceof Map<?, ?> d) receivers = d.get("receivers");
    }
    if (!(receivers instanceof Map<?, ?> r) || r.isEmpty()) {
      throw new ConfigException(source + ": no pipelines: neither service.pipelines nor distributor.receivers is set");
    }
    map.put("receivers", receivers);
    map.putIfAbsent("processors", Map.of("batch", Map.of()));
    map.putIfAbsent("exporters", Map.of("store", Map.of()));
    List<String> receiverIds = new ArrayList<>(((Map<String, Object>) r).keySet());
    map.put("service", Map.of("pipelines", Map.of("traces", Map.of(
        "receivers", receiverIds, "processors", List.of("batch"), "exporters", List.of("store")))));
  }

  public ConfigNode root() {
    return root;
  }

  public String source() {
    return source;
  }

  /** Tempo's {@code server.http_listen_address}/{@code http_listen_port}: the query API. */
  public Endpoint queryEndpoint() {
    ConfigNode server = root.child("server");
    int port = server.intValue("http_listen_port", 3200);
    if (port < 0 || port > 65535) throw server.invalid("http_listen_port", port, "0 to 65535");
    return new Endpoint(server.string("http_listen_address", "0.0.0.0"), port);
  }

  /** {@code query.jaeger.endpoint}: Jaeger's query API (JSON and api_v3), 0.0.0.0:16686 by default. */
  public Endpoint jaegerQueryEndpoint() {
    return ecosystemQueryEndpoint("jaeger", "0.0.0.0:16686");
  }

  /**
   * {@code query.zipkin.endpoint}: Zipkin's v2 read API, 0.0.0.0:9411 by default. A zipkin
   * receiver on the same endpoint shares its server, as on a Zipkin server.
   */
  public Endpoint zipkinQueryEndpoint() {
    return ecosystemQueryEndpoint("zipkin", "0.0.0.0:9411");
  }

  private Endpoint ecosystemQueryEndpoint(String ecosystem, String defaultEndpoint) {
    ConfigNode node = root.child("query").requireKnownKeys(Set.of("jaeger", "zipkin"))
        .child(ecosystem).requireKnownKeys(Set.of("endpoint"));
    return Endpoint.parse(node.pathOf("endpoint"), node.string("endpoint", defaultEndpoint));
  }

  /** The {@code slo:} section: objectives, burn-rate alerts, webhook. */
  public dev.spanloom.server.slo.SloConfig slo() {
    return dev.spanloom.server.slo.SloConfig.parse(root.child("slo"));
  }

  /** {@code service.ingest_queue}: Spanloom's bound on what ingest holds in memory. */
  public ConfigNode ingestQueue() {
    return root.child("service").child("ingest_queue").requireKnownKeys(Set.of("max_bytes", "workers"));
  }

  /** {@code storage.trace}, Tempo's storage section. */
  public ConfigNode storage() {
    return root.child("storage").child("trace");
  }

  public Duration shutdownTimeout() {
    return Duration.ofSeconds(10);
  }

  @Override
  public String toString() {
    return "SpanloomConfig{" + source + "}";
  }
}
