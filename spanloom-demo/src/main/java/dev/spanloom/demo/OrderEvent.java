package dev.spanloom.demo;

import org.apache.kafka.common.header.Headers;

/** One {@code order.created} message as the consumer sees it, from Kafka or the in-process queue. */
record OrderEvent(String topic, int partition, long offset, String key, String value, Headers headers) {}
