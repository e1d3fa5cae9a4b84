package dev.telos.manifest;

import java.util.List;
import java.util.Map;

/**
 * A {@code kind: Overlay} (or a directory's {@code telos.yaml}): the manifests of its directory
 * plus those of its {@code bases}, with {@code namespace}, {@code commonLabels} and {@code patches}
 * applied to all of them. Assembled by {@code dev.telos.render.Assembler}.
 *
 * @param bases directories relative to the overlay's own, in order
 * @param namespace the namespace every app and release is moved to, or null
 * @param commonLabels labels added to every app and release (a release passes them to its apps)
 * @param patches applied in order, before the namespace and labels
 * @param source where the overlay's document starts
 */
public record Overlay(
    List<Base> bases,
    YamlNode namespace,
    Map<String, YamlNode.Entry> commonLabels,
    List<Patch> patches,
    Location source) {
  /** One base directory as written, and where. */
  public record Base(String dir, Location at) {}

  /**
   * One patch: the documents it targets ({@code name}, optionally {@code kind} and {@code
   * namespace}, as the bases wrote them) and a merge patch (a mapping), a JSON patch (a sequence)
   * or a file holding either.
   */
  public record Patch(
      String name,
      String kind,
      String namespace,
      YamlNode merge,
      YamlNode json,
      String file,
      Location at) {
    /** How errors name this patch: {@code patch of web (Service)}. */
    public String describe() {
      return "patch of "
          + (namespace == null ? "" : namespace + "/")
          + name
          + (kind == null ? "" : " (" + kind + ")");
    }
  }
}
