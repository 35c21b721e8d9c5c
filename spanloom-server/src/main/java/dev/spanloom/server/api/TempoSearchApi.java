package dev.spanloom.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Span;
import dev.spanloom.model.StatusCode;
import dev.spanloom.model.Trace;
import dev.spanloom.query.MatchedSpan;
import dev.spanloom.query.SearchResult;
import dev.spanloom.query.Spanset;
import dev.spanloom.query.TagScope;
import dev.spanloom.query.TagSearch;
import dev.spanloom.query.TagValue;
import dev.spanloom.query.TempoTagQuery;
import dev.spanloom.query.TraceMatch;
import dev.spanloom.query.TraceQlException;
import dev.spanloom.query.TraceQlQuery;
import dev.spanloom.query.TraceQlSearch;
import dev.spanloom.storage.TraceReader;
import java.time.Clock;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Tempo's search API on the query port: {@code /api/search} (TraceQL {@code q}, or {@code tags}
 * in logfmt with {@code minDuration}/{@code maxDuration}), the tag name and tag value APIs (v1 and
 * v2) and {@code /api/status/buildinfo}, answering in Tempo's JSON shapes (protobuf's JSON
 * mapping: 64-bit numbers as strings). Bad queries and parameters get HTTP 400 with the reason;
 * a TraceQL mistake carries its line and column.
 */
public final class TempoSearchApi {
  /** Tempo's default: 3 spans per spanset. Result limits come from {@link SearchSettings}. */
  public static final int DEFAULT_SPSS = 3;
  /** Tag names and values look at the last hour unless {@code start}/{@code end} say otherwise. */
  public static final long DEFAULT_TAG_WINDOW_NANOS = TimeUnit.HOURS.toNanos(1);
  /**
   * The Tempo release whose API this one follows, reported by {@code /api/status/buildinfo} as
   * {@code version} so that Grafana enables the features it has (scoped tags, TraceQL).
   */
  public static final String TEMPO_API_VERSION = "2.8.0";
  static final String NO_ROOT = "<root span not yet received>";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final TraceQlSearch search;
  private final TagSearch tags;
  private final Clock clock;
  private final SearchSettings settings;
  private final SearchListener listener;

  /** Told of every answered search, e.g. to count it against the search SLO. */
  @FunctionalInterface
  public interface SearchListener {
    void searched(long nanos, long inspectedBytes, boolean withinSlo);
  }

  public TempoSearchApi(TraceReader reader) {
    this(reader, Clock.systemUTC(), SearchSettings.DEFAULTS, (nanos, bytes, withinSlo) -> {});
  }

  public TempoSearchApi(TraceReader reader, Clock clock, SearchSettings settings, SearchListener listener) {
    requireNonNull(reader, "reader");
    this.clock = requireNonNull(clock, "clock");
    this.settings = requireNonNull(settings, "settings");
    this.listener = requireNonNull(listener, "listener");
    this.search = new TraceQlSearch(reader, clock);
    this.tags = new TagSearch(reader);
  }

  public void mount(ServerBuilder sb) {
    mountSearchRoutes(sb);
    sb.service("/api/status/buildinfo", (ctx, req) -> json(buildInfo()));
  }

  /**
   * The routes the web UI calls, which Jaeger's API on its port does not have: search, tag
   * names and values, and {@code /api/traceql/check}.
   */
  public void mountSearchRoutes(ServerBuilder sb) {
    sb.service("/api/traceql/check", (ctx, req) -> json(check(params(ctx).get("q", ""))));
    sb.service("/api/search", (ctx, req) -> blocking(ctx, () -> search(params(ctx))));
    sb.service("/api/search/tags", (ctx, req) -> blocking(ctx, () -> tagNamesV1(params(ctx))));
    sb.service("/api/v2/search/tags", (ctx, req) -> blocking(ctx, () -> tagNamesV2(params(ctx))));
    sb.service("/api/search/tag/{tag}/values", (ctx, req) -> blocking(ctx, () -> tagValuesV1(ctx.pathParam("tag"), params(ctx))));
    sb.service("/api/v2/search/tag/{tag}/values", (ctx, req) -> blocking(ctx, () -> tagValuesV2(ctx.pathParam("tag"), params(ctx))));
  }

  /**
   * Whether a TraceQL query parses and type-checks: {@code {"ok":true}}, or the mistake with its
   * place as {@code line}/{@code column} (from 1) and {@code offset} (UTF-16 units from 0, for
   * editors). An empty query is fine: the search then matches every trace.
   */
  static ObjectNode check(String q) {
    ObjectNode n = JSON.createObjectNode();
    if (q.isBlank()) return n.put("ok", true);
    try {
      TraceQlQuery.parse(q);
      return n.put("ok", true);
    } catch (TraceQlException e) {
      return n.put("error", e.reason()).put("line", e.line()).put("column", e.column())
          .put("offset", offsetOf(q, e.line(), e.column()));
    }
  }

