package dev.telos.manifest;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A value from a SOPS-encrypted file of the repository, given to a task as an environment variable
 * ({@code spec.secrets.NAME: {file, key}}), as a file in its sandbox ({@code spec.secretFiles.PATH:
 * {file, key}}) or as the registry credentials its image is pulled with ({@code
 * container.pullConfig: {file, key}}). Read from git it names the file and the key; once the
 * commit's secrets are decrypted it also holds the value, in memory only. The value is never
 * serialised (JSON, YAML), printed ({@link #toString()}) or compared: a {@link #version()} (a keyed
 * hash of it) stands for it in the spec hash, plans and the API, so that a new value rolls the app.
 */
public final class SecretRef {
  @JsonProperty private final String name;
  @JsonProperty private final String as;
  @JsonProperty private final String file;
  @JsonProperty private final String key;
  @JsonProperty private final String version;
  @JsonIgnore private final transient byte[] value;
  @JsonIgnore private final transient Location source;

  /** How the task gets the value. */
  public enum Kind {
    /** An environment variable named {@link SecretRef#name()}. */
    ENV,
    /** A file at the sandbox path {@link SecretRef#name()}. */
    FILE,
    /** The Docker config (registry credentials) the task's image is pulled with. */
    PULL_CONFIG
  }

  /** An environment variable read from a manifest, not yet decrypted. */
  public SecretRef(String name, String file, String key, Location source) {
    this(Kind.ENV, name, file, key, null, null, source);
  }

  /** A reference read from a manifest, not yet decrypted. */
  public SecretRef(Kind kind, String name, String file, String key, Location source) {
    this(kind, name, file, key, null, null, source);
  }

  private SecretRef(
      Kind kind,
      String name,
      String file,
      String key,
      String version,
      byte[] value,
      Location source) {
    this.name = Objects.requireNonNull(name, "name");
    this.as =
        switch (kind) {
          case ENV -> "env";
          case FILE -> "file";
          case PULL_CONFIG -> "pullConfig";
        };
    this.file = Objects.requireNonNull(file, "file");
    this.key = Objects.requireNonNull(key, "key");
    this.version = version;
    this.value = value;
    this.source = source;
  }

  /** This reference with its decrypted value and the value's version. */
  public SecretRef resolved(byte[] value, String version) {
    return new SecretRef(kind(), name, file, key, version, value.clone(), source);
  }

  /** The environment variable's name, or the file's path in the sandbox. */
  public String name() {
    return name;
  }

  /** How the task gets it. */
  public Kind kind() {
    return switch (as) {
      case "file" -> Kind.FILE;
      case "pullConfig" -> Kind.PULL_CONFIG;
      default -> Kind.ENV;
    };
  }

  /** Whether the task gets it as a file (at {@link #name()} in its sandbox). */
  public boolean asFile() {
    return kind() == Kind.FILE;
  }

  /** The SOPS file, relative to the repository's root. */
  public String file() {
    return file;
  }

  /** The value's path in the decrypted file, keys joined by dots ({@code db.password}). */
  public String key() {
    return key;
  }

  /** A keyed hash of the value (8 hex characters), or null before decryption. */
  public String version() {
    return version;
  }

  /** Whether the value was decrypted. */
  public boolean resolved() {
    return value != null;
  }

  /** Where the reference is written, for errors; null for a reference built in code. */
  public Location source() {
    return source;
  }

  /** The value, for the TaskInfo only. */
  public String reveal() {
    if (value == null) {
      throw new IllegalStateException("secret " + name + " was not decrypted");
    }
    return new String(value, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretRef s
        && s.name.equals(name)
        && s.as.equals(as)
        && s.file.equals(file)
        && s.key.equals(key)
        && Objects.equals(s.version, version);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, as, file, key, version);
  }

  @Override
  public String toString() {
    return "SecretRef[" + as + " " + name + " from " + file + "#" + key + ", value=***]";
  }
}
