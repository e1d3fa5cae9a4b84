package dev.telos.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.telos.manifest.Durations;
import dev.telos.manifest.TaskSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fields of a task spec that differ between two revisions, as YAML paths with their old and new
 * values ({@code spec.resources.cpus: 0.1 → 0.25}, {@code spec.env.LOG_LEVEL: (none) → debug}), for
 * {@code telos plan}. Durations read as manifests write them ({@code 30s}).
 */
final class SpecDiff {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(
              new SimpleModule()
                  .addSerializer(
                      Duration.class,
                      new JsonSerializer<Duration>() {
                        @Override
                        public void serialize(
                            Duration d, JsonGenerator g, SerializerProvider provider)
                            throws IOException {
                          g.writeString(Durations.format(d));
                        }
                      }));

  /** Shown for a field one side does not have. */
  static final String NONE = "(none)";

  private SpecDiff() {}

  /**
   * The changed leaves, in path order.
   *
   * @param prefix where the task spec sits in the manifest: {@code spec} or {@code spec.job}
   */
  static List<String> changes(String prefix, TaskSpec before, TaskSpec after) {
    Map<String, String> a = new TreeMap<>();
    Map<String, String> b = new TreeMap<>();
    flatten(prefix, JSON.valueToTree(before), a);
    flatten(prefix, JSON.valueToTree(after), b);
    return differences(asInManifest(prefix, before, a), asInManifest(prefix, after, b));
  }

  /**
   * The changed leaves of a release's merged values, as {@code values.instances: 2 → 3}.
   *
   * @param before the values the current revision rendered with (empty for a new release)
   */
  static List<String> valueChanges(Map<String, Object> before, Map<String, Object> after) {
    Map<String, String> a = new TreeMap<>();
    Map<String, String> b = new TreeMap<>();
    flatten("values", JSON.valueToTree(before), a);
    flatten("values", JSON.valueToTree(after), b);
    return differences(a, b);
  }

  private static List<String> differences(Map<String, String> a, Map<String, String> b) {
    TreeMap<String, String> paths = new TreeMap<>(a);
    b.forEach(paths::putIfAbsent);
    List<String> out = new ArrayList<>();
    for (String path : paths.keySet()) {
      String was = a.getOrDefault(path, NONE);
      String now = b.getOrDefault(path, NONE);
      if (!was.equals(now)) {
        out.add(path + ": " + was + " → " + now);
      }
    }
    return out;
  }

  /** Where the model's fields are in the manifest: {@code executor: telos} and its options. */
  private static final Map<String, String> MOVED =
      Map.of(
          ".executor.logMaxBytes", ".logs.maxSize",
          ".executor.logKeep", ".logs.keep",
          ".executor.fetch", ".fetch",
          ".executor.preStart", ".preStart",
          ".executor.preStop", ".preStop",
          ".executor.killSignal", ".killSignal");

  /**
   * The model's paths renamed to the manifest's: the Telos executor's options sit beside {@code
   * executor: telos}, and a health check names its port (the model keeps its index).
   */
  private static Map<String, String> asInManifest(
      String prefix, TaskSpec spec, Map<String, String> flat) {
    Map<String, String> out = new TreeMap<>();
    flat.forEach(
        (path, value) -> {
          String p = path;
          for (Map.Entry<String, String> m : MOVED.entrySet()) {
            String from = prefix + m.getKey();
            if (p.equals(from) || p.startsWith(from + "[") || p.startsWith(from + ".")) {
              p = prefix + m.getValue() + p.substring(from.length());
            }
          }
          if (p.equals(prefix + ".healthCheck.port") && spec.healthCheck() != null) {
            int i = spec.healthCheck().port();
            if (i >= 0 && i < spec.ports().size() && spec.ports().get(i).name() != null) {
              value = spec.ports().get(i).name();
            }
          }
          out.put(p, value);
        });
    if (spec.executor() != null) {
      out.put(prefix + ".executor", "telos");
    }
    return out;
  }

  private static void flatten(String path, JsonNode node, Map<String, String> out) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return;
    }
    if (node.isObject()) {
      if (node.isEmpty()) {
        return; // an empty map is no field
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        flatten(path + key(e.getKey()), e.getValue(), out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        flatten(path + "[" + i + "]", node.get(i), out);
      }
    } else {
      out.put(path, scalar(node));
    }
  }

  /** {@code .name}: field names and environment variable names are plain names. */
  private static String key(String k) {
    return "." + k;
  }

  private static String scalar(JsonNode n) {
    if (n.isTextual()) {
      String s = n.asText();
      // Quoted where YAML would read it as something else, or it would be invisible.
      boolean plain =
          !s.isEmpty()
              && !s.equals(NONE)
              && s.strip().equals(s)
              && !s.matches("(?i)true|false|null|~|yes|no|on|off|[-+]?[0-9.]+(e[-+]?[0-9]+)?")
              && !s.contains("\n");
      return plain ? s : "'" + s.replace("'", "''").replace("\n", "\\n") + "'";
    }
    if (n.isNumber()) {
      return java.math.BigDecimal.valueOf(n.asDouble()).stripTrailingZeros().toPlainString();
    }
    return n.asText(); // true, false
  }
}
