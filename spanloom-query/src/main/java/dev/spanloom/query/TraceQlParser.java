package dev.spanloom.query;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.SpanKind;
import dev.spanloom.model.StatusCode;
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
import dev.spanloom.query.Token.Type;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A hand-written recursive-descent parser for TraceQL. Precedence, loosest first: {@code |}
 * (pipelines), {@code ||}, {@code &&}, then the structural operators; inside a filter {@code ||},
 * {@code &&}, {@code !}, comparisons, {@code + -}, {@code * / %}, {@code ^}, unary minus. Types are
 * checked while parsing, so that {@code { status = 200 }} fails with a position instead of
 * silently matching nothing.
 */
public final class TraceQlParser {
  private static final Map<Type, SpansetOp> SPANSET_OPS = new EnumMap<>(Type.class);
  private static final Map<Type, Op> COMPARISONS = new EnumMap<>(Type.class);
  private static final Set<String> AGGREGATES = Set.of("count", "avg", "min", "max", "sum");

  static {
    SPANSET_OPS.put(Type.GT, SpansetOp.CHILD);
    SPANSET_OPS.put(Type.DESC, SpansetOp.DESCENDANT);
    SPANSET_OPS.put(Type.LT, SpansetOp.PARENT);
    SPANSET_OPS.put(Type.ANCE, SpansetOp.ANCESTOR);
    SPANSET_OPS.put(Type.TILDE, SpansetOp.SIBLING);
    SPANSET_OPS.put(Type.UNION_CHILD, SpansetOp.UNION_CHILD);
    SPANSET_OPS.put(Type.UNION_DESC, SpansetOp.UNION_DESCENDANT);
    SPANSET_OPS.put(Type.UNION_PARENT, SpansetOp.UNION_PARENT);
    SPANSET_OPS.put(Type.UNION_ANCE, SpansetOp.UNION_ANCESTOR);
    SPANSET_OPS.put(Type.UNION_SIBL, SpansetOp.UNION_SIBLING);
    SPANSET_OPS.put(Type.NOT_CHILD, SpansetOp.NOT_CHILD);
    SPANSET_OPS.put(Type.NOT_DESC, SpansetOp.NOT_DESCENDANT);
    SPANSET_OPS.put(Type.NOT_PARENT, SpansetOp.NOT_PARENT);
    SPANSET_OPS.put(Type.NOT_ANCE, SpansetOp.NOT_ANCESTOR);
    SPANSET_OPS.put(Type.NRE, SpansetOp.NOT_SIBLING);
    COMPARISONS.put(Type.EQ, Op.EQ);
    COMPARISONS.put(Type.NEQ, Op.NEQ);
    COMPARISONS.put(Type.GT, Op.GT);
    COMPARISONS.put(Type.GTE, Op.GTE);
    COMPARISONS.put(Type.LT, Op.LT);
    COMPARISONS.put(Type.LTE, Op.LTE);
  }

  private final String text;
  private final List<Token> tokens;
  private int pos;

  private TraceQlParser(String text) {
    this.text = text;
    this.tokens = TraceQlLexer.tokenize(text);
  }

  /**
   * Parses and type-checks a TraceQL query.
   *
   * @throws TraceQlException with the line and column of the first mistake
   */
  public static TraceQlQuery parse(String query) {
    requireNonNull(query, "query");
    TraceQlParser p = new TraceQlParser(query);
    SpansetExpression root = p.pipeline();
    Map<String, Object> hints = p.hints();
    if (p.peek().type() != Type.EOF) {
      throw p.error(p.peek(), "expected a spanset operator (&&, ||, >, >>, <, <<, ~, …) or \"|\" after "
          + p.previous().describe() + ", found " + p.peek().describe());
    }
    return new TraceQlQuery(query, root, hints);
  }

