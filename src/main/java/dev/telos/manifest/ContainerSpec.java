package dev.telos.manifest;

import java.util.Objects;

/** A container image to run the command in: {@code type} DOCKER or MESOS, and the image. */
public record ContainerSpec(Type type, String image) {
  /** The Mesos containerizer that runs the image. */
  public enum Type {
    DOCKER,
    MESOS
  }

  public ContainerSpec {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(image, "image");
  }
}
