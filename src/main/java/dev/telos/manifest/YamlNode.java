package dev.telos.manifest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value with the place it was written: a mapping, a sequence or a scalar. Built by {@link
 * YamlReader}; aliases share the node they refer to, and {@link #size()} counts a node as often as
 * it is reachable, which bounds alias expansion.
 */
public sealed interface YamlNode {
  Location location();

  /** Nodes reachable from here, aliases counted as expanded. */
  long size();

  /** A human name of the node's YAML type, for error messages. */
  String typeName();

  /** A mapping; keys in document order, each with the location of the key. */
  record MapNode(Location location, Map<String, Entry> entries, long size) implements YamlNode {
    public MapNode {
      entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    @Override
    public String typeName() {
      return "mapping";
    }
  }

  /** One key of a mapping: where the key is, and its value. */
  record Entry(Location keyLocation, YamlNode value) {}

  /** A sequence. */
  record ListNode(Location location, List<YamlNode> items, long size) implements YamlNode {
    public ListNode {
      items = List.copyOf(items);
    }

    @Override
    public String typeName() {
      return "sequence";
    }
  }

  /**
   * A scalar: its text as written, and what YAML resolved it to.
   *
   * @param kind STRING, INTEGER, FLOAT, BOOLEAN or NULL
   */
  record Scalar(Location location, String text, Kind kind) implements YamlNode {
    public enum Kind {
      STRING,
      INTEGER,
      FLOAT,
      BOOLEAN,
      NULL
    }

    @Override
    public long size() {
      return 1;
    }

    @Override
    public String typeName() {
      return switch (kind) {
        case STRING -> "string";
        case INTEGER -> "integer";
        case FLOAT -> "number";
        case BOOLEAN -> "boolean";
        case NULL -> "null";
      };
    }
  }
}
