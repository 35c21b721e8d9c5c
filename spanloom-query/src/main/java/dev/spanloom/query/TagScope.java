package dev.spanloom.query;

import java.util.Locale;

/** The scopes of Tempo's tag APIs, named as in its {@code scope} parameter. */
public enum TagScope {
  SPAN, RESOURCE, EVENT, LINK, INSTRUMENTATION, INTRINSIC;

  /** The name Tempo uses: {@code span}, {@code resource}, … */
  public String tempoName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The scope for Tempo's name, or null when there is none of that name. */
  public static TagScope of(String name) {
    for (TagScope s : values()) {
      if (s.tempoName().equals(name)) return s;
    }
    return null;
  }
}
