package dev.spanloom.query;

import dev.spanloom.query.Token.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Splits a TraceQL query into {@link Token}s; hand-written, one pass, positions kept. */
final class TraceQlLexer {
  /** Scopes that take an attribute name after a dot ({@code span.http.method}). */
  static final Set<String> ATTRIBUTE_SCOPES = Set.of("span", "resource", "event", "link", "instrumentation");
  /** Scopes that take an intrinsic after a colon ({@code span:duration}). */
  static final Set<String> INTRINSIC_SCOPES = Set.of("span", "trace", "event", "link", "instrumentation");

  // Longest first, so that "&>>" wins over "&>" and ">>" over ">".
  private static final String[] OPERATORS = {
      "&>>", "&<<", "!>>", "!<<",
      "!=", "=~", "!~", ">=", "<=", "&&", "||", ">>", "<<", "&>", "&<", "&~", "!>", "!<",
      "{", "}", "(", ")", ",", "|", "=", ">", "<", "!", "~", "+", "-", "*", "/", "%", "^"
  };
  private static final Type[] OPERATOR_TYPES = {
      Type.UNION_DESC, Type.UNION_ANCE, Type.NOT_DESC, Type.NOT_ANCE,
      Type.NEQ, Type.RE, Type.NRE, Type.GTE, Type.LTE, Type.AND, Type.OR, Type.DESC, Type.ANCE,
      Type.UNION_CHILD, Type.UNION_PARENT, Type.UNION_SIBL, Type.NOT_CHILD, Type.NOT_PARENT,
      Type.LBRACE, Type.RBRACE, Type.LPAREN, Type.RPAREN, Type.COMMA, Type.PIPE, Type.EQ, Type.GT,
      Type.LT, Type.NOT, Type.TILDE, Type.PLUS, Type.MINUS, Type.STAR, Type.SLASH, Type.PERCENT,
      Type.CARET
  };

  private final String in;
  private final int[] lineStarts;
  private int pos;

