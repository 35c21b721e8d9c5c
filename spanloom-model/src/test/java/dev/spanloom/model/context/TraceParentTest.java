package dev.spanloom.model.context;

import static dev.spanloom.model.context.TraceContextExamples.PARENT_ID;
import static dev.spanloom.model.context.TraceContextExamples.SUITE_PARENT_ID;
import static dev.spanloom.model.context.TraceContextExamples.SUITE_TRACE_ID;
import static dev.spanloom.model.context.TraceContextExamples.TRACEPARENT_CONGO;
import static dev.spanloom.model.context.TraceContextExamples.TRACEPARENT_NOT_SAMPLED;
import static dev.spanloom.model.context.TraceContextExamples.TRACEPARENT_SAMPLED;
import static dev.spanloom.model.context.TraceContextExamples.TRACE_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.SpanId;
import dev.spanloom.model.TraceId;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TraceParentTest {
  private static final String SUITE_HEADER = "00-" + SUITE_TRACE_ID + "-" + SUITE_PARENT_ID + "-01";

  @Test
  void parsesTheRecommendationsSampledExample() {
    assertThat(TraceParent.parse(TRACEPARENT_SAMPLED))
        .contains(new TraceParent(0, TRACE_ID, PARENT_ID, 0x01));
    assertThat(TraceParent.parse(TRACEPARENT_SAMPLED).orElseThrow().sampled()).isTrue();
  }

  @Test
  void parsesTheRecommendationsNotSampledExample() {
    TraceParent parent = TraceParent.parse(TRACEPARENT_NOT_SAMPLED).orElseThrow();

    assertThat(parent.flags()).isZero();
    assertThat(parent.sampled()).isFalse();
  }

  @Test
  void parsesTheWalkThroughExample() {
    TraceParent parent = TraceParent.parse(TRACEPARENT_CONGO).orElseThrow();

    assertThat(parent.traceId().toHex()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(parent.parentId().toHex()).isEqualTo("b7ad6b7169203331");
    assertThat(parent.sampled()).isTrue();
  }

  @Test
  void formatsAsVersion00() {
    assertThat(TraceParent.of(TRACE_ID, PARENT_ID, TraceParent.FLAG_SAMPLED).format())
        .isEqualTo(TRACEPARENT_SAMPLED);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        TRACEPARENT_SAMPLED,
        TRACEPARENT_NOT_SAMPLED,
        TRACEPARENT_CONGO,
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03",
        "00-00000000000000000000000000000001-0000000000000001-00",
        "00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-01"
      })
  void roundTripsCanonicalHeaders(String header) {
    assertThat(TraceParent.parse(header).orElseThrow().format()).isEqualTo(header);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {" ", "\t", "-", "00", "00-"})
  void ignoresNullEmptyOrBlankHeaders(String header) {
    assertThat(TraceParent.parse(header)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e473A-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
        "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "CC-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
      })
  void ignoresUppercaseHex(String header) {
    assertThat(TraceParent.parse(header)).isEmpty();
  }

  @Test
  void ignoresAllZeroTraceId() {
    assertThat(TraceParent.parse("00-00000000000000000000000000000000-" + SUITE_PARENT_ID + "-01"))
        .isEmpty();
  }

  @Test
  void ignoresAllZeroParentId() {
    assertThat(TraceParent.parse("00-" + SUITE_TRACE_ID + "-0000000000000000-01")).isEmpty();
  }

  @Test
  void ignoresVersionFf() {
    assertThat(TraceParent.parse("ff-" + SUITE_TRACE_ID + "-" + SUITE_PARENT_ID + "-01")).isEmpty();
    assertThat(TraceParent.parse("ff-" + SUITE_TRACE_ID + "-" + SUITE_PARENT_ID + "-01-future"))
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {".", "-what-the-future-will-be-like", "-", "0", " x"})
  void ignoresVersion00WithExtraCharacters(String suffix) {
    assertThat(TraceParent.parse(SUITE_HEADER + suffix)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0-12345678901234567890123456789012-1234567890123456-01",
        "000-12345678901234567890123456789012-1234567890123456-01",
        "0000-12345678901234567890123456789012-1234567890123456-01",
        "00-1234567890123456789012345678901-1234567890123456-01",
        "00-123456789012345678901234567890123-1234567890123456-01",
        "00-12345678901234567890123456789012-123456789012345-01",
        "00-12345678901234567890123456789012-12345678901234567-01",
        "00-12345678901234567890123456789012-1234567890123456-1",
        "00-12345678901234567890123456789012-1234567890123456-001",
        "00-12345678901234567890123456789012-1234567890123456"
      })
  void ignoresFieldsOfTheWrongLength(String header) {
    assertThat(TraceParent.parse(header)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        ".0-12345678901234567890123456789012-1234567890123456-01",
        "0.-12345678901234567890123456789012-1234567890123456-01",
        "00-.2345678901234567890123456789012-1234567890123456-01",
        "00-1234567890123456789012345678901.-1234567890123456-01",
        "00-1234567890123456789012345678901g-1234567890123456-01",
        "00-12345678901234567890123456789012-.234567890123456-01",
        "00-12345678901234567890123456789012-123456789012345.-01",
        "00-12345678901234567890123456789012-1234567890123456-.0",
        "00-12345678901234567890123456789012-1234567890123456-0.",
        "00-1234567890123456789012345678901é-1234567890123456-01",
        "00-12345678901234567890123456789012-１234567890123456-01",
        "00-+2345678901234567890123456789012-1234567890123456-01",
        "00-12345678901234567890123456789012-1234567890123456-+1"
      })
  void ignoresNonHexCharacters(String header) {
    assertThat(TraceParent.parse(header)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "00_12345678901234567890123456789012-1234567890123456-01",
        "00-12345678901234567890123456789012_1234567890123456-01",
        "00-12345678901234567890123456789012-1234567890123456_01",
        "00 12345678901234567890123456789012 1234567890123456 01"
      })
  void ignoresMissingDashes(String header) {
    assertThat(TraceParent.parse(header)).isEmpty();
  }

  @Test
  void acceptsAFutureVersionOfTheSameShape() {
    TraceParent parent =
        TraceParent.parse("cc-" + SUITE_TRACE_ID + "-" + SUITE_PARENT_ID + "-01").orElseThrow();

    assertThat(parent.version()).isEqualTo(0xcc);
    assertThat(parent.traceId().toHex()).isEqualTo(SUITE_TRACE_ID);
    assertThat(parent.parentId().toHex()).isEqualTo(SUITE_PARENT_ID);
  }

  @Test
  void acceptsAFutureVersionWithExtraFieldsAfterADash() {
    assertThat(
            TraceParent.parse(
                "cc-" + SUITE_TRACE_ID + "-" + SUITE_PARENT_ID + "-01-what-the-future-will-be-like"))
        .map(TraceParent::traceId)
        .map(TraceId::toHex)
        .contains(SUITE_TRACE_ID);
  }

  @ParameterizedTest
  @ValueSource(strings = {".what-the-future-will-be-like", "1", "x"})
  void ignoresAFutureVersionWhoseExtraDataDoesNotStartWithADash(String suffix) {
    assertThat(TraceParent.parse("cc-" + SUITE_TRACE_ID + "-" + SUITE_PARENT_ID + "-01" + suffix))
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "cc-12345678901234567890123456789012-1234567890123456-0",
        "cc-1234567890123456789012345678901-1234567890123456-01-xx",
        "cc-00000000000000000000000000000000-1234567890123456-01",
        "cc-12345678901234567890123456789012-0000000000000000-01",
        "cc-12345678901234567890123456789012-1234567890123456-0G-xx"
      })
  void parsesTheKnownPartOfAFutureVersionAsStrictlyAsVersion00(String header) {
    assertThat(TraceParent.parse(header)).isEmpty();
  }

  @Test
  void downgradesAFutureVersionTo00WhenFormatting() {
    TraceParent parent =
        TraceParent.parse("cc-" + SUITE_TRACE_ID + "-" + SUITE_PARENT_ID + "-01-extra").orElseThrow();

    assertThat(parent.format()).isEqualTo(SUITE_HEADER);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        " " + SUITE_HEADER,
        "\t" + SUITE_HEADER,
        SUITE_HEADER + " ",
        SUITE_HEADER + "\t",
        "\t " + SUITE_HEADER + " \t"
      })
  void acceptsOptionalWhitespaceAroundTheValue(String header) {
    assertThat(TraceParent.parse(header).orElseThrow().format()).isEqualTo(SUITE_HEADER);
  }

  @Test
  void keepsUnknownFlagsWhenParsingButWritesThemAsZero() {
    TraceParent parent = TraceParent.parse("00-" + SUITE_TRACE_ID + "-" + SUITE_PARENT_ID + "-ff")
        .orElseThrow();

    assertThat(parent.flags()).isEqualTo(0xff);
    assertThat(parent.format()).endsWith("-03");
  }

  @Test
  void readsTheSampledFlagAsABitNotAsANumber() {
    assertThat(parse("09").sampled()).isTrue(); // the Recommendation's own example
    assertThat(parse("08").sampled()).isFalse();
  }

  @Test
  void readsTheLevel2RandomFlag() {
    assertThat(parse("02").random()).isTrue();
    assertThat(parse("02").sampled()).isFalse();
    assertThat(parse("01").random()).isFalse();
  }

  @Test
  void readsOnlyTheFirst56CharactersOfAHugeFutureHeader() {
    String huge = "cc-" + SUITE_TRACE_ID + "-" + SUITE_PARENT_ID + "-01-" + "x".repeat(10_000_000);

    assertThat(TraceParent.parse(huge)).isPresent();
    assertThat(TraceParent.parse("00" + huge.substring(2))).isEmpty();
    assertThat(TraceParent.parse(" ".repeat(10_000_000))).isEmpty();
  }

  @Test
  void neverThrowsOnMangledHeaders() {
    Random random = new Random(235);
    char[] alphabet = "0123456789abcdefABCDEF-_ \t.ÿ\u0000".toCharArray();
    for (int i = 0; i < 100_000; i++) {
      char[] header = SUITE_HEADER.toCharArray();
      for (int m = random.nextInt(3); m >= 0; m--) {
        header[random.nextInt(header.length)] = alphabet[random.nextInt(alphabet.length)];
      }
      int length = random.nextInt(4) == 0 ? random.nextInt(header.length + 1) : header.length;
      String mangled = new String(header, 0, length);

      Optional<TraceParent> parsed = TraceParent.parse(mangled);

      // Whatever is accepted formats to a version 00 header with the same IDs and known flags.
      parsed.ifPresent(
          p ->
              assertThat(TraceParent.parse(p.format()))
                  .contains(
                      TraceParent.of(
                          p.traceId(), p.parentId(), p.flags() & TraceParent.KNOWN_FLAGS)));
    }
  }

  @Test
  void rejectsAnAllZeroTraceIdFromProgrammers() {
    assertThatThrownBy(() -> TraceParent.of(TraceId.INVALID, PARENT_ID, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("traceId: 00000000000000000000000000000000 (expected: not all zero)");
  }

  @Test
  void rejectsAnAllZeroParentIdFromProgrammers() {
    assertThatThrownBy(() -> TraceParent.of(TRACE_ID, SpanId.INVALID, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("parentId: 0000000000000000 (expected: not all zero)");
  }

  @Test
  void rejectsVersionFfAndOutOfRangeFlagsFromProgrammers() {
    assertThatThrownBy(() -> new TraceParent(0xff, TRACE_ID, PARENT_ID, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("version: 255 (expected: 0-254)");
    assertThatThrownBy(() -> TraceParent.of(TRACE_ID, PARENT_ID, 0x100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("flags: 256 (expected: 0-255)");
  }

  private static TraceParent parse(String flags) {
    return TraceParent.parse("00-" + SUITE_TRACE_ID + "-" + SUITE_PARENT_ID + "-" + flags)
        .orElseThrow();
  }
}
