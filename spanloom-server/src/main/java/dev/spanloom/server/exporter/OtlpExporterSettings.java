package dev.spanloom.server.exporter;

import static java.util.Objects.requireNonNull;

import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.config.ConfigNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The effective configuration of one {@code otlp} or {@code otlphttp} exporter, parsed and checked
 * once from the Collector's keys. Defaults are the Collector's.
 *
 * <p>TLS uses the JVM's default trust store (the system CAs); there is no {@code ca_file} or
 * client certificate yet, and asking for one is a configuration error rather than a silent
 * plain-text connection.
 */
public final class OtlpExporterSettings {
  /** The wire protocol: gRPC {@code TraceService/Export}, or HTTP {@code POST /v1/traces} with a protobuf body. */
  public enum Protocol { GRPC, HTTP }

  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  private static final Set<String> KEYS = Set.of("endpoint", "tls", "headers", "compression", "timeout",
      "sending_queue", "retry_on_failure");
  private static final Set<String> HTTP_KEYS = Set.of("endpoint", "traces_endpoint", "tls", "headers", "compression",
      "timeout", "sending_queue", "retry_on_failure");
  private static final Set<String> TLS_KEYS = Set.of("insecure");
  private static final Set<String> QUEUE_KEYS = Set.of("enabled", "num_consumers", "queue_size");
  private static final Set<String> RETRY_KEYS = Set.of("enabled", "initial_interval", "max_interval", "max_elapsed_time",
      "multiplier", "randomization_factor");

  private final Protocol protocol;
  private final URI target;
  private final Map<String, String> headers;
  private final boolean gzip;
  private final Duration timeout;
  private final QueueSettings queue;
  private final RetrySettings retry;

  /** {@code sending_queue}: batches waiting to be sent, and how many are sent at once. */
  public record QueueSettings(boolean enabled, int numConsumers, int queueSize) {}

  /**
   * {@code retry_on_failure}: exponential backoff as the Collector's (cenkalti/backoff): the n-th
   * wait is {@code initial_interval * multiplier^n}, capped at {@code max_interval}, spread by
   * ± {@code randomization_factor}; a batch is given up when the next wait would end after
   * {@code max_elapsed_time} (0: never).
   */
  public record RetrySettings(boolean enabled, Duration initialInterval, Duration maxInterval, Duration maxElapsedTime,
      double multiplier, double randomizationFactor) {

    /** The wait before retry number {@code retry} (0 for the first), with {@code random} in [0, 1). */
    public Duration backoff(int retry, double random) {
      double interval = initialInterval.toNanos();
      double max = maxInterval.toNanos();
      for (int i = 0; i < retry && interval < max; i++) interval *= multiplier;
      interval = Math.min(interval, max);
      double delta = randomizationFactor * interval;
      return Duration.ofNanos((long) (interval - delta + random * 2 * delta));
    }
  }

  private OtlpExporterSettings(Protocol protocol, URI target, Map<String, String> headers, boolean gzip, Duration timeout,
      QueueSettings queue, RetrySettings retry) {
    this.protocol = protocol;
    this.target = target;
    this.headers = headers;
    this.gzip = gzip;
    this.timeout = timeout;
    this.queue = queue;
    this.retry = retry;
  }

  /**
   * Parses an exporter's section. For gRPC {@code endpoint} is {@code host:port} with an optional
   * {@code http://} or {@code https://}; without a scheme TLS is used unless {@code tls.insecure}.
   * For HTTP it is a URL, and spans go to {@code {endpoint}/v1/traces} unless {@code
   * traces_endpoint} gives the full URL.
   *
   * @throws ConfigException naming the key at fault
   */
  public static OtlpExporterSettings fromConfig(ConfigNode config, Protocol protocol) {
    requireNonNull(protocol, "protocol");
    config.requireKnownKeys(protocol == Protocol.GRPC ? KEYS : HTTP_KEYS);
    ConfigNode tls = config.child("tls");
    for (String k : tls.keys()) {
      if (!TLS_KEYS.contains(k)) {
        throw new ConfigException(tls.pathOf(k) + ": not supported (expected: insecure; TLS trusts the system's CAs)");
      }
    }
    boolean insecure = tls.bool("insecure", false);
    URI target = protocol == Protocol.GRPC ? grpcTarget(config, insecure) : httpTarget(config);

    Map<String, String> headers = new LinkedHashMap<>();
    ConfigNode headerNode = config.child("headers");
    for (String name : headerNode.keys()) {
      String value = headerNode.string(name, null);
      if (value == null) throw headerNode.invalid(name, null, "a header value");
      headers.put(name, value);
    }

    String compression = config.string("compression", "gzip").toLowerCase(Locale.ROOT);
    if (!compression.equals("gzip") && !compression.equals("none")) {
      throw config.invalid("compression", config.string("compression", ""), "gzip or none");
    }
    Duration timeout = config.duration("timeout", DEFAULT_TIMEOUT);
    if (timeout.isZero() || timeout.isNegative()) throw config.invalid("timeout", config.string("timeout", ""), "> 0s");

    ConfigNode q = config.child("sending_queue").requireKnownKeys(QUEUE_KEYS);
    int consumers = q.intValue("num_consumers", 10);
    if (consumers <= 0) throw q.invalid("num_consumers", consumers, "> 0");
    int size = q.intValue("queue_size", 1000);
    if (size <= 0) throw q.invalid("queue_size", size, "> 0 batches");
    QueueSettings queue = new QueueSettings(q.bool("enabled", true), consumers, size);

    ConfigNode r = config.child("retry_on_failure").requireKnownKeys(RETRY_KEYS);
    Duration initial = r.duration("initial_interval", Duration.ofSeconds(5));
    if (initial.isZero() || initial.isNegative()) throw r.invalid("initial_interval", r.string("initial_interval", ""), "> 0s");
    Duration max = r.duration("max_interval", Duration.ofSeconds(30));
    if (max.compareTo(initial) < 0) {
      throw r.invalid("max_interval", r.string("max_interval", ""), ">= initial_interval " + r.string("initial_interval", "5s"));
    }
    Duration maxElapsed = r.duration("max_elapsed_time", Duration.ofSeconds(300));
    if (maxElapsed.isNegative()) throw r.invalid("max_elapsed_time", r.string("max_elapsed_time", ""), ">= 0s (0: no limit)");
    double multiplier = r.number("multiplier", 1.5);
    if (!(multiplier >= 1)) throw r.invalid("multiplier", multiplier, ">= 1");
    double randomization = r.number("randomization_factor", 0.5);
    if (!(randomization >= 0 && randomization <= 1)) throw r.invalid("randomization_factor", randomization, "0 to 1");
    RetrySettings retry = new RetrySettings(r.bool("enabled", true), initial, max, maxElapsed, multiplier, randomization);

    return new OtlpExporterSettings(protocol, target, Collections.unmodifiableMap(headers), compression.equals("gzip"),
        timeout, queue, retry);
  }

