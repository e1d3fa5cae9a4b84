package dev.telos.manifest;

import java.util.List;
import java.util.Objects;

/**
 * A container image to run the command in, and how: {@code type} DOCKER (Docker containerizer) or
 * MESOS (the universal containerizer, UCR, with a Docker image), the image, its network, port
 * mappings, volumes and, for DOCKER, {@code parameters} and {@code privileged}. Defaults: network
 * HOST, no mappings, no volumes, no parameters, not privileged, the image pulled only when absent.
 *
 * @param image the image, or null for a MESOS container without one (a command on the agent's own
 *     filesystem, with volumes)
 * @param networkName the network a USER network joins (CNI or Docker user-defined), else null
 * @param forcePullImage pull the image at every launch (DOCKER) / do not use the cached one (MESOS)
 * @param pullConfigSecret the name of a secret holding the Docker config (registry credentials) the
 *     agent pulls a MESOS container's image with, resolved by the agent's secret resolver; or null
 * @param imageType the format of a MESOS container's image: a Docker image or an appc one
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
    List<Volume> volumes,
    String pullConfigSecret,
    ImageType imageType) {
  /** The format of a MESOS container's image (Mesos's {@code Image.Type}). */
  public enum ImageType {
    DOCKER,
    APPC
  }

  /** With a Docker image (as every DOCKER container and most MESOS ones). */
  public ContainerSpec(
      Type type,
      String image,
      Network network,
      String networkName,
      List<PortMapping> portMappings,
      List<Parameter> parameters,
      boolean privileged,
      boolean forcePullImage,
      List<Volume> volumes,
      String pullConfigSecret) {
    this(
        type,
        image,
        network,
        networkName,
        portMappings,
        parameters,
        privileged,
        forcePullImage,
        volumes,
        pullConfigSecret,
        ImageType.DOCKER);
  }

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

  /**
   * Where a persistent volume's disk comes from, as Mesos's {@code DiskInfo.Source}: the agent's
   * own disk (ROOT), a PATH disk (a part of it), or a whole MOUNT disk.
   */
  public enum DiskType {
    ROOT,
    PATH,
    MOUNT
  }

  /** Read-write or read-only. */
  public enum Mode {
    RW,
    RO
  }

  /**
   * A path of the agent's (host path), of the task's sandbox, or a persistent volume, mounted at
   * {@code containerPath}. Exactly one of {@code hostPath}, {@code sandboxPath} and {@code
   * persistentSize} is set.
   *
   * @param persistentSize the size in MB of a persistent volume: disk reserved for the app's role
   *     on the agent of the task that first uses it, kept across task ends and rollouts, and
   *     released only when the app is deleted; 0 for none
   * @param diskType the disk a persistent volume is made on
   * @param maxSize for a MOUNT volume, the largest MOUNT disk it may take (MB), or 0 for any
   * @param podVolume for a pod's container, the pod volume (shared by its containers, in the
   *     default executor's sandbox) mounted here, else null
   */
  public record Volume(
      String containerPath,
      String hostPath,
      String sandboxPath,
      Mode mode,
      long persistentSize,
      DiskType diskType,
      long maxSize,
      String podVolume) {
    public Volume {
      Objects.requireNonNull(containerPath, "containerPath");
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(diskType, "diskType");
      int set = (hostPath != null ? 1 : 0) + (sandboxPath != null ? 1 : 0);
      set += (persistentSize > 0 ? 1 : 0) + (podVolume != null ? 1 : 0);
      if (set != 1) {
        throw new IllegalArgumentException(
            "a volume has one of hostPath, sandboxPath, persistent and a pod volume");
      }
    }

    /** A persistent volume, or a host or sandbox path one. */
    public Volume(
        String containerPath,
        String hostPath,
        String sandboxPath,
        Mode mode,
        long persistentSize,
        DiskType diskType,
        long maxSize) {
      this(containerPath, hostPath, sandboxPath, mode, persistentSize, diskType, maxSize, null);
    }

    /** A pod's volume {@code name} (in its executor's sandbox) mounted at {@code containerPath}. */
    public static Volume ofPod(String containerPath, String name) {
      return new Volume(containerPath, null, null, Mode.RW, 0, DiskType.ROOT, 0, name);
    }

    /** A host or sandbox path volume. */
    public Volume(String containerPath, String hostPath, String sandboxPath, Mode mode) {
      this(containerPath, hostPath, sandboxPath, mode, 0, DiskType.ROOT, 0);
    }

    /** A persistent volume on the agent's own disk. */
    public Volume(String containerPath, String hostPath, String sandboxPath, Mode mode, long size) {
      this(containerPath, hostPath, sandboxPath, mode, size, DiskType.ROOT, 0);
    }

    public boolean persistent() {
      return persistentSize > 0;
    }
  }

  /** An image on the host network, with nothing more said. */
  public ContainerSpec(Type type, String image) {
    this(type, image, Network.HOST, null, List.of(), List.of(), false, false, List.of(), null);
  }

  /** The persistent volumes (none for most apps). */
  public List<Volume> persistentVolumes() {
    return volumes.stream().filter(Volume::persistent).toList();
  }

  public ContainerSpec {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(imageType, "imageType");
    if (image == null && type != Type.MESOS) {
      throw new IllegalArgumentException("a DOCKER container needs an image");
    }
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
        && volumes.isEmpty()
        && pullConfigSecret == null
        && imageType == ImageType.DOCKER;
  }
}
