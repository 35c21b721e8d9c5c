package dev.spanloom.receivers;

/**
 * The tag names OpenTelemetry uses when it maps spans to and from formats without its own fields
 * for kind, status, scope and trace state (Jaeger, Zipkin), shared by both translators.
 */
public final class OtelTagNames {
  public static final String SPAN_KIND = "span.kind";
  public static final String ERROR = "error";
  public static final String STATUS_CODE = "otel.status_code";
  public static final String STATUS_DESCRIPTION = "otel.status_description";
  public static final String SCOPE_NAME = "otel.scope.name";
  public static final String SCOPE_VERSION = "otel.scope.version";
  public static final String LIBRARY_NAME = "otel.library.name";
  public static final String LIBRARY_VERSION = "otel.library.version";
  public static final String TRACE_STATE = "w3c.tracestate";

  private OtelTagNames() {}
}
