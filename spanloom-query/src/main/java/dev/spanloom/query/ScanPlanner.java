package dev.spanloom.query;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.query.FieldExpression.Attribute;
import dev.spanloom.query.FieldExpression.Binary;
import dev.spanloom.query.FieldExpression.IntrinsicField;
import dev.spanloom.query.FieldExpression.Literal;
import dev.spanloom.query.FieldExpression.Not;
import dev.spanloom.query.FieldExpression.Op;
import dev.spanloom.query.FieldExpression.RegexMatch;
import dev.spanloom.query.FieldExpression.Scope;
import dev.spanloom.query.SpansetExpression.Filter;
import dev.spanloom.query.SpansetExpression.Operation;
import dev.spanloom.query.SpansetExpression.Pipeline;
import dev.spanloom.storage.AttributeEquality;
import dev.spanloom.storage.SpanName;
import dev.spanloom.storage.TraceReader;
import dev.spanloom.storage.TraceScan;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Derives what every matching trace must contain from a query, and turns it into {@link
 * TraceScan} hints: the strongest the SPI can express that never drop a match.
 *
 * <p>Each filter yields a <em>span requirement</em> (a span whose resource {@code service.name}
 * satisfies a predicate, whose name is one of a set, at least this long). A trace requirement is
 * a conjunction of span requirements, each met by some span: {@code {a} && {b}}, the structural
 * operators and pipelines keep both sides' requirements; {@code ||} keeps their pairwise
 * disjunctions; negated structural operators keep only the right side's. Predicates on service
 * names are resolved against {@link TraceReader#serviceNames()}, so that regular expressions and
 * {@code !=} become name sets too, and a requirement no stored service meets answers the query
 * without a scan.
 *
 * <p>Only {@code resource.service.name} and {@code trace:rootService} constrain services:
 * unscoped {@code .service.name} may be answered by a span attribute of that name.
 *
 * <p>Attribute equalities with a string, integer or bool literal ({@code span.k = v}, {@code
 * resource.k = v}, unscoped {@code .k = v} for either) become {@link AttributeEquality} hints by
 * the same rules: {@code &&} and the structural operators keep both sides', {@code ||} those
 * common to both sides, negations none.
 */
final class ScanPlanner {
  /** Span-name regular expressions are resolved against stored names only up to this many services. */
  static final int MAX_SERVICES_TO_RESOLVE_NAMES = 1_000;

  private ScanPlanner() {}

  /** The plan: hints for the scan, or {@link #impossible} when no stored trace can match. */
  record Plan(Set<String> serviceNames, Set<String> spanNames, long minSpanDurationNanos, boolean impossible,
      Set<AttributeEquality> attributeEqualities) {
    Plan(Set<String> serviceNames, Set<String> spanNames, long minSpanDurationNanos, boolean impossible) {
      this(serviceNames, spanNames, minSpanDurationNanos, impossible, Set.of());
    }

    TraceScan scan(long startEpochNanos, long endEpochNanos) {
      return new TraceScan(startEpochNanos, endEpochNanos, serviceNames, spanNames, minSpanDurationNanos, false,
          attributeEqualities);
    }
  }

  /**
   * What one span must satisfy; null fields are unconstrained. {@code elsewhere} holds what the
   * same condition asks of other spans: {@code trace:rootService = "x"} is met by the root, not
   * by the span being tested.
   */
  record SpanRequirement(Predicate<String> service, Predicate<String> spanName, Set<String> exactSpanNames,
      long minDurationNanos, List<SpanRequirement> elsewhere) {
    static final SpanRequirement NONE = new SpanRequirement(null, null, null, 0, List.of());

    SpanRequirement(Predicate<String> service, Predicate<String> spanName, Set<String> exactSpanNames, long minDurationNanos) {
      this(service, spanName, exactSpanNames, minDurationNanos, List.of());
    }

    boolean isNone() {
      return service == null && spanName == null && minDurationNanos == 0;
    }

    /** Requirements on the root, which another span of the same condition cannot share. */
    static SpanRequirement onRoot(SpanRequirement r) {
      return new SpanRequirement(null, null, null, 0, List.of(r));
    }

    SpanRequirement and(SpanRequirement o) {
      List<SpanRequirement> both = new ArrayList<>(elsewhere);
      both.addAll(o.elsewhere);
      return new SpanRequirement(
          service == null ? o.service : o.service == null ? service : service.and(o.service),
          spanName == null ? o.spanName : o.spanName == null ? spanName : spanName.and(o.spanName),
          exactSpanNames == null ? o.exactSpanNames : o.exactSpanNames == null ? exactSpanNames : intersect(exactSpanNames, o.exactSpanNames),
          Math.max(minDurationNanos, o.minDurationNanos),
          both);
    }

    /** Either side: own constraints are joined; what either side asks elsewhere is dropped (still safe). */
    SpanRequirement or(SpanRequirement o) {
      return new SpanRequirement(
          service == null || o.service == null ? null : service.or(o.service),
          spanName == null || o.spanName == null ? null : spanName.or(o.spanName),
          exactSpanNames == null || o.exactSpanNames == null ? null : union(exactSpanNames, o.exactSpanNames),
          Math.min(minDurationNanos, o.minDurationNanos),
          List.of());
    }

    /** This span's requirement and those on other spans, each met by some span. */
    List<SpanRequirement> flatten() {
      List<SpanRequirement> all = new ArrayList<>();
      all.add(new SpanRequirement(service, spanName, exactSpanNames, minDurationNanos));
      all.addAll(elsewhere);
      return all;
    }
  }

  static Plan plan(TraceQlQuery query, TraceReader reader) {
    List<SpanRequirement> requirements = new ArrayList<>();
    for (SpanRequirement r : trace(query.root())) {
      if (!r.isNone()) requirements.add(r);
    }
    Set<String> services = Set.of();
    Set<String> names = Set.of();
    long minDuration = 0;
    List<String> stored = null;
    for (SpanRequirement r : requirements) {
      minDuration = Math.max(minDuration, r.minDurationNanos());
      Set<String> matchingServices = null;
      if (r.service() != null) {
        if (stored == null) stored = reader.serviceNames();
        matchingServices = new TreeSet<>();
        for (String s : stored) {
          if (r.service().test(s)) matchingServices.add(s);
        }
        if (matchingServices.isEmpty()) return new Plan(Set.of(), Set.of(), 0, true);
        if (services.isEmpty() || matchingServices.size() < services.size()) services = matchingServices;
      }
      if (r.spanName() != null) {
        if (stored == null) stored = reader.serviceNames();
        Iterable<String> where = matchingServices != null ? matchingServices : stored;
        int count = matchingServices != null ? matchingServices.size() : stored.size();
        if (count <= MAX_SERVICES_TO_RESOLVE_NAMES) {
          Set<String> matchingNames = new TreeSet<>();
          for (String s : where) {
            for (SpanName n : reader.spanNames(s)) {
              if (r.spanName().test(n.name())) matchingNames.add(n.name());
            }
          }
          if (matchingNames.isEmpty()) return new Plan(Set.of(), Set.of(), 0, true);
          if (names.isEmpty() || matchingNames.size() < names.size()) names = matchingNames;
        } else if (r.exactSpanNames() != null && (names.isEmpty() || r.exactSpanNames().size() < names.size())) {
          names = r.exactSpanNames();
        }
      }
    }
    return new Plan(services, names, minDuration, false, equalities(query.root()));
  }

  /** The attribute equalities every trace matching {@code e} meets, each with some span. */
  static Set<AttributeEquality> equalities(SpansetExpression e) {
    if (e instanceof Filter f) return spanEqualities(f.condition());
    if (e instanceof Pipeline p) {
      Set<AttributeEquality> out = new LinkedHashSet<>(equalities(p.source()));
      for (PipelineStage s : p.stages()) {
        if (s instanceof PipelineStage.Filter f) out.addAll(spanEqualities(f.filter().condition()));
      }
      return out;
    }
    Operation o = (Operation) e;
    return switch (o.op()) {
      case OR -> intersectEqualities(equalities(o.left()), equalities(o.right()));
      case NOT_CHILD, NOT_DESCENDANT, NOT_PARENT, NOT_ANCESTOR, NOT_SIBLING -> equalities(o.right());
      default -> {
        Set<AttributeEquality> out = new LinkedHashSet<>(equalities(o.left()));
        out.addAll(equalities(o.right()));
        yield out;
      }
    };
  }

  /** The attribute equalities a span satisfying {@code condition} meets. */
  static Set<AttributeEquality> spanEqualities(FieldExpression condition) {
    if (!(condition instanceof Binary b)) return Set.of();
    if (b.op() == Op.AND) {
      Set<AttributeEquality> out = new LinkedHashSet<>(spanEqualities(b.left()));
      out.addAll(spanEqualities(b.right()));
      return out;
    }
    if (b.op() == Op.OR) return intersectEqualities(spanEqualities(b.left()), spanEqualities(b.right()));
    if (b.op() != Op.EQ) return Set.of();
    FieldExpression field = b.left() instanceof Literal ? b.right() : b.left();
    FieldExpression value = b.left() instanceof Literal ? b.left() : b.right();
    if (!(field instanceof Attribute a) || !(value instanceof Literal l)) return Set.of();
    AttributeEquality.Scope scope = switch (a.scope()) {
      case SPAN -> AttributeEquality.Scope.SPAN;
      case RESOURCE -> AttributeEquality.Scope.RESOURCE;
      case UNSCOPED -> AttributeEquality.Scope.SPAN_OR_RESOURCE;
      default -> null; // events, links, instrumentation scopes: not filtered
    };
    AttributeValue v = l.value() instanceof String str ? AttributeValue.of(str)
        : l.value() instanceof Long n ? AttributeValue.of(n)
        : l.value() instanceof Boolean bool ? AttributeValue.of(bool)
        : null;
    if (scope == null || v == null || !AttributeEquality.isSupported(v)) return Set.of();
    return Set.of(new AttributeEquality(scope, a.name(), v));
  }

  private static Set<AttributeEquality> intersectEqualities(Set<AttributeEquality> a, Set<AttributeEquality> b) {
    Set<AttributeEquality> r = new LinkedHashSet<>(a);
    r.retainAll(b);
    return r;
  }

  /** The span requirements every trace matching {@code e} meets, each by some span. */
  static List<SpanRequirement> trace(SpansetExpression e) {
    if (e instanceof Filter f) return span(f.condition()).flatten();
    if (e instanceof Pipeline p) {
      List<SpanRequirement> out = new ArrayList<>(trace(p.source()));
      for (PipelineStage s : p.stages()) {
        // A filter stage narrows the source's spans: some span meets both.
        if (s instanceof PipelineStage.Filter f) out.addAll(span(f.filter().condition()).flatten());
      }
      return out;
    }
    Operation o = (Operation) e;
    return switch (o.op()) {
      case OR -> {
        List<SpanRequirement> out = new ArrayList<>();
        for (SpanRequirement l : trace(o.left())) {
          for (SpanRequirement r : trace(o.right())) out.add(l.or(r));
        }
        yield out;
      }
      case NOT_CHILD, NOT_DESCENDANT, NOT_PARENT, NOT_ANCESTOR, NOT_SIBLING -> trace(o.right());
      default -> {
        List<SpanRequirement> out = new ArrayList<>(trace(o.left()));
        out.addAll(trace(o.right()));
        yield out;
      }
    };
  }

  /** What a span satisfying {@code condition} must be like. */
  static SpanRequirement span(FieldExpression condition) {
    if (condition == null) return SpanRequirement.NONE;
    if (condition instanceof Binary b) {
      if (b.op() == Op.AND) return span(b.left()).and(span(b.right()));
      if (b.op() == Op.OR) return span(b.left()).or(span(b.right()));
      if (b.op().isComparison()) return comparison(b);
      return SpanRequirement.NONE;
    }
    if (condition instanceof RegexMatch r && r.subject() != null) {
      Predicate<String> p = s -> r.pattern().matcher(s).matches() != r.negated();
      if (isServiceName(r.subject())) return onRootIf(r.subject(), new SpanRequirement(p, null, null, 0));
      if (isSpanName(r.subject())) return onRootIf(r.subject(), new SpanRequirement(null, p, null, 0));
      return SpanRequirement.NONE;
    }
    if (condition instanceof Not) return SpanRequirement.NONE;
    return SpanRequirement.NONE;
  }

  private static SpanRequirement comparison(Binary b) {
    FieldExpression field = b.left();
    FieldExpression value = b.right();
    Op op = b.op();
    if (field instanceof Literal) {
      field = b.right();
      value = b.left();
      op = switch (op) {
        case GT -> Op.LT;
        case GTE -> Op.LTE;
        case LT -> Op.GT;
        case LTE -> Op.GTE;
        default -> op;
      };
    }
    if (!(value instanceof Literal l) || l.value() == null) return SpanRequirement.NONE;
    Object v = l.value();
    if (v instanceof String s && (op == Op.EQ || op == Op.NEQ)) {
      Predicate<String> p = op == Op.EQ ? s::equals : x -> !x.equals(s);
      if (isServiceName(field)) return onRootIf(field, new SpanRequirement(p, null, null, 0));
      if (isSpanName(field)) return onRootIf(field, new SpanRequirement(null, p, op == Op.EQ ? Set.of(s) : null, 0));
    }
    if (field instanceof IntrinsicField f && f.intrinsic() == Intrinsic.DURATION && Values.isNumber(v)) {
      long nanos = v instanceof Double d ? (long) Math.ceil(d) : v instanceof Long x ? x : ((Values.Duration) v).nanos();
      if (op == Op.GTE || op == Op.EQ) return new SpanRequirement(null, null, null, Math.max(0, nanos));
      if (op == Op.GT && nanos < Long.MAX_VALUE) return new SpanRequirement(null, null, null, Math.max(0, nanos + 1));
    }
    return SpanRequirement.NONE;
  }

  private static SpanRequirement onRootIf(FieldExpression f, SpanRequirement r) {
    boolean traceLevel = f instanceof IntrinsicField i && (i.intrinsic() == Intrinsic.ROOT_SERVICE || i.intrinsic() == Intrinsic.ROOT_NAME);
    return traceLevel ? SpanRequirement.onRoot(r) : r;
  }

  private static boolean isServiceName(FieldExpression f) {
    return (f instanceof Attribute a && a.scope() == Scope.RESOURCE && a.name().equals("service.name"))
        || (f instanceof IntrinsicField i && i.intrinsic() == Intrinsic.ROOT_SERVICE);
  }

  private static boolean isSpanName(FieldExpression f) {
    return f instanceof IntrinsicField i && (i.intrinsic() == Intrinsic.NAME || i.intrinsic() == Intrinsic.ROOT_NAME);
  }

  private static Set<String> intersect(Set<String> a, Set<String> b) {
    Set<String> r = new LinkedHashSet<>(a);
    r.retainAll(b);
    return r;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> r = new LinkedHashSet<>(a);
    r.addAll(b);
    return r;
  }
}
