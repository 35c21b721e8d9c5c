package dev.spanloom.query;

/** The static type of a TraceQL expression; {@link #ATTRIBUTE} is known only per span. */
enum ValueType {
  STRING("a string"),
  INT("an integer"),
  FLOAT("a float"),
  BOOL("a boolean"),
  DURATION("a duration"),
  STATUS("a status"),
  KIND("a span kind"),
  NIL("nil"),
  ATTRIBUTE("an attribute");

  final String description;

  ValueType(String description) {
    this.description = description;
  }

  boolean isNumeric() {
    return this == INT || this == FLOAT || this == DURATION;
  }

  /** True when values of the two types can be compared (attributes are checked per span). */
  static boolean comparable(ValueType a, ValueType b) {
    if (a == ATTRIBUTE || b == ATTRIBUTE) return true;
    if (a.isNumeric() && b.isNumeric()) return true;
    return a == b;
  }
}
