package dev.spanloom.model.context;

import static dev.spanloom.model.context.TraceContextExamples.TRACESTATE_CONGO;
import static dev.spanloom.model.context.TraceContextExamples.TRACESTATE_CONGO_ROJO;
import static dev.spanloom.model.context.TraceContextExamples.TRACESTATE_ROJO_CONGO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.context.TraceState.Entry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TraceStateTest {
  /** Every character a simple key may hold, as the W3C test suite spells them. */
  private static final String ALL_KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_-*/";

  /** Every character a value may hold: 0x20-0x7e except ',' and '=' (and a final space). */
  private static final String ALL_VALUE_CHARS =
      IntStream.rangeClosed(0x20, 0x7e)
          .filter(c -> c != ',' && c != '=')
          .mapToObj(c -> String.valueOf((char) c))
          .collect(Collectors.joining());

  @Test
  void parsesTheRecommendationsExamplesInOrder() {
    TraceState state = TraceState.parse(TRACESTATE_ROJO_CONGO);

    assertThat(state.entries())
        .containsExactly(new Entry("rojo", "00f067aa0ba902b7"), new Entry("congo", "t61rcWkgMzE"));
    assertThat(state.get("congo")).isEqualTo("t61rcWkgMzE");
    assertThat(state.get("absent")).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        TRACESTATE_CONGO,
        TRACESTATE_ROJO_CONGO,
        TRACESTATE_CONGO_ROJO,
        "vendorname1=opaqueValue1,vendorname2=opaqueValue2",
        "tenant@vendor=1,1tenant@v=2,ot=th:8;rv:1a2b3c4d5e6f70",
        "a= leading spaces stay"
      })
  void roundTripsCanonicalHeaders(String header) {
    assertThat(TraceState.parse(header).format()).isEqualTo(header);
  }

  @Test
  void acceptsEveryAllowedCharacter() {
    String value = ALL_VALUE_CHARS.strip();

    assertThat(TraceState.parse(ALL_KEY_CHARS + "=" + value).get(ALL_KEY_CHARS)).isEqualTo(value);
    assertThat(TraceState.parse(ALL_KEY_CHARS + "@a-z0-9_-*/=" + value).size()).isEqualTo(1);
  }

  @Test
  void followsTheRecommendationsWalkThrough() {
    TraceState atCongo = TraceState.parse(TRACESTATE_CONGO);
    TraceState atRojo = atCongo.put("rojo", "00f067aa0ba902b7");
    TraceState backAtCongo = atRojo.put("congo", "ucfJifl5GOE");

    assertThat(atRojo.format()).isEqualTo(TRACESTATE_ROJO_CONGO);
    assertThat(backAtCongo.format()).isEqualTo(TRACESTATE_CONGO_ROJO);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {" ", "\t", ",", " , \t,, "})
  void isEmptyForNullEmptyOrBlankHeaders(String header) {
    assertThat(TraceState.parse(header)).isSameAs(TraceState.EMPTY);
    assertThat(TraceState.EMPTY.format()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a=1,,b=2", ",a=1,b=2,", "a=1, ,b=2", ",,,a=1,,,,b=2,,,"})
  void skipsEmptyMembers(String header) {
    assertThat(TraceState.parse(header).format()).isEqualTo("a=1,b=2");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "foo=1 \t , \t bar=2, \t baz=3",
        "foo=1\t \t,\t \tbar=2,\t \tbaz=3",
        " foo=1,bar=2,baz=3",
        "\tfoo=1,bar=2,baz=3 ",
        "\t foo=1,bar=2,baz=3 \t"
      })
  void ignoresSpacesAndTabsAroundMembers(String header) {
    assertThat(TraceState.parse(header).format()).isEqualTo("foo=1,bar=2,baz=3");
  }

  @Test
  void keepsLeadingSpacesOfAValueAndDropsTrailingOnes() {
    assertThat(TraceState.parse("a=  x  ").get("a")).isEqualTo("  x");
  }

  @Test
  void combinesMultipleHeaderLinesInOrder() {
    TraceState state = TraceState.parse(List.of("foo=1,bar=2", "rojo=1,congo=2", "baz=3"));

    assertThat(state.format()).isEqualTo("foo=1,bar=2,rojo=1,congo=2,baz=3");
  }

  @Test
  void skipsEmptyHeaderLines() {
    assertThat(TraceState.parse(List.of("", "foo=1", "")).format()).isEqualTo("foo=1");
    assertThat(TraceState.parse(Arrays.asList(null, "foo=1"))).isEqualTo(TraceState.parse("foo=1"));
    assertThat(TraceState.parse(List.of())).isSameAs(TraceState.EMPTY);
    assertThat(TraceState.parse((List<String>) null)).isSameAs(TraceState.EMPTY);
  }

  @Test
  void accepts32MembersAcrossHeaderLines() {
    TraceState state = TraceState.parse(members(1, 10, 11, 20, 21, 30, 31, 32));

    assertThat(state.size()).isEqualTo(32);
    assertThat(state.get("bar01")).isEqualTo("01");
  }

  @Test
  void ignoresAHeaderOf33Members() {
    assertThat(TraceState.parse(members(1, 10, 11, 20, 21, 30, 31, 33))).isSameAs(TraceState.EMPTY);
    assertThat(TraceState.parse(String.join(",", members(1, 33)))).isSameAs(TraceState.EMPTY);
  }

  @Test
  void doesNotCountEmptyMembersTowardsTheLimit() {
    assertThat(TraceState.parse(String.join(",,", members(1, 32))).size()).isEqualTo(32);
  }

  @ParameterizedTest
  @ValueSource(strings = {"foo=1,foo=1", "foo=1,foo=2", "foo=1,bar=2,foo=3"})
  void ignoresAHeaderWithDuplicateKeys(String header) {
    assertThat(TraceState.parse(header)).isSameAs(TraceState.EMPTY);
  }

  @Test
  void ignoresDuplicateKeysAcrossHeaderLines() {
    assertThat(TraceState.parse(List.of("foo=1", "foo=2"))).isSameAs(TraceState.EMPTY);
    assertThat(TraceState.parse(List.of("foo=1", "foo=1"))).isSameAs(TraceState.EMPTY);
  }

  @Test
  void acceptsKeysUpToTheirLengthLimits() {
    assertThat(TraceState.parse(List.of("foo=1", "z".repeat(256) + "=1")).get("foo")).isEqualTo("1");
    assertThat(TraceState.parse("t".repeat(241) + "@" + "v".repeat(14) + "=1").size()).isEqualTo(1);
  }

  @Test
  void ignoresAHeaderWithAKeyOf257Characters() {
    assertThat(TraceState.parse(List.of("foo=1", "z".repeat(257) + "=1")))
        .isSameAs(TraceState.EMPTY);
  }

  @Test
  void ignoresAHeaderWithATenantIdOver241OrASystemIdOver14Characters() {
    assertThat(TraceState.parse("foo=1," + "t".repeat(242) + "@v=1")).isSameAs(TraceState.EMPTY);
    assertThat(TraceState.parse("foo=1,t@" + "v".repeat(15) + "=1")).isSameAs(TraceState.EMPTY);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "foo@=1,bar=2",
        "@foo=1,bar=2",
        "foo@@bar=1,bar=2",
        "foo@bar@baz=1,bar=2",
        "foo@1bar=1,bar=2",
        "_foo@bar=1,bar=2",
        "Foo@bar=1,bar=2",
        "foo@Bar=1,bar=2",
        "foo@_bar=1,bar=2"
      })
  void ignoresAHeaderWithABadMultiTenantKey(String header) {
    assertThat(TraceState.parse(header)).isSameAs(TraceState.EMPTY);
  }

  @Test
  void acceptsATenantIdStartingWithADigit() {
    assertThat(TraceState.parse("1tenant@vendor=1").get("1tenant@vendor")).isEqualTo("1");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "foo =1",
        "FOO=1",
        "foo.bar=1",
        "1foo=1",
        "_foo=1",
        "=1",
        "foo",
        "fóo=1",
        "foo\u0000=1",
        "foo=1,bar"
      })
  void ignoresAHeaderWithABadKey(String header) {
    assertThat(TraceState.parse(header)).isSameAs(TraceState.EMPTY);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "foo=",
        "foo= ",
        "foo=a=b",
        "foo=x\ty",
        "foo=é",
        "foo=x\u007f",
        "foo=x\u0000",
        "foo=x\ny",
        "foo=\uD83D\uDE00"
      })
  void ignoresAHeaderWithABadValue(String header) {
    assertThat(TraceState.parse("bar=2," + header)).isSameAs(TraceState.EMPTY);
  }

  @Test
  void acceptsValuesOfUpTo256Characters() {
    assertThat(TraceState.parse("foo=" + "v".repeat(256)).size()).isEqualTo(1);
    assertThat(TraceState.parse("foo=" + "v".repeat(257))).isSameAs(TraceState.EMPTY);
  }

  @Test
  void neverAppliesPartOfAnInvalidHeader() {
    TraceState state = TraceState.parse("foo=1,BAR=2,baz=3");

    assertThat(state.isEmpty()).isTrue();
    assertThat(state.get("foo")).isNull();
  }

  @Test
  void handlesHugeHeadersInLinearTime() {
    int tenMegabytes = 10_000_000;

    assertThat(TraceState.parse("a=1,".repeat(tenMegabytes / 4))).isSameAs(TraceState.EMPTY);
    assertThat(TraceState.parse("k".repeat(tenMegabytes) + "=1")).isSameAs(TraceState.EMPTY);
    assertThat(TraceState.parse("k=" + "v".repeat(tenMegabytes))).isSameAs(TraceState.EMPTY);
    assertThat(TraceState.parse(",".repeat(tenMegabytes))).isSameAs(TraceState.EMPTY);
    assertThat(TraceState.parse(" \t".repeat(tenMegabytes / 2) + "a=1").get("a")).isEqualTo("1");
  }

  @Test
  void neverThrowsOnMangledHeaders() {
    Random random = new Random(32);
    char[] alphabet = "az09_-*/@=, \t\"ZÿA\u0000".toCharArray();
    char[] base = (TRACESTATE_ROJO_CONGO + ",t@v=x y").toCharArray();
    for (int i = 0; i < 100_000; i++) {
      char[] header = base.clone();
      for (int m = random.nextInt(3); m >= 0; m--) {
        header[random.nextInt(header.length)] = alphabet[random.nextInt(alphabet.length)];
      }

      TraceState parsed = TraceState.parse(new String(header));

      assertThat(TraceState.parse(parsed.format())).isEqualTo(parsed);
    }
  }

  @Test
  void putAddsANewKeyAtTheFront() {
    TraceState state = TraceState.parse(TRACESTATE_ROJO_CONGO).put("ot", "th:8");

    assertThat(state.format()).isEqualTo("ot=th:8," + TRACESTATE_ROJO_CONGO);
  }

  @Test
  void putMovesAnUpdatedKeyToTheFront() {
    TraceState state = TraceState.parse("a=1,b=2,c=3").put("c", "4");

    assertThat(state.format()).isEqualTo("c=4,a=1,b=2");
  }

  @Test
  void putMovesAnUnchangedKeyToTheFront() {
    assertThat(TraceState.parse("a=1,b=2").put("b", "2").format()).isEqualTo("b=2,a=1");
  }

  @Test
  void putDropsTheRightMostEntryWhenTheListIsFull() {
    TraceState full = TraceState.parse(String.join(",", members(1, 32)));

    TraceState state = full.put("new", "1");

    assertThat(state.size()).isEqualTo(32);
    assertThat(state.entries().get(0)).isEqualTo(new Entry("new", "1"));
    assertThat(state.get("bar32")).isNull();
    assertThat(state.get("bar31")).isEqualTo("31");
  }

  @Test
  void putOfAnExistingKeyInAFullListDropsNothingElse() {
    TraceState state = TraceState.parse(String.join(",", members(1, 32))).put("bar32", "x");

    assertThat(state.size()).isEqualTo(32);
    assertThat(state.get("bar01")).isEqualTo("01");
  }

  @Test
  void putLeavesTheOriginalUnchanged() {
    TraceState original = TraceState.parse(TRACESTATE_ROJO_CONGO);

    original.put("rojo", "x");

    assertThat(original.format()).isEqualTo(TRACESTATE_ROJO_CONGO);
  }

  @Test
  void putRejectsAnInvalidKeyWithTheGrammar() {
    assertThatThrownBy(() -> TraceState.EMPTY.put("Rojo", "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("tracestate key: \"Rojo\" (expected: 1-256 of a-z");
  }

  @Test
  void putAbbreviatesAHugeInvalidKeyInItsMessage() {
    assertThatThrownBy(() -> TraceState.EMPTY.put("K".repeat(100_000), "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(100000 chars)")
        .message()
        .hasSizeLessThan(400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a,b", "a=b", "trailing ", "tab\t", "é"})
  void putRejectsAnInvalidValue(String value) {
    assertThatThrownBy(() -> TraceState.EMPTY.put("rojo", value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("tracestate value of rojo: \"" + value + "\" (expected: 1-256");
  }

  @Test
  void removeDeletesTheKeyAndKeepsTheOrder() {
    assertThat(TraceState.parse("a=1,b=2,c=3").remove("b").format()).isEqualTo("a=1,c=3");
    assertThat(TraceState.parse("a=1").remove("a")).isSameAs(TraceState.EMPTY);
  }

  @Test
  void removeOfAnAbsentKeyReturnsTheSameState() {
    TraceState state = TraceState.parse(TRACESTATE_ROJO_CONGO);

    assertThat(state.remove("absent")).isSameAs(state);
    assertThat(state.remove("NOT A KEY")).isSameAs(state);
  }

  @Test
  void isEqualByItsOrderedEntries() {
    assertThat(TraceState.parse(TRACESTATE_ROJO_CONGO))
        .isEqualTo(TraceState.parse(" rojo=00f067aa0ba902b7 ,, congo=t61rcWkgMzE"))
        .hasSameHashCodeAs(TraceState.parse(TRACESTATE_ROJO_CONGO))
        .isNotEqualTo(TraceState.parse("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"));
  }

  @Test
  void printsItsHeaderValue() {
    assertThat(TraceState.parse(TRACESTATE_ROJO_CONGO))
        .hasToString("TraceState{" + TRACESTATE_ROJO_CONGO + "}");
  }

  @Test
  void hasUnmodifiableEntries() {
    List<Entry> entries = TraceState.parse(TRACESTATE_ROJO_CONGO).entries();

    assertThatThrownBy(() -> entries.add(new Entry("x", "1")))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void validatesKeysAndValuesOnRequest() {
    assertThat(TraceState.isValidKey("tenant@vendor")).isTrue();
    assertThat(TraceState.isValidKey("Tenant")).isFalse();
    assertThat(TraceState.isValidKey(null)).isFalse();
    assertThat(TraceState.isValidValue(" x")).isTrue();
    assertThat(TraceState.isValidValue("x ")).isFalse();
  }

  /** Header lines of members {@code barNN=NN}, one line per {@code [from, to]} pair. */
  private static List<String> members(int... ranges) {
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < ranges.length; r += 2) {
      List<String> line = new ArrayList<>();
      for (int i = ranges[r]; i <= ranges[r + 1]; i++) line.add(String.format("bar%02d=%02d", i, i));
      lines.add(String.join(",", line));
    }
    return lines;
  }
}
