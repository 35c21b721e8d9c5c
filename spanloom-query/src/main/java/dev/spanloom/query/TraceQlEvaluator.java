package dev.spanloom.query;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Event;
import dev.spanloom.model.Link;
import dev.spanloom.model.Span;
import dev.spanloom.model.Trace;
import dev.spanloom.query.FieldExpression.Attribute;
import dev.spanloom.query.FieldExpression.Binary;
import dev.spanloom.query.FieldExpression.IntrinsicField;
import dev.spanloom.query.FieldExpression.Literal;
import dev.spanloom.query.FieldExpression.Negate;
import dev.spanloom.query.FieldExpression.Not;
import dev.spanloom.query.FieldExpression.Op;
import dev.spanloom.query.FieldExpression.RegexMatch;
import dev.spanloom.query.FieldExpression.Scope;
import dev.spanloom.query.SpansetExpression.Filter;
import dev.spanloom.query.SpansetExpression.Operation;
import dev.spanloom.query.SpansetExpression.Pipeline;
import dev.spanloom.query.SpansetExpression.SpansetOp;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a {@link TraceQlQuery} on whole traces. A filter {@code { … }} yields one spanset per
 * trace (its matching spans); spanset operators combine the spansets of both sides pairwise;
 * pipeline stages map spansets to spansets. A trace matches when at least one spanset remains.
 * Thread-safe; build one per query and share it.
 */
public final class TraceQlEvaluator {
  private final TraceQlQuery query;
  // The fields the query reads, shown with every result span as Tempo does.
  private final List<FieldExpression> shownFields;

  private TraceQlEvaluator(TraceQlQuery query) {
    this.query = query;
    Map<String, FieldExpression> fields = new LinkedHashMap<>();
    collectFields(query.root(), fields);
    this.shownFields = List.copyOf(fields.values());
  }

  public static TraceQlEvaluator of(TraceQlQuery query) {
    return new TraceQlEvaluator(requireNonNull(query, "query"));
  }

  public TraceQlQuery query() {
    return query;
  }

  /** The spansets {@code trace} yields, in a deterministic order; empty when it does not match. */
  public List<Spanset> evaluate(Trace trace) {
    TraceView view = new TraceView(trace);
    List<SpanBits> sets = eval(query.root(), view);
    List<Spanset> out = new ArrayList<>(sets.size());
    for (SpanBits set : sets) out.add(toSpanset(set, view));
    return out;
  }

  /** True when {@code trace} yields at least one spanset; cheaper than {@link #evaluate}. */
  public boolean matches(Trace trace) {
    return !eval(query.root(), new TraceView(trace)).isEmpty();
  }

  /**
   * True when the span at {@code index} of {@code trace} satisfies a single filter's condition.
   * Used by tag value search, whose {@code q} is one spanset filter.
   */
  static boolean matchesFilter(Filter filter, TraceView view, int index) {
    return filter.condition() == null || test(filter.condition(), view, index);
  }

  // -- Spansets -------------------------------------------------------------------------

  /** The spans of one spanset as a bit set over the trace's span indexes, with by() labels. */
  private record SpanBits(BitSet spans, Map<String, Object> labels) {
    static SpanBits of(BitSet spans) {
      return new SpanBits(spans, Map.of());
    }

    SpanBits with(BitSet other) {
      return new SpanBits(other, labels);
    }
  }

  private static List<SpanBits> eval(SpansetExpression e, TraceView view) {
    if (e instanceof Filter f) {
      BitSet bits = filter(f, view, null);
      return bits.isEmpty() ? List.of() : List.of(SpanBits.of(bits));
    }
    if (e instanceof Operation o) return operation(o, view);
    Pipeline p = (Pipeline) e;
    List<SpanBits> sets = eval(p.source(), view);
    for (PipelineStage stage : p.stages()) {
      if (sets.isEmpty()) break;
      sets = stage(stage, sets, view);
    }
    return sets;
  }

  private static BitSet filter(Filter f, TraceView view, BitSet within) {
    BitSet bits = new BitSet(view.size());
    for (int i = 0; i < view.size(); i++) {
      if ((within == null || within.get(i)) && matchesFilter(f, view, i)) bits.set(i);
    }
    return bits;
  }

