package dev.telos.manifest;

import java.util.Objects;

/**
 * An app another waits for: it starts, and rolls, only while this one is healthy.
 *
 * @param key the app's {@code namespace/name} (a bare name is in the dependent's namespace)
 * @param at where the dependency is written, for errors (a cycle is reported at the entry that
 *     closes it)
 */
public record Dependency(String key, Location at) {
  public Dependency {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(at, "at");
  }
}
