package dev.telos.testing;

/** Manifest texts for tests. */
public final class Manifests {
  private Manifests() {}

  /** A Service in {@code namespace} with a fixed small resource request. */
  public static String service(String namespace, String name, int instances, String command) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: "
        + name
        + ", namespace: "
        + namespace
        + "}\nspec:\n  instances: "
        + instances
        + "\n  command: "
        + command
        + "\n  resources: {cpus: 0.01, mem: 8}\n";
  }
}
