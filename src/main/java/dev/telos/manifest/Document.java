package dev.telos.manifest;

import java.util.HashMap;

/**
 * One manifest document as syncing applies it (after overlays, before charts render), for {@code
 * telos render}: where it starts, and its plain value.
 */
public final class Document {
  private final YamlNode node;

  public Document(YamlNode node) {
    this.node = node;
  }

  /** The document's located tree. */
  public YamlNode node() {
    return node;
  }

  /** Where the document starts (its base file, when an overlay changed it). */
  public Location source() {
    return node.location();
  }

  /** The document as plain maps, lists, strings, numbers, booleans and nulls. */
  public Object plain() {
    return PlainYaml.plain(node, "", new HashMap<>());
  }

  /** Whether the document is a {@code kind: Release} (rendered apart). */
  public boolean isRelease() {
    return Binder.isRelease(node);
  }
}