  private static URI grpcTarget(ConfigNode config, boolean insecure) {
    String endpoint = config.string("endpoint", null);
    if (endpoint == null || endpoint.isBlank()) throw config.invalid("endpoint", "", "host:port such as jaeger:4317");
    String scheme;
    String authority;
    if (endpoint.startsWith("http://") || endpoint.startsWith("https://")) {
      int sep = endpoint.indexOf("://");
      scheme = endpoint.substring(0, sep);
      authority = endpoint.substring(sep + 3);
      if (authority.endsWith("/")) authority = authority.substring(0, authority.length() - 1);
    } else {
      scheme = insecure ? "http" : "https";
      authority = endpoint;
    }
    URI uri;
    try {
      uri = new URI(scheme + "://" + authority);
    } catch (URISyntaxException e) {
      throw config.invalid("endpoint", endpoint, "host:port such as jaeger:4317");
    }
    if (uri.getHost() == null || uri.getPort() < 0 || (uri.getPath() != null && !uri.getPath().isEmpty())) {
      throw config.invalid("endpoint", endpoint, "host:port such as jaeger:4317, optionally after http:// or https://");
    }
    return uri;
  }

  private static URI httpTarget(ConfigNode config) {
    String key = config.has("traces_endpoint") ? "traces_endpoint" : "endpoint";
    String value = config.string(key, null);
    if (value == null || value.isBlank()) {
      throw config.invalid("endpoint", "", "a URL such as http://jaeger:4318");
    }
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw config.invalid(key, value, "a URL such as http://jaeger:4318");
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw config.invalid(key, value, "a URL such as http://jaeger:4318");
    }
    if (key.equals("traces_endpoint")) return uri;
    String base = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    return URI.create(base + "/v1/traces");
  }

  public Protocol protocol() {
    return protocol;
  }

  /** For gRPC {@code http(s)://host:port}; for HTTP the full URL spans are posted to. */
  public URI target() {
    return target;
  }

  /** True when the connection is encrypted ({@code https}). */
  public boolean tls() {
    return "https".equals(target.getScheme());
  }

  public Map<String, String> headers() {
    return headers;
  }

  public boolean gzip() {
    return gzip;
  }

  /** How long one attempt may take. */
  public Duration timeout() {
    return timeout;
  }

  public QueueSettings queue() {
    return queue;
  }

  public RetrySettings retry() {
    return retry;
  }

  /** The effective configuration with header values masked, for logs. */
  @Override
  public String toString() {
    StringBuilder masked = new StringBuilder("{");
    headers.keySet().forEach(k -> masked.append(masked.length() == 1 ? "" : ", ").append(k).append("=***"));
    masked.append('}');
    return "endpoint=" + target + ", tls=" + tls() + ", headers=" + masked + ", compression=" + (gzip ? "gzip" : "none")
        + ", timeout=" + timeout + ", sending_queue={enabled=" + queue.enabled() + ", num_consumers=" + queue.numConsumers()
        + ", queue_size=" + queue.queueSize() + "}, retry_on_failure={enabled=" + retry.enabled() + ", initial_interval="
        + retry.initialInterval() + ", max_interval=" + retry.maxInterval() + ", max_elapsed_time=" + retry.maxElapsedTime()
        + ", multiplier=" + retry.multiplier() + ", randomization_factor=" + retry.randomizationFactor() + "}";
  }
}