  private static List<SpanBits> operation(Operation o, TraceView view) {
    List<SpanBits> left = eval(o.left(), view);
    SpansetOp op = o.op();
    if (left.isEmpty() && op != SpansetOp.OR && !op.isNegated()) return List.of();
    List<SpanBits> right = eval(o.right(), view);
    if (op == SpansetOp.OR) {
      if (left.isEmpty()) return right;
      if (right.isEmpty()) return left;
    }
    if (right.isEmpty()) return List.of();
    // A negated relation holds for every right span when the left side found nothing.
    if (left.isEmpty()) left = List.of(SpanBits.of(new BitSet()));
    List<SpanBits> out = new ArrayList<>();
    for (SpanBits l : left) {
      for (SpanBits r : right) {
        BitSet result = switch (op) {
          case AND, OR -> or(l.spans(), r.spans());
          default -> structural(op, l.spans(), r.spans(), view);
        };
        if (!result.isEmpty()) out.add(new SpanBits(result, merge(l.labels(), r.labels())));
      }
    }
    return out;
  }

  private static Map<String, Object> merge(Map<String, Object> a, Map<String, Object> b) {
    if (a.isEmpty()) return b;
    if (b.isEmpty()) return a;
    Map<String, Object> m = new LinkedHashMap<>(a);
    m.putAll(b);
    return m;
  }

  private static BitSet or(BitSet a, BitSet b) {
    BitSet r = (BitSet) a.clone();
    r.or(b);
    return r;
  }

  /**
   * The right-hand spans in {@code op}'s relation to the left-hand spans; for union operators
   * also the left-hand spans that take part; for negated operators the right-hand spans that do
   * not.
   */
  private static BitSet structural(SpansetOp op, BitSet left, BitSet right, TraceView view) {
    BitSet kept = new BitSet(view.size());
    BitSet partners = new BitSet(view.size());
    int[] parent = view.parent;
    switch (op.relation()) {
      case CHILD -> {
        for (int i = right.nextSetBit(0); i >= 0; i = right.nextSetBit(i + 1)) {
          if (parent[i] >= 0 && left.get(parent[i])) {
            kept.set(i);
            partners.set(parent[i]);
          }
        }
      }
      case PARENT -> {
        for (int j = left.nextSetBit(0); j >= 0; j = left.nextSetBit(j + 1)) {
          int p = parent[j];
          if (p >= 0 && right.get(p)) {
            kept.set(p);
            partners.set(j);
          }
        }
      }
      case DESCENDANT -> {
        for (int i = right.nextSetBit(0); i >= 0; i = right.nextSetBit(i + 1)) {
          int steps = 0;
          for (int a = parent[i]; a >= 0 && steps++ < parent.length; a = parent[a]) {
            if (left.get(a)) {
              kept.set(i);
              partners.set(a);
            }
          }
        }
      }
      case ANCESTOR -> {
        for (int j = left.nextSetBit(0); j >= 0; j = left.nextSetBit(j + 1)) {
          int steps = 0;
          for (int a = parent[j]; a >= 0 && steps++ < parent.length; a = parent[a]) {
            if (right.get(a)) {
              kept.set(a);
              partners.set(j);
            }
          }
        }
      }
      case SIBLING -> {
        Map<Integer, List<Integer>> leftByParent = new HashMap<>();
        for (int j = left.nextSetBit(0); j >= 0; j = left.nextSetBit(j + 1)) {
          if (parent[j] >= 0) leftByParent.computeIfAbsent(parent[j], k -> new ArrayList<>()).add(j);
        }
        for (int i = right.nextSetBit(0); i >= 0; i = right.nextSetBit(i + 1)) {
          List<Integer> siblings = parent[i] < 0 ? null : leftByParent.get(parent[i]);
          if (siblings == null) continue;
          for (int j : siblings) {
            if (j != i) {
              kept.set(i);
              partners.set(j);
            }
          }
        }
      }
      default -> throw new IllegalStateException("not structural: " + op);
    }
    if (op.isNegated()) {
      BitSet r = (BitSet) right.clone();
      r.andNot(kept);
      return r;
    }
    if (op.isUnion() && !kept.isEmpty()) kept.or(partners);
    return kept;
  }

