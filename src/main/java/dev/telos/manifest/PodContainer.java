package dev.telos.manifest;

import java.util.Objects;

/**
 * One container of a {@code kind: Pod}: a task of the pod's task group, launched with the others by
 * LAUNCH_GROUP on Mesos's default executor, sharing the pod's network (its ports are the pod's,
 * every container sees them all) and its agent.
 *
 * @param task what the container runs: its command, env (the pod's and its own), resources, image
 *     and health check; {@code ports} are all the pod's ports (a health check's port index is into
 *     them), of which this container holds {@code portCount} from {@code firstPort} on
 */
public record PodContainer(String name, TaskSpec task, int firstPort, int portCount) {
  public PodContainer {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(task, "task");
  }
}
