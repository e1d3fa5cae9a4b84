package dev.telos.manifest;

import java.util.Objects;

/**
 * Where something is in the repository: a file path (relative to the source root) and a 1-based
 * line and column.
 */
public record Location(String file, int line, int column) {
  public Location {
    Objects.requireNonNull(file, "file");
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
