package dev.spanloom.pipeline.sampling;

/**
 * Removes the values a SQL statement carries, keeping its shape: string literals, numbers
 * (decimal, hex, exponent), bind parameters ({@code ?}, {@code $1}, {@code :name}, {@code
 * @name}) become {@code ?}; comments, which often quote values, are removed. Identifiers,
 * keywords, operators and double-quoted or back-quoted names stay. One pass, no regular
 * expressions: linear in the statement, safe on any input.
 */
final class SqlSanitizer {
  private SqlSanitizer() {}

  static String sanitize(String sql) {
    StringBuilder out = new StringBuilder(sql.length());
    int n = sql.length();
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\'') { // string literal, '' and \' escapes
        i++;
        while (i < n) {
          char d = sql.charAt(i);
          if (d == '\\' && i + 1 < n) {
            i += 2;
          } else if (d == '\'') {
            if (i + 1 < n && sql.charAt(i + 1) == '\'') i += 2;
            else {
              i++;
              break;
            }
          } else {
            i++;
          }
        }
        out.append('?');
      } else if (c == '"' || c == '`') { // quoted identifier: kept
        int end = sql.indexOf(c, i + 1);
        end = end < 0 ? n : end + 1;
        out.append(sql, i, end);
        i = end;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') { // line comment
        while (i < n && sql.charAt(i) != '\n') i++;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') { // block comment
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
        boolean spaceBefore = out.length() > 0 && Character.isWhitespace(out.charAt(out.length() - 1));
        if (!spaceBefore && i < n && !Character.isWhitespace(sql.charAt(i))) out.append(' '); // a/**/b stays two tokens
        if (spaceBefore && i < n && sql.charAt(i) == ' ') i++;
      } else if (Character.isDigit(c) && !identifierBefore(out)) { // number
        i++;
        while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '.'
            || ((sql.charAt(i) == '+' || sql.charAt(i) == '-') && (sql.charAt(i - 1) == 'e' || sql.charAt(i - 1) == 'E')))) i++;
        out.append('?');
      } else if (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)) && !identifierBefore(out)) { // .5
        i++;
        while (i < n && Character.isDigit(sql.charAt(i))) i++;
        out.append('?');
      } else if ((c == '$' || c == '@') && i + 1 < n && isIdentifierPart(sql.charAt(i + 1)) && !identifierBefore(out)) {
        i++; // $1, $name, @p1: bind parameters
        while (i < n && isIdentifierPart(sql.charAt(i))) i++;
        out.append('?');
      } else if (c == ':' && i + 1 < n && Character.isLetter(sql.charAt(i + 1)) && (i == 0 || sql.charAt(i - 1) != ':')) {
        i++; // :name, but not the ::type cast
        while (i < n && isIdentifierPart(sql.charAt(i))) i++;
        out.append('?');
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString().strip();
  }

  private static boolean identifierBefore(StringBuilder out) {
    return out.length() > 0 && isIdentifierPart(out.charAt(out.length() - 1));
  }

  private static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }
}
