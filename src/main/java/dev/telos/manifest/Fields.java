package dev.telos.manifest;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed, located access to one YAML mapping: each getter checks the type and range of a field and
 * records a {@link ManifestError} at the offending node instead of throwing, so one pass reports
 * every problem of a document. Unknown keys are reported with a "did you mean".
 */
final class Fields {
  private final YamlNode.MapNode map;
  private final List<ManifestError> errors;
  private final String context;

  private Fields(YamlNode.MapNode map, List<ManifestError> errors, String context) {
    this.map = map;
    this.errors = errors;
    this.context = context;
  }

  /**
   * Wraps {@code node} as the mapping {@code context}; null (with an error recorded) when it is not
   * a mapping.
   */
  static Fields of(YamlNode node, List<ManifestError> errors, String context, Set<String> allowed) {
    if (!(node instanceof YamlNode.MapNode m)) {
      errors.add(
          new ManifestError(
              node.location(),
              (context.isEmpty() ? "a manifest" : context)
                  + " must be a mapping, got "
                  + node.typeName()));
      return null;
    }
    for (Map.Entry<String, YamlNode.Entry> e : m.entries().entrySet()) {
      if (!allowed.contains(e.getKey())) {
        String hint =
            Suggest.closest(e.getKey(), allowed)
                .map(s -> " (did you mean '" + s + "'?)")
                .orElse("");
        errors.add(
            new ManifestError(
                e.getValue().keyLocation(),
                "unknown field '"
                    + e.getKey()
                    + "'"
                    + (context.isEmpty() ? "" : " in " + context)
                    + hint));
      }
    }
    return new Fields(m, errors, context);
  }

  YamlNode get(String key) {
    YamlNode.Entry e = map.entries().get(key);
    if (e == null) {
      return null;
    }
    YamlNode v = e.value();
    return v instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.NULL ? null : v;
  }

  boolean has(String key) {
    return get(key) != null;
  }

  List<ManifestError> errors() {
    return errors;
  }

  void errorAt(Location at, String message) {
    errors.add(new ManifestError(at, message));
  }

  void error(YamlNode at, String message) {
    errors.add(new ManifestError(at == null ? map.location() : at.location(), message));
  }

  String name(String key) {
    return context.isEmpty() ? key : context + "." + key;
  }

  /** A string field; {@code fallback} when absent; an error when required and absent. */
  String string(String key, String fallback, boolean required) {
    YamlNode v = get(key);
    if (v == null) {
      if (required) {
        error(null, name(key) + " is required");
      }
      return fallback;
    }
    if (!(v instanceof YamlNode.Scalar s) || s.kind() != YamlNode.Scalar.Kind.STRING) {
      error(v, name(key) + " must be a string, got " + v.typeName());
      return fallback;
    }
    return s.text();
  }

  /** Any scalar as its written text (numbers and booleans included), for env values. */
  static String scalarText(YamlNode v) {
    return v instanceof YamlNode.Scalar s ? s.text() : null;
  }

