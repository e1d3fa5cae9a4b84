package dev.telos.local;

import java.time.Duration;
import java.util.Optional;
import org.apache.mesos.v1.Protos.TaskInfo;

/** How an agent runs tasks: real processes, or simulated state changes. */
interface TaskRunner {
  /** Everything an agent knows about a task it is asked to run. */
  record Launch(
      TaskInfo task,
      String frameworkId,
      String agentId,
      String role,
      boolean checkpoint,
      String executorId,
      org.apache.mesos.v1.Protos.FrameworkInfo framework) {}

  /**
   * The agent process restarts (its tasks keep running): a process agent's executor API is gone for
   * {@code down}, so that custom executors must re-subscribe.
   */
  default void agentRestart(Duration down) {}

  /** Whether this runner starts custom executors (process agents do; simulated ones do not). */
  /** {@code host:port} of the agent's own HTTP API ({@code /state}, files), or null: none. */
  default String httpEndpoint() {
    return null;
  }

  default boolean runsCustomExecutors() {
    return false;
  }

  /** A scheduler's MESSAGE for one of this agent's executors; dropped when there is none. */
  default void frameworkMessage(
      String frameworkId, String executorId, com.google.protobuf.ByteString data) {}

  /**
   * Starts the tasks of a LAUNCH_GROUP under one executor. By default each as its own launch (a
   * DEFAULT executor's tasks run side by side); a process agent gives a CUSTOM executor the whole
   * group as one LAUNCH_GROUP.
   */
  default void launchGroup(
      java.util.List<Launch> launches, org.apache.mesos.v1.Protos.ExecutorInfo executor) {
    launches.forEach(this::launch);
  }

  /** Starts a task; state changes are reported to the sink, never thrown. */
  void launch(Launch launch);

  /** Kills a task: SIGTERM to its process group, SIGKILL after {@code grace}. Idempotent. */
  void kill(String taskId, Duration grace);

  /** A persistent volume was created (CREATE): its directory is made, empty. */
  default void createVolume(org.apache.mesos.v1.Protos.Resource volume) {}

  /** A persistent volume was destroyed (DESTROY): its directory and data are deleted. */
  default void destroyVolume(org.apache.mesos.v1.Protos.Resource volume) {}

  /** Kills a task abruptly, as a crash would (fault injection). */
  void crash(String taskId);

  /** The OS process ID of a running task, for tests and the operator. */
  default Optional<Long> pid(String taskId) {
    return Optional.empty();
  }

  /**
   * Whether a task could bind {@code port} on this agent now. Process agents check it, so that a
   * port another program holds is never offered; simulated agents have no ports to collide on.
   */
  default boolean canBind(long port) {
    return true;
  }

  /** Whether {@link #canBind} checks anything (so offers need not ask it for every port). */
  default boolean checksPorts() {
    return false;
  }

  /** Kills every task at once and waits until they are gone. */
  void shutdown();
}
