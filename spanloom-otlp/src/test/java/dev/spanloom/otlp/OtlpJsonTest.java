package dev.spanloom.otlp;

import static dev.spanloom.otlp.TestRequests.SPEC_END_NANOS;
import static dev.spanloom.otlp.TestRequests.SPEC_PARENT_SPAN_ID_HEX;
import static dev.spanloom.otlp.TestRequests.SPEC_SPAN_ID_HEX;
import static dev.spanloom.otlp.TestRequests.SPEC_START_NANOS;
import static dev.spanloom.otlp.TestRequests.SPEC_TRACE_ID_HEX;
import static dev.spanloom.otlp.TestRequests.bytes;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.SpanKind;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OtlpJsonTest {
  /** The example of the OTLP specification (opentelemetry-proto examples/trace.json). */
  static final String SPEC_EXAMPLE = """
      {
        "resourceSpans": [
          {
            "resource": {
              "attributes": [
                { "key": "service.name", "value": { "stringValue": "my.service" } }
              ]
            },
            "scopeSpans": [
              {
                "scope": {
                  "name": "my.library",
                  "version": "1.0.0",
                  "attributes": [
                    { "key": "my.scope.attribute", "value": { "stringValue": "some scope attribute" } }
                  ]
                },
                "spans": [
                  {
                    "traceId": "5B8EFFF798038103D269B633813FC60C",
                    "spanId": "EEE19B7EC3C1B174",
                    "parentSpanId": "EEE19B7EC3C1B173",
                    "name": "I'm a server span",
                    "startTimeUnixNano": "1544712660000000000",
                    "endTimeUnixNano": "1544712661000000000",
                    "kind": 2,
                    "attributes": [
                      { "key": "my.span.attr", "value": { "stringValue": "some value" } }
                    ]
                  }
                ]
              }
            ]
          }
        ]
      }
      """;

  // -- The specification's shape ------------------------------------------------------------

  @Test
  void parsesTheSpecificationExample() {
    ExportTraceServiceRequest request = parse(SPEC_EXAMPLE);

    Span span = onlySpan(request);
    assertThat(span.getTraceId()).isEqualTo(bytes(SPEC_TRACE_ID_HEX));
    assertThat(span.getSpanId()).isEqualTo(bytes(SPEC_SPAN_ID_HEX));
    assertThat(span.getParentSpanId()).isEqualTo(bytes(SPEC_PARENT_SPAN_ID_HEX));
    assertThat(span.getName()).isEqualTo("I'm a server span");
    assertThat(span.getStartTimeUnixNano()).isEqualTo(SPEC_START_NANOS);
    assertThat(span.getEndTimeUnixNano()).isEqualTo(SPEC_END_NANOS);
    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(span.getAttributes(0).getValue().getStringValue()).isEqualTo("some value");
    assertThat(request.getResourceSpans(0).getResource().getAttributes(0).getValue().getStringValue())
        .isEqualTo("my.service");
    assertThat(request.getResourceSpans(0).getScopeSpans(0).getScope().getVersion()).isEqualTo("1.0.0");
  }

  @Test
  void specificationExampleDecodesToAValidSpan() {
    OtlpTranslator.Decoded decoded = OtlpTranslator.decode(parse(SPEC_EXAMPLE));

    assertThat(decoded.rejected()).isZero();
    dev.spanloom.model.Span span = decoded.spans().get(0);
    assertThat(span.traceId().toHex()).isEqualTo("5b8efff798038103d269b633813fc60c");
    assertThat(span.serviceName()).isEqualTo("my.service");
    assertThat(span.kind()).isEqualTo(SpanKind.SERVER);
  }

  @Test
  void parsesLowerCaseHexIdsAsUpperCaseOnes() {
    String lower = SPEC_EXAMPLE
        .replace(SPEC_TRACE_ID_HEX, SPEC_TRACE_ID_HEX.toLowerCase())
        .replace(SPEC_SPAN_ID_HEX, SPEC_SPAN_ID_HEX.toLowerCase())
        .replace(SPEC_PARENT_SPAN_ID_HEX, SPEC_PARENT_SPAN_ID_HEX.toLowerCase());

    assertThat(parse(lower)).isEqualTo(parse(SPEC_EXAMPLE));
  }

  @Test
  void parsesHexIdsOfLinks() {
    Span span = onlySpan(parse(spanJson("""
        "links": [{ "traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "b7ad6b7169203331",
                    "traceState": "congo=t61rcWkgMzE", "flags": 257 }]
        """)));

    assertThat(span.getLinks(0).getTraceId()).isEqualTo(bytes("0af7651916cd43dd8448eb211c80319c"));
    assertThat(span.getLinks(0).getSpanId()).isEqualTo(bytes("b7ad6b7169203331"));
    assertThat(span.getLinks(0).getTraceState()).isEqualTo("congo=t61rcWkgMzE");
    assertThat(span.getLinks(0).getFlags()).isEqualTo(257);
  }

  @Test
  void parsesBase64IdsOfProtobufsGenericJsonMapping() {
    String traceId = Base64.getEncoder().encodeToString(bytes(SPEC_TRACE_ID_HEX).toByteArray());
    String spanId = Base64.getEncoder().encodeToString(bytes(SPEC_SPAN_ID_HEX).toByteArray());

    Span span = onlySpan(parse("""
        {"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"%s","spanId":"%s"}]}]}]}
        """.formatted(traceId, spanId)));

    assertThat(span.getTraceId()).isEqualTo(bytes(SPEC_TRACE_ID_HEX));
    assertThat(span.getSpanId()).isEqualTo(bytes(SPEC_SPAN_ID_HEX));
  }

  @Test
  void parsesEmptyParentSpanIdAsRoot() {
    Span span = onlySpan(parse(spanJson("\"parentSpanId\": \"\"")));

    assertThat(span.getParentSpanId().isEmpty()).isTrue();
  }

  @Test
  void leavesA64BitHexTraceIdForTheTranslatorToReject() {
    ExportTraceServiceRequest request = parse("""
        {"resourceSpans":[{"scopeSpans":[{"spans":[{
          "traceId":"d269b633813fc60c","spanId":"eee19b7ec3c1b174",
          "startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000"}]}]}]}
        """);

    assertThat(OtlpTranslator.decode(request).firstProblem()).endsWith("trace_id: 8 bytes (expected: 16)");
  }

  @Test
  void readsAHexTraceIdOfAnOddLengthAsHexSoTheLengthIsReported() {
    ExportTraceServiceRequest request = parse("""
        {"resourceSpans":[{"scopeSpans":[{"spans":[{
          "traceId":"5b8efff798038103d269b633813fc6","spanId":"eee19b7ec3c1b174",
          "startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000"}]}]}]}
        """);

    assertThat(OtlpTranslator.decode(request).firstProblem()).endsWith("trace_id: 15 bytes (expected: 16)");
  }

  // -- Enums and 64-bit integers ------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"2", "\"SPAN_KIND_SERVER\""})
  void parsesKindAsNumberOrName(String kind) {
    Span span = onlySpan(parse(spanJson("\"kind\": " + kind)));

    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2", "\"STATUS_CODE_ERROR\""})
  void parsesStatusCodeAsNumberOrName(String code) {
    Span span = onlySpan(parse(spanJson("\"status\": {\"code\": " + code + ", \"message\": \"boom\"}")));

    assertThat(span.getStatus().getCode()).isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
    assertThat(span.getStatus().getMessage()).isEqualTo("boom");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"1544712660000000000\"", "1544712660000000000"})
  void parsesInt64AsStringOrNumber(String nanos) {
    Span span = onlySpan(parse(spanJson("\"startTimeUnixNano\": " + nanos)));

    assertThat(span.getStartTimeUnixNano()).isEqualTo(SPEC_START_NANOS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"-9223372036854775808\"", "-9223372036854775808"})
  void parsesIntValueAttributeAsStringOrNumber(String value) {
    Span span = onlySpan(parse(spanJson("\"attributes\": [{\"key\": \"n\", \"value\": {\"intValue\": " + value + "}}]")));

    assertThat(span.getAttributes(0).getValue().getIntValue()).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void parsesEveryAnyValueKind() {
    Span span = onlySpan(parse(spanJson("""
        "attributes": [
          {"key": "s", "value": {"stringValue": "v"}},
          {"key": "b", "value": {"boolValue": true}},
          {"key": "i", "value": {"intValue": "7"}},
          {"key": "d", "value": {"doubleValue": 1.5}},
          {"key": "y", "value": {"bytesValue": "AP8="}},
          {"key": "a", "value": {"arrayValue": {"values": [{"stringValue": "x"}, {"intValue": 1}]}}},
          {"key": "m", "value": {"kvlistValue": {"values": [{"key": "k", "value": {"boolValue": false}}]}}}
        ]""")));

    assertThat(span.getAttributesList()).containsExactly(
        TestRequests.string("s", "v"),
        TestRequests.kv("b", TestRequests.anyBool(true)),
        TestRequests.kv("i", TestRequests.anyInt(7)),
        TestRequests.kv("d", TestRequests.anyDouble(1.5)),
        TestRequests.kv("y", TestRequests.anyBytes("00ff")),
        TestRequests.kv("a", TestRequests.anyArray(TestRequests.anyString("x"), TestRequests.anyInt(1))),
        TestRequests.kv("m", TestRequests.anyKvList(TestRequests.kv("k", TestRequests.anyBool(false)))));
  }

  // -- Field names --------------------------------------------------------------------------

  @Test
  void parsesSnakeCaseFieldNames() {
    String snake = """
        {"resource_spans": [{
          "resource": {"attributes": [{"key": "service.name", "value": {"string_value": "my.service"}}]},
          "schema_url": "https://opentelemetry.io/schemas/1.26.0",
          "scope_spans": [{"scope": {"name": "my.library"}, "spans": [{
            "trace_id": "5B8EFFF798038103D269B633813FC60C",
            "span_id": "EEE19B7EC3C1B174",
            "parent_span_id": "EEE19B7EC3C1B173",
            "name": "I'm a server span",
            "start_time_unix_nano": "1544712660000000000",
            "end_time_unix_nano": "1544712661000000000",
            "kind": "SPAN_KIND_SERVER",
            "dropped_attributes_count": 3,
            "links": [{"trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "b7ad6b7169203331"}]
          }]}]
        }]}
        """;

    ExportTraceServiceRequest request = parse(snake);

    Span span = onlySpan(request);
    assertThat(span.getTraceId()).isEqualTo(bytes(SPEC_TRACE_ID_HEX));
    assertThat(span.getSpanId()).isEqualTo(bytes(SPEC_SPAN_ID_HEX));
    assertThat(span.getParentSpanId()).isEqualTo(bytes(SPEC_PARENT_SPAN_ID_HEX));
    assertThat(span.getStartTimeUnixNano()).isEqualTo(SPEC_START_NANOS);
    assertThat(span.getDroppedAttributesCount()).isEqualTo(3);
    assertThat(span.getLinks(0).getTraceId()).isEqualTo(bytes("0af7651916cd43dd8448eb211c80319c"));
    assertThat(request.getResourceSpans(0).getSchemaUrl()).isEqualTo("https://opentelemetry.io/schemas/1.26.0");
    assertThat(request.getResourceSpans(0).getResource().getAttributes(0).getValue().getStringValue())
        .isEqualTo("my.service");
  }

  @Test
  void ignoresUnknownFields() {
    String withExtras = SPEC_EXAMPLE
        .replace("\"resourceSpans\"", "\"future\": {\"a\": [1, 2]}, \"resourceSpans\"")
        .replace("\"name\": \"I'm a server span\"", "\"name\": \"I'm a server span\", \"newField\": \"x\"");

    assertThat(parse(withExtras)).isEqualTo(parse(SPEC_EXAMPLE));
  }

  @Test
  void parsesAnEmptyObjectAsAnEmptyRequest() {
    assertThat(parse("{}")).isEqualTo(ExportTraceServiceRequest.getDefaultInstance());
  }

  // -- Malformed requests -------------------------------------------------------------------

  @Test
  void refusesTextThatIsNotJson() {
    assertThatThrownBy(() -> parse("resourceSpans: []"))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessageStartingWith("Malformed: not JSON: ");
  }

  @Test
  void refusesJsonFollowedByMoreText() {
    assertThatThrownBy(() -> parse("{\"resourceSpans\": []} {\"resourceSpans\": []}"))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessageStartingWith("Malformed: not JSON: ");
  }

  @Test
  void refusesTruncatedJson() {
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.substring(0, SPEC_EXAMPLE.length() / 2)))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessageStartingWith("Malformed: ");
  }

  @Test
  void refusesAnEmptyBody() {
    assertThatThrownBy(() -> parse(""))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessageStartingWith("Malformed: ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "[{\"resourceSpans\": []}]", "\"resourceSpans\"", "42", "null"})
  void refusesJsonThatIsNotAnObject(String json) {
    assertThatThrownBy(() -> parse(json))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessage("Malformed: expected a JSON object with resourceSpans");
  }

  @Test
  void refusesSpansThatAreNotAList() {
    assertThatThrownBy(() -> parse("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\": 5}]}]}"))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessage("Malformed: Expected an array for spans but found 5");
  }

  @Test
  void refusesResourceSpansThatAreNotAList() {
    assertThatThrownBy(() -> parse("{\"resourceSpans\": {\"scopeSpans\": []}}"))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessageStartingWith("Malformed: ");
  }

  @Test
  void refusesANameThatIsNotAString() {
    assertThatThrownBy(() -> parse(spanJson("\"name\": {\"text\": \"x\"}")))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessageStartingWith("Malformed: ");
  }

  @Test
  void readsAnUnknownKindNameAsUnspecifiedForForwardCompatibility() {
    Span span = onlySpan(parse(spanJson("\"kind\": \"SPAN_KIND_SIDEWAYS\"")));

    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_UNSPECIFIED);
  }

  @Test
  void refusesAStartTimeThatIsNotANumber() {
    assertThatThrownBy(() -> parse(spanJson("\"startTimeUnixNano\": \"yesterday\"")))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessageStartingWith("Malformed: ")
        .hasMessageContaining("\"yesterday\"");
  }

  @Test
  void refusesAListEntryThatIsNotAnObject() {
    assertThatThrownBy(() -> parse("{\"resourceSpans\": [5]}"))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessageStartingWith("Malformed: ");
  }

  @Test
  void refusesAnIdThatIsNeitherHexNorBase64() {
    assertThatThrownBy(() -> parse(spanJson("\"spanId\": \"not an id!\"")))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessageStartingWith("Malformed: ");
  }

  @Test
  void keepsTheMalformedMessageOnOneLine() {
    assertThatThrownBy(() -> parse("{\"resourceSpans\": [1, 2"))
        .isInstanceOf(MalformedRequestException.class)
        .extracting(Throwable::getMessage, org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .doesNotContain("\n");
  }

  // -- Printing -----------------------------------------------------------------------------

  @Test
  void printsCompactProtobufJsonWithBase64Ids() {
    String printed = OtlpJson.print(parse(SPEC_EXAMPLE));

    assertThat(printed)
        .doesNotContain("\n")
        .contains("\"traceId\":\"" + Base64.getEncoder().encodeToString(bytes(SPEC_TRACE_ID_HEX).toByteArray()) + "\"")
        .contains("\"kind\":\"SPAN_KIND_SERVER\"")
        .contains("\"startTimeUnixNano\":\"1544712660000000000\"");
  }

  @Test
  void parsesWhatItPrints() {
    ExportTraceServiceRequest request = TestRequests.everyField();

    assertThat(parse(OtlpJson.print(request))).isEqualTo(request);
  }

  private static ExportTraceServiceRequest parse(String json) {
    return OtlpJson.parseRequest(json.getBytes(UTF_8));
  }

  private static Span onlySpan(ExportTraceServiceRequest request) {
    assertThat(request.getResourceSpansCount()).isEqualTo(1);
    assertThat(request.getResourceSpans(0).getScopeSpansCount()).isEqualTo(1);
    assertThat(request.getResourceSpans(0).getScopeSpans(0).getSpansCount()).isEqualTo(1);
    return request.getResourceSpans(0).getScopeSpans(0).getSpans(0);
  }

  /** One span with the spec example's IDs, plus {@code extraFields}. */
  private static String spanJson(String extraFields) {
    return """
        {"resourceSpans":[{"scopeSpans":[{"spans":[{
          "traceId": "5B8EFFF798038103D269B633813FC60C",
          "spanId": "EEE19B7EC3C1B174",
          %s
        }]}]}]}
        """.formatted(extraFields);
  }
}
