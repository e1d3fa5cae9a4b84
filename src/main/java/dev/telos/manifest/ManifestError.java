package dev.telos.manifest;

import java.util.Objects;

/** One problem in a manifest, at a place. Printed as {@code FILE:LINE:COLUMN: message}. */
public record ManifestError(Location location, String message)
    implements Comparable<ManifestError> {
  public ManifestError {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(message, "message");
  }

  public String file() {
    return location.file();
  }

  public int line() {
    return location.line();
  }

  public int column() {
    return location.column();
  }

  @Override
  public String toString() {
    return location + ": " + message;
  }

  @Override
  public int compareTo(ManifestError o) {
    int c = location.file().compareTo(o.location.file());
    if (c == 0) {
      c = Integer.compare(location.line(), o.location.line());
    }
    if (c == 0) {
      c = Integer.compare(location.column(), o.location.column());
    }
    return c == 0 ? message.compareTo(o.message) : c;
  }
}
