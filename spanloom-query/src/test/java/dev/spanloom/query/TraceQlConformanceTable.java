package dev.spanloom.query;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The cases of {@code traceql-conformance.txt}: query → expected trace names, or → expected error. */
final class TraceQlConformanceTable {
  private TraceQlConformanceTable() {}

  /** One line of the table; {@code errorAt} is "line:column" for an error case, else null. */
  record Case(int line, String query, Set<String> expected, String errorAt, String errorMessage) {
    boolean isError() {
      return errorAt != null;
    }

    @Override
    public String toString() {
      return "line " + line + ": " + query;
    }
  }

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        TraceQlConformanceTable.class.getResourceAsStream("/traceql-conformance.txt"), StandardCharsets.UTF_8))) {
      String line;
      int n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank() || line.startsWith("#")) continue;
        int arrow = line.lastIndexOf(" => ");
        if (arrow < 0) throw new IllegalStateException("traceql-conformance.txt:" + n + ": no \" => \"");
        String query = line.substring(0, arrow);
        String expected = line.substring(arrow + 4).trim();
        if (expected.startsWith("error ")) {
          String rest = expected.substring(6);
          int space = rest.indexOf(' ');
          cases.add(new Case(n, query, null, rest.substring(0, space), rest.substring(space + 1)));
        } else {
          cases.add(new Case(n, query, names(expected), null, null));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return cases;
  }

  private static Set<String> names(String expected) {
    if (expected.equals("none")) return Set.of();
    Set<String> names = new TreeSet<>();
    for (String token : expected.split("\\s+")) {
      if (token.equals("all")) names.addAll(TraceQlDataset.TRACES.keySet());
      else if (token.startsWith("-")) names.remove(token.substring(1));
      else if (TraceQlDataset.TRACES.containsKey(token)) names.add(token);
      else throw new IllegalStateException("unknown trace name in table: " + token + " (have: " + TraceQlDataset.TRACES.keySet() + ")");
    }
    return names;
  }

  static Set<String> sorted(Iterable<String> names) {
    return new TreeSet<>(new LinkedHashSet<>(toList(names)));
  }

  private static List<String> toList(Iterable<String> names) {
    List<String> l = new ArrayList<>();
    names.forEach(l::add);
    return l;
  }

  static List<String> split(String s) {
    return Arrays.asList(s.split(" "));
  }
}
