/** OTLP ↔ span model, protobuf and JSON: the one place that knows OTLP's shapes. */
package dev.spanloom.otlp;
