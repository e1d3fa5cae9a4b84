package dev.telos.local;

import org.apache.mesos.v1.Protos.Environment;
import org.apache.mesos.v1.Protos.Secret;

/**
 * The agent's secret resolver, as Mesos's default one: a {@code VALUE} secret is its bytes; a
 * {@code REFERENCE} needs a secret-store module, which this agent (like a default Mesos agent) does
 * not have, so the launch fails.
 */
final class SecretValues {
  private SecretValues() {}

  /** A variable's value: its own, or its secret's. */
  static String of(Environment.Variable v) {
    if (v.getType() != Environment.Variable.Type.SECRET) {
      return v.getValue();
    }
    Secret s = v.getSecret();
    if (s.hasReference()) {
      throw new IllegalStateException("Default secret resolver cannot resolve references");
    }
    if (!s.hasValue()) {
      throw new IllegalStateException("Secret has no value");
    }
    return s.getValue().getData().toStringUtf8();
  }

  /**
   * Why Mesos's master would refuse {@code environment} (its validation of environment variables),
   * or null.
   */
  static String problem(Environment environment) {
    for (Environment.Variable v : environment.getVariablesList()) {
      if (v.getType() != Environment.Variable.Type.SECRET) {
        if (!v.hasValue()) {
          return "Environment variable '" + v.getName() + "' of type 'VALUE' must have a value set";
        }
        continue;
      }
      if (!v.hasSecret()) {
        return "Environment variable '" + v.getName() + "' of type 'SECRET' must have a secret set";
      }
      if (v.hasValue()) {
        return "Environment variable '"
            + v.getName()
            + "' of type 'SECRET' must not have a value set";
      }
      Secret s = v.getSecret();
      String invalid =
          switch (s.getType()) {
            case REFERENCE ->
                !s.hasReference()
                    ? "Secret of type REFERENCE must have the 'reference' field set"
                    : s.hasValue()
                        ? "Secret of type REFERENCE must not have the 'value' field set"
                        : null;
            case VALUE ->
                !s.hasValue()
                    ? "Secret of type VALUE must have the 'value' field set"
                    : s.hasReference()
                        ? "Secret of type VALUE must not have the 'reference' field set"
                        : null;
            default -> "Secret of unknown type";
          };
      if (invalid != null) {
        return "Environment variable '" + v.getName() + "' specifies an invalid secret: " + invalid;
      }
      if (s.getValue().getData().toStringUtf8().indexOf('\0') >= 0) {
        return "Environment variable '"
            + v.getName()
            + "' specifies a secret containing null bytes, which is not allowed in the environment";
      }
    }
    return null;
  }

  /**
   * Writes each {@code SECRET} volume of {@code container} at its relative container path in {@code
   * sandbox}, readable by its owner only (as Mesos's {@code volume/secret} isolator mounts the
   * resolved secret read-only into the container).
   */
  static void writeFiles(
      org.apache.mesos.v1.Protos.ContainerInfo container, java.nio.file.Path sandbox)
      throws java.io.IOException {
    for (org.apache.mesos.v1.Protos.Volume v : container.getVolumesList()) {
      if (!v.hasSource()
          || v.getSource().getType() != org.apache.mesos.v1.Protos.Volume.Source.Type.SECRET) {
        continue;
      }
      java.nio.file.Path target = sandbox.resolve(v.getContainerPath()).normalize();
      if (v.getContainerPath().startsWith("/") || !target.startsWith(sandbox)) {
        throw new java.io.IOException(
            "secret volume at '"
                + v.getContainerPath()
                + "': this agent runs tasks without a root filesystem of their own, so a secret"
                + " file goes at a path relative to the sandbox");
      }
      Secret s = v.getSource().getSecret();
      if (s.hasReference()) {
        throw new IllegalStateException("Default secret resolver cannot resolve references");
      }
      java.nio.file.Files.createDirectories(target.getParent());
      java.nio.file.Files.deleteIfExists(target);
      java.nio.file.Files.write(target, s.getValue().getData().toByteArray());
      java.nio.file.Files.setPosixFilePermissions(
          target, java.nio.file.attribute.PosixFilePermissions.fromString("r--------"));
    }
  }

  /** Why Mesos's master would refuse a {@code SECRET} volume, or null. */
  static String volumeProblem(org.apache.mesos.v1.Protos.Volume v) {
    if (!v.hasSource()
        || v.getSource().getType() != org.apache.mesos.v1.Protos.Volume.Source.Type.SECRET) {
      return null;
    }
    if (!v.getSource().hasSecret()) {
      return "Invalid volume: 'source.secret' is not set for SECRET volume";
    }
    Secret s = v.getSource().getSecret();
    if (s.getType() == Secret.Type.VALUE && !s.hasValue()) {
      return "Invalid volume: Secret of type VALUE must have the 'value' field set";
    }
    if (s.getType() == Secret.Type.REFERENCE && !s.hasReference()) {
      return "Invalid volume: Secret of type REFERENCE must have the 'reference' field set";
    }
    return null;
  }
}