  private TraceQlLexer(String in) {
    this.in = in;
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < in.length(); i++) {
      if (in.charAt(i) == '\n') starts.add(i + 1);
    }
    lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
  }

  static List<Token> tokenize(String query) {
    return new TraceQlLexer(query).run();
  }

  /** The error for a mistake at {@code offset} of {@code query}. */
  static TraceQlException error(String query, int offset, String reason) {
    return new TraceQlLexer(query).errorAt(offset, reason);
  }

  private TraceQlException errorAt(int offset, String reason) {
    int line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1] <= offset) line++;
    return new TraceQlException(line + 1, offset - lineStarts[line] + 1, reason);
  }

  private Token token(Type type, String text, String scope, int start) {
    int line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1] <= start) line++;
    return new Token(type, text, scope, start, line + 1, start - lineStarts[line] + 1);
  }

  private List<Token> run() {
    List<Token> tokens = new ArrayList<>();
    while (true) {
      skipSpace();
      if (pos >= in.length()) {
        tokens.add(token(Type.EOF, "", "", pos));
        return tokens;
      }
      tokens.add(next());
    }
  }

  private void skipSpace() {
    while (pos < in.length()) {
      char c = in.charAt(pos);
      if (Character.isWhitespace(c)) {
        pos++;
      } else if (c == '/' && pos + 1 < in.length() && in.charAt(pos + 1) == '/') {
        while (pos < in.length() && in.charAt(pos) != '\n') pos++; // a line comment
      } else {
        return;
      }
    }
  }

  private Token next() {
    int start = pos;
    char c = in.charAt(pos);
    if (c == '"' || c == '`') return token(Type.STRING, readString(), "", start);
    if (c >= '0' && c <= '9') return number();
    if (c == '.' ) {
      pos++;
      return token(Type.ATTRIBUTE, readAttributeName(start, "."), "", start);
    }
    if (Character.isLetter(c) || c == '_') return word();
    for (int i = 0; i < OPERATORS.length; i++) {
      if (in.startsWith(OPERATORS[i], pos)) {
        pos += OPERATORS[i].length();
        return token(OPERATOR_TYPES[i], OPERATORS[i], "", start);
      }
    }
    throw errorAt(start, "unexpected character \"" + new String(Character.toChars(in.codePointAt(start))) + "\"");
  }

  private Token word() {
    int start = pos;
    while (pos < in.length() && isWordChar(in.charAt(pos))) pos++;
    String word = in.substring(start, pos);
    if (pos < in.length() && in.charAt(pos) == '.' && ATTRIBUTE_SCOPES.contains(word)) {
      pos++;
      return token(Type.ATTRIBUTE, readAttributeName(start, word + "."), word, start);
    }
    if (pos < in.length() && in.charAt(pos) == ':' && INTRINSIC_SCOPES.contains(word)) {
      pos++;
      int nameStart = pos;
      while (pos < in.length() && isWordChar(in.charAt(pos))) pos++;
      if (pos == nameStart) throw errorAt(nameStart, "expected an intrinsic name after \"" + word + ":\"");
      return token(Type.SCOPED_INTRINSIC, in.substring(start, pos), word, start);
    }
    return token(Type.IDENT, word, "", start);
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  /** Attribute names run to whitespace or an operator character; quoted parts may hold anything. */
  private String readAttributeName(int start, String prefix) {
    StringBuilder name = new StringBuilder();
    while (pos < in.length()) {
      char c = in.charAt(pos);
      if (c == '"') {
        name.append(readString());
      } else if (isNameChar(c) || (c == '-' && name.length() > 0)) {
        name.append(c);
        pos++;
      } else {
        break;
      }
    }
    if (name.length() == 0) throw errorAt(start, "expected an attribute name after \"" + prefix + "\"");
    return name.toString();
  }

  private static boolean isNameChar(char c) {
    return !Character.isWhitespace(c) && "{}()=!<>~&|,\"`+-*/%^".indexOf(c) < 0;
  }

  private String readString() {
    int start = pos;
    char quote = in.charAt(pos++);
    StringBuilder s = new StringBuilder();
    while (pos < in.length()) {
      char c = in.charAt(pos++);
      if (c == quote) return s.toString();
      if (c == '\\' && quote == '"') {
        if (pos >= in.length()) break;
        char e = in.charAt(pos++);
        switch (e) {
          case '\\' -> s.append('\\');
          case '"' -> s.append('"');
          case 'n' -> s.append('\n');
          case 't' -> s.append('\t');
          case 'r' -> s.append('\r');
          default -> throw errorAt(pos - 2, "unknown escape sequence \"\\" + e
              + "\" in a string (expected: \\\\, \\\", \\n, \\t or \\r; a raw `string` takes backslashes as they are)");
        }
      } else {
        s.append(c);
      }
    }
    throw errorAt(start, "unterminated string (expected: a closing " + quote + ")");
  }

  private Token number() {
    int start = pos;
    digits();
    boolean isFloat = false;
    if (pos + 1 < in.length() && in.charAt(pos) == '.' && Character.isDigit(in.charAt(pos + 1))) {
      pos++;
      digits();
      isFloat = true;
    }
    if (pos < in.length() && (in.charAt(pos) == 'e' || in.charAt(pos) == 'E')) {
      int save = pos++;
      if (pos < in.length() && (in.charAt(pos) == '+' || in.charAt(pos) == '-')) pos++;
      if (pos < in.length() && Character.isDigit(in.charAt(pos))) {
        digits();
        isFloat = true;
      } else {
        pos = save;
      }
    }
    if (unit() > 0) {
      // Go-style compound durations: 1h30m, 1.5s, 250us.
      while (pos < in.length() && Character.isDigit(in.charAt(pos))) {
        digits();
        if (pos + 1 < in.length() && in.charAt(pos) == '.' && Character.isDigit(in.charAt(pos + 1))) {
          pos++;
          digits();
        }
        if (unit() == 0) throw errorAt(start, "invalid duration \"" + in.substring(start, pos) + "\" (expected a unit: ns, us, µs, ms, s, m or h)");
      }
      if (pos < in.length() && isWordChar(in.charAt(pos))) {
        while (pos < in.length() && isWordChar(in.charAt(pos))) pos++;
        throw errorAt(start, "invalid duration \"" + in.substring(start, pos) + "\" (expected a unit: ns, us, µs, ms, s, m or h)");
      }
      return token(Type.DURATION, in.substring(start, pos), "", start);
    }
    if (pos < in.length() && isWordChar(in.charAt(pos))) {
      while (pos < in.length() && isWordChar(in.charAt(pos))) pos++;
      throw errorAt(start, "invalid number \"" + in.substring(start, pos) + "\"");
    }
    return token(isFloat ? Type.FLOAT : Type.INTEGER, in.substring(start, pos), "", start);
  }

  private void digits() {
    while (pos < in.length() && Character.isDigit(in.charAt(pos))) pos++;
  }

  /** Consumes a duration unit and returns its length, or 0 when none follows. */
  private int unit() {
    for (String u : new String[] {"ns", "us", "µs", "ms", "s", "m", "h"}) {
      if (in.startsWith(u, pos)) {
        int end = pos + u.length();
        // "m" followed by a letter is not a unit ("5min" is not a duration).
        if (end < in.length() && Character.isLetter(in.charAt(end))) continue;
        pos = end;
        return u.length();
      }
    }
    return 0;
  }
}