  private static List<SpanBits> stage(PipelineStage stage, List<SpanBits> sets, TraceView view) {
    List<SpanBits> out = new ArrayList<>();
    if (stage instanceof PipelineStage.Filter f) {
      for (SpanBits s : sets) {
        BitSet bits = filter(f.filter(), view, s.spans());
        if (!bits.isEmpty()) out.add(s.with(bits));
      }
    } else if (stage instanceof PipelineStage.By by) {
      for (SpanBits s : sets) {
        Map<List<Object>, BitSet> groups = new LinkedHashMap<>();
        for (int i = s.spans().nextSetBit(0); i >= 0; i = s.spans().nextSetBit(i + 1)) {
          List<Object> key = new ArrayList<>(by.fields().size());
          for (FieldExpression f : by.fields()) key.add(value(f, view, i));
          groups.computeIfAbsent(key, k -> new BitSet()).set(i);
        }
        for (Map.Entry<List<Object>, BitSet> g : groups.entrySet()) {
          Map<String, Object> labels = new LinkedHashMap<>(s.labels());
          for (int k = 0; k < by.fields().size(); k++) {
            labels.put("by(" + describe(by.fields().get(k)) + ")", g.getKey().get(k));
          }
          out.add(new SpanBits(g.getValue(), labels));
        }
      }
    } else if (stage instanceof PipelineStage.Coalesce) {
      BitSet all = new BitSet();
      for (SpanBits s : sets) all.or(s.spans());
      out.add(SpanBits.of(all));
    } else if (stage instanceof PipelineStage.ScalarFilter sf) {
      for (SpanBits s : sets) {
        Object v = aggregate(sf.aggregate(), s.spans(), view);
        if (Values.compare(v, sf.op(), sf.value())) out.add(s);
      }
    } else {
      return sets; // select() only changes what results show
    }
    return out;
  }

  private static Object aggregate(PipelineStage.Aggregate a, BitSet spans, TraceView view) {
    if (a.function().equals("count")) return (long) spans.cardinality();
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    int n = 0;
    boolean durations = false;
    boolean floats = false;
    for (int i = spans.nextSetBit(0); i >= 0; i = spans.nextSetBit(i + 1)) {
      Object v = value(a.argument(), view, i);
      if (!Values.isNumber(v)) continue;
      durations |= v instanceof Values.Duration;
      floats |= v instanceof Double;
      double d = Values.toDouble(v);
      sum += d;
      min = Math.min(min, d);
      max = Math.max(max, d);
      n++;
    }
    if (n == 0) return null;
    double result = switch (a.function()) {
      case "avg" -> sum / n;
      case "min" -> min;
      case "max" -> max;
      default -> sum;
    };
    if (durations) return new Values.Duration(Math.round(result));
    if (floats || a.function().equals("avg")) return result;
    return (long) result;
  }

  // -- Fields ---------------------------------------------------------------------------

  /** True when the condition holds for the span at {@code i}. */
  static boolean test(FieldExpression e, TraceView view, int i) {
    if (e instanceof Binary b) {
      if (b.op() == Op.AND) return test(b.left(), view, i) && test(b.right(), view, i);
      if (b.op() == Op.OR) return test(b.left(), view, i) || test(b.right(), view, i);
      return compare(b, view, i);
    }
    if (e instanceof Not n) return !test(n.operand(), view, i);
    if (e instanceof RegexMatch r) return regex(r, value(r.subject(), view, i));
    if (e instanceof Literal l) return Boolean.TRUE.equals(l.value());
    return Boolean.TRUE.equals(value(e, view, i));
  }

  private static boolean compare(Binary b, TraceView view, int i) {
    Object l = value(b.left(), view, i);
    Object r = value(b.right(), view, i);
    boolean leftNil = b.left() instanceof Literal ll && ll.type() == ValueType.NIL;
    boolean rightNil = b.right() instanceof Literal rl && rl.type() == ValueType.NIL;
    if (leftNil || rightNil) {
      Object v = leftNil ? r : l;
      boolean absent = v == null || (v instanceof Values.Multi m && m.values().isEmpty() && !m.array());
      return b.op() == Op.EQ ? absent : !absent;
    }
    if (l instanceof Values.Multi m) return multi(m, b.op(), r, false);
    if (r instanceof Values.Multi m) return multi(m, flip(b.op()), l, false);
    return Values.compare(l, b.op(), r);
  }

