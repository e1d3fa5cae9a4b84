package dev.telos.manifest;

import java.util.Map;
import java.util.Objects;

/**
 * An app's identity: {@code name} and {@code namespace} (DNS labels; namespace defaults to {@code
 * default}) and free-form {@code labels}.
 */
public record Metadata(String name, String namespace, Map<String, String> labels) {
  public static final String DEFAULT_NAMESPACE = "default";

  public Metadata {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    labels = Map.copyOf(labels);
  }

  /** These metadata with one more label. */
  public Metadata withLabel(String key, String value) {
    Map<String, String> more = new java.util.TreeMap<>(labels);
    more.put(key, value);
    return new Metadata(name, namespace, more);
  }

  /** {@code namespace/name}, unique across a source. */
  public String key() {
    return namespace + "/" + name;
  }
}
