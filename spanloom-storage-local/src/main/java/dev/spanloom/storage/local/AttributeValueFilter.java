package dev.spanloom.storage.local;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.storage.AttributeEquality;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The entries of a row group's attribute-value filter (format 3): which {@code key=value} pairs
 * of span and resource attributes occur in it, for {@link AttributeEquality} hints.
 *
 * <p>An entry is {@code scope key NUL type value}: scope {@code s} (span) or {@code r}
 * (resource), type {@code s} (string), {@code i} (integer, also a floating-point value that is
 * an integer of magnitude below 2<sup>53</sup>) or {@code b} (bool); an array contributes its
 * elements. A key whose values are not all listed (more than {@link #MAX_VALUES_PER_KEY}
 * distinct in the row group, or a string longer than {@link #MAX_VALUE_CHARS}) gets the entry
 * {@code scope key NUL *} instead: then it matches any value.
 */
final class AttributeValueFilter {
  static final int MAX_VALUE_CHARS = 64;
  static final int MAX_VALUES_PER_KEY = 64;
  static final char SPAN = 's';
  static final char RESOURCE = 'r';

  private AttributeValueFilter() {}

  /**
   * Gathers the entries of one row group. Values are kept as they are and encoded once at the
   * end, and a resource shared by many spans is read once: this runs for every span written and
   * compacted.
   */
  static final class Collector {
    /** In place of a key's values once it is listed as any value (compared by identity). */
    private static final Set<AttributeValue> ANY = Collections.unmodifiableSet(new HashSet<>());

    private final Map<String, Set<AttributeValue>> spanValues = new HashMap<>();
    private final Map<String, Set<AttributeValue>> resourceValues = new HashMap<>();
    private final Set<Resource> resourcesSeen = Collections.newSetFromMap(new IdentityHashMap<>());

    void add(Span span) {
      add(spanValues, span.attributes());
      if (resourcesSeen.add(span.resource())) add(resourceValues, span.resource().attributes());
    }

    private static void add(Map<String, Set<AttributeValue>> byKey, Attributes attributes) {
      for (int i = 0; i < attributes.size(); i++) {
        String key = attributes.key(i);
        AttributeValue v = attributes.value(i);
        if (v instanceof AttributeValue.ArrayValue a) {
          for (AttributeValue e : a.values()) {
            if (!(e instanceof AttributeValue.ArrayValue)) addValue(byKey, key, e);
          }
        } else {
          addValue(byKey, key, v);
        }
      }
    }

    private static void addValue(Map<String, Set<AttributeValue>> byKey, String key, AttributeValue v) {
      Set<AttributeValue> values = byKey.get(key);
      if (values == ANY || !isIndexed(v)) return;
      if (v instanceof AttributeValue.StringValue s && s.value().length() > MAX_VALUE_CHARS) {
        byKey.put(key, ANY);
        return;
      }
      if (values == null) {
        values = new HashSet<>();
        byKey.put(key, values);
      }
      if (values.add(v) && values.size() > MAX_VALUES_PER_KEY) byKey.put(key, ANY);
    }

    /** The entries, for {@link StringFilter#of}. */
    Set<String> entries() {
      Set<String> out = new HashSet<>();
      addEntries(SPAN, spanValues, out);
      addEntries(RESOURCE, resourceValues, out);
      return out;
    }

    private static void addEntries(char scope, Map<String, Set<AttributeValue>> byKey, Set<String> out) {
      for (Map.Entry<String, Set<AttributeValue>> e : byKey.entrySet()) {
        String prefix = scope + e.getKey() + '\0';
        if (e.getValue() == ANY) {
          out.add(prefix + "*");
        } else {
          for (AttributeValue v : e.getValue()) out.add(prefix + encode(v));
        }
      }
    }
  }

  private static boolean isIndexed(AttributeValue v) {
    return v instanceof AttributeValue.DoubleValue ? encode(v) != null
        : v instanceof AttributeValue.StringValue || v instanceof AttributeValue.LongValue
            || v instanceof AttributeValue.BoolValue;
  }

  /** The typed value part of an entry, or null for a value no equality can hold. */
  static String encode(AttributeValue v) {
    if (v instanceof AttributeValue.StringValue s) return "s" + s.value();
    if (v instanceof AttributeValue.LongValue l) return "i" + l.value();
    if (v instanceof AttributeValue.BoolValue b) return b.value() ? "btrue" : "bfalse";
    if (v instanceof AttributeValue.DoubleValue d) {
      double x = d.value();
      if (x == Math.rint(x) && Math.abs(x) < AttributeEquality.MAX_EXACT_INTEGER) return "i" + (long) x;
    }
    return null;
  }

  /** False only when no span of a row group with this filter (null: none stored) satisfies {@code e}. */
  static boolean mayHold(StringFilter filter, AttributeEquality e) {
    if (filter == null) return true;
    return switch (e.scope()) {
      case SPAN -> mayHold(filter, SPAN, e);
      case RESOURCE -> mayHold(filter, RESOURCE, e);
      case SPAN_OR_RESOURCE -> mayHold(filter, SPAN, e) || mayHold(filter, RESOURCE, e);
    };
  }

  private static boolean mayHold(StringFilter filter, char scope, AttributeEquality e) {
    String scopedKey = scope + e.key();
    return filter.mightContain(scopedKey + "\0*") || filter.mightContain(scopedKey + '\0' + encode(e.value()));
  }
}