  /** Parses a single field reference such as {@code .service.name}, {@code span:name} or {@code status}. */
  static FieldExpression parseField(String field) {
    TraceQlParser p = new TraceQlParser(field);
    FieldExpression f = p.primary(null);
    if (!(f instanceof Attribute || f instanceof IntrinsicField) || p.peek().type() != Type.EOF) {
      throw p.error(p.tokens.get(0), "expected an attribute (span.x, resource.x, .x, …) or an intrinsic (name, status, span:id, …), found \"" + field + "\"");
    }
    return f;
  }

  // -- Spanset level --------------------------------------------------------------------

  private SpansetExpression pipeline() {
    SpansetExpression source = spansetOr();
    if (peek().type() != Type.PIPE) return source;
    List<PipelineStage> stages = new ArrayList<>();
    while (accept(Type.PIPE)) stages.add(stage());
    return new Pipeline(source, stages);
  }

  private SpansetExpression spansetOr() {
    SpansetExpression left = spansetAnd();
    while (peek().type() == Type.OR) {
      Token op = next();
      left = new Operation(SpansetOp.OR, left, spansetAnd(op), op);
    }
    return left;
  }

  private SpansetExpression spansetAnd() {
    return spansetAnd(null);
  }

  private SpansetExpression spansetAnd(Token after) {
    SpansetExpression left = spansetStructural(after);
    while (peek().type() == Type.AND) {
      Token op = next();
      left = new Operation(SpansetOp.AND, left, spansetStructural(op), op);
    }
    return left;
  }

  private SpansetExpression spansetStructural(Token after) {
    SpansetExpression left = spansetPrimary(after);
    while (SPANSET_OPS.containsKey(peek().type())) {
      Token op = next();
      left = new Operation(SPANSET_OPS.get(op.type()), left, spansetPrimary(op), op);
    }
    return left;
  }

  private SpansetExpression spansetPrimary(Token after) {
    Token t = peek();
    if (t.type() == Type.LBRACE) return filter();
    if (t.type() == Type.LPAREN) {
      next();
      SpansetExpression inner = pipeline();
      expectClosing(Type.RPAREN, ")", t);
      return inner;
    }
    String where = after == null ? (pos == 0 ? "at the start of the query" : "after " + previous().describe())
        : "after " + after.describe();
    throw error(t, "expected a spanset filter \"{ … }\" or \"(\" " + where + ", found " + t.describe());
  }

  private Filter filter() {
    Token open = expect(Type.LBRACE, "{");
    if (accept(Type.RBRACE)) return new Filter(null, open);
    FieldExpression condition = or();
    condition = asCondition(condition, "a spanset filter");
    expectClosing(Type.RBRACE, "}", open);
    return new Filter(condition, open);
  }

  private PipelineStage stage() {
    Token t = peek();
    if (t.type() == Type.LBRACE) return new PipelineStage.Filter(filter());
    if (t.type() == Type.IDENT) {
      String name = t.text();
      if (AGGREGATES.contains(name)) return scalarFilter();
      switch (name) {
        case "by" -> {
          next();
          return new PipelineStage.By(fieldList("by", false));
        }
        case "select" -> {
          next();
          return new PipelineStage.Select(fieldList("select", true));
        }
        case "coalesce" -> {
          next();
          Token open = expect(Type.LPAREN, "(");
          expectClosing(Type.RPAREN, ")", open);
          return new PipelineStage.Coalesce();
        }
        default -> { }
      }
    }
    throw error(t, "expected a pipeline stage after \"|\" (count(), avg(…), min(…), max(…), sum(…), by(…), select(…), coalesce() or a spanset filter \"{ … }\"), found " + t.describe());
  }

  private List<FieldExpression> fieldList(String function, boolean fieldsOnly) {
    Token open = expect(Type.LPAREN, "(");
    List<FieldExpression> fields = new ArrayList<>();
    do {
      FieldExpression f = fieldsOnly ? primary(previous()) : additive();
      if (fieldsOnly && !(f instanceof Attribute || f instanceof IntrinsicField)) {
        throw error(f.at(), function + "() takes attributes and intrinsics, found " + f.at().describe());
      }
      fields.add(f);
    } while (accept(Type.COMMA));
    expectClosing(Type.RPAREN, ")", open);
    return fields;
  }

