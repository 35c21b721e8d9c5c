/** OTLP ingest: request bodies (protobuf, JSON) to validated spans. Transports live in the server. */
package dev.spanloom.receivers.otlp;
