package dev.spanloom.demo;

import static dev.spanloom.demo.Conventions.DB_NAME;
import static dev.spanloom.demo.Conventions.DB_OPERATION;
import static dev.spanloom.demo.Conventions.DB_SQL_TABLE;
import static dev.spanloom.demo.Conventions.DB_STATEMENT;
import static dev.spanloom.demo.Conventions.DB_SYSTEM;
import static dev.spanloom.demo.Conventions.ENDUSER_ID;
import static dev.spanloom.demo.Conventions.MESSAGING_CONSUMER_GROUP;
import static dev.spanloom.demo.Conventions.MESSAGING_DESTINATION_NAME;
import static dev.spanloom.demo.Conventions.MESSAGING_KAFKA_MESSAGE_KEY;
import static dev.spanloom.demo.Conventions.MESSAGING_KAFKA_OFFSET;
import static dev.spanloom.demo.Conventions.MESSAGING_OPERATION;
import static dev.spanloom.demo.Conventions.MESSAGING_PARTITION_ID;
import static dev.spanloom.demo.Conventions.MESSAGING_SYSTEM;
import static dev.spanloom.demo.Conventions.PEER_SERVICE;
import static dev.spanloom.demo.Conventions.SERVER_ADDRESS;
import static dev.spanloom.demo.Conventions.SERVER_PORT;
import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small online shop of five services that trace themselves with the real OpenTelemetry Java
 * SDK and export over OTLP/gRPC: the seed's trace anatomy, live.
 *
 * <pre>
 * POST /order  api-gateway ──HTTP──► auth-service      validate_token
 *                          ──HTTP──► order-service     create_order
 *                                      ├─ INSERT orders (postgresql, sometimes query_slow)
 *                                      ├─ HTTP ► payment-service ─HTTP─► stripe-api (uninstrumented)
 *                                      └─ publish order.created ─Kafka─► notification-service
 *                                                                          └─ send_email ► smtp (smtp_error, retries)
 * GET /orders/{id}  api-gateway ► auth-service, order-service ► SELECT orders
 * </pre>
 *
 * Each service is a real HTTP server on loopback; context travels as W3C {@code traceparent}/
 * {@code tracestate} in HTTP headers and in Kafka record headers. A {@link TrafficGenerator}
 * sends requests at {@link Builder#requestsPerSecond}; {@link #placeOrder()} sends one by hand.
 * No I/O happens before {@link #start()}; {@link #close()} stops everything it started.
 */
public final class DemoShop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DemoShop.class);
  static final String TOPIC = "order.created";
  private static final long SLOW_QUERY_THRESHOLD_MS = 100;
  private static final int SMTP_ATTEMPTS = 3;

  private final Builder config;
  private final List<ShopService> services = new ArrayList<>();
  private ShopService gateway;
  private ShopService auth;
  private ShopService orders;
  private ShopService payment;
  private ShopService notification;
  private UninstrumentedPeer stripe;
  private OrderEventChannel orderEvents;
  private TrafficGenerator traffic;
  private long startNanos;
  private final AtomicLong nextOrder = new AtomicLong(1000);
  private boolean started;
  private boolean closed;

  private DemoShop(Builder config) {
    this.config = config;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Opens the services' ports, connects the order.created channel, and starts the traffic. */
  public synchronized void start() {
    if (started) throw new IllegalStateException("demo shop already started");
    started = true;
    try {
      startServicesAndTraffic();
    } catch (RuntimeException e) {
      close(); // what did start is stopped again: no port or thread left behind
      throw e;
    }
    LOG.info("event=demo_started {}", this);
  }

  private void startServicesAndTraffic() {
    startNanos = System.nanoTime();
    Function<String, SpanExporter> exporters = config.exporters != null ? config.exporters
        : service -> OtlpGrpcSpanExporter.builder().setEndpoint(config.otlpEndpoint).build();
    gateway = service("api-gateway", "2.4.1", exporters);
    auth = service("auth-service", "1.9.0", exporters);
    orders = service("order-service", "3.2.0", exporters);
    payment = service("payment-service", "1.7.3", exporters);
    notification = service("notification-service", "1.3.2", exporters);
    stripe = new UninstrumentedPeer("stripe-api", config.seed, this::incidentActive, config.faults);

    gateway.route("POST", "/order", "/order", this::gatewayPlaceOrder);
    gateway.route("GET", "/orders/", "/orders/{id}", this::gatewayGetOrder);
    auth.route("POST", "/validate", "/validate", this::authValidate);
    orders.route("POST", "/orders", "/orders", this::ordersCreate);
    orders.route("GET", "/orders/", "/orders/{id}", this::ordersGet);
    payment.route("POST", "/charge", "/charge", this::paymentCharge);
    notification.route("GET", "/health", "/health", request -> new ShopService.Response(200, "{\"status\":\"up\"}"));

    orderEvents = config.kafkaBootstrapServers == null ? new InProcessOrderEventChannel()
        : new KafkaOrderEventChannel(config.kafkaBootstrapServers, TOPIC);
    orderEvents.start(this::notificationConsume);
    stripe.start();
    for (ShopService s : services) s.start();
    if (config.requestsPerSecond > 0) {
      traffic = new TrafficGenerator(gateway.uri(""), config.requestsPerSecond, config.seed, nextOrder, this::incidentActive);
      traffic.start();
    }
  }

  private ShopService service(String name, String version, Function<String, SpanExporter> exporters) {
    ShopService s = new ShopService(name, version, exporters.apply(name), config.seed);
    services.add(s);
    return s;
  }

  boolean incidentActive() {
    return config.incidents.activeAt(Duration.ofNanos(System.nanoTime() - startNanos));
  }

  /** Sends one {@code POST /order} through api-gateway and returns its HTTP status. */
  public int placeOrder() {
    return TrafficGenerator.send(gateway.uri("/order"), "POST", TrafficGenerator.orderBody(nextOrder.incrementAndGet()));
  }

  /** Waits until every span the services ended so far is exported; false when an export failed. */
  public boolean flush() {
    boolean ok = true;
    for (ShopService s : services) ok &= s.flush();
    return ok;
  }

  /** The services' loopback ports, by service name (after {@link #start()}). */
  public Map<String, Integer> ports() {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (ShopService s : services) ports.put(s.name, s.port());
    return ports;
  }

  /** Stops the traffic, the channel and the servers, then flushes and shuts down the tracer providers. */
  @Override
  public synchronized void close() {
    if (!started || closed) return;
    closed = true;
    if (traffic != null) traffic.close();
    if (orderEvents != null) orderEvents.close();
    if (stripe != null) stripe.close();
    for (int i = services.size() - 1; i >= 0; i--) services.get(i).close();
    LOG.info("event=demo_stopped requests_sent={} requests_dropped={}",
        traffic == null ? 0 : traffic.sent(), traffic == null ? 0 : traffic.dropped());
  }

  @Override
  public String toString() {
    return "DemoShop{otlp_endpoint=" + (config.exporters != null ? "custom exporter" : config.otlpEndpoint)
        + ", requests_per_second=" + config.requestsPerSecond
        + ", order_events=" + (orderEvents != null ? orderEvents
            : config.kafkaBootstrapServers == null ? "in-process" : "kafka{bootstrap_servers=" + config.kafkaBootstrapServers + "}")
        + ", seed=" + config.seed + ", faults=" + config.faults + ", incidents=" + config.incidents
        + (stripe != null ? ", services=" + services + ", " + stripe : "") + "}";
  }

  // ---- api-gateway

  private ShopService.Response gatewayPlaceOrder(ShopService.Request request) {
    gateway.work(1, 4);
    ShopService.Response authorized = gateway.call("POST", auth.uri("/validate"), "/validate", "{}", null);
    if (authorized.status() != 200) return new ShopService.Response(authorized.status(), authorized.body());
    ShopService.Response created = gateway.call("POST", orders.uri("/orders"), "/orders", request.body(), null);
    return new ShopService.Response(created.status(), created.body());
  }

  private ShopService.Response gatewayGetOrder(ShopService.Request request) {
    gateway.work(1, 3);
    ShopService.Response authorized = gateway.call("POST", auth.uri("/validate"), "/validate", "{}", null);
    if (authorized.status() != 200) return authorized;
    return gateway.call("GET", orders.uri(request.path()), "/orders/{id}", null, null);
  }

  // ---- auth-service

  private ShopService.Response authValidate(ShopService.Request request) {
    Span span = auth.tracer.spanBuilder("validate_token").startSpan();
    try (Scope ignored = span.makeCurrent()) {
      auth.work(3, 15);
      String user = "user-" + (1 + auth.random().nextInt(500));
      span.setAttribute(ENDUSER_ID, user);
      if (auth.random().nextDouble() < config.faults.invalidToken()) {
        span.addEvent("token_rejected", Attributes.of(AttributeKey.stringKey("reason"), "expired"));
        return new ShopService.Response(401, "{\"error\":\"token expired\"}");
      }
      return new ShopService.Response(200, "{\"user\":\"" + user + "\"}");
    } finally {
      span.end();
    }
  }

  // ---- order-service

  private ShopService.Response ordersCreate(ShopService.Request request) throws Exception {
    Span span = orders.tracer.spanBuilder("create_order").startSpan();
    try (Scope ignored = span.makeCurrent()) {
      String orderId = "ord-" + nextOrder.incrementAndGet();
      span.setAttribute("order.id", orderId);
      orders.work(2, 8);
      insertOrder(orderId);
      ShopService.Response charged = orders.call("POST", payment.uri("/charge"), "/charge",
          "{\"order\":\"" + orderId + "\"}", null);
      if (charged.status() != 200) {
        span.setStatus(StatusCode.ERROR, "payment failed");
        throw new ShopException(500, "order " + orderId + ": payment-service answered " + charged.status());
      }
      publishOrderCreated(orderId, request.body());
      return new ShopService.Response(201, "{\"order\":\"" + orderId + "\"}");
    } finally {
      span.end();
    }
  }

  private void insertOrder(String orderId) {
    Span db = orders.tracer.spanBuilder("INSERT orders").setSpanKind(SpanKind.CLIENT)
        .setAttribute(DB_SYSTEM, "postgresql").setAttribute(DB_NAME, "shop").setAttribute(DB_OPERATION, "INSERT")
        .setAttribute(DB_SQL_TABLE, "orders")
        .setAttribute(DB_STATEMENT, "INSERT INTO orders (id, customer_id, total_cents, status) VALUES ($1, $2, $3, 'pending')")
        .setAttribute(SERVER_ADDRESS, "orders-db.demo.internal").setAttribute(SERVER_PORT, 5432L)
        .startSpan();
    try (Scope ignored = db.makeCurrent()) {
      boolean slow = orders.random().nextDouble() < config.faults.slowQuery();
      long millis = slow ? 150 + orders.random().nextInt(450) : 4 + orders.random().nextInt(30);
      ShopService.sleep(millis);
      if (slow) {
        db.addEvent("query_slow", Attributes.of(AttributeKey.longKey("db.query.threshold_ms"), SLOW_QUERY_THRESHOLD_MS,
            AttributeKey.longKey("db.query.duration_ms"), millis));
      }
      if (orders.random().nextDouble() < config.faults.queryFailure()) {
        ShopException e = new ShopException(500,
            "ERROR: could not serialize access due to concurrent update (SQLSTATE 40001) for order " + orderId);
        db.recordException(e);
        db.setStatus(StatusCode.ERROR, "SQLSTATE 40001");
        throw e;
      }
    } finally {
      db.end();
    }
  }

  private void publishOrderCreated(String orderId, String order) throws Exception {
    Span producer = orders.tracer.spanBuilder("publish " + TOPIC).setSpanKind(SpanKind.PRODUCER)
        .setAttribute(MESSAGING_SYSTEM, "kafka").setAttribute(MESSAGING_DESTINATION_NAME, TOPIC)
        .setAttribute(MESSAGING_OPERATION, "publish").setAttribute(MESSAGING_KAFKA_MESSAGE_KEY, orderId)
        .startSpan();
    try (Scope ignored = producer.makeCurrent()) {
      Headers headers = new RecordHeaders();
      ShopService.PROPAGATOR.inject(Context.current(), headers, RecordHeadersCarrier.INSTANCE);
      OrderEventChannel.Published published = orderEvents.publish(TOPIC, orderId, order, headers);
      producer.setAttribute(MESSAGING_PARTITION_ID, Integer.toString(published.partition()));
      producer.setAttribute(MESSAGING_KAFKA_OFFSET, published.offset());
    } catch (Exception e) {
      producer.recordException(e);
      producer.setStatus(StatusCode.ERROR);
      throw e;
    } finally {
      producer.end();
    }
  }

  private ShopService.Response ordersGet(ShopService.Request request) {
    String id = request.path().substring("/orders/".length());
    Span db = orders.tracer.spanBuilder("SELECT orders").setSpanKind(SpanKind.CLIENT)
        .setAttribute(DB_SYSTEM, "postgresql").setAttribute(DB_NAME, "shop").setAttribute(DB_OPERATION, "SELECT")
        .setAttribute(DB_SQL_TABLE, "orders")
        .setAttribute(DB_STATEMENT, "SELECT id, status, total_cents FROM orders WHERE id = $1")
        .setAttribute(SERVER_ADDRESS, "orders-db.demo.internal").setAttribute(SERVER_PORT, 5432L)
        .startSpan();
    try (Scope ignored = db.makeCurrent()) {
      orders.work(2, 20);
    } finally {
      db.end();
    }
    return new ShopService.Response(200, "{\"order\":\"" + id + "\",\"status\":\"paid\"}");
  }

  // ---- payment-service

  private ShopService.Response paymentCharge(ShopService.Request request) {
    payment.work(2, 10);
    ShopService.Response charged = payment.call("POST", stripe.uri("/v1/charges"), "/v1/charges", request.body(), "stripe-api");
    if (charged.status() != 200) {
      throw new ShopException(502, "stripe-api answered " + charged.status() + ": " + charged.body());
    }
    return new ShopService.Response(200, charged.body());
  }

  // ---- notification-service

  private void notificationConsume(OrderEvent event) {
    Context parent = ShopService.PROPAGATOR.extract(Context.root(), event.headers(), RecordHeadersCarrier.INSTANCE);
    Span consumer = notification.tracer.spanBuilder("process " + event.topic()).setSpanKind(SpanKind.CONSUMER)
        .setParent(parent)
        .setAttribute(MESSAGING_SYSTEM, "kafka").setAttribute(MESSAGING_DESTINATION_NAME, event.topic())
        .setAttribute(MESSAGING_OPERATION, "process").setAttribute(MESSAGING_CONSUMER_GROUP, KafkaOrderEventChannel.CONSUMER_GROUP)
        .setAttribute(MESSAGING_PARTITION_ID, Integer.toString(event.partition()))
        .setAttribute(MESSAGING_KAFKA_OFFSET, event.offset())
        .setAttribute(MESSAGING_KAFKA_MESSAGE_KEY, event.key() == null ? "" : event.key())
        .startSpan();
    try (Scope ignored = consumer.makeCurrent()) {
      notification.work(1, 5);
      if (!sendEmail(event.key())) consumer.setStatus(StatusCode.ERROR, "confirmation email not sent");
    } catch (RuntimeException e) {
      consumer.recordException(e);
      consumer.setStatus(StatusCode.ERROR);
    } finally {
      consumer.end();
    }
  }

  /** Sends the confirmation through an uninstrumented SMTP relay, retrying {@code smtp_error}s. */
  private boolean sendEmail(String orderId) {
    Span email = notification.tracer.spanBuilder("send_email").setSpanKind(SpanKind.CLIENT)
        .setAttribute(PEER_SERVICE, "smtp").setAttribute(SERVER_ADDRESS, "smtp.demo.internal").setAttribute(SERVER_PORT, 587L)
        .setAttribute("email.template", "order_confirmation").setAttribute("order.id", orderId == null ? "" : orderId)
        .startSpan();
    try (Scope ignored = email.makeCurrent()) {
      for (int attempt = 1; attempt <= SMTP_ATTEMPTS; attempt++) {
        notification.work(10, 40);
        if (notification.random().nextDouble() >= config.faults.smtpError()) {
          email.setAttribute("smtp.attempts", (long) attempt);
          return true;
        }
        boolean retrying = attempt < SMTP_ATTEMPTS;
        email.addEvent("smtp_error", Attributes.builder()
            .put("smtp.reply_code", 421L).put("message", "4.7.0 Try again later")
            .put("retry.attempt", (long) attempt).put("retrying", retrying).build());
        if (retrying) ShopService.sleep(20L * attempt);
      }
      email.setAttribute("smtp.attempts", (long) SMTP_ATTEMPTS);
      email.recordException(new ShopException(421, "SMTP 421 4.7.0 Try again later, " + SMTP_ATTEMPTS + " attempts"));
      email.setStatus(StatusCode.ERROR, "smtp_error after " + SMTP_ATTEMPTS + " attempts");
      return false;
    } finally {
      email.end();
    }
  }

  /** The demo shop's settings; each setter checks its value. */
  public static final class Builder {
    private String otlpEndpoint = "http://127.0.0.1:4317";
    private Function<String, SpanExporter> exporters;
    private double requestsPerSecond = 5;
    private String kafkaBootstrapServers;
    private long seed = 42;
    private FaultRates faults = FaultRates.DEFAULT;
    private IncidentSchedule incidents = IncidentSchedule.DEFAULT;

    private Builder() {}

    /** The OTLP/gRPC endpoint every service exports to, e.g. {@code http://127.0.0.1:4317}. */
    public Builder otlpEndpoint(String endpoint) {
      requireNonNull(endpoint, "endpoint");
      URI uri = URI.create(endpoint);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("otlp endpoint: " + endpoint + " (expected: http://host:port)");
      }
      this.otlpEndpoint = endpoint;
      return this;
    }

    /** Exports each service's spans to {@code exporters.apply(serviceName)} instead of OTLP (tests). */
    public Builder spanExporters(Function<String, SpanExporter> exporters) {
      this.exporters = requireNonNull(exporters, "exporters");
      return this;
    }

    /** Mean rate of generated requests (Poisson arrivals); 0 turns the generator off. Default 5. */
    public Builder requestsPerSecond(double rate) {
      if (!(rate >= 0 && rate <= 10_000)) throw new IllegalArgumentException("rate: " + rate + " (expected: 0..10000)");
      this.requestsPerSecond = rate;
      return this;
    }

    /** Carries {@code order.created} through the Kafka broker(s) at {@code host:port[,…]}; null for the in-process queue. */
    public Builder kafkaBootstrapServers(String bootstrapServers) {
      if (bootstrapServers != null && !bootstrapServers.matches("[^,:\\s]+:\\d+(,[^,:\\s]+:\\d+)*")) {
        throw new IllegalArgumentException("kafka bootstrap servers: " + bootstrapServers + " (expected: host:port[,host:port…])");
      }
      this.kafkaBootstrapServers = bootstrapServers;
      return this;
    }

    /** Seeds every service's randomness and the traffic, so a run can be repeated. Default 42. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder faults(FaultRates faults) {
      this.faults = requireNonNull(faults, "faults");
      return this;
    }

    public Builder incidents(IncidentSchedule incidents) {
      this.incidents = requireNonNull(incidents, "incidents");
      return this;
    }

    public DemoShop build() {
      // A copy: changing this builder later does not change the shop.
      Builder copy = new Builder();
      copy.otlpEndpoint = otlpEndpoint;
      copy.exporters = exporters;
      copy.requestsPerSecond = requestsPerSecond;
      copy.kafkaBootstrapServers = kafkaBootstrapServers;
      copy.seed = seed;
      copy.faults = faults;
      copy.incidents = incidents;
      return new DemoShop(copy);
    }
  }
}