  private PipelineStage scalarFilter() {
    Token fn = next();
    Token open = expect(Type.LPAREN, "(");
    FieldExpression argument = null;
    if (fn.text().equals("count")) {
      expectClosing(Type.RPAREN, ")", open);
    } else {
      if (peek().type() == Type.RPAREN) throw error(peek(), fn.text() + "() needs a numeric attribute or intrinsic, e.g. " + fn.text() + "(duration)");
      argument = additive();
      ValueType type = typeOf(argument);
      if (type != ValueType.ATTRIBUTE && !type.isNumeric()) {
        throw error(argument.at(), fn.text() + "() takes a number or a duration, found " + type.description);
      }
      expectClosing(Type.RPAREN, ")", open);
    }
    PipelineStage.Aggregate aggregate = new PipelineStage.Aggregate(fn.text(), argument);
    Token opToken = peek();
    Op op = COMPARISONS.get(opToken.type());
    if (op == null) {
      throw error(opToken, "expected a comparison (=, !=, >, >=, <, <=) after \"" + aggregate + "\", found " + opToken.describe());
    }
    next();
    FieldExpression value = additive(opToken);
    Object constant = constant(value);
    ValueType type = typeOf(value);
    if (!(constant instanceof Long || constant instanceof Double || constant instanceof Values.Duration)) {
      throw error(value.at(), "expected a number or a duration to compare \"" + aggregate + "\" with, found " + value.at().describe());
    }
    return new PipelineStage.ScalarFilter(aggregate, op, constant, type);
  }

  private Map<String, Object> hints() {
    Map<String, Object> hints = new LinkedHashMap<>();
    if (peek().type() != Type.IDENT || !peek().text().equals("with")) return hints;
    next();
    Token open = expect(Type.LPAREN, "(");
    do {
      Token name = peek();
      if (name.type() != Type.IDENT) throw error(name, "expected a hint name after " + previous().describe() + ", found " + name.describe());
      next();
      expect(Type.EQ, "=");
      FieldExpression value = primary(previous());
      if (!(value instanceof Literal l)) throw error(value.at(), "expected a literal value for hint \"" + name.text() + "\"");
      hints.put(name.text(), l.value());
    } while (accept(Type.COMMA));
    expectClosing(Type.RPAREN, ")", open);
    return hints;
  }

  // -- Field level ----------------------------------------------------------------------

  private FieldExpression or() {
    FieldExpression left = and();
    while (peek().type() == Type.OR) {
      Token op = next();
      FieldExpression right = and();
      left = new Binary(Op.OR, asCondition(left, "\"||\""), asCondition(right, "\"||\""), op);
    }
    return left;
  }

  private FieldExpression and() {
    FieldExpression left = unary();
    while (peek().type() == Type.AND) {
      Token op = next();
      FieldExpression right = unary();
      left = new Binary(Op.AND, asCondition(left, "\"&&\""), asCondition(right, "\"&&\""), op);
    }
    return left;
  }

  private FieldExpression unary() {
    if (peek().type() == Type.NOT) {
      Token not = next();
      return new Not(asCondition(unary(), "\"!\""), not);
    }
    return comparison();
  }

