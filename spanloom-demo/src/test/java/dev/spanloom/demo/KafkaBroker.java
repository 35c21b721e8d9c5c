package dev.spanloom.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Kafka 4.4 broker for tests: KRaft combined mode (broker and controller) in a child JVM
 * on the test classpath of {@code kafka_2.13}, on free loopback ports, its data in a temporary
 * directory that {@link #close()} deletes after killing the process. Its log is
 * {@code target/kafka-broker.log}.
 */
final class KafkaBroker implements AutoCloseable {
  private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final Process process;
  private final Path dir;
  private final int port;

  private KafkaBroker(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  static KafkaBroker start() throws IOException, InterruptedException {
    String classpathFile = System.getProperty("kafka.broker.classpath");
    if (classpathFile == null) throw new IllegalStateException("kafka.broker.classpath: not set (expected: set by the pom's surefire configuration)");
    String classpath = Files.readString(Path.of(classpathFile)).trim();
    int port = freePort();
    int controllerPort = freePort();
    Path dir = Files.createTempDirectory("spanloom-kafka");
    Path config = dir.resolve("server.properties");
    Files.writeString(config, String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=" + dir.resolve("logs"),
        "num.partitions=1",
        "offsets.topic.num.partitions=1",
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        // A consumer group of one need not wait for others to join.
        "group.initial.rebalance.delay.ms=0",
        ""));
    String clusterId = run(classpath, dir, "kafka.tools.StorageTool", "random-uuid").trim();
    run(classpath, dir, "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString());

    Path log = Path.of("target", "kafka-broker.log").toAbsolutePath();
    Process process = new ProcessBuilder(java(classpath, "kafka.Kafka", config.toString()))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    KafkaBroker broker = new KafkaBroker(process, dir, port);
    try {
      broker.awaitPort(log);
    } catch (IOException | InterruptedException | RuntimeException e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  private void awaitPort(Path log) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("kafka broker exited with " + process.exitValue() + "; see " + log);
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) throw new IOException("kafka broker did not open port " + port + " in 60 s; see " + log);
        Thread.sleep(100);
      }
    }
  }

  private static List<String> java(String classpath, String... mainAndArgs) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xms256m", "-Xmx256m", "-XX:+UseSerialGC", "-cp", classpath));
    command.addAll(List.of(mainAndArgs));
    return command;
  }

  /** Runs a Kafka tool to completion; its output. */
  private static String run(String classpath, Path dir, String... mainAndArgs) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(java(classpath, mainAndArgs)).directory(dir.toFile())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", mainAndArgs) + ": did not finish in 60 s");
    }
    if (p.exitValue() != 0) throw new IOException(String.join(" ", mainAndArgs) + ": exit " + p.exitValue() + ": " + out);
    // The tool may log before its answer: the answer is the last line.
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1];
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Kills the broker by its PID and deletes its data. */
  @Override
  public void close() {
    ProcessHandle handle = process.toHandle();
    handle.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        handle.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      handle.destroyForcibly();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