  /**
   * A comparison with several values: some value must satisfy it, except that {@code !=} on an
   * array attribute means "no element equals" (Tempo's array semantics).
   */
  private static boolean multi(Values.Multi m, Op op, Object other, boolean nested) {
    if (other instanceof Values.Multi) return false;
    if (m.array() && op == Op.NEQ) {
      if (m.values().isEmpty()) return false;
      for (Object v : m.values()) {
        if (v instanceof Values.Multi inner ? multi(inner, Op.EQ, other, true) : Values.compare(v, Op.EQ, other)) return false;
      }
      return true;
    }
    for (Object v : m.values()) {
      if (v instanceof Values.Multi inner ? multi(inner, op, other, true) : Values.compare(v, op, other)) return true;
    }
    return false;
  }

  private static Op flip(Op op) {
    return switch (op) {
      case GT -> Op.LT;
      case GTE -> Op.LTE;
      case LT -> Op.GT;
      case LTE -> Op.GTE;
      default -> op;
    };
  }

  private static boolean regex(RegexMatch r, Object v) {
    if (v instanceof String s) return r.pattern().matcher(s).matches() != r.negated();
    if (v instanceof Values.Multi m) {
      if (m.array() && r.negated()) {
        if (m.values().isEmpty()) return false;
        for (Object e : m.values()) {
          if (e instanceof String s && r.pattern().matcher(s).matches()) return false;
        }
        return true;
      }
      for (Object e : m.values()) {
        if (e instanceof Values.Multi inner ? regex(r, inner) : e instanceof String s && r.pattern().matcher(s).matches() != r.negated()) return true;
      }
    }
    return false;
  }

  /** The value of an expression on the span at {@code i}: see {@link Values} for the types; null is nil. */
  static Object value(FieldExpression e, TraceView view, int i) {
    if (e instanceof Literal l) return l.value();
    if (e instanceof Attribute a) return attribute(a, view.spans[i]);
    if (e instanceof IntrinsicField f) return intrinsic(f.intrinsic(), view, i);
    if (e instanceof Negate n) {
      Object v = value(n.operand(), view, i);
      return arithmetic(Op.SUB, v instanceof Values.Duration ? new Values.Duration(0) : v instanceof Double ? (Object) 0.0 : (Object) 0L, v);
    }
    if (e instanceof Binary b && b.op().isArithmetic()) {
      return arithmetic(b.op(), value(b.left(), view, i), value(b.right(), view, i));
    }
    return test(e, view, i);
  }

  private static Object attribute(Attribute a, Span span) {
    return switch (a.scope()) {
      case SPAN -> Values.of(get(span.attributes(), a.name()));
      case RESOURCE -> Values.of(get(span.resource().attributes(), a.name()));
      case INSTRUMENTATION -> Values.of(get(span.scope().attributes(), a.name()));
      case UNSCOPED -> {
        AttributeValue v = span.attributes().get(a.name());
        yield Values.of(v != null ? v : get(span.resource().attributes(), a.name()));
      }
      case EVENT -> {
        List<Object> values = new ArrayList<>();
        for (Event ev : span.events()) add(values, ev.attributes().get(a.name()));
        yield values.isEmpty() ? null : new Values.Multi(values, false);
      }
      case LINK -> {
        List<Object> values = new ArrayList<>();
        for (Link link : span.links()) add(values, link.attributes().get(a.name()));
        yield values.isEmpty() ? null : new Values.Multi(values, false);
      }
    };
  }

  private static AttributeValue get(Attributes attributes, String name) {
    return attributes.get(name);
  }

  private static void add(List<Object> values, AttributeValue v) {
    Object o = v == null ? null : Values.of(v);
    if (o != null) values.add(o);
  }