  private static int offsetOf(String text, int line, int column) {
    int offset = 0;
    for (int l = 1; l < line; l++) {
      int nl = text.indexOf('\n', offset);
      if (nl < 0) break;
      offset = nl + 1;
    }
    return Math.min(text.length(), offset + Math.max(0, column - 1));
  }

  private static QueryParams params(ServiceRequestContext ctx) {
    String query = ctx.query();
    return query == null ? QueryParams.of() : QueryParams.fromQueryString(query);
  }

  // Searches read storage: keep them off the event loop. Refusals are 400s with the reason.
  private static HttpResponse blocking(ServiceRequestContext ctx, Supplier<HttpResponse> work) {
    return HttpResponse.of(CompletableFuture.supplyAsync(() -> {
      try {
        return work.get();
      } catch (TraceQlException e) {
        return badRequest("invalid TraceQL query: " + e.getMessage());
      } catch (IllegalArgumentException e) {
        return badRequest(e.getMessage());
      }
    }, ctx.blockingTaskExecutor()));
  }

  private static HttpResponse badRequest(String message) {
    return HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.PLAIN_TEXT_UTF_8, message);
  }

  private static HttpResponse json(ObjectNode body) {
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, body.toString());
  }

  // -- /api/search -----------------------------------------------------------------------

  HttpResponse search(QueryParams p) {
    long began = System.nanoTime();
    int limit = positiveInt(p, "limit", settings.defaultResultLimit(), settings.maxResultLimit());
    int spss = positiveInt(p, "spss", DEFAULT_SPSS, Integer.MAX_VALUE);
    long start = epochSeconds(p, "start");
    long end = endOfSecond(epochSeconds(p, "end"));
    checkWindow(start, end);
    String q = p.get("q", "").trim();
    String traceQl;
    if (!q.isEmpty()) {
      traceQl = q;
    } else {
      long min = duration(p, "minDuration");
      long max = duration(p, "maxDuration");
      if (max != 0 && min > max) {
        throw new IllegalArgumentException("minDuration: " + p.get("minDuration") + " (expected: <= maxDuration " + p.get("maxDuration") + ")");
      }
      traceQl = TempoTagQuery.toTraceQl(p.get("tags", ""), min, max);
    }
    SearchResult result = search.search(new TraceQlSearch.Request(TraceQlQuery.parse(traceQl), start, end, limit));
    ObjectNode body = JSON.createObjectNode();
    ArrayNode traces = body.putArray("traces");
    for (TraceMatch m : result.traces()) traces.add(trace(m, spss));
    ObjectNode metrics = body.putObject("metrics");
    metrics.put("inspectedTraces", result.inspectedTraces());
    metrics.put("inspectedBytes", Long.toString(result.inspectedBytes()));
    metrics.put("completedJobs", 1);
    metrics.put("totalJobs", 1);
    long nanos = System.nanoTime() - began;
    listener.searched(nanos, result.inspectedBytes(), settings.withinSlo(nanos, result.inspectedBytes()));
    return json(body);
  }

  private static ObjectNode trace(TraceMatch m, int spss) {
    Trace t = m.trace();
    Span root = null;
    for (Span s : t.spans()) {
      if (s.isRoot()) {
        root = s;
        break;
      }
    }
    ObjectNode n = JSON.createObjectNode();
    n.put("traceID", t.traceId().toHex());
    n.put("rootServiceName", root == null ? NO_ROOT : root.serviceName());
    n.put("rootTraceName", root == null ? NO_ROOT : root.name());
    n.put("startTimeUnixNano", Long.toString(t.startEpochNanos()));
    n.put("durationMs", t.durationNanos() / 1_000_000);
    ArrayNode sets = n.putArray("spanSets");
    for (Spanset s : m.spansets()) sets.add(spanset(s, spss));
    if (!sets.isEmpty()) n.set("spanSet", sets.get(0).deepCopy());
    Map<String, int[]> stats = new TreeMap<>();
    for (Span s : t.spans()) {
      int[] c = stats.computeIfAbsent(s.serviceName(), k -> new int[2]);
      c[0]++;
      if (s.status().code() == StatusCode.ERROR) c[1]++;
    }
    ObjectNode serviceStats = n.putObject("serviceStats");
    stats.forEach((service, c) -> serviceStats.putObject(service).put("spanCount", c[0]).put("errorCount", c[1]));
    return n;
  }

  private static ObjectNode spanset(Spanset s, int spss) {
    ObjectNode n = JSON.createObjectNode();
    ArrayNode spans = n.putArray("spans");
    for (MatchedSpan ms : s.spans().subList(0, Math.min(spss, s.spans().size()))) {
      Span span = ms.span();
      ObjectNode o = spans.addObject();
      o.put("spanID", span.spanId().toHex());
      o.put("name", span.name());
      o.put("startTimeUnixNano", Long.toString(span.startEpochNanos()));
      o.put("durationNanos", Long.toString(span.durationNanos()));
      o.set("attributes", attributes(ms.attributes()));
    }
    n.put("matched", s.spans().size());
    if (!s.attributes().isEmpty()) n.set("attributes", attributes(s.attributes()));
    return n;
  }

  /** Attributes as OTLP/JSON key-values, as Tempo writes them. */
  static ArrayNode attributes(Attributes attributes) {
    ArrayNode a = JSON.createArrayNode();
    for (int i = 0; i < attributes.size(); i++) {
      ObjectNode kv = a.addObject();
      kv.put("key", attributes.key(i));
      kv.set("value", anyValue(attributes.value(i)));
    }
    return a;
  }

  private static ObjectNode anyValue(AttributeValue v) {
    ObjectNode n = JSON.createObjectNode();
    if (v instanceof AttributeValue.StringValue s) n.put("stringValue", s.value());
    else if (v instanceof AttributeValue.LongValue l) n.put("intValue", Long.toString(l.value()));
    else if (v instanceof AttributeValue.DoubleValue d) n.put("doubleValue", d.value());
    else if (v instanceof AttributeValue.BoolValue b) n.put("boolValue", b.value());
    else if (v instanceof AttributeValue.BytesValue b) n.put("bytesValue", Base64.getEncoder().encodeToString(b.toByteArray()));
    else if (v instanceof AttributeValue.ArrayValue arr) {
      ArrayNode values = n.putObject("arrayValue").putArray("values");
      for (AttributeValue e : arr.values()) values.add(anyValue(e));
    } else if (v instanceof AttributeValue.KeyValueList kvl) {
      n.putObject("kvlistValue").set("values", attributes(kvl.values()));
    }
    return n;
  }

  // -- Tags ------------------------------------------------------------------------------

  HttpResponse tagNamesV1(QueryParams p) {
    Set<TagScope> scopes = scopes(p, EnumSet.of(TagScope.SPAN, TagScope.RESOURCE));
    long[] window = tagWindow(p);
    TagSearch.Names names = tags.tagNames(scopes, null, window[0], window[1], positiveInt(p, "limit", TagSearch.DEFAULT_LIMIT, Integer.MAX_VALUE));
    SortedSet<String> all = new java.util.TreeSet<>();
    names.byScope().values().forEach(all::addAll);
    ObjectNode body = JSON.createObjectNode();
    ArrayNode tagNames = body.putArray("tagNames");
    all.forEach(tagNames::add);
    body.putObject("metrics").put("inspectedBytes", Long.toString(names.inspectedBytes()));
    return json(body);
  }

  HttpResponse tagNamesV2(QueryParams p) {
    Set<TagScope> scopes = scopes(p, EnumSet.allOf(TagScope.class));
    long[] window = tagWindow(p);
    TagSearch.Names names = tags.tagNames(scopes, lenientFilter(p), window[0], window[1], positiveInt(p, "limit", TagSearch.DEFAULT_LIMIT, Integer.MAX_VALUE));
    ObjectNode body = JSON.createObjectNode();
    ArrayNode list = body.putArray("scopes");
    names.byScope().forEach((scope, tagNames) -> {
      if (tagNames.isEmpty()) return;
      ObjectNode s = list.addObject();
      s.put("name", scope.tempoName());
      ArrayNode t = s.putArray("tags");
      tagNames.forEach(t::add);
    });
    body.putObject("metrics").put("inspectedBytes", Long.toString(names.inspectedBytes()));
    return json(body);
  }

  /** v1 takes a bare name ({@code service.name}, {@code http.method}): an unscoped attribute, or an intrinsic. */
  HttpResponse tagValuesV1(String tag, QueryParams p) {
    String field = tag.startsWith(".") || tag.contains(":") || isIntrinsic(tag) ? tag : "." + quoteIfNeeded(tag);
    TagSearch.Values values = tagValues(field, p);
    ObjectNode body = JSON.createObjectNode();
    ArrayNode list = body.putArray("tagValues");
    for (TagValue v : values.values()) list.add(v.value());
    body.putObject("metrics").put("inspectedBytes", Long.toString(values.inspectedBytes()));
    return json(body);
  }

  HttpResponse tagValuesV2(String tag, QueryParams p) {
    TagSearch.Values values = tagValues(tag, p);
    ObjectNode body = JSON.createObjectNode();
    ArrayNode list = body.putArray("tagValues");
    for (TagValue v : values.values()) list.addObject().put("type", v.type()).put("value", v.value());
    body.putObject("metrics").put("inspectedBytes", Long.toString(values.inspectedBytes()));
    return json(body);
  }

  private TagSearch.Values tagValues(String field, QueryParams p) {
    long[] window = tagWindow(p);
    int limit = positiveInt(p, "limit", TagSearch.DEFAULT_LIMIT, Integer.MAX_VALUE);
    try {
      return tags.tagValues(field, lenientFilter(p), window[0], window[1], limit);
    } catch (TraceQlException e) {
      throw new IllegalArgumentException("tag: \"" + field + "\" is not a TraceQL attribute or intrinsic: " + e.getMessage());
    }
  }

  /** The {@code q} of the tag APIs; as Tempo, one it cannot parse (often half-typed in an editor) filters nothing. */
  private static TraceQlQuery lenientFilter(QueryParams p) {
    String q = p.get("q", "").trim();
    if (q.isEmpty()) return null;
    try {
      return TraceQlQuery.parse(q);
    } catch (TraceQlException e) {
      return null;
    }
  }

  private static boolean isIntrinsic(String tag) {
    return Set.of("name", "status", "statusMessage", "kind", "duration", "rootName", "rootServiceName", "traceDuration").contains(tag);
  }

  private static String quoteIfNeeded(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isWhitespace(c) || "{}()=!<>~&|,\"`+*/%^".indexOf(c) >= 0) {
        return "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
      }
    }
    return name;
  }

  private static Set<TagScope> scopes(QueryParams p, Set<TagScope> all) {
    String scope = p.get("scope", "all");
    if (scope.isEmpty() || scope.equals("all")) return all;
    TagScope s = TagScope.of(scope);
    if (s == null) {
      throw new IllegalArgumentException("scope: \"" + scope + "\" (expected: all, span, resource, event, link, instrumentation or intrinsic)");
    }
    return EnumSet.of(s);
  }

  /** The tag APIs' window: start/end if given, else the hour before end (or now). */
  private long[] tagWindow(QueryParams p) {
    long start = epochSeconds(p, "start");
    long end = endOfSecond(epochSeconds(p, "end"));
    checkWindow(start, end);
    if (end == 0) end = TimeUnit.MILLISECONDS.toNanos(clock.millis());
    if (start == 0) start = Math.max(1, end - DEFAULT_TAG_WINDOW_NANOS);
    return new long[] {start, end};
  }

  // -- Parameters ------------------------------------------------------------------------

  private static int positiveInt(QueryParams p, String name, int defaultValue, int max) {
    String v = p.get(name);
    if (v == null || v.isBlank()) return defaultValue;
    try {
      int n = Integer.parseInt(v.trim());
      if (n > 0 && n <= max) return n;
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException(name + ": \"" + v + "\" (expected: an integer from 1 to " + max + ")");
  }

  /** Unix seconds as epoch nanoseconds; 0 when absent. */
  private static long epochSeconds(QueryParams p, String name) {
    String v = p.get(name);
    if (v == null || v.isBlank()) return 0;
    try {
      long seconds = Long.parseLong(v.trim());
      if (seconds >= 0 && seconds < 10_000_000_000L) return TimeUnit.SECONDS.toNanos(seconds);
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException(name + ": \"" + v + "\" (expected: unix epoch seconds)");
  }

  /** {@code end} is a whole second: spans starting within it are in the window. */
  private static long endOfSecond(long endEpochNanos) {
    return endEpochNanos == 0 ? 0 : endEpochNanos + 999_999_999L;
  }

  private static void checkWindow(long start, long end) {
    if (start != 0 && end != 0 && start > end) {
      throw new IllegalArgumentException("start: " + start / 1_000_000_000L + " (expected: <= end " + end / 1_000_000_000L + ")");
    }
  }

  private static long duration(QueryParams p, String name) {
    String v = p.get(name);
    if (v == null || v.isBlank()) return 0;
    try {
      return TempoTagQuery.parseDuration(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage());
    }
  }

  // -- Build info ------------------------------------------------------------------------

  private static ObjectNode buildInfo() {
    String spanloom = TempoSearchApi.class.getPackage().getImplementationVersion();
    ObjectNode n = JSON.createObjectNode();
    n.put("version", TEMPO_API_VERSION);
    n.put("revision", "");
    n.put("branch", "");
    n.put("buildUser", "");
    n.put("buildDate", "");
    n.put("goVersion", "");
    n.put("spanloomVersion", spanloom == null ? "dev" : spanloom);
    return n;
  }

  @Override
  public String toString() {
    return "TempoSearchApi{" + search + ", " + tags + "}";
  }
}
