package dev.spanloom.demo;

import java.util.function.Consumer;
import org.apache.kafka.common.header.Headers;

/**
 * The {@code order.created} hop between order-service and notification-service: a real Kafka
 * broker ({@link KafkaOrderEventChannel}) or an in-process queue ({@link InProcessOrderEventChannel}).
 */
interface OrderEventChannel extends AutoCloseable {
  /** Where a published message landed. */
  record Published(int partition, long offset) {}

  /** Starts delivering messages to {@code consumer} on the channel's own thread. */
  void start(Consumer<OrderEvent> consumer);

  /** Publishes and waits until the transport accepted the message. */
  Published publish(String topic, String key, String value, Headers headers) throws Exception;

  @Override
  void close();
}
