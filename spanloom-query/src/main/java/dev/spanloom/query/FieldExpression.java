package dev.spanloom.query;

import java.util.regex.Pattern;

/** An expression inside a spanset filter {@code { … }}, evaluated on one span at a time. */
sealed interface FieldExpression {
  /** Where the expression starts, for error messages. */
  Token at();

  /** A constant: String, Long, Double, Boolean, {@link Values.Duration}, StatusCode, SpanKind or null (nil). */
  record Literal(Object value, ValueType type, Token at) implements FieldExpression {}

  /** {@code span.x}, {@code resource.x}, {@code event.x}, {@code link.x}, {@code instrumentation.x} or {@code .x}. */
  record Attribute(Scope scope, String name, Token at) implements FieldExpression {
    @Override
    public String toString() {
      return (scope == Scope.UNSCOPED ? "." : scope.prefix + ".") + name;
    }
  }

  record IntrinsicField(Intrinsic intrinsic, Token at) implements FieldExpression {
    @Override
    public String toString() {
      return intrinsic.canonicalName();
    }
  }

  /** Comparison, logic or arithmetic; {@code op} is one of the binary operators. */
  record Binary(Op op, FieldExpression left, FieldExpression right, Token at) implements FieldExpression {}

  /** {@code =~} and {@code !~} with the pattern compiled once, fully anchored as Tempo does. */
  record RegexMatch(FieldExpression subject, Pattern pattern, boolean negated, Token at) implements FieldExpression {}

  record Not(FieldExpression operand, Token at) implements FieldExpression {}

  record Negate(FieldExpression operand, Token at) implements FieldExpression {}

  enum Scope {
    SPAN("span"), RESOURCE("resource"), EVENT("event"), LINK("link"), INSTRUMENTATION("instrumentation"), UNSCOPED("");

    final String prefix;

    Scope(String prefix) {
      this.prefix = prefix;
    }

    static Scope of(String prefix) {
      for (Scope s : values()) {
        if (s.prefix.equals(prefix)) return s;
      }
      throw new IllegalArgumentException("scope: " + prefix);
    }
  }

  enum Op {
    EQ("="), NEQ("!="), GT(">"), GTE(">="), LT("<"), LTE("<="),
    AND("&&"), OR("||"),
    ADD("+"), SUB("-"), MUL("*"), DIV("/"), MOD("%"), POW("^");

    final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    boolean isComparison() {
      return ordinal() <= LTE.ordinal();
    }

    boolean isLogical() {
      return this == AND || this == OR;
    }

    boolean isArithmetic() {
      return ordinal() >= ADD.ordinal();
    }
  }
}
