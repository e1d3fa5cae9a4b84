package dev.telos.manifest;

import java.util.List;
import java.util.Objects;

/**
 * A container image to run the command in, and how: {@code type} DOCKER (Docker containerizer) or
 * MESOS (the universal containerizer, UCR, with a Docker image), the image, its network, port
 * mappings, volumes and, for DOCKER, {@code parameters} and {@code privileged}. Defaults: network
 * HOST, no mappings, no volumes, no parameters, not privileged, the image pulled only when absent.
 *
 * @param networkName the network a USER network joins (CNI or Docker user-defined), else null
 * @param forcePullImage pull the image at every launch (DOCKER) / do not use the cached one (MESOS)
 */
public record ContainerSpec(
    Type type,
    String image,
    Network network,
    String networkName,
    List<PortMapping> portMappings,
    List<Parameter> parameters,
    boolean privileged,
    boolean forcePullImage,
    List<Volume> volumes) {
  /** The Mesos containerizer that runs the image. */
  public enum Type {
    DOCKER,
    MESOS
  }

  /** The container's network: the host's, Docker's bridge, or a named (user) network. */
  public enum Network {
    HOST,
    BRIDGE,
    USER
  }

  /**
   * A container port reachable on the agent.
   *
   * @param port the index in {@code spec.ports} of the host port (assigned from the offer) it is
   *     published on, or -1 for none (USER networks only: reachable on the network's address)
   * @param servicePort a port for service discovery (published in the task's DiscoveryInfo), or 0
   * @param protocol {@code tcp} or {@code udp}
   */
  public record PortMapping(int containerPort, int port, int servicePort, String protocol) {
    public PortMapping {
      Objects.requireNonNull(protocol, "protocol");
    }
  }

  /** A {@code docker run} option: {@code --key=value}. */
  public record Parameter(String key, String value) {
    public Parameter {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }

  /** Read-write or read-only. */
  public enum Mode {
    RW,
    RO
  }

  /**
   * A path of the agent's (host path) or of the task's sandbox mounted at {@code containerPath}.
   * Exactly one of {@code hostPath} and {@code sandboxPath} is set.
   */
  public record Volume(String containerPath, String hostPath, String sandboxPath, Mode mode) {
    public Volume {
      Objects.requireNonNull(containerPath, "containerPath");
      Objects.requireNonNull(mode, "mode");
      if ((hostPath == null) == (sandboxPath == null)) {
        throw new IllegalArgumentException("a volume has a hostPath or a sandboxPath");
      }
    }
  }

  /** An image on the host network, with nothing more said. */
  public ContainerSpec(Type type, String image) {
    this(type, image, Network.HOST, null, List.of(), List.of(), false, false, List.of());
  }

  public ContainerSpec {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(network, "network");
    portMappings = List.copyOf(portMappings);
    parameters = List.copyOf(parameters);
    volumes = List.copyOf(volumes);
  }

  /** Whether nothing but the type and image is set (as before the other fields existed). */
  public boolean plain() {
    return network == Network.HOST
        && networkName == null
        && portMappings.isEmpty()
        && parameters.isEmpty()
        && !privileged
        && !forcePullImage
        && volumes.isEmpty();
  }
}