  private FieldExpression comparison() {
    FieldExpression left = additive();
    Token t = peek();
    if (t.type() == Type.RE || t.type() == Type.NRE) {
      next();
      FieldExpression right = additive(t);
      if (!(right instanceof Literal l) || !(l.value() instanceof String regex)) {
        throw error(right.at(), "expected a string with a regular expression after " + t.describe() + ", found " + right.at().describe());
      }
      ValueType lt = typeOf(left);
      if (lt != ValueType.ATTRIBUTE && lt != ValueType.STRING) {
        throw error(left.at(), t.describe() + " matches strings, but " + left.at().describe() + " is " + lt.description);
      }
      try {
        return new RegexMatch(left, Pattern.compile(regex), t.type() == Type.NRE, t);
      } catch (PatternSyntaxException e) {
        throw error(right.at(), "invalid regular expression \"" + regex + "\": " + e.getDescription());
      }
    }
    Op op = COMPARISONS.get(t.type());
    if (op == null) return left;
    next();
    FieldExpression right = additive(t);
    return checkComparison(new Binary(op, left, right, t));
  }

  private FieldExpression checkComparison(Binary b) {
    ValueType lt = typeOf(b.left());
    ValueType rt = typeOf(b.right());
    if (lt == ValueType.NIL || rt == ValueType.NIL) {
      if (b.op() != Op.EQ && b.op() != Op.NEQ) {
        throw error(b.at(), "nil only compares with = and != (" + b.at().describe() + " given)");
      }
      return b;
    }
    if (!ValueType.comparable(lt, rt)) {
      FieldExpression field = b.left() instanceof Literal ? b.right() : b.left();
      FieldExpression value = field == b.left() ? b.right() : b.left();
      throw error(value.at(), "cannot compare " + field.at().describe() + " (" + typeOf(field).description + ") with "
          + value.at().describe() + " (" + typeOf(value).description + ")" + expectation(typeOf(field)));
    }
    ValueType known = lt == ValueType.ATTRIBUTE ? rt : lt;
    if ((known == ValueType.STATUS || known == ValueType.KIND || known == ValueType.BOOL)
        && b.op() != Op.EQ && b.op() != Op.NEQ) {
      throw error(b.at(), known.description.substring(known.description.indexOf(' ') + 1) + " values only compare with = and !=, found " + b.at().describe());
    }
    // IDs compare as padded lower-case hex: "1234" finds 000…1234, "ABCD" finds abcd.
    if (b.left() instanceof IntrinsicField f && f.intrinsic().idHexLength() > 0
        && b.right() instanceof Literal l && l.value() instanceof String s) {
      return new Binary(b.op(), b.left(), new Literal(padHex(s, f.intrinsic().idHexLength()), ValueType.STRING, l.at()), b.at());
    }
    return b;
  }

  private static String expectation(ValueType t) {
    return switch (t) {
      case STATUS -> " (expected: ok, error, unset or nil)";
      case KIND -> " (expected: server, client, producer, consumer, internal or unspecified)";
      case DURATION -> " (expected: a duration like 100ms or 2s)";
      default -> "";
    };
  }

  private static String padHex(String s, int length) {
    String lower = s.toLowerCase(Locale.ROOT);
    return lower.length() < length ? "0".repeat(length - lower.length()) + lower : lower;
  }

  private FieldExpression additive() {
    return additive(null);
  }

  private FieldExpression additive(Token after) {
    FieldExpression left = multiplicative(after);
    while (peek().type() == Type.PLUS || peek().type() == Type.MINUS) {
      Token op = next();
      left = arithmetic(op.type() == Type.PLUS ? Op.ADD : Op.SUB, left, multiplicative(op), op);
    }
    return left;
  }

  private FieldExpression multiplicative(Token after) {
    FieldExpression left = power(after);
    while (peek().type() == Type.STAR || peek().type() == Type.SLASH || peek().type() == Type.PERCENT) {
      Token op = next();
      Op o = op.type() == Type.STAR ? Op.MUL : op.type() == Type.SLASH ? Op.DIV : Op.MOD;
      left = arithmetic(o, left, power(op), op);
    }
    return left;
  }

  private FieldExpression power(Token after) {
    FieldExpression left = negation(after);
    if (peek().type() == Type.CARET) {
      Token op = next();
      return arithmetic(Op.POW, left, power(op), op);
    }
    return left;
  }

