package dev.spanloom.query;

/**
 * A query that cannot be parsed or type-checked, with the place of the mistake. The message reads
 * {@code line 1, column 17: expected a value after "=", found "}"}; lines and columns count from
 * one.
 */
public final class TraceQlException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int line;
  private final int column;
  private final String reason;

  TraceQlException(int line, int column, String reason) {
    super("line " + line + ", column " + column + ": " + reason);
    this.line = line;
    this.column = column;
    this.reason = reason;
  }

  /** The line of the mistake, from 1. */
  public int line() {
    return line;
  }

  /** The column of the mistake on its line, from 1. */
  public int column() {
    return column;
  }

  /** The message without the position. */
  public String reason() {
    return reason;
  }
}
