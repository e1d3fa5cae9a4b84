package dev.telos.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import dev.telos.manifest.Location;
import dev.telos.manifest.ManifestError;
import dev.telos.manifest.PlainYaml;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks a release's merged values against its chart's {@code values.schema.json} (JSON Schema,
 * 2020-12 unless the schema says otherwise) before anything renders. Each error names where the
 * offending value was written (the release's inline values, a values file, or the chart's
 * defaults); only references inside the schema ({@code #...}) are allowed, so checking values never
 * reaches the network.
 */
final class ValuesSchema {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ValuesSchema() {}

  static List<ManifestError> check(
      Chart chart, Map<String, Object> values, Map<String, Location> at) {
    if (chart.schema() == null) {
      return List.of();
    }
    Location schemaFile = new Location(chart.dir() + "/values.schema.json", 1, 1);
    JsonNode schemaNode;
    try {
      schemaNode = JSON.readTree(chart.schema());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return List.of(
          new ManifestError(
              new Location(
                  schemaFile.file(),
                  Math.max(1, e.getLocation() == null ? 1 : e.getLocation().getLineNr()),
                  Math.max(1, e.getLocation() == null ? 1 : e.getLocation().getColumnNr())),
              "values.schema.json is not JSON: " + e.getOriginalMessage()));
    }
    String remote = remoteRef(schemaNode);
    if (remote != null) {
      return List.of(
          new ManifestError(
              schemaFile,
              "values.schema.json may only use references inside itself (#...), not " + remote));
    }
    Schema schema;
    try {
      schema =
          SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
              .getSchema(chart.schema(), InputFormat.JSON);
    } catch (RuntimeException e) {
      return List.of(
          new ManifestError(
              schemaFile, "values.schema.json is not a JSON Schema: " + e.getMessage()));
    }
    List<ManifestError> errors = new ArrayList<>();
    for (Error e : schema.validate(JSON.valueToTree(values))) {
      String pointer = pointer(e.getInstanceLocation());
      if (e.getProperty() != null && !pointer.endsWith("/" + PlainYaml.escape(e.getProperty()))) {
        pointer = pointer + "/" + PlainYaml.escape(e.getProperty()); // e.g. one not allowed
      }
      Location where = locate(pointer, at, schemaFile);
      errors.add(
          new ManifestError(
              where,
              "values"
                  + (pointer.isEmpty() ? "" : pointer.replace('/', '.'))
                  + ": "
                  + e.getMessage()));
    }
    java.util.Collections.sort(errors);
    return errors;
  }

  /** The nearest written value at or above {@code pointer}. */
  private static Location locate(String pointer, Map<String, Location> at, Location fallback) {
    String p = pointer;
    while (true) {
      Location l = at.get(p);
      if (l != null) {
        return l;
      }
      if (p.isEmpty()) {
        return fallback;
      }
      p = p.substring(0, p.lastIndexOf('/'));
    }
  }

  static String pointer(NodePath path) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < path.getNameCount(); i++) {
      Object e = path.getElement(i);
      out.append('/')
          .append(e instanceof Integer n ? n.toString() : PlainYaml.escape(String.valueOf(e)));
    }
    return out.toString();
  }

  /** The first {@code $ref} not starting with {@code #}, or null. */
  private static String remoteRef(JsonNode node) {
    if (node.isObject()) {
      JsonNode ref = node.get("$ref");
      if (ref != null && ref.isTextual() && !ref.asText().startsWith("#")) {
        return ref.asText();
      }
      for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
        String r = remoteRef(it.next());
        if (r != null) {
          return r;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode n : node) {
        String r = remoteRef(n);
        if (r != null) {
          return r;
        }
      }
    }
    return null;
  }
}
