package dev.spanloom.demo;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** The {@code order.created} hop without a broker: a bounded queue and one consumer thread, as one partition. */
final class InProcessOrderEventChannel implements OrderEventChannel {
  private static final int CAPACITY = 10_000;
  private final BlockingQueue<OrderEvent> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final AtomicLong nextOffset = new AtomicLong();
  private Thread consumerThread;

  @Override
  public synchronized void start(Consumer<OrderEvent> consumer) {
    consumerThread = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) consumer.accept(queue.take());
      } catch (InterruptedException e) {
        // closed
      }
    }, "demo-order-events-consumer");
    consumerThread.setDaemon(true);
    consumerThread.start();
  }

  @Override
  public Published publish(String topic, String key, String value, Headers headers) throws InterruptedException {
    // One lock keeps offsets in queue order, as one partition's are.
    synchronized (queue) {
      long offset = nextOffset.get();
      // A copy, as a broker would deliver: the producer's headers object is not the consumer's.
      OrderEvent event = new OrderEvent(topic, 0, offset, key, value, new RecordHeaders(headers.toArray()));
      if (!queue.offer(event, 1, TimeUnit.SECONDS)) {
        throw new IllegalStateException("in-process " + topic + " queue full: " + CAPACITY + " messages waiting");
      }
      nextOffset.incrementAndGet();
      return new Published(0, offset);
    }
  }

  @Override
  public synchronized void close() {
    if (consumerThread != null) {
      consumerThread.interrupt();
      try {
        consumerThread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "in-process";
  }
}
