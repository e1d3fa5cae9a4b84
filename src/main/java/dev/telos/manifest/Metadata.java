package dev.telos.manifest;

import java.util.Map;
import java.util.Objects;

/**
 * An app's identity: {@code name} and {@code namespace} (DNS labels; namespace defaults to {@code
 * default}) and free-form {@code labels}. Immutable, with value equality; its {@link #key()} is
 * built once, since every map of apps, every sort and every plan looks apps up by it.
 */
public final class Metadata {
  public static final String DEFAULT_NAMESPACE = "default";

  private final String name;
  private final String namespace;
  private final Map<String, String> labels;
  private final String key;

  public Metadata(String name, String namespace, Map<String, String> labels) {
    this.name = Objects.requireNonNull(name, "name");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.labels = Map.copyOf(labels);
    this.key = namespace + "/" + name;
  }

  public String name() {
    return name;
  }

  public String namespace() {
    return namespace;
  }

  public Map<String, String> labels() {
    return labels;
  }

  /** These metadata with one more label. */
  public Metadata withLabel(String key, String value) {
    Map<String, String> more = new java.util.TreeMap<>(labels);
    more.put(key, value);
    return new Metadata(name, namespace, more);
  }

  /** {@code namespace/name}, unique across a source. */
  public String key() {
    return key;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Metadata m
        && name.equals(m.name)
        && namespace.equals(m.namespace)
        && labels.equals(m.labels);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, namespace, labels);
  }

  @Override
  public String toString() {
    return "Metadata[name=" + name + ", namespace=" + namespace + ", labels=" + labels + "]";
  }
}
