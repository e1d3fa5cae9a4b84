package dev.telos.render;

import dev.telos.manifest.Location;
import dev.telos.manifest.ManifestError;
import dev.telos.manifest.PlainYaml;
import dev.telos.manifest.YamlLimits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A chart: {@code Chart.yaml} (name, version, description), {@code values.yaml} (the defaults),
 * optional {@code values.schema.json}, and {@code templates/}: each file there whose name does not
 * start with {@code _} renders into manifests; {@code _} files are partials to include.
 *
 * @param dir how errors name the chart's directory ({@code charts/web}, {@code telos/service})
 * @param defaults the values of {@code values.yaml}
 * @param defaultLocations where each default was written
 * @param schema the text of {@code values.schema.json}, or null
 * @param templates every file under {@code templates/}, by path relative to it
 */
public record Chart(
    String dir,
    String name,
    String version,
    String description,
    Map<String, Object> defaults,
    Map<String, Location> defaultLocations,
    String schema,
    Map<String, String> templates) {

  /** A chart or why it cannot be one. */
  public record Loaded(Chart chart, List<ManifestError> errors) {}

  /** Reads a chart from its files ({@code files} by path relative to the chart's directory). */
  public static Loaded load(String dir, Map<String, byte[]> files, YamlLimits limits) {
    List<ManifestError> errors = new ArrayList<>();
    Location top = new Location(dir, 1, 1);
    byte[] meta = files.get("Chart.yaml");
    if (meta == null) {
      errors.add(new ManifestError(top, "no chart here: " + dir + "/Chart.yaml is missing"));
      return new Loaded(null, errors);
    }
    PlainYaml.Result m = PlainYaml.read(dir + "/Chart.yaml", meta, limits);
    String name = null;
    String version = null;
    String description = "";
    if (m.error() != null) {
      errors.add(m.error());
    } else if (!(m.value() instanceof Map<?, ?> map)) {
      errors.add(new ManifestError(new Location(dir + "/Chart.yaml", 1, 1), "must be a mapping"));
    } else {
      name = text(map.get("name"));
      version = text(map.get("version"));
      description = map.get("description") == null ? "" : text(map.get("description"));
      for (Object key : map.keySet()) {
        if (!List.of("name", "version", "description").contains(String.valueOf(key))) {
          errors.add(
              new ManifestError(
                  m.locations().getOrDefault("/" + key, new Location(dir + "/Chart.yaml", 1, 1)),
                  "unknown field '" + key + "' in Chart.yaml (name, version, description)"));
        }
      }
      if (name == null || !name.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?")) {
        errors.add(
            new ManifestError(
                m.locations().getOrDefault("/name", new Location(dir + "/Chart.yaml", 1, 1)),
                "name must be a DNS label"));
      }
      if (version == null || version.isBlank()) {
        errors.add(
            new ManifestError(new Location(dir + "/Chart.yaml", 1, 1), "version is required"));
      }
    }
    Map<String, Object> defaults = Map.of();
    Map<String, Location> at = Map.of();
    byte[] values = files.get("values.yaml");
    if (values != null) {
      PlainYaml.Result v = PlainYaml.read(dir + "/values.yaml", values, limits);
      if (v.error() != null) {
        errors.add(v.error());
      } else if (v.value() != null && !(v.value() instanceof Map<?, ?>)) {
        errors.add(
            new ManifestError(new Location(dir + "/values.yaml", 1, 1), "must be a mapping"));
      } else if (v.value() != null) {
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) v.value();
        defaults = d;
        at = v.locations();
      }
    }
    byte[] schema = files.get("values.schema.json");
    Map<String, String> templates = new TreeMap<>();
    files.forEach(
        (path, content) -> {
          if (path.startsWith("templates/")) {
            templates.put(
                path.substring("templates/".length()), new String(content, StandardCharsets.UTF_8));
          }
        });
    if (templates.isEmpty()) {
      errors.add(new ManifestError(top, "chart " + dir + " has no templates/"));
    }
    if (!errors.isEmpty()) {
      return new Loaded(null, errors);
    }
    return new Loaded(
        new Chart(
            dir,
            name,
            version,
            description,
            defaults,
            at,
            schema == null ? null : new String(schema, StandardCharsets.UTF_8),
            templates),
        List.of());
  }

  private static String text(Object o) {
    return o == null ? null : String.valueOf(o);
  }
}
