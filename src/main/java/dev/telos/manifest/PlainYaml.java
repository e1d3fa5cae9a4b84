package dev.telos.manifest;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * YAML read as plain values (maps, lists, strings, numbers, booleans, nulls) with the location of
 * each value by JSON pointer: chart values and {@code Chart.yaml}, read under the same limits as
 * manifests.
 */
public final class PlainYaml {
  private PlainYaml() {}

  /**
   * One file's value.
   *
   * @param value the document's value (null for an empty file)
   * @param locations where each value was written, by JSON pointer ("" for the document)
   * @param error why it could not be read, or null
   */
  public record Result(Object value, Map<String, Location> locations, ManifestError error) {}

  /** Reads the file's one document. */
  public static Result read(String file, byte[] content, YamlLimits limits) {
    YamlReader.Result r = new YamlReader(limits).read(file, content);
    if (r.error() != null) {
      return new Result(null, Map.of(), r.error());
    }
    if (r.documents().size() > 1) {
      return new Result(
          null,
          Map.of(),
          new ManifestError(r.documents().get(1).location(), "one YAML document expected"));
    }
    Map<String, Location> at = new HashMap<>();
    Object value = r.documents().isEmpty() ? null : plain(r.documents().get(0), "", at);
    return new Result(value, at, null);
  }

  /** The plain value of a node, recording locations under {@code pointer}. */
  public static Object plain(YamlNode node, String pointer, Map<String, Location> at) {
    at.put(pointer, node.location());
    if (node instanceof YamlNode.MapNode m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.entries().forEach((k, e) -> out.put(k, plain(e.value(), pointer + "/" + escape(k), at)));
      return out;
    }
    if (node instanceof YamlNode.ListNode l) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < l.items().size(); i++) {
        out.add(plain(l.items().get(i), pointer + "/" + i, at));
      }
      return out;
    }
    YamlNode.Scalar s = (YamlNode.Scalar) node;
    return switch (s.kind()) {
      case STRING -> s.text();
      case BOOLEAN -> Boolean.valueOf(s.text());
      case NULL -> null;
      case INTEGER -> integer(s.text());
      case FLOAT -> floating(s.text());
    };
  }

  private static Object integer(String text) {
    try {
      BigInteger b = new BigInteger(text.replace("_", "").replace("+", ""));
      return b.bitLength() < 64 ? (Object) b.longValue() : b;
    } catch (NumberFormatException e) {
      return text; // 0x.., 0o.. as written
    }
  }

  private static Object floating(String text) {
    try {
      return new BigDecimal(text.replace("_", "")).doubleValue();
    } catch (NumberFormatException e) {
      return text; // .inf, .nan as written
    }
  }

  /** A key as a JSON pointer token (RFC 6901). */
  public static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
