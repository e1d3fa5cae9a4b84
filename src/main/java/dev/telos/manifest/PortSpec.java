package dev.telos.manifest;

/**
 * A host port the task needs, taken from the offer's {@code ports}. It reaches the task as {@code
 * $PORT<index>} and, when named, {@code $PORT_<NAME>} (upper case, dashes as underscores).
 *
 * @param name a DNS label, or null for an unnamed port
 */
public record PortSpec(String name) {
  /** The environment variable of a named port: {@code PORT_HTTP} for {@code http}. */
  public String variable() {
    return name == null
        ? null
        : "PORT_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
  }
}
