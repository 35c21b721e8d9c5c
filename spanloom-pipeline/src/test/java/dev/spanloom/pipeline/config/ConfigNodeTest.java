package dev.spanloom.pipeline.config;

import static dev.spanloom.pipeline.TestConfigs.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigNodeTest {
  /** The node at {@code processors.batch} holding {@code key: value}. */
  private static ConfigNode batch(String key, Object value) {
    Map<String, Object> batch = new HashMap<>();
    batch.put(key, value);
    return ConfigNode.root(Map.of("processors", Map.of("batch", batch))).child("processors").child("batch");
  }

  @Nested
  class Paths {
    @Test
    void rootHasAnEmptyPath() {
      assertThat(ConfigNode.root(Map.of()).path()).isEmpty();
    }

    @Test
    void childPathsAreDotted() {
      ConfigNode node = yaml("exporters: {store: {retention: 1h}}").child("exporters").child("store");

      assertThat(node.path()).isEqualTo("exporters.store");
      assertThat(node.pathOf("retention")).isEqualTo("exporters.store.retention");
    }

    @Test
    void keysOfTheRootAreTheirOwnPaths() {
      assertThat(ConfigNode.root(Map.of()).pathOf("service")).isEqualTo("service");
    }

    @Test
    void absentChildIsAnEmptyNodeWithItsPath() {
      ConfigNode node = ConfigNode.root(Map.of()).child("connectors");

      assertThat(node.isEmpty()).isTrue();
      assertThat(node.path()).isEqualTo("connectors");
    }

    @Test
    void nullChildIsAnEmptyNode() {
      ConfigNode node = yaml("receivers:\n  otlp:\n").child("receivers").child("otlp");

      assertThat(node.isEmpty()).isTrue();
      assertThat(node.path()).isEqualTo("receivers.otlp");
    }

    @Test
    void nullDocumentIsAnEmptyRoot() {
      assertThat(ConfigNode.root(null).isEmpty()).isTrue();
    }

    @Test
    void rejectsChildThatIsNotAMapping() {
      ConfigNode receivers = yaml("receivers: otlp");

      assertThatThrownBy(() -> receivers.child("receivers"))
          .isInstanceOf(ConfigException.class)
          .hasMessage("receivers: \"otlp\" (expected: a mapping)");
    }

    @Test
    void keysKeepTheDocumentsOrder() {
      ConfigNode node = yaml("pipelines: {traces/b: {}, traces/a: {}, traces/c: {}}").child("pipelines");

      assertThat(node.keys()).containsExactly("traces/b", "traces/a", "traces/c");
    }

    @Test
    void nonStringKeysReadAsStrings() {
      ConfigNode node = yaml("codes: {200: ok, true: yes}").child("codes");

      assertThat(node.keys()).containsExactly("200", "true");
    }

    @Test
    void hasIsFalseForNullValues() {
      ConfigNode node = yaml("limit_mib:\nspike_limit_mib: 10");

      assertThat(node.has("limit_mib")).isFalse();
      assertThat(node.has("spike_limit_mib")).isTrue();
      assertThat(node.has("absent")).isFalse();
    }
  }

  @Nested
  class KnownKeys {
    @Test
    void acceptsOnlyKnownKeys() {
      ConfigNode node = batch("timeout", "1s");

      assertThat(node.requireKnownKeys(Set.of("timeout", "send_batch_size"))).isSameAs(node);
    }

    @Test
    void namesTheUnknownKeyByPathAndListsTheKnownOnesSorted() {
      ConfigNode node = batch("timout", "1s");

      assertThatThrownBy(() -> node.requireKnownKeys(Set.of("timeout", "send_batch_size", "send_batch_max_size")))
          .isInstanceOf(ConfigException.class)
          .hasMessage("processors.batch.timout: unknown key "
              + "(expected one of: send_batch_max_size, send_batch_size, timeout)");
    }

    @Test
    void saysNoKeysAreExpectedWhenNoneAre() {
      ConfigNode node = yaml("connectors: {forward: {fanout: true}}").child("connectors").child("forward");

      assertThatThrownBy(() -> node.requireKnownKeys(Set.of()))
          .isInstanceOf(ConfigException.class)
          .hasMessage("connectors.forward.fanout: unknown key (expected no keys)");
    }
  }

  @Nested
  class Scalars {
    @Test
    void readsStringsAndScalarsAsStrings() {
      ConfigNode node = yaml("endpoint: localhost:4317\nport: 4317\ntls: false");

      assertThat(node.string("endpoint", "")).isEqualTo("localhost:4317");
      assertThat(node.string("port", "")).isEqualTo("4317");
      assertThat(node.string("tls", "")).isEqualTo("false");
    }

    @Test
    void usesTheDefaultForAbsentOrNullValues() {
      ConfigNode node = yaml("endpoint:");

      assertThat(node.string("endpoint", "0.0.0.0:4317")).isEqualTo("0.0.0.0:4317");
      assertThat(node.bool("absent", true)).isTrue();
      assertThat(node.longValue("absent", 7)).isEqualTo(7);
      assertThat(node.intValue("absent", 8)).isEqualTo(8);
      assertThat(node.number("absent", 0.5)).isEqualTo(0.5);
      assertThat(node.duration("absent", Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
      assertThat(node.bytes("absent", 99)).isEqualTo(99);
    }

    @Test
    void rejectsAMappingWhereAStringIsExpected() {
      assertThatThrownBy(() -> batch("endpoint", Map.of("host", "x")).string("endpoint", ""))
          .isInstanceOf(ConfigException.class)
          .hasMessage("processors.batch.endpoint: a mapping (expected: a string)");
    }

    @Test
    void readsBooleansAndTheirStrings() {
      ConfigNode node = yaml("a: true\nb: \"false\"");

      assertThat(node.bool("a", false)).isTrue();
      assertThat(node.bool("b", true)).isFalse();
    }

    @Test
    void rejectsOtherValuesWhereABooleanIsExpected() {
      assertThatThrownBy(() -> batch("enabled", "yes please").bool("enabled", false))
          .isInstanceOf(ConfigException.class)
          .hasMessage("processors.batch.enabled: \"yes please\" (expected: true or false)");
    }

    @Test
    void readsIntegersAndTheirStrings() {
      ConfigNode node = yaml("a: 8192\nb: \" 42 \"\nc: 10000000000");

      assertThat(node.intValue("a", 0)).isEqualTo(8192);
      assertThat(node.longValue("b", 0)).isEqualTo(42);
      assertThat(node.longValue("c", 0)).isEqualTo(10_000_000_000L);
    }

    @Test
    void rejectsAFractionWhereAnIntegerIsExpected() {
      assertThatThrownBy(() -> batch("send_batch_size", 1.5).longValue("send_batch_size", 0))
          .isInstanceOf(ConfigException.class)
          .hasMessage("processors.batch.send_batch_size: 1.5 (expected: an integer)");
    }

    @Test
    void rejectsTextWhereAnIntegerIsExpected() {
      assertThatThrownBy(() -> batch("send_batch_size", "many").intValue("send_batch_size", 0))
          .isInstanceOf(ConfigException.class)
          .hasMessage("processors.batch.send_batch_size: \"many\" (expected: an integer)");
    }

    @Test
    void rejectsAnIntegerBeyond32BitsWhereAnIntIsExpected() {
      assertThatThrownBy(() -> batch("send_batch_size", 3_000_000_000L).intValue("send_batch_size", 0))
          .isInstanceOf(ConfigException.class)
          .hasMessage("processors.batch.send_batch_size: 3000000000 (expected: an integer that fits 32 bits)");
    }

    @Test
    void readsNumbersAndTheirStrings() {
      ConfigNode node = yaml("a: 0.25\nb: 3\nc: \"12.5\"");

      assertThat(node.number("a", 0)).isEqualTo(0.25);
      assertThat(node.number("b", 0)).isEqualTo(3.0);
      assertThat(node.number("c", 0)).isEqualTo(12.5);
    }

    @Test
    void rejectsTextWhereANumberIsExpected() {
      assertThatThrownBy(() -> batch("ratio", "half").number("ratio", 0))
          .isInstanceOf(ConfigException.class)
          .hasMessage("processors.batch.ratio: \"half\" (expected: a number)");
    }
  }

  @Nested
  class Durations {
    @ParameterizedTest
    @CsvSource({
      "200ms, PT0.2S",
      "10s, PT10S",
      "5m, PT5M",
      "1m30s, PT1M30S",
      "168h, PT168H",
      "1.5h, PT1H30M",
      "2.01s, PT2.01S",
      "0.3s, PT0.3S",
      "1h2m3s4ms5us6ns, PT1H2M3.004005006S",
      "750us, PT0.00075S",
      "750µs, PT0.00075S",
      "1500ns, PT0.0000015S",
      "0s, PT0S",
      "0, PT0S",
      "' 30s ', PT30S",
    })
    void readsGoDurations(String text, Duration expected) {
      assertThat(batch("timeout", text).duration("timeout", Duration.ZERO)).isEqualTo(expected);
    }

    @Test
    void readsTheNumberZeroAsZero() {
      assertThat(yaml("timeout: 0").duration("timeout", Duration.ofSeconds(1))).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "10", "1d", "5 s", "s", "1.5.3s", "-1s", "10S", "1h 30m", "200ms!"})
    void rejectsTextThatIsNotAGoDuration(String text) {
      assertThatThrownBy(() -> batch("timeout", text).duration("timeout", Duration.ZERO))
          .isInstanceOf(ConfigException.class)
          .hasMessage("processors.batch.timeout: \"" + text + "\" (expected: a duration such as 200ms, 10s, 5m or 168h)");
    }

    @Test
    void rejectsANonZeroNumberWithoutUnit() {
      assertThatThrownBy(() -> batch("timeout", 5).duration("timeout", Duration.ZERO))
          .isInstanceOf(ConfigException.class)
          .hasMessage("processors.batch.timeout: 5 (expected: a duration such as 200ms, 10s, 5m or 168h)");
    }

    @Test
    void rejectsADurationBeyondWhatNanosecondsCanHold() {
      assertThatThrownBy(() -> batch("retention", "3000000h").duration("retention", Duration.ZERO))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("processors.batch.retention: \"3000000h\"");
    }
  }

  @Nested
  class ByteSizes {
    @ParameterizedTest
    @CsvSource({
      "64MiB, 67108864",
      "20MB, 20000000",
      "512KiB, 524288",
      "1GiB, 1073741824",
      "2TB, 2000000000000",
      "1TiB, 1099511627776",
      "64mib, 67108864",
      "64Mi, 67108864",
      "64M, 64000000",
      "64 MiB, 67108864",
      "1.5KiB, 1536",
      "2.01KB, 2010",
      "100B, 100",
      "1024, 1024",
    })
    void readsSizesWithUnits(String text, long expected) {
      assertThat(batch("max_bytes", text).bytes("max_bytes", 0)).isEqualTo(expected);
    }

    @Test
    void readsAPlainNumberAsBytes() {
      assertThat(yaml("max_bytes: 1024").bytes("max_bytes", 0)).isEqualTo(1024);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "lots", "MiB", "-5MB", "64XB", "64MiBs", "99999999999TiB"})
    void rejectsTextThatIsNotASize(String text) {
      assertThatThrownBy(() -> batch("max_bytes", text).bytes("max_bytes", 0))
          .isInstanceOf(ConfigException.class)
          .hasMessage("processors.batch.max_bytes: \"" + text + "\" (expected: a size in bytes such as 1048576, 64MiB or 20MB)");
    }

    @Test
    void rejectsAFractionalNumberWithoutUnit() {
      assertThatThrownBy(() -> batch("max_bytes", 1.5).bytes("max_bytes", 0))
          .isInstanceOf(ConfigException.class)
          .hasMessage("processors.batch.max_bytes: 1.5 (expected: a size in bytes such as 1048576, 64MiB or 20MB)");
    }
  }

  @Nested
  class Lists {
    @Test
    void readsStringLists() {
      ConfigNode node = yaml("receivers: [otlp, jaeger/thrift, 42]");

      assertThat(node.stringList("receivers")).containsExactly("otlp", "jaeger/thrift", "42");
    }

    @Test
    void readsAnAbsentListAsEmpty() {
      assertThat(yaml("{}").stringList("receivers")).isEmpty();
      assertThat(yaml("{}").nodeList("policies")).isEmpty();
    }

    @Test
    void rejectsAStringWhereAListIsExpected() {
      ConfigNode pipeline = yaml("service: {pipelines: {traces: {receivers: otlp}}}")
          .child("service").child("pipelines").child("traces");

      assertThatThrownBy(() -> pipeline.stringList("receivers"))
          .isInstanceOf(ConfigException.class)
          .hasMessage("service.pipelines.traces.receivers: \"otlp\" (expected: a list)");
    }

    @Test
    void namesTheBadElementOfAStringListByIndex() {
      ConfigNode pipeline = yaml("service: {pipelines: {traces: {receivers: [otlp, {jaeger: {}}]}}}")
          .child("service").child("pipelines").child("traces");

      assertThatThrownBy(() -> pipeline.stringList("receivers"))
          .isInstanceOf(ConfigException.class)
          .hasMessage("service.pipelines.traces.receivers[1]: a mapping (expected: a string)");
    }

    @Test
    void givesEachNodeOfANodeListItsIndexedPath() {
      ConfigNode tailSampling = yaml("""
          processors:
            tail_sampling:
              policies:
                - {name: errors, type: status_code}
                - {name: slow, type: latency}
                - {name: rest, type: probabilistic}
          """).child("processors").child("tail_sampling");

      List<ConfigNode> policies = tailSampling.nodeList("policies");

      assertThat(policies).extracting(ConfigNode::path).containsExactly(
          "processors.tail_sampling.policies[0]",
          "processors.tail_sampling.policies[1]",
          "processors.tail_sampling.policies[2]");
      assertThat(policies.get(2).string("name", "")).isEqualTo("rest");
      assertThat(policies.get(2).pathOf("type")).isEqualTo("processors.tail_sampling.policies[2].type");
    }

    @Test
    void namesTheKeyOfAListNodeInItsErrors() {
      ConfigNode policy = yaml("a: {b: [{}, {}, {threshold_ms: soon}]}").child("a").nodeList("b").get(2);

      assertThatThrownBy(() -> policy.longValue("threshold_ms", 0))
          .isInstanceOf(ConfigException.class)
          .hasMessage("a.b[2].threshold_ms: \"soon\" (expected: an integer)");
    }

    @Test
    void rejectsANodeListElementThatIsNotAMapping() {
      ConfigNode a = yaml("a: {b: [{}, {}, errors]}").child("a");

      assertThatThrownBy(() -> a.nodeList("b"))
          .isInstanceOf(ConfigException.class)
          .hasMessage("a.b[2]: \"errors\" (expected: a mapping)");
    }

    @Test
    void rejectsAMappingWhereANodeListIsExpected() {
      ConfigNode a = yaml("a: {b: {name: x}}").child("a");

      assertThatThrownBy(() -> a.nodeList("b"))
          .isInstanceOf(ConfigException.class)
          .hasMessage("a.b: a mapping (expected: a list)");
    }
  }

  @Test
  void invalidFormsTheHouseErrorMessage() {
    ConfigNode node = yaml("tail_sampling: {}").child("tail_sampling");

    assertThat(node.invalid("decision_wait", "-1s", "> 0s"))
        .hasMessage("tail_sampling.decision_wait: \"-1s\" (expected: > 0s)");
  }

  @Test
  void toStringShowsPathAndKeys() {
    assertThat(yaml("a: {x: 1, y: 2}").child("a")).hasToString("a[x, y]");
    assertThat(ConfigNode.root(Map.of())).hasToString("<root>[]");
  }

  @Nested
  class DurationLists {
    @Test
    void readsGoDurations() {
      assertThat(yaml("buckets: [5ms, 2.5s, 1m]").durationList("buckets"))
          .containsExactly(Duration.ofMillis(5), Duration.ofMillis(2500), Duration.ofMinutes(1));
    }

    @Test
    void absentIsEmpty() {
      assertThat(yaml("a: 1").durationList("buckets")).isEmpty();
    }

    @Test
    void namesTheElementThatIsNoDuration() {
      assertThatThrownBy(() -> yaml("h: {buckets: [5ms, soon]}").child("h").durationList("buckets"))
          .hasMessage("h.buckets[1]: \"soon\" (expected: a duration such as 5ms or 2.5s)");
    }

    @Test
    void refusesAMapping() {
      assertThatThrownBy(() -> yaml("buckets: {a: 1}").durationList("buckets"))
          .hasMessage("buckets: a mapping (expected: a list of durations such as [5ms, 2.5s])");
    }
  }
}
