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
 * @param runningSince since when it has been TASK_RUNNING without a break, as this process saw it
 *     (null when not running)
 * @param recovering restored from the controller's records after a restart and not heard of from
 *     Mesos since: it may well run (on an agent a recovering master has not seen re-register), so
 *     it is neither timed out as a launch nor replaced
 * @param healthySince since when its health check has passed without a break (null when not
 *     running, unchecked, unhealthy or not yet reported)
 * @param readySince since when it has passed its app's readiness checks (null when not running, or
 *     not ready yet, or its app has none); known to this process only, checked again after a
 *     restart
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
    String message,
    Instant runningSince,
    Instant healthySince,
    boolean recovering,
    Instant readySince) {
  /** A task not known to pass its app's readiness checks (or whose app has none). */
  public LiveTask(
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
      String message,
      Instant runningSince,
      Instant healthySince,
      boolean recovering) {
    this(
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
        killRequestedAt,
        message,
        runningSince,
        healthySince,
        recovering,
        null);
  }

  /** A task with no uptime recorded yet. */
  public LiveTask(
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
    this(
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
        killRequestedAt,
        message,
        null,
        null,
        false);
  }

  public LiveTask {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    ports = ports == null ? List.of() : List.copyOf(ports);
  }

  /** Whether Mesos will send nothing more for this task. */
  public boolean terminal() {
    return isTerminal(state);
  }

  /** Whether {@code state} says the task is there on its agent: starting, running or stopping. */
  public static boolean isAlive(TaskState state) {
    return switch (state) {
      case TASK_STAGING, TASK_STARTING, TASK_RUNNING, TASK_KILLING -> true;
      default -> false;
    };
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

  /**
   * This task after a status update at {@code now}: running and healthy times carry over while the
   * task stays running (and healthy), and start over otherwise.
   */
  public LiveTask withState(TaskState s, Boolean h, String m, Instant unreachable, Instant now) {
    boolean running = s == TaskState.TASK_RUNNING;
    Instant up = running ? (runningSince != null ? runningSince : now) : null;
    Instant well =
        running && Boolean.TRUE.equals(h) ? (healthySince != null ? healthySince : now) : null;
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
        m,
        up,
        well,
        false,
        running ? readySince : null);
  }

  /** This task as restored from the controller's records, before Mesos said anything of it. */
  public LiveTask asRecovering() {
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
        killRequestedAt,
        message,
        runningSince,
        healthySince,
        true,
        readySince);
  }

  /**
   * Since when this task has been up as {@code checked} (a health check declared) defines it:
   * running, and healthy where checked; null when it is not up.
   */
  public Instant upSince(boolean checked) {
    return checked ? healthySince : runningSince;
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
        message,
        runningSince,
        healthySince,
        recovering,
        readySince);
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
        message,
        runningSince,
        healthySince,
        recovering,
        readySince);
  }

  /** This task as passing its app's readiness checks since {@code at}. */
  public LiveTask withReadySince(Instant at) {
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
        killRequestedAt,
        message,
        runningSince,
        healthySince,
        recovering,
        at);
  }
}
