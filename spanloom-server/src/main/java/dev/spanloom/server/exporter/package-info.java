/**
 * Exporters that forward spans out of Spanloom over the network: the Collector's {@code otlp}
 * (gRPC) and {@code otlphttp} exporters, with a bounded sending queue, retries with exponential
 * backoff and counters for every span sent or dropped.
 */
package dev.spanloom.server.exporter;
