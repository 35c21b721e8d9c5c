package dev.spanloom.demo;

import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Kafka record headers as the propagator's carrier: the producer injects {@code traceparent} and
 * {@code tracestate} into them, the consumer extracts from them. The in-process queue carries
 * the same {@link Headers}, so both transports run this code.
 */
enum RecordHeadersCarrier implements TextMapSetter<Headers>, TextMapGetter<Headers> {
  INSTANCE;

  @Override
  public void set(Headers headers, String key, String value) {
    if (headers == null) return;
    headers.remove(key);
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public Iterable<String> keys(Headers headers) {
    List<String> keys = new ArrayList<>();
    for (Header h : headers) keys.add(h.key());
    return keys;
  }

  @Override
  public String get(Headers headers, String key) {
    if (headers == null) return null;
    Header h = headers.lastHeader(key);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