  long integer(String key, long fallback, long min, long max) {
    YamlNode v = get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof YamlNode.Scalar s) || s.kind() != YamlNode.Scalar.Kind.INTEGER) {
      error(v, name(key) + " must be an integer, got " + v.typeName());
      return fallback; // with an error: the document is rejected, this is never bound
    }
    long n;
    try {
      n = Long.parseLong(s.text().replace("_", ""));
    } catch (NumberFormatException e) {
      error(v, name(key) + " must be an integer, got '" + s.text() + "'");
      return fallback; // with an error: the document is rejected, this is never bound
    }
    if (n < min || n > max) {
      error(v, name(key) + " must be between " + min + " and " + max + ", got " + n);
      return fallback; // with an error: the document is rejected, this is never bound
    }
    return n;
  }

  double number(String key, double fallback, double min, double max, boolean minExclusive) {
    YamlNode v = get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof YamlNode.Scalar s)
        || (s.kind() != YamlNode.Scalar.Kind.INTEGER && s.kind() != YamlNode.Scalar.Kind.FLOAT)) {
      error(v, name(key) + " must be a number, got " + v.typeName());
      return fallback;
    }
    double d;
    try {
      d = Double.parseDouble(s.text().replace("_", ""));
    } catch (NumberFormatException e) {
      error(v, name(key) + " must be a number, got '" + s.text() + "'");
      return fallback;
    }
    if (Double.isNaN(d) || (minExclusive ? d <= min : d < min) || d > max) {
      error(
          v,
          name(key)
              + " must be "
              + (minExclusive ? "> " : ">= ")
              + trim(min)
              + " and <= "
              + trim(max)
              + ", got "
              + s.text());
      return fallback;
    }
    return d;
  }

  private static String trim(double d) {
    return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  Duration duration(String key, Duration fallback) {
    return duration(key, fallback, Durations.MAX);
  }

  /** A duration field no longer than {@code max}; {@code fallback} when absent or wrong. */
  Duration duration(String key, Duration fallback, Duration max) {
    YamlNode v = get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof YamlNode.Scalar s) || s.kind() != YamlNode.Scalar.Kind.STRING) {
      error(
          v,
          name(key)
              + " must be a duration string like 30s, got "
              + v.typeName()
              + (v instanceof YamlNode.Scalar s2 && s2.kind() == YamlNode.Scalar.Kind.INTEGER
                  ? " (add a unit: '" + s2.text() + "s')"
                  : ""));
      return fallback;
    }
    try {
      return Durations.parse(s.text(), max);
    } catch (IllegalArgumentException e) {
      error(v, name(key) + ": " + e.getMessage());
      return fallback;
    }
  }

  <E extends Enum<E>> E enumeration(String key, Class<E> type, E fallback, boolean required) {
    YamlNode v = get(key);
    if (v == null) {
      if (required) {
        error(null, name(key) + " is required");
      }
      return fallback;
    }
    String text =
        v instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.STRING ? s.text() : null;
    E[] values = type.getEnumConstants();
    if (text != null) {
      for (E e : values) {
        if (e.name().equals(text)) {
          return e;
        }
      }
    }
    List<String> names = java.util.Arrays.stream(values).map(Enum::name).toList();
    String hint =
        text == null
            ? ""
            : Suggest.closest(text, names).map(s -> " (did you mean '" + s + "'?)").orElse("");
    error(
        v,
        name(key)
            + " must be one of "
            + String.join(", ", names)
            + ", got "
            + (text == null ? v.typeName() : "'" + text + "'")
            + hint);
    return fallback; // with an error: the document is rejected, this is never bound
  }

  /** A mapping of strings to scalars (written text kept: {@code NO} stays "NO"). */
  Map<String, String> stringMap(String key) {
    YamlNode v = get(key);
    Map<String, String> out = new LinkedHashMap<>();
    if (v == null) {
      return out; // absent: empty (no caller changes it)
    }
    if (!(v instanceof YamlNode.MapNode m)) {
      error(v, name(key) + " must be a mapping, got " + v.typeName());
      return out; // with an error: the document is rejected, this is never bound
    }
    m.entries()
        .forEach(
            (k, e) -> {
              String text = scalarText(e.value());
              if (text == null
                  || (e.value() instanceof YamlNode.Scalar s
                      && s.kind() == YamlNode.Scalar.Kind.NULL)) {
                error(
                    e.value(),
                    name(key) + "." + k + " must be a string, got " + e.value().typeName());
              } else {
                out.put(k, text);
              }
            });
    return out;
  }

  /** A sequence field; an empty list when absent. */
  List<YamlNode> list(String key) {
    YamlNode v = get(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof YamlNode.ListNode l)) {
      error(v, name(key) + " must be a list, got " + v.typeName());
      return List.of();
    }
    return l.items();
  }

  /** A nested mapping, or null when absent or not a mapping. */
  Fields object(String key, Set<String> allowed) {
    YamlNode v = get(key);
    return v == null ? null : Fields.of(v, errors, name(key), allowed);
  }
}
