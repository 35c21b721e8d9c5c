package dev.spanloom.server.sampling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.sampling.remote.SamplingStrategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Jaeger's sampling strategies file: {@code service_strategies} (each with {@code service},
 * {@code type} {@code probabilistic} or {@code ratelimiting}, {@code param} and optional {@code
 * operation_strategies}) and a {@code default_strategy}. A service with operation strategies is
 * answered per operation, its own probability being the default. Without {@code
 * default_strategy} the default is probabilistic {@code default_sampling_probability} (0.001, as
 * Jaeger).
 */
final class SamplingStrategiesFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, SamplingStrategy> byService;
  private final SamplingStrategy defaultStrategy;
  private final String source;

  private SamplingStrategiesFile(Map<String, SamplingStrategy> byService, SamplingStrategy defaultStrategy, String source) {
    this.byService = byService;
    this.defaultStrategy = defaultStrategy;
    this.source = source;
  }

  static SamplingStrategiesFile load(Path path, String configPath, double defaultProbability) {
    String text;
    try {
      text = Files.readString(path);
    } catch (IOException e) {
      throw new ConfigException(configPath + ": cannot read " + path + " (" + e.getMessage() + ")");
    }
    return parse(text, path.toString(), defaultProbability);
  }

  static SamplingStrategiesFile parse(String json, String source, double defaultProbability) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ConfigException(source + ": not valid JSON (" + e.getOriginalMessage() + ")");
    }
    SamplingStrategy fallback = SamplingStrategy.probabilistic(defaultProbability);
    SamplingStrategy def = root.has("default_strategy") ? strategy(root.get("default_strategy"), source + ": default_strategy", fallback) : fallback;
    Map<String, SamplingStrategy> byService = new HashMap<>();
    JsonNode services = root.path("service_strategies");
    for (int i = 0; i < services.size(); i++) {
      JsonNode s = services.get(i);
      String where = source + ": service_strategies[" + i + "]";
      String service = s.path("service").asText("");
      if (service.isEmpty()) throw new ConfigException(where + ".service: missing (expected: a service name)");
      byService.put(service, strategy(s, where, def));
    }
    return new SamplingStrategiesFile(Map.copyOf(byService), def, source);
  }

  private static SamplingStrategy strategy(JsonNode node, String where, SamplingStrategy inherited) {
    String type = node.path("type").asText("");
    double param = node.path("param").asDouble(Double.NaN);
    SamplingStrategy own;
    try {
      own = switch (type) {
        case "probabilistic" -> SamplingStrategy.probabilistic(param);
        case "ratelimiting" -> SamplingStrategy.rateLimiting(param);
        case "" -> inherited;
        default -> throw new ConfigException(where + ".type: \"" + type + "\" (expected: probabilistic or ratelimiting)");
      };
    } catch (IllegalArgumentException e) {
      throw new ConfigException(where + "." + e.getMessage());
    }
    JsonNode ops = node.path("operation_strategies");
    if (ops.isEmpty()) return own;
    Map<String, Double> perOp = new LinkedHashMap<>();
    for (int j = 0; j < ops.size(); j++) {
      JsonNode op = ops.get(j);
      String name = op.path("operation").asText("");
      String opType = op.path("type").asText("");
      double p = op.path("param").asDouble(Double.NaN);
      if (name.isEmpty() || !opType.equals("probabilistic") || !(p >= 0 && p <= 1)) {
        throw new ConfigException(where + ".operation_strategies[" + j + "]: " + op
            + " (expected: operation, type probabilistic and param 0 to 1; Jaeger supports only probabilistic per operation)");
      }
      perOp.put(name, p);
    }
    double defaultP = own.type() == SamplingStrategy.Type.PROBABILISTIC ? own.param() : inherited.param();
    return SamplingStrategy.perOperation(defaultP, perOp, 0);
  }

  SamplingStrategy strategy(String service) {
    return byService.getOrDefault(service, defaultStrategy);
  }

  @Override
  public String toString() {
    return "file{" + source + ", services=" + byService.size() + "}";
  }
}