  private static Object intrinsic(Intrinsic in, TraceView view, int i) {
    Span s = view.spans[i];
    return switch (in) {
      case NAME -> s.name();
      case STATUS -> s.status().code();
      case STATUS_MESSAGE -> s.status().message();
      case KIND -> s.kind();
      case DURATION -> new Values.Duration(s.durationNanos());
      case SPAN_ID -> s.spanId().toHex();
      case PARENT_ID -> s.parentSpanId() == null ? null : s.parentSpanId().toHex();
      case CHILD_COUNT -> (long) view.childCount[i];
      case TRACE_DURATION -> new Values.Duration(view.durationNanos);
      case ROOT_NAME -> view.root == null ? null : view.root.name();
      case ROOT_SERVICE -> view.root == null ? null : view.root.serviceName();
      case TRACE_ID -> view.trace.traceId().toHex();
      case EVENT_NAME -> {
        List<Object> names = new ArrayList<>(s.events().size());
        for (Event ev : s.events()) names.add(ev.name());
        yield names.isEmpty() ? null : new Values.Multi(names, false);
      }
      case EVENT_TIME_SINCE_START -> {
        List<Object> times = new ArrayList<>(s.events().size());
        for (Event ev : s.events()) times.add(new Values.Duration(ev.epochNanos() - s.startEpochNanos()));
        yield times.isEmpty() ? null : new Values.Multi(times, false);
      }
      case LINK_TRACE_ID -> {
        List<Object> ids = new ArrayList<>(s.links().size());
        for (Link l : s.links()) ids.add(l.traceId().toHex());
        yield ids.isEmpty() ? null : new Values.Multi(ids, false);
      }
      case LINK_SPAN_ID -> {
        List<Object> ids = new ArrayList<>(s.links().size());
        for (Link l : s.links()) ids.add(l.spanId().toHex());
        yield ids.isEmpty() ? null : new Values.Multi(ids, false);
      }
      case INSTRUMENTATION_NAME -> s.scope().name();
      case INSTRUMENTATION_VERSION -> s.scope().version();
    };
  }

  /** {@code a op b} for numbers and durations; null when an operand is nil or not a number. */
  static Object arithmetic(Op op, Object a, Object b) {
    if (!Values.isNumber(a) || !Values.isNumber(b)) return null;
    boolean duration = a instanceof Values.Duration || b instanceof Values.Duration;
    boolean integral = !(a instanceof Double) && !(b instanceof Double) && op != Op.POW;
    if (integral) {
      long x = a instanceof Long l ? l : ((Values.Duration) a).nanos();
      long y = b instanceof Long l ? l : ((Values.Duration) b).nanos();
      long r;
      switch (op) {
        case ADD -> r = x + y;
        case SUB -> r = x - y;
        case MUL -> r = x * y;
        case DIV -> {
          if (y == 0) return null;
          r = x / y;
        }
        case MOD -> {
          if (y == 0) return null;
          r = x % y;
        }
        default -> throw new IllegalArgumentException("not arithmetic: " + op);
      }
      return duration ? new Values.Duration(r) : (Object) r;
    }
    double x = Values.toDouble(a);
    double y = Values.toDouble(b);
    double r = switch (op) {
      case ADD -> x + y;
      case SUB -> x - y;
      case MUL -> x * y;
      case DIV -> x / y;
      case MOD -> x % y;
      case POW -> Math.pow(x, y);
      default -> throw new IllegalArgumentException("not arithmetic: " + op);
    };
    return duration ? new Values.Duration(Math.round(r)) : (Object) r;
  }

  // -- Results --------------------------------------------------------------------------

  private Spanset toSpanset(SpanBits set, TraceView view) {
    List<MatchedSpan> spans = new ArrayList<>(set.spans().cardinality());
    for (int i = set.spans().nextSetBit(0); i >= 0; i = set.spans().nextSetBit(i + 1)) {
      spans.add(new MatchedSpan(view.spans[i], shownAttributes(view, i)));
    }
    Attributes.Builder labels = Attributes.builder();
    set.labels().forEach((k, v) -> {
      AttributeValue av = toAttributeValue(v);
      if (av != null) labels.put(k, av);
    });
    return new Spanset(spans, labels.build());
  }

