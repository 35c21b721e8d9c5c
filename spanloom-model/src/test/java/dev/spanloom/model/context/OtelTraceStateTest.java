package dev.spanloom.model.context;

import static dev.spanloom.model.context.OtelTraceState.MAX_THRESHOLD;
import static dev.spanloom.model.context.TraceContextExamples.TRACEPARENT_SAMPLED;
import static dev.spanloom.model.context.TraceContextExamples.TRACESTATE_ROJO_CONGO;
import static dev.spanloom.model.context.TraceContextExamples.TRACE_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.spanloom.model.TraceId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class OtelTraceStateTest {
  private static final long RV = 0x1a2b3c4d5e6f70L;

  @Test
  void readsThresholdAndRandomValue() {
    OtelTraceState ot = OtelTraceState.parse("th:c;rv:1a2b3c4d5e6f70");

    assertThat(ot.threshold()).hasValue(0xc0_0000_0000_0000L);
    assertThat(ot.randomValue()).hasValue(RV);
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0x0",
    "8, 0x80000000000000",
    "c, 0xc0000000000000",
    "fd70a4, 0xfd70a400000000",
    "00000000000001, 0x1",
    "ffffffffffffff, 0xffffffffffffff"
  })
  void padsTheThresholdWithZerosTo56Bits(String th, String expected) {
    assertThat(OtelTraceState.parse("th:" + th).threshold()).hasValue(Long.decode(expected));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "th:c;rv:1a2b3c4d5e6f70",
        "rv:1a2b3c4d5e6f70;th:8",
        "th:8;xx:yy",
        "xx:yy;th:8;zz:1.2_3-A",
        "th:0",
        "rv:00000000000000"
      })
  void roundTripsCanonicalValuesKeepingTheirOrder(String value) {
    assertThat(OtelTraceState.parse(value).format()).isEqualTo(value);
  }

  @Test
  void keepsUnknownSubFields() {
    OtelTraceState ot = OtelTraceState.parse("th:8;xx:yy");

    assertThat(ot.threshold()).hasValue(0x80_0000_0000_0000L);
    assertThat(ot.withThreshold(0xc0_0000_0000_0000L).format()).isEqualTo("th:c;xx:yy");
  }

  @Test
  void replacesAThresholdInItsPlace() {
    assertThat(OtelTraceState.parse("xx:yy;th:8;zz:1").withThreshold(0).format())
        .isEqualTo("xx:yy;th:0;zz:1");
  }

  @Test
  void appendsANewThresholdOrRandomValue() {
    OtelTraceState ot = OtelTraceState.parse("xx:yy").withThreshold(0xc0_0000_0000_0000L);

    assertThat(ot.format()).isEqualTo("xx:yy;th:c");
    assertThat(ot.withRandomValue(RV).format()).isEqualTo("xx:yy;th:c;rv:1a2b3c4d5e6f70");
  }

  @Test
  void writesTheThresholdWithoutTrailingZeros() {
    assertThat(OtelTraceState.EMPTY.withThreshold(0x80_0000_0000_0000L).format())
        .isEqualTo("th:8");
    assertThat(OtelTraceState.EMPTY.withThreshold(0xfd_70a4_0000_0000L).format())
        .isEqualTo("th:fd70a4");
    assertThat(OtelTraceState.parse("th:80").format()).isEqualTo("th:8");
    assertThat(OtelTraceState.parse("th:00000000000000").format()).isEqualTo("th:0");
  }

  @Test
  void writesTheRandomValueWithAll14Digits() {
    assertThat(OtelTraceState.EMPTY.withRandomValue(1).format()).isEqualTo("rv:00000000000001");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "th:",
        "th:C",
        "th:8A",
        "th:123456789abcdef",
        "th:g",
        "th:-1",
        "th:0x8",
        "th:8;th:c",
        "th:8;th:8"
      })
  void treatsAnInvalidOrRepeatedThresholdAsAbsentButKeepsTheOtherFields(String th) {
    OtelTraceState ot = OtelTraceState.parse(th + ";xx:yy;rv:1a2b3c4d5e6f70");

    assertThat(ot.threshold()).isEmpty();
    assertThat(ot.randomValue()).hasValue(RV);
    assertThat(ot.format()).isEqualTo("xx:yy;rv:1a2b3c4d5e6f70");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "rv:",
        "rv:1a2b3c",
        "rv:1a2b3c4d5e6f7",
        "rv:1a2b3c4d5e6f700",
        "rv:1A2B3C4D5E6F70",
        "rv:1a2b3c4d5e6f7g",
        "rv:1a2b3c4d5e6f70;rv:1a2b3c4d5e6f71"
      })
  void treatsAnInvalidOrRepeatedRandomValueAsAbsentButKeepsTheOtherFields(String rv) {
    OtelTraceState ot = OtelTraceState.parse("th:8;" + rv + ";xx:yy");

    assertThat(ot.randomValue()).isEmpty();
    assertThat(ot.format()).isEqualTo("th:8;xx:yy");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "nocolon;th:8",
        "X:1;th:8",
        ":1;th:8",
        "1k:v;th:8",
        "k:a b;th:8",
        "k:a:b;th:8",
        ";;th:8;",
        "th:8;k:é"
      })
  void dropsSubFieldsThatBreakTheGrammar(String value) {
    assertThat(OtelTraceState.parse(value).format()).isEqualTo("th:8");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {";", "garbage", "th:X"})
  void isEmptyWhenNothingIsUsable(String value) {
    assertThat(OtelTraceState.parse(value)).isSameAs(OtelTraceState.EMPTY);
    assertThat(OtelTraceState.EMPTY.isEmpty()).isTrue();
  }

  @Test
  void removesThresholdAndRandomValue() {
    OtelTraceState ot = OtelTraceState.parse("th:8;xx:yy;rv:1a2b3c4d5e6f70");

    assertThat(ot.withoutThreshold().format()).isEqualTo("xx:yy;rv:1a2b3c4d5e6f70");
    assertThat(ot.withoutRandomValue().format()).isEqualTo("th:8;xx:yy");
    assertThat(ot.withoutThreshold().withoutThreshold().threshold()).isEmpty();
  }

  @Test
  void rejectsThresholdsOutside56Bits() {
    assertThatThrownBy(() -> OtelTraceState.EMPTY.withThreshold(1L << 56))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("th: 72057594037927936 (expected: 0 to 72057594037927935, 2^56 - 1)");
    assertThatThrownBy(() -> OtelTraceState.EMPTY.withThreshold(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OtelTraceState.EMPTY.withRandomValue(1L << 56))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("rv: 72057594037927936 (expected: 0 to");
  }

  @Test
  void readsTheOtEntryOfATraceState() {
    TraceState state = TraceState.parse("rojo=1,ot=rv:1a2b3c4d5e6f70;th:8");

    assertThat(OtelTraceState.from(state).format()).isEqualTo("rv:1a2b3c4d5e6f70;th:8");
    assertThat(OtelTraceState.from(TraceState.parse(TRACESTATE_ROJO_CONGO)))
        .isSameAs(OtelTraceState.EMPTY);
  }

  @Test
  void appliesItselfAtTheFrontOfATraceState() {
    TraceState state = TraceState.parse("rojo=1,ot=th:8;xx:yy,congo=2");

    TraceState updated = OtelTraceState.from(state).withThreshold(0xc0_0000_0000_0000L).apply(state);

    assertThat(updated.format()).isEqualTo("ot=th:c;xx:yy,rojo=1,congo=2");
  }

  @Test
  void removesTheOtEntryWhenItBecomesEmpty() {
    TraceState state = TraceState.parse("rojo=1,ot=th:8");

    assertThat(OtelTraceState.from(state).withoutThreshold().apply(state).format())
        .isEqualTo("rojo=1");
  }

  @Test
  void staysWithinTheTraceStateValueLimitByDroppingUnknownFieldsFromTheRight() {
    String unknown = "aa:" + "x".repeat(120) + ";bb:" + "y".repeat(120); // 247 chars
    TraceState state = TraceState.parse("ot=" + unknown);

    OtelTraceState ot = OtelTraceState.from(state).withThreshold(0x12_3456_789a_bcdeL);
    TraceState updated = ot.apply(state);

    assertThat(ot.format()).isEqualTo("aa:" + "x".repeat(120) + ";th:123456789abcde");
    assertThat(updated.get("ot")).hasSizeLessThanOrEqualTo(256);
  }

  @ParameterizedTest
  @CsvSource({
    "1.0,       0",
    "0.5,       8",
    "0.25,      c",
    "0.125,     e",
    "0.0625,    f",
    "0.1,       e6666666666666", // full precision; SDKs at 4 digits would write e666
    "0.01,      fd70a3d70a3d71",
    "1.3877787807814457E-17, ffffffffffffff", // 2^-56, the smallest probability
    "1.0E-30,   ffffffffffffff" // below 2^-56: clamped
  })
  void convertsProbabilitiesToThresholds(double probability, String th) {
    long threshold = OtelTraceState.thresholdFromProbability(probability);

    assertThat(OtelTraceState.EMPTY.withThreshold(threshold).format()).isEqualTo("th:" + th);
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.0, -0.5, 1.0000001, Double.NaN, Double.POSITIVE_INFINITY})
  void rejectsProbabilitiesOutsideZeroExclusiveToOne(double probability) {
    assertThatThrownBy(() -> OtelTraceState.thresholdFromProbability(probability))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("probability: " + probability + " (expected: > 0 and <= 1)");
  }

  @ParameterizedTest
  @CsvSource({"0x0, 1.0", "0x80000000000000, 0.5", "0xc0000000000000, 0.25"})
  void convertsThresholdsToProbabilities(String threshold, double probability) {
    assertThat(OtelTraceState.probabilityFromThreshold(Long.decode(threshold)))
        .isEqualTo(probability);
  }

  @Test
  void convertsTheLargestThresholdToTheSmallestProbability() {
    assertThat(OtelTraceState.probabilityFromThreshold(MAX_THRESHOLD)).isEqualTo(0x1p-56);
    assertThatThrownBy(() -> OtelTraceState.probabilityFromThreshold(1L << 56))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(doubles = {1.0, 0.5, 0.3333333333333333, 0.1, 0.01, 1e-6, 0x1p-56})
  void convertsProbabilitiesToThresholdsAndBackWithin2ToTheMinus56(double probability) {
    long threshold = OtelTraceState.thresholdFromProbability(probability);

    assertThat(OtelTraceState.probabilityFromThreshold(threshold))
        .isCloseTo(probability, offset(0x1p-56));
  }

  @Test
  void samplesWhenTheRandomnessReachesTheThreshold() {
    long threshold = 0x80_0000_0000_0000L;

    assertThat(OtelTraceState.sampled(threshold, threshold)).isTrue();
    assertThat(OtelTraceState.sampled(threshold - 1, threshold)).isFalse();
    assertThat(OtelTraceState.sampled(0, 0)).isTrue(); // th:0 keeps everything
    assertThat(OtelTraceState.sampled(MAX_THRESHOLD, MAX_THRESHOLD)).isTrue();
  }

  @Test
  void takesRandomnessFromTheRandomValueWhenPresent() {
    assertThat(OtelTraceState.randomness(TRACE_ID, OtelTraceState.parse("rv:1a2b3c4d5e6f70")))
        .isEqualTo(RV);
  }

  @Test
  void takesRandomnessFromTheRightMost56BitsOfTheTraceIdOtherwise() {
    assertThat(OtelTraceState.randomness(TRACE_ID, OtelTraceState.EMPTY))
        .isEqualTo(0xce929d0e0e4736L);
    assertThat(OtelTraceState.randomness(new TraceId(-1, -1), OtelTraceState.EMPTY))
        .isEqualTo(MAX_THRESHOLD);
  }

  @Test
  void decidesFromTheIncomingHeaders() {
    TraceParent parent = TraceParent.parse(TRACEPARENT_SAMPLED).orElseThrow();
    OtelTraceState half = OtelTraceState.from(TraceState.parse("ot=th:8"));
    OtelTraceState tenth = OtelTraceState.from(TraceState.parse("ot=th:e6666666666666"));

    long randomness = OtelTraceState.randomness(parent.traceId(), half);

    assertThat(OtelTraceState.sampled(randomness, half.threshold().orElseThrow())).isTrue();
    assertThat(OtelTraceState.sampled(randomness, tenth.threshold().orElseThrow())).isFalse();
  }

  @Test
  void isEqualByItsFields() {
    assertThat(OtelTraceState.parse("th:8;xx:yy"))
        .isEqualTo(OtelTraceState.parse("th:80;xx:yy"))
        .hasSameHashCodeAs(OtelTraceState.parse("th:8;xx:yy"))
        .isNotEqualTo(OtelTraceState.parse("xx:yy;th:8"))
        .hasToString("OtelTraceState{th:8;xx:yy}");
  }

  @Test
  void handlesHugeValuesInLinearTime() {
    assertThat(OtelTraceState.parse("a;".repeat(2_000_000) + "th:8").format()).isEqualTo("th:8");
    assertThat(OtelTraceState.parse("th:" + "8".repeat(5_000_000)).threshold()).isEmpty();
  }
}
