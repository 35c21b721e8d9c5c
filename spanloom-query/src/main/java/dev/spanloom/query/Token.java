package dev.spanloom.query;

/**
 * One lexical token of a TraceQL query. {@code text} is the token as written (for strings: the
 * unescaped value; for attributes: the attribute name without its scope).
 */
record Token(Token.Type type, String text, String scope, int offset, int line, int column) {
  enum Type {
    LBRACE, RBRACE, LPAREN, RPAREN, COMMA, PIPE,
    // comparisons
    EQ, NEQ, GT, GTE, LT, LTE, RE, NRE,
    // logic and spanset operators
    AND, OR, NOT, DESC, ANCE, TILDE,
    UNION_CHILD, UNION_DESC, UNION_PARENT, UNION_ANCE, UNION_SIBL,
    NOT_CHILD, NOT_DESC, NOT_PARENT, NOT_ANCE,
    // arithmetic
    PLUS, MINUS, STAR, SLASH, PERCENT, CARET,
    // values and names
    STRING, INTEGER, FLOAT, DURATION, IDENT, ATTRIBUTE, SCOPED_INTRINSIC,
    EOF
  }

  /** How the token reads in an error message. */
  String describe() {
    return switch (type) {
      case EOF -> "the end of the query";
      case STRING -> "\"" + text + "\"";
      case ATTRIBUTE -> "\"" + (scope.isEmpty() ? "." : scope + ".") + text + "\"";
      default -> "\"" + text + "\"";
    };
  }
}
