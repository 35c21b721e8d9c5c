package dev.spanloom.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.QueryParams;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenTelemetry Java SDK exports a two-service trace over OTLP/HTTP; Tempo's search API finds
 * it by TraceQL and by tags, and the tag APIs list its names and values, in Tempo's JSON shapes.
 */
class TempoSearchEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static RunningSpanloom spanloom;
  private static String traceId;
  private static String chargeSpanId;

  @BeforeAll
  static void exportATrace() throws Exception {
    spanloom = RunningSpanloom.start();
    SdkTracerProvider frontend = provider("frontend-e2e");
    SdkTracerProvider payment = provider("payment-e2e");
    long t0 = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()) - TimeUnit.MINUTES.toNanos(1);
    Span root = frontend.get("e2e").spanBuilder("POST /pay").setSpanKind(SpanKind.SERVER)
        .setStartTimestamp(t0, TimeUnit.NANOSECONDS)
        .setAttribute("http.request.method", "POST").setAttribute("http.response.status_code", 500L)
        .startSpan();
    Span charge = payment.get("e2e").spanBuilder("charge card").setSpanKind(SpanKind.CLIENT)
        .setParent(Context.root().with(root)).setStartTimestamp(t0 + 1_000_000, TimeUnit.NANOSECONDS)
        .setAttribute("http.response.status_code", 500L)
        .setAttribute(AttributeKey.stringArrayKey("card.tags"), List.of("visa", "debit"))
        .startSpan();
    charge.addEvent("exception", Attributes.of(AttributeKey.stringKey("exception.type"), "CardDeclined"));
    charge.setStatus(StatusCode.ERROR, "card declined");
    charge.end(t0 + 41_000_000, TimeUnit.NANOSECONDS);
    root.setStatus(StatusCode.ERROR);
    root.end(t0 + 50_000_000, TimeUnit.NANOSECONDS);
    traceId = root.getSpanContext().getTraceId();
    chargeSpanId = charge.getSpanContext().getSpanId();
    for (SdkTracerProvider p : List.of(frontend, payment)) {
      assertThat(p.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      p.shutdown().join(10, TimeUnit.SECONDS);
    }
    // Ingest is acknowledged before the pipeline stores: wait until both spans are readable.
    for (int i = 0; i < 200; i++) {
      AggregatedHttpResponse r = spanloom.get("/api/traces/" + traceId);
      if (r.status().code() == 200 && r.contentUtf8().contains("charge card") && r.contentUtf8().contains("POST /pay")) return;
      Thread.sleep(50);
    }
    throw new AssertionError("trace " + traceId + " was not stored");
  }

  private static SdkTracerProvider provider(String service) {
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(spanloom.httpEndpoint() + "/v1/traces").build();
    return SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), service))))
        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
        .build();
  }

  @AfterAll
  static void stop() {
    spanloom.close();
  }

  private static JsonNode getJson(String path, String... params) throws Exception {
    AggregatedHttpResponse r = get(path, params);
    assertThat(r.status().code()).as(r.contentUtf8()).isEqualTo(200);
    assertThat(r.contentType().toString()).startsWith("application/json");
    return JSON.readTree(r.contentUtf8());
  }

  private static AggregatedHttpResponse get(String path, String... params) {
    var q = QueryParams.builder();
    for (int i = 0; i < params.length; i += 2) q.add(params[i], params[i + 1]);
    String query = q.build().toQueryString();
    return spanloom.get(query.isEmpty() ? path : path + "?" + query);
  }

  @Test
  void traceQlSearchAnswersInTempoShape() throws Exception {
    JsonNode body = getJson("/api/search",
        "q", "{ resource.service.name = \"payment-e2e\" && span.http.response.status_code = 500 }");
    assertThat(body.get("traces")).hasSize(1);
    JsonNode trace = body.get("traces").get(0);
    assertThat(trace.get("traceID").asText()).isEqualTo(traceId);
    assertThat(trace.get("rootServiceName").asText()).isEqualTo("frontend-e2e");
    assertThat(trace.get("rootTraceName").asText()).isEqualTo("POST /pay");
    assertThat(trace.get("startTimeUnixNano").isTextual()).isTrue();
    assertThat(trace.get("durationMs").asInt()).isEqualTo(50);
    JsonNode spanSet = trace.get("spanSets").get(0);
    assertThat(spanSet.get("matched").asInt()).isEqualTo(1);
    JsonNode span = spanSet.get("spans").get(0);
    assertThat(span.get("spanID").asText()).isEqualTo(chargeSpanId);
    assertThat(span.get("name").asText()).isEqualTo("charge card");
    assertThat(span.get("durationNanos").asText()).isEqualTo("40000000");
    assertThat(span.get("startTimeUnixNano").isTextual()).isTrue();
    assertThat(attribute(span, "service.name").get("stringValue").asText()).isEqualTo("payment-e2e");
    assertThat(attribute(span, "http.response.status_code").get("intValue").asText()).isEqualTo("500");
    assertThat(trace.get("spanSet")).isEqualTo(spanSet);
    assertThat(trace.get("serviceStats").get("payment-e2e").get("spanCount").asInt()).isEqualTo(1);
    assertThat(trace.get("serviceStats").get("payment-e2e").get("errorCount").asInt()).isEqualTo(1);
    assertThat(trace.get("serviceStats").get("frontend-e2e").get("spanCount").asInt()).isEqualTo(1);
    JsonNode metrics = body.get("metrics");
    assertThat(metrics.get("inspectedTraces").asLong()).isPositive();
    assertThat(metrics.get("inspectedBytes").isTextual()).isTrue();
    assertThat(metrics.get("completedJobs").asInt()).isEqualTo(1);
    assertThat(metrics.get("totalJobs").asInt()).isEqualTo(1);
    // No query_frontend.search SLO is configured here, so every search counts as within it.
    assertThat(spanloom.get("/metrics").contentUtf8())
        .contains("spanloom_query_frontend_queries_total{op=\"search\"}")
        .contains("spanloom_query_frontend_queries_within_slo_total{op=\"search\"}");
  }

  @Test
  void structuralQueriesAndSpssThroughTheApi() throws Exception {
    JsonNode body = getJson("/api/search", "q", "{ resource.service.name = \"frontend-e2e\" } > { status = error }");
    assertThat(body.get("traces").get(0).get("spanSets").get(0).get("spans").get(0).get("spanID").asText()).isEqualTo(chargeSpanId);
    body = getJson("/api/search", "q", "{ trace:id = \"" + traceId + "\" }", "spss", "1");
    JsonNode set = body.get("traces").get(0).get("spanSets").get(0);
    assertThat(set.get("matched").asInt()).isEqualTo(2);
    assertThat(set.get("spans")).hasSize(1);
  }

  @Test
  void tagSearchAnswersLikeTraceQl() throws Exception {
    JsonNode body = getJson("/api/search", "tags", "service.name=payment-e2e http.response.status_code=500", "minDuration", "10ms", "limit", "5");
    assertThat(body.get("traces")).extracting(t -> t.get("traceID").asText()).containsExactly(traceId);
    body = getJson("/api/search", "tags", "service.name=payment-e2e", "minDuration", "1s");
    assertThat(body.get("traces")).isEmpty();
    long now = System.currentTimeMillis() / 1000;
    body = getJson("/api/search", "tags", "name=\"charge card\"", "start", Long.toString(now - 600), "end", Long.toString(now + 60));
    assertThat(body.get("traces")).hasSize(1);
    body = getJson("/api/search", "tags", "name=\"charge card\"", "start", Long.toString(now - 7200), "end", Long.toString(now - 3600));
    assertThat(body.get("traces")).isEmpty();
  }

  @Test
  void parseErrorsAre400WithThePosition() {
    AggregatedHttpResponse r = get("/api/search", "q", "{ span.foo = }");
    assertThat(r.status().code()).isEqualTo(400);
    assertThat(r.contentUtf8()).isEqualTo("invalid TraceQL query: line 1, column 14: expected a value after \"=\", found \"}\"");
  }

  @Test
  void badParametersAre400NamingTheParameter() {
    assertThat(get("/api/search", "limit", "many").contentUtf8()).startsWith("limit: \"many\" (expected: an integer");
    assertThat(get("/api/search", "spss", "0").status().code()).isEqualTo(400);
    assertThat(get("/api/search", "start", "yesterday").contentUtf8()).startsWith("start: \"yesterday\"");
    assertThat(get("/api/search", "start", "20", "end", "10").contentUtf8()).startsWith("start: 20 (expected: <= end 10)");
    assertThat(get("/api/search", "tags", "x=1", "minDuration", "soon").contentUtf8()).startsWith("minDuration: \"soon\"");
    assertThat(get("/api/search", "tags", "service.name").contentUtf8()).startsWith("tags: ");
    assertThat(get("/api/search/tags", "scope", "planet").contentUtf8()).startsWith("scope: \"planet\"");
    assertThat(get("/api/v2/search/tag/%7B%7D/values").status().code()).isEqualTo(400);
  }

  @Test
  void tagNames() throws Exception {
    JsonNode v1 = getJson("/api/search/tags");
    assertThat(texts(v1.get("tagNames"))).contains("service.name", "http.response.status_code", "card.tags");
    JsonNode resourceOnly = getJson("/api/search/tags", "scope", "resource");
    assertThat(texts(resourceOnly.get("tagNames"))).contains("service.name").doesNotContain("http.response.status_code");
    JsonNode v2 = getJson("/api/v2/search/tags");
    List<String> scopes = new ArrayList<>();
    for (JsonNode s : v2.get("scopes")) scopes.add(s.get("name").asText());
    assertThat(scopes).contains("span", "resource", "event", "intrinsic");
    assertThat(texts(scope(v2, "span").get("tags"))).contains("http.request.method", "card.tags");
    assertThat(texts(scope(v2, "resource").get("tags"))).contains("service.name", "telemetry.sdk.language");
    assertThat(texts(scope(v2, "event").get("tags"))).contains("exception.type");
    assertThat(texts(scope(v2, "intrinsic").get("tags"))).contains("duration", "name", "status", "trace:rootService");
    assertThat(v2.get("metrics").get("inspectedBytes").isTextual()).isTrue();
    JsonNode filtered = getJson("/api/v2/search/tags", "scope", "event", "q", "{ resource.service.name = \"payment-e2e\" }");
    assertThat(texts(scope(filtered, "event").get("tags"))).containsExactly("exception.type");
  }

  @Test
  void tagValues() throws Exception {
    JsonNode v1 = getJson("/api/search/tag/service.name/values");
    assertThat(texts(v1.get("tagValues"))).contains("frontend-e2e", "payment-e2e");
    JsonNode v2 = getJson("/api/v2/search/tag/.service.name/values");
    assertThat(v2.get("tagValues")).anySatisfy(v -> {
      assertThat(v.get("type").asText()).isEqualTo("string");
      assertThat(v.get("value").asText()).isEqualTo("payment-e2e");
    });
    JsonNode codes = getJson("/api/v2/search/tag/span.http.response.status_code/values");
    assertThat(codes.get("tagValues")).anySatisfy(v -> {
      assertThat(v.get("type").asText()).isEqualTo("int");
      assertThat(v.get("value").asText()).isEqualTo("500");
    });
    JsonNode statuses = getJson("/api/v2/search/tag/status/values");
    assertThat(statuses.get("tagValues")).anySatisfy(v -> assertThat(v.get("type").asText()).isEqualTo("keyword"));
    JsonNode filtered = getJson("/api/v2/search/tag/resource.service.name/values", "q", "{ span:kind = client && status = error }");
    assertThat(filtered.get("tagValues")).extracting(v -> v.get("value").asText()).contains("payment-e2e").doesNotContain("frontend-e2e");
    JsonNode halfTyped = getJson("/api/v2/search/tag/resource.service.name/values", "q", "{ resource.cluster = }");
    assertThat(halfTyped.get("tagValues")).extracting(v -> v.get("value").asText()).contains("payment-e2e", "frontend-e2e");
    JsonNode spanNames = getJson("/api/search/tag/name/values");
    assertThat(texts(spanNames.get("tagValues"))).contains("POST /pay", "charge card");
  }

  @Test
  void buildInfo() throws Exception {
    JsonNode info = getJson("/api/status/buildinfo");
    assertThat(info.get("version").asText()).matches("\\d+\\.\\d+\\.\\d+");
    assertThat(info.has("revision")).isTrue();
    assertThat(info.has("spanloomVersion")).isTrue();
  }

  private static JsonNode attribute(JsonNode span, String key) {
    for (JsonNode a : span.get("attributes")) {
      if (a.get("key").asText().equals(key)) return a.get("value");
    }
    throw new AssertionError("no attribute " + key + " in " + span);
  }

  private static JsonNode scope(JsonNode v2, String name) {
    for (JsonNode s : v2.get("scopes")) {
      if (s.get("name").asText().equals(name)) return s;
    }
    throw new AssertionError("no scope " + name + " in " + v2);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) out.add(n.asText());
    return out;
  }
}
