package dev.spanloom.model.context;

import dev.spanloom.model.SpanId;
import dev.spanloom.model.TraceId;

/** The W3C Trace Context Recommendation's own examples, shared by the codec tests. */
final class TraceContextExamples {
  /** "Valid traceparent when caller sampled this request". */
  static final String TRACEPARENT_SAMPLED =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  /** "Valid traceparent when caller didn't sample this request". */
  static final String TRACEPARENT_NOT_SAMPLED =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";

  static final TraceId TRACE_ID = new TraceId(0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L);
  static final SpanId PARENT_ID = new SpanId(0x00f067aa0ba902b7L);

  /** The Congo client's outbound header in the Recommendation's walk-through. */
  static final String TRACEPARENT_CONGO = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  static final String TRACESTATE_CONGO = "congo=t61rcWkgMzE";

  /** After Rojo added itself to the left. */
  static final String TRACESTATE_ROJO_CONGO = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";

  /** After Congo wrote its entry again: it moved to the front. */
  static final String TRACESTATE_CONGO_ROJO = "congo=ucfJifl5GOE,rojo=00f067aa0ba902b7";

  /** The W3C test suite's trace ID, used for its adversarial cases. */
  static final String SUITE_TRACE_ID = "12345678901234567890123456789012";

  static final String SUITE_PARENT_ID = "1234567890123456";

  private TraceContextExamples() {}
}
