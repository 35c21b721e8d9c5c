/**
 * Jaeger ingest and rendering: thrift {@code Batch} bodies (binary protocol) to validated spans,
 * and spans to the JSON of Jaeger's query API.
 */
package dev.spanloom.receivers.jaeger;
