package dev.spanloom.pipeline.sampling;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Span;
import dev.spanloom.pipeline.SpanConsumer;
import dev.spanloom.pipeline.SpanProcessor;
import dev.spanloom.pipeline.config.ConfigNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * Database hygiene, Spanloom's own processor ({@code db_statement}): keeps the statement
 * attributes ({@code db.statement}, and its newer name {@code db.query.text}) only on spans
 * slower than {@code slower_than} (100 ms by default), and strips literal values and bind
 * parameters from the statements it keeps ({@link SqlSanitizer}), so traces keep what explains a
 * slow query and not the personal data in it. {@code db.operation}, {@code db.name} and every
 * other attribute are left as they are. The Collector has no such processor; the keys follow its
 * style.
 */
public final class DbStatementProcessor implements SpanProcessor {
  public static final String TYPE = "db_statement";
  private static final Set<String> KEYS = Set.of("slower_than", "sanitize", "attributes");
  static final List<String> DEFAULT_ATTRIBUTES = List.of("db.statement", "db.query.text");

  private final long slowerThanNanos;
  private final boolean sanitize;
  private final List<String> attributes;
  private final LongAdder removed = new LongAdder();
  private final LongAdder sanitized = new LongAdder();

  public DbStatementProcessor(Duration slowerThan, boolean sanitize, List<String> attributes) {
    if (slowerThan.isNegative()) throw new IllegalArgumentException("slower_than: " + slowerThan + " (expected: >= 0s)");
    if (attributes.isEmpty()) throw new IllegalArgumentException("attributes: [] (expected: at least one attribute key)");
    this.slowerThanNanos = slowerThan.toNanos();
    this.sanitize = sanitize;
    this.attributes = List.copyOf(attributes);
  }

  /** {@code slower_than} (100ms), {@code sanitize} (true), {@code attributes} ([db.statement, db.query.text]). */
  public static DbStatementProcessor fromConfig(ConfigNode config) {
    config.requireKnownKeys(KEYS);
    Duration slowerThan = config.duration("slower_than", Duration.ofMillis(100));
    List<String> keys = config.has("attributes") ? config.stringList("attributes") : DEFAULT_ATTRIBUTES;
    if (keys.isEmpty()) throw config.invalid("attributes", "[]", "at least one attribute key");
    return new DbStatementProcessor(slowerThan, config.bool("sanitize", true), keys);
  }

  @Override
  public CompletableFuture<Void> process(List<Span> spans, SpanConsumer next) {
    List<Span> out = null;
    for (int i = 0; i < spans.size(); i++) {
      Span s = spans.get(i);
      Span cleaned = clean(s);
      if (cleaned != s && out == null) out = new ArrayList<>(spans.subList(0, i));
      if (out != null) out.add(cleaned);
    }
    return next.consume(out == null ? spans : out);
  }

  /** The span with its statements removed or sanitized; the same instance when nothing changes. */
  Span clean(Span span) {
    Attributes attrs = span.attributes();
    Attributes.Builder b = null;
    boolean slow = span.durationNanos() > slowerThanNanos;
    for (String key : attributes) {
      AttributeValue v = attrs.get(key);
      if (v == null) continue;
      if (b == null) b = attrs.toBuilder();
      if (!slow) {
        b.remove(key);
        removed.increment();
      } else if (sanitize) {
        b.put(key, SqlSanitizer.sanitize(v.asString()));
        sanitized.increment();
      }
    }
    return b == null ? span : span.toBuilder().attributes(b.build()).build();
  }

  /** Statements removed from spans not slower than the threshold. */
  public long statementsRemoved() {
    return removed.sum();
  }

  /** Statements kept with their values stripped. */
  public long statementsSanitized() {
    return sanitized.sum();
  }

  @Override
  public String toString() {
    return TYPE + "{slower_than=" + Duration.ofNanos(slowerThanNanos).toMillis() + "ms, sanitize=" + sanitize
        + ", attributes=" + attributes + "}";
  }
}
