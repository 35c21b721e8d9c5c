/** Zipkin ingest: v2 span lists (JSON, proto3) to validated spans, and the Zipkin ↔ model mapping. */
package dev.spanloom.receivers.zipkin;
