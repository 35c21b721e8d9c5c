/**
 * The W3C Trace Context codec ({@code traceparent}, {@code tracestate}) and the OpenTelemetry
 * probability-sampling values carried in the {@code ot} tracestate entry (OTEP 235).
 *
 * <p>Parsers take untrusted header values: they never throw and never half-apply, an invalid
 * header is ignored as a whole, as the Recommendation requires. Methods that build values from
 * programmer input ({@code put}, {@code withThreshold}, …) throw {@link
 * java.lang.IllegalArgumentException} naming the bad value. Everything here is non-null unless a
 * method says otherwise.
 */
package dev.spanloom.model.context;
