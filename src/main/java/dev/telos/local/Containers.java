package dev.telos.local;

import java.util.List;
import org.apache.mesos.v1.Protos.ContainerInfo;
import org.apache.mesos.v1.Protos.HealthCheck;
import org.apache.mesos.v1.Protos.Parameter;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.Value;
import org.apache.mesos.v1.Protos.Volume;

/**
 * What the embedded cluster makes of a task's ContainerInfo. The master refuses what Mesos's master
 * refuses ({@code common/validation.cpp}); the agent refuses what Mesos's Docker containerizer
 * refuses before it starts a container ({@code docker/docker.cpp}). Process agents cannot run
 * images: they run the task's command directly on the host, which they say once in the task's
 * stderr; the container ports a health check names are then the host ports they are mapped to.
 */
final class Containers {
  private Containers() {}

  /** Why Mesos's master refuses {@code task}'s ContainerInfo, or null. */
  static String masterProblem(TaskInfo task) {
    if (!task.hasContainer()) {
      return null;
    }
    ContainerInfo c = task.getContainer();
    for (Volume v : c.getVolumesList()) {
      int set = (v.hasHostPath() ? 1 : 0) + (v.hasImage() ? 1 : 0) + (v.hasSource() ? 1 : 0);
      if (set != 1) {
        return invalid(
            "Invalid volume: Only one of them should be set: 'host_path', 'image' and"
                + " 'source'");
      }
      if (v.hasSource()
          && v.getSource().getType() == Volume.Source.Type.SANDBOX_PATH
          && !v.getSource().hasSandboxPath()) {
        return invalid("Invalid volume: 'source.sandbox_path' is not set for SANDBOX_PATH volume");
      }
      String secret = SecretValues.volumeProblem(v);
      if (secret != null) {
        return invalid(secret);
      }
    }
    if (c.getType() == ContainerInfo.Type.DOCKER) {
      if (!c.hasDocker()) {
        return invalid("DockerInfo 'docker' is not set for DOCKER typed ContainerInfo");
      }
      for (Parameter p : c.getDocker().getParametersList()) {
        if (p.getKey().equals("name")) {
          return invalid("Parameter in DockerInfo must not be 'name'");
        }
      }
    }
    return null;
  }

  private static String invalid(String why) {
    return "Task's `ContainerInfo` is invalid: " + why;
  }

  /**
   * Why Mesos's Docker containerizer would not start {@code task}'s container (its message, as the
   * TASK_FAILED says it after "Failed to launch container: "), or null.
   */
  static String launchProblem(TaskInfo task) {
    if (task.hasContainer()
        && task.getContainer().getMesos().getImage().getDocker().hasConfig()
        && task.getContainer().getMesos().getImage().getDocker().getConfig().hasReference()) {
      // As an agent with Mesos's default secret resolver (no secret store module).
      return "Default secret resolver cannot resolve references";
    }
    if (!task.hasContainer() || task.getContainer().getType() != ContainerInfo.Type.DOCKER) {
      return null;
    }
    ContainerInfo.DockerInfo docker = task.getContainer().getDocker();
    if (docker.getNetwork() == ContainerInfo.DockerInfo.Network.USER
        && (task.getContainer().getNetworkInfosCount() != 1
            || !task.getContainer().getNetworkInfos(0).hasName())) {
      return task.getContainer().getNetworkInfosCount() != 1
          ? "Only a single network can be defined in Docker run"
          : "No network name found in network info";
    }
    if (docker.getPortMappingsCount() == 0) {
      return null;
    }
    if (docker.getNetwork() == ContainerInfo.DockerInfo.Network.HOST
        || docker.getNetwork() == ContainerInfo.DockerInfo.Network.NONE) {
      return "Port mappings are only supported for bridge and user-defined networks";
    }
    List<Value.Range> ranges =
        task.getResourcesList().stream()
            .filter(r -> r.getName().equals("ports") && r.hasRanges())
            .flatMap(r -> r.getRanges().getRangeList().stream())
            .toList();
    if (ranges.isEmpty()) {
      return "Port mappings require port resources";
    }
    for (ContainerInfo.DockerInfo.PortMapping m : docker.getPortMappingsList()) {
      boolean found =
          ranges.stream()
              .anyMatch(r -> m.getHostPort() >= r.getBegin() && m.getHostPort() <= r.getEnd());
      if (!found) {
        return "Port [" + m.getHostPort() + "] not included in resources";
      }
    }
    return null;
  }

  /** The image a task names, or null. */
  static String imageOf(TaskInfo task) {
    if (!task.hasContainer()) {
      return null;
    }
    ContainerInfo c = task.getContainer();
    if (c.hasDocker() && !c.getDocker().getImage().isEmpty()) {
      return c.getDocker().getImage();
    }
    if (c.hasMesos() && c.getMesos().hasImage()) {
      var image = c.getMesos().getImage();
      return image.hasDocker() ? image.getDocker().getName() : image.getAppc().getName();
    }
    return null;
  }

  /** The line a process agent writes first into the stderr of a task with an image. */
  static String notice(TaskInfo task) {
    return "telos embedded agent: container image '"
        + imageOf(task)
        + "' is not run here: this agent runs the task's command directly on the host, without"
        + " the image, its network, port mappings or volumes (a real Mesos agent runs the"
        + " container)\n";
  }

  /**
   * {@code check} as a process agent runs it: an HTTP or TCP port that a port mapping publishes is
   * the host port it is mapped to, where the task's process listens when it runs on the host.
   */
  static HealthCheck onHost(HealthCheck check, TaskInfo task) {
    if (!task.hasContainer()) {
      return check;
    }
    List<int[]> mappings = new java.util.ArrayList<>();
    for (ContainerInfo.DockerInfo.PortMapping m :
        task.getContainer().getDocker().getPortMappingsList()) {
      mappings.add(new int[] {m.getContainerPort(), m.getHostPort()});
    }
    for (var n : task.getContainer().getNetworkInfosList()) {
      for (var m : n.getPortMappingsList()) {
        mappings.add(new int[] {m.getContainerPort(), m.getHostPort()});
      }
    }
    HealthCheck.Builder b = check.toBuilder();
    for (int[] m : mappings) {
      if (check.hasHttp() && check.getHttp().getPort() == m[0]) {
        b.getHttpBuilder().setPort(m[1]);
      }
      if (check.hasTcp() && check.getTcp().getPort() == m[0]) {
        b.getTcpBuilder().setPort(m[1]);
      }
    }
    return b.build();
  }
}