  private FieldExpression negation(Token after) {
    if (peek().type() == Type.MINUS) {
      Token minus = next();
      FieldExpression operand = negation(minus);
      ValueType t = typeOf(operand);
      if (t != ValueType.ATTRIBUTE && !t.isNumeric()) {
        throw error(operand.at(), "cannot negate " + t.description + " (" + operand.at().describe() + ")");
      }
      if (operand instanceof Literal l) {
        Object v = l.value() instanceof Long x ? (Object) (-x) : l.value() instanceof Double d ? (Object) (-d)
            : new Values.Duration(-((Values.Duration) l.value()).nanos());
        return new Literal(v, l.type(), minus);
      }
      return new Negate(operand, minus);
    }
    return primary(after);
  }

  private FieldExpression arithmetic(Op op, FieldExpression left, FieldExpression right, Token at) {
    for (FieldExpression operand : List.of(left, right)) {
      ValueType t = typeOf(operand);
      if (t != ValueType.ATTRIBUTE && !t.isNumeric()) {
        throw error(operand.at(), "\"" + op.symbol + "\" takes numbers and durations, found " + t.description + " (" + operand.at().describe() + ")");
      }
    }
    Binary b = new Binary(op, left, right, at);
    if (left instanceof Literal && right instanceof Literal) {
      Object v = TraceQlEvaluator.arithmetic(op, ((Literal) left).value(), ((Literal) right).value());
      if (v == null) throw error(at, "invalid arithmetic (division by zero?)");
      return new Literal(v, typeOf(b), left.at());
    }
    return b;
  }

  /** A value: literal, attribute, intrinsic or parenthesised expression; {@code after} names what came before. */
  private FieldExpression primary(Token after) {
    Token t = peek();
    switch (t.type()) {
      case STRING -> {
        next();
        return new Literal(t.text(), ValueType.STRING, t);
      }
      case INTEGER -> {
        next();
        try {
          return new Literal(Long.parseLong(t.text()), ValueType.INT, t);
        } catch (NumberFormatException e) {
          throw error(t, "integer out of range: " + t.text() + " (expected: at most maxInt, 9223372036854775807)");
        }
      }
      case FLOAT -> {
        next();
        return new Literal(Double.parseDouble(t.text()), ValueType.FLOAT, t);
      }
      case DURATION -> {
        next();
        return new Literal(new Values.Duration(Values.parseDuration(t.text())), ValueType.DURATION, t);
      }
      case ATTRIBUTE -> {
        next();
        return new Attribute(Scope.of(t.scope()), t.text(), t);
      }
      case SCOPED_INTRINSIC -> {
        next();
        Intrinsic i = Intrinsic.byName(t.text());
        if (i == null) {
          throw error(t, "unknown intrinsic \"" + t.text() + "\" (expected one of: " + String.join(", ", Intrinsic.allNames()) + ")");
        }
        return new IntrinsicField(i, t);
      }
      case IDENT -> {
        next();
        return identifier(t);
      }
      case LPAREN -> {
        next();
        FieldExpression inner = or();
        expectClosing(Type.RPAREN, ")", t);
        return inner;
      }
      default -> {
        Token prev = after != null ? after : pos > 0 ? previous() : null;
        throw error(t, "expected a value" + (prev == null ? "" : " after " + prev.describe()) + ", found " + t.describe());
      }
    }
  }

