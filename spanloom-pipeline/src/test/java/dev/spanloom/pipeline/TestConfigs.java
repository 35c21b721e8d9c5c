package dev.spanloom.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.spanloom.pipeline.config.ConfigNode;
import java.io.UncheckedIOException;
import java.util.Map;

/** Configuration written as users write it, in YAML, read the way the server reads it. */
public final class TestConfigs {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private TestConfigs() {}

  /** The root node of a YAML document. */
  @SuppressWarnings("unchecked")
  public static ConfigNode yaml(String document) {
    try {
      return ConfigNode.root(YAML.readValue(document, Map.class));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