  private Attributes shownAttributes(TraceView view, int i) {
    Attributes.Builder b = Attributes.builder();
    for (FieldExpression f : shownFields) {
      String key = f instanceof Attribute a ? a.name() : ((IntrinsicField) f).intrinsic().names.get(0);
      AttributeValue v = toAttributeValue(value(f, view, i));
      if (v != null) b.put(key, v);
    }
    Span span = view.spans[i];
    AttributeValue service = span.resource().attributes().get(dev.spanloom.model.Resource.SERVICE_NAME);
    if (service != null && b.build().get(dev.spanloom.model.Resource.SERVICE_NAME) == null) {
      b.put(dev.spanloom.model.Resource.SERVICE_NAME, service);
    }
    return b.build();
  }

  /** A TraceQL value as an attribute for results; statuses, kinds and durations become strings. */
  static AttributeValue toAttributeValue(Object v) {
    if (v == null) return null;
    if (v instanceof String s) return AttributeValue.of(s);
    if (v instanceof Long l) return AttributeValue.of(l);
    if (v instanceof Double d) return AttributeValue.of(d);
    if (v instanceof Boolean b) return AttributeValue.of(b);
    if (v instanceof Values.Multi m) {
      if (!m.array()) return null;
      List<AttributeValue> values = new ArrayList<>();
      for (Object o : m.values()) {
        AttributeValue av = toAttributeValue(o);
        if (av != null) values.add(av);
      }
      return AttributeValue.ofArray(values);
    }
    return AttributeValue.of(Values.asString(v));
  }

  /** The fields a query reads that results show: attributes and span-level intrinsics. */
  private static void collectFields(SpansetExpression e, Map<String, FieldExpression> out) {
    if (e instanceof Filter f) {
      if (f.condition() != null) collectFields(f.condition(), out);
    } else if (e instanceof Operation o) {
      collectFields(o.left(), out);
      collectFields(o.right(), out);
    } else if (e instanceof Pipeline p) {
      collectFields(p.source(), out);
      for (PipelineStage s : p.stages()) {
        if (s instanceof PipelineStage.Filter f) collectFields(f.filter(), out);
        if (s instanceof PipelineStage.By by) by.fields().forEach(x -> collectFields(x, out));
        if (s instanceof PipelineStage.Select sel) sel.fields().forEach(x -> collectFields(x, out));
        if (s instanceof PipelineStage.ScalarFilter sf && sf.aggregate().argument() != null) {
          collectFields(sf.aggregate().argument(), out);
        }
      }
    }
  }

  private static void collectFields(FieldExpression e, Map<String, FieldExpression> out) {
    if (e instanceof Attribute a) {
      if (a.scope() != Scope.EVENT && a.scope() != Scope.LINK) out.putIfAbsent(a.toString(), a);
    } else if (e instanceof IntrinsicField f) {
      switch (f.intrinsic()) {
        case STATUS, STATUS_MESSAGE, KIND, CHILD_COUNT, INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION, PARENT_ID ->
            out.putIfAbsent(f.intrinsic().name(), f);
        default -> { }
      }
    } else if (e instanceof Binary b) {
      collectFields(b.left(), out);
      collectFields(b.right(), out);
    } else if (e instanceof RegexMatch r) {
      collectFields(r.subject(), out);
    } else if (e instanceof Not n) {
      collectFields(n.operand(), out);
    } else if (e instanceof Negate n) {
      collectFields(n.operand(), out);
    }
  }

  /** How a field reads in a by() label: {@code resource.service.name}, {@code span:duration}. */
  static String describe(FieldExpression e) {
    if (e instanceof Attribute || e instanceof IntrinsicField) return e.toString();
    if (e instanceof Literal l) return l.value() instanceof String s ? "\"" + s + "\"" : Values.asString(l.value());
    if (e instanceof Binary b) return describe(b.left()) + " " + b.op().symbol + " " + describe(b.right());
    if (e instanceof Negate n) return "-" + describe(n.operand());
    if (e instanceof Not n) return "!" + describe(n.operand());
    RegexMatch r = (RegexMatch) e;
    return describe(r.subject()) + (r.negated() ? " !~ " : " =~ ") + "\"" + r.pattern().pattern() + "\"";
  }

  @Override
  public String toString() {
    return "TraceQlEvaluator{" + query + "}";
  }
}
