package dev.spanloom.demo;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code order.created} hop through a real Kafka broker: order-service's producer and
 * notification-service's consumer (group {@code notification-service}). {@link #start} waits
 * until the consumer owns its partitions, so no message published after it is missed.
 */
final class KafkaOrderEventChannel implements OrderEventChannel {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaOrderEventChannel.class);
  static final String CONSUMER_GROUP = "notification-service";
  private static final Duration ASSIGNMENT_WAIT = Duration.ofSeconds(30);

  private final String bootstrapServers;
  private final String topic;
  private KafkaProducer<String, String> producer;
  private KafkaConsumer<String, String> consumer;
  private Thread consumerThread;
  private volatile boolean running;

  KafkaOrderEventChannel(String bootstrapServers, String topic) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
  }

  @Override
  public synchronized void start(Consumer<OrderEvent> handler) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "order-service");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    // A broker that is down fails the publish span in seconds instead of blocking the request for a minute.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());

    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "notification-service");
    c.put(ConsumerConfig.GROUP_ID_CONFIG, CONSUMER_GROUP);
    // A new group starts at the end: old demo runs' messages would join traces long finished.
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());

    CountDownLatch assigned = new CountDownLatch(1);
    running = true;
    consumerThread = new Thread(() -> consume(handler, assigned), "demo-order-events-kafka-consumer");
    consumerThread.setDaemon(true);
    consumerThread.start();
    try {
      if (!assigned.await(ASSIGNMENT_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("event=demo_kafka_not_assigned bootstrap_servers={} topic={} waited={}", bootstrapServers, topic, ASSIGNMENT_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void consume(Consumer<OrderEvent> handler, CountDownLatch assigned) {
    try {
      consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
          if (!partitions.isEmpty()) assigned.countDown();
        }
      });
      while (running) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          handler.accept(new OrderEvent(r.topic(), r.partition(), r.offset(), r.key(), r.value(), r.headers()));
        }
      }
    } catch (WakeupException e) {
      // closed
    } catch (RuntimeException e) {
      LOG.warn("event=demo_kafka_consumer_failed topic={} error={}", topic, e.toString());
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  @Override
  public Published publish(String topic, String key, String value, Headers headers) throws Exception {
    RecordMetadata m = producer.send(new ProducerRecord<>(topic, null, key, value, headers)).get(10, TimeUnit.SECONDS);
    return new Published(m.partition(), m.offset());
  }

  @Override
  public synchronized void close() {
    running = false;
    if (consumer != null) consumer.wakeup();
    if (consumerThread != null) {
      try {
        consumerThread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (producer != null) producer.close(Duration.ofSeconds(5));
  }

  @Override
  public String toString() {
    return "kafka{bootstrap_servers=" + bootstrapServers + ", topic=" + topic + ", group=" + CONSUMER_GROUP + "}";
  }
}