  private FieldExpression identifier(Token t) {
    String w = t.text();
    switch (w) {
      case "true", "false" -> {
        return new Literal(Boolean.parseBoolean(w), ValueType.BOOL, t);
      }
      case "nil" -> {
        return new Literal(null, ValueType.NIL, t);
      }
      case "ok" -> {
        return new Literal(StatusCode.OK, ValueType.STATUS, t);
      }
      case "error" -> {
        return new Literal(StatusCode.ERROR, ValueType.STATUS, t);
      }
      case "unset" -> {
        return new Literal(StatusCode.UNSET, ValueType.STATUS, t);
      }
      case "server", "client", "producer", "consumer", "internal", "unspecified" -> {
        return new Literal(SpanKind.valueOf(w.toUpperCase(Locale.ROOT)), ValueType.KIND, t);
      }
      case "minInt" -> {
        return new Literal(Long.MIN_VALUE, ValueType.INT, t);
      }
      case "maxInt" -> {
        return new Literal(Long.MAX_VALUE, ValueType.INT, t);
      }
      default -> { }
    }
    Intrinsic i = Intrinsic.byName(w);
    if (i != null) return new IntrinsicField(i, t);
    String hint = TraceQlLexer.ATTRIBUTE_SCOPES.contains(w) ? " (an attribute needs a name: " + w + ".name)" : " (an attribute is written span." + w + ", resource." + w + " or ." + w + ")";
    throw error(t, "unknown identifier \"" + w + "\"" + hint);
  }

  /**
   * What a filter, {@code &&}, {@code ||} and {@code !} take: a boolean expression, or an
   * attribute alone, which Tempo reads as {@code attribute = true}.
   */
  private FieldExpression asCondition(FieldExpression e, String where) {
    ValueType t = typeOf(e);
    if (t == ValueType.BOOL) return e;
    if (e instanceof Attribute) {
      return new Binary(Op.EQ, e, new Literal(Boolean.TRUE, ValueType.BOOL, e.at()), e.at());
    }
    throw error(e.at(), where + " needs a condition (a comparison or a boolean), found " + t.description + " (" + e.at().describe() + ")");
  }

  /** The static type of an expression; comparisons and logic are boolean. */
  static ValueType typeOf(FieldExpression e) {
    if (e instanceof Literal l) return l.type();
    if (e instanceof Attribute) return ValueType.ATTRIBUTE;
    if (e instanceof IntrinsicField f) return f.intrinsic().type;
    if (e instanceof RegexMatch || e instanceof Not) return ValueType.BOOL;
    if (e instanceof Negate n) return typeOf(n.operand());
    Binary b = (Binary) e;
    if (!b.op().isArithmetic()) return ValueType.BOOL;
    ValueType l = typeOf(b.left());
    ValueType r = typeOf(b.right());
    if (l == ValueType.DURATION || r == ValueType.DURATION) return ValueType.DURATION;
    if (l == ValueType.ATTRIBUTE || r == ValueType.ATTRIBUTE) return ValueType.ATTRIBUTE;
    return l == ValueType.FLOAT || r == ValueType.FLOAT || b.op() == Op.POW ? ValueType.FLOAT : ValueType.INT;
  }

  private Object constant(FieldExpression e) {
    if (e instanceof Literal l) return l.value();
    return null;
  }

  // -- Tokens ---------------------------------------------------------------------------

  private Token peek() {
    return tokens.get(pos);
  }

  private Token previous() {
    return tokens.get(Math.max(0, pos - 1));
  }

  private Token next() {
    Token t = tokens.get(pos);
    if (t.type() != Type.EOF) pos++;
    return t;
  }

  private boolean accept(Type type) {
    if (peek().type() != type) return false;
    next();
    return true;
  }

  private Token expect(Type type, String symbol) {
    Token t = peek();
    if (t.type() != type) {
      throw error(t, "expected \"" + symbol + "\" after " + previous().describe() + ", found " + t.describe());
    }
    return next();
  }

  private void expectClosing(Type type, String symbol, Token open) {
    Token t = peek();
    if (t.type() != type) {
      throw error(t, "expected \"" + symbol + "\" to close the \"" + open.text() + "\" at line " + open.line()
          + ", column " + open.column() + ", found " + t.describe());
    }
    next();
  }

  private TraceQlException error(Token at, String reason) {
    return new TraceQlException(at.line(), at.column(), reason);
  }

  @Override
  public String toString() {
    return "TraceQlParser{" + text + "}";
  }
}
