package dev.telos.cluster;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.apache.mesos.v1.Protos.TaskState;

/**
 * One task of this framework as last reported by Mesos, with what the controller recorded when it
 * launched it. Immutable; {@link LiveState} replaces it on every change.
 *
 * @param appKey {@code namespace/name}, or null for a task whose ID Telos did not make
 * @param specHash the spec hash from the ID, or null
 * @param healthy the last health result, or null when none was reported
 * @param host the agent's hostname, when known
 * @param ports the host ports assigned at launch, when known
 * @param unreachableSince when the task became TASK_UNREACHABLE (or LOST while possibly running)
 * @param killRequestedAt when the controller last asked to kill it, or null
 */
public record LiveTask(
    String id,
    String appKey,
    String specHash,
    Instant launchedAt,
    TaskState state,
    Boolean healthy,
    String agentId,
    String host,
    List<Long> ports,
    Instant unreachableSince,
    Instant killRequestedAt,
    String message) {
  public LiveTask {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    ports = ports == null ? List.of() : List.copyOf(ports);
  }

  /** Whether Mesos will send nothing more for this task. */
  public boolean terminal() {
    return isTerminal(state);
  }

  /** Whether a task in {@code state} is finished for good. */
  public static boolean isTerminal(TaskState state) {
    return switch (state) {
      case TASK_FINISHED,
          TASK_FAILED,
          TASK_KILLED,
          TASK_ERROR,
          TASK_DROPPED,
          TASK_GONE,
          TASK_GONE_BY_OPERATOR,
          TASK_LOST ->
          true;
      default -> false;
    };
  }

  public LiveTask withState(TaskState s, Boolean h, String m, Instant unreachable) {
    return new LiveTask(
        id,
        appKey,
        specHash,
        launchedAt,
        s,
        h,
        agentId,
        host,
        ports,
        unreachable,
        killRequestedAt,
        m);
  }

  public LiveTask withKillRequestedAt(Instant at) {
    return new LiveTask(
        id,
        appKey,
        specHash,
        launchedAt,
        state,
        healthy,
        agentId,
        host,
        ports,
        unreachableSince,
        at,
        message);
  }

  public LiveTask withAgent(String agent, String hostname) {
    return new LiveTask(
        id,
        appKey,
        specHash,
        launchedAt,
        state,
        healthy,
        agent,
        hostname,
        ports,
        unreachableSince,
        killRequestedAt,
        message);
  }
}
