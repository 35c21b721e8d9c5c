package dev.spanloom.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.RequestHeaders;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web UI on the Jaeger query port: its files with revalidation headers, {@code index.html}
 * for deep links, and the Tempo routes it calls next to Jaeger's unchanged ones.
 */
class WebUiEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static RunningSpanloom spanloom;
  private static String traceId;

  @BeforeAll
  static void exportATrace() throws Exception {
    spanloom = RunningSpanloom.start();
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "ui-e2e"))))
        .addSpanProcessor(SimpleSpanProcessor.create(OtlpHttpSpanExporter.builder()
            .setEndpoint(spanloom.httpEndpoint() + "/v1/traces").build()))
        .build();
    Span span = provider.get("ui").spanBuilder("GET /ui").startSpan();
    span.end();
    traceId = span.getSpanContext().getTraceId();
    provider.forceFlush().join(10, TimeUnit.SECONDS);
    provider.shutdown().join(10, TimeUnit.SECONDS);
    for (int i = 0; i < 200; i++) {
      if (get("/api/traces/" + traceId).status().code() == 200) return;
      Thread.sleep(50);
    }
    throw new AssertionError("trace " + traceId + " was not stored");
  }

  @AfterAll
  static void stop() {
    spanloom.close();
  }

  private static AggregatedHttpResponse get(String path) {
    return WebClient.of(spanloom.jaegerQueryEndpoint()).get(path).aggregate().join();
  }

  @Test
  void servesTheAppAtTheRootWithRevalidationHeaders() {
    AggregatedHttpResponse r = get("/");
    assertThat(r.status().code()).isEqualTo(200);
    assertThat(r.contentType().toString()).startsWith("text/html");
    assertThat(r.contentUtf8()).contains("<title>Spanloom</title>");
    assertThat(r.headers().get("cache-control")).contains("no-cache");
    assertThat(r.headers().get("etag")).isNotBlank();
  }

  @Test
  void answersAnUnchangedFileWith304() {
    String etag = get("/index.html").headers().get("etag");
    AggregatedHttpResponse r = WebClient.of(spanloom.jaegerQueryEndpoint())
        .execute(RequestHeaders.of(HttpMethod.GET, "/index.html", "if-none-match", etag)).aggregate().join();
    assertThat(r.status().code()).isEqualTo(304);
  }

  @Test
  void servesIndexHtmlForDeepLinks() {
    for (String path : new String[] {"/trace/" + traceId, "/search?q=%7B%7D", "/compare/a/b", "/service/ui-e2e", "/map", "/slo", "/services"}) {
      AggregatedHttpResponse r = get(path);
      assertThat(r.status().code()).as(path).isEqualTo(200);
      assertThat(r.contentUtf8()).as(path).contains("<title>Spanloom</title>");
    }
  }

  @Test
  void unknownApiPathsAre404NotTheApp() {
    AggregatedHttpResponse r = get("/api/no-such-thing");
    assertThat(r.status().code()).isEqualTo(404);
    assertThat(r.contentUtf8()).doesNotContain("<title>");
  }

  @Test
  void jaegerKeepsItsTraceRouteAndTempoV2TraceIsBeside() throws Exception {
    JsonNode jaeger = JSON.readTree(get("/api/traces/" + traceId).contentUtf8());
    assertThat(jaeger.path("data").get(0).path("traceID").asText()).isEqualTo(traceId);
    JsonNode tempo = JSON.readTree(get("/api/v2/traces/" + traceId).contentUtf8());
    assertThat(tempo.path("trace").path("resourceSpans").get(0).path("scopeSpans").get(0).path("spans").get(0).path("name").asText())
        .isEqualTo("GET /ui");
  }

  @Test
  void tempoSearchAndTagsAnswerOnTheJaegerPort() throws Exception {
    JsonNode found = JSON.readTree(get("/api/search?" + QueryParams.of("q", "{ resource.service.name = \"ui-e2e\" }").toQueryString()).contentUtf8());
    assertThat(found.path("traces").get(0).path("traceID").asText()).isEqualTo(traceId);
    JsonNode values = JSON.readTree(get("/api/v2/search/tag/resource.service.name/values").contentUtf8());
    assertThat(values.path("tagValues").toString()).contains("ui-e2e");
    assertThat(get("/api/search/tags").contentUtf8()).contains("service.name");
  }

  @Test
  void traceQlCheckAcceptsAGoodQuery() throws Exception {
    JsonNode ok = JSON.readTree(get("/api/traceql/check?" + QueryParams.of("q", "{ span.http.status_code >= 500 }").toQueryString()).contentUtf8());
    assertThat(ok.path("ok").asBoolean()).isTrue();
  }

  @Test
  void traceQlCheckPlacesTheMistakeOnTheLineAndOffset() throws Exception {
    String q = "{ .a = 1 }\n| { name = }";
    JsonNode bad = JSON.readTree(get("/api/traceql/check?" + QueryParams.of("q", q).toQueryString()).contentUtf8());
    assertThat(bad.has("ok")).isFalse();
    assertThat(bad.path("error").asText()).isNotBlank();
    assertThat(bad.path("line").asInt()).isEqualTo(2);
    int offset = bad.path("offset").asInt();
    assertThat(offset).isEqualTo(q.indexOf('\n') + bad.path("column").asInt());
    assertThat(q.substring(offset)).startsWith("}");
  }
}
