package dev.telos.controller;

import java.time.Instant;
import java.util.List;

/**
 * What the controller shows the world after each pass: immutable, safe to read from any thread.
 *
 * @param syncStatus {@code Synced}, {@code Progressing}, {@code OutOfSync} or {@code Error}
 * @param health the most severe of the apps' healths ({@link AppHealth}); {@code Healthy} with no
 *     app
 * @param lastError the error that keeps the controller from the newest commit, or null
 * @param checkedAt when the latest repository check whose result was taken in began, or null
 * @param checkedRequest the number of the newest sync request that check covers (see {@link
 *     Controller#requestSync()})
 * @param sources each source's revision and error when several are configured; empty otherwise
 */
public record StatusView(
    String revision,
    String syncStatus,
    ErrorView lastError,
    String frameworkId,
    boolean leader,
    String mesosConnection,
    boolean ready,
    String heldPrune,
    Instant updatedAt,
    Instant checkedAt,
    long checkedRequest,
    List<AppView> apps,
    List<SyncRecord> history,
    String health,
    Hold hold,
    List<dev.telos.git.SourceState> sources) {
  /**
   * What an operator or a sync window holds back.
   *
   * @param syncSuspended new commits are not synced until resumed
   * @param suspendedApps apps nothing is done for until resumed
   * @param syncBlocked why new commits wait now (suspended, or a sync window), or null
   * @param pendingRevision the newest valid commit that waits, or null
   */
  public record Hold(
      boolean syncSuspended,
      List<String> suspendedApps,
      String syncBlocked,
      String pendingRevision) {
    public static final Hold NONE = new Hold(false, List.of(), null, null);

    public Hold {
      suspendedApps = List.copyOf(suspendedApps);
    }
  }

  public StatusView {
    apps = List.copyOf(apps);
    history = List.copyOf(history);
    sources = List.copyOf(sources);
  }

  /** Where the last error is: a file position for invalid manifests, nulls otherwise. */
  public record ErrorView(
      String message, String file, Integer line, Integer column, String revision) {}

  /**
   * One app and its tasks.
   *
   * @param restartFailures consecutive unexpected task ends counting toward the restart backoff
   * @param nextLaunchAt when the restart backoff next lets a task launch, or null when it holds
   *     nothing back
   * @param labels the app's labels: a rendered app's {@code telos.dev/release} and {@code
   *     telos.dev/chart} name its release and chart
   */
  public record AppView(
      String namespace,
      String name,
      String kind,
      int desiredInstances,
      int runningInstances,
      int healthyInstances,
      String status,
      String syncStatus,
      String health,
      String message,
      String revision,
      String specHash,
      List<TaskView> tasks,
      List<RunRecord> runs,
      int restartFailures,
      java.time.Instant nextLaunchAt,
      TaskEnd lastFailure,
      dev.telos.reconcile.AppHistory planState,
      java.util.Map<String, String> labels,
      List<VolumeView> volumes) {
    public AppView {
      tasks = List.copyOf(tasks);
      runs = List.copyOf(runs);
      labels = labels == null ? java.util.Map.of() : java.util.Map.copyOf(labels);
      volumes = volumes == null ? List.of() : List.copyOf(volumes);
    }

    /** The same view at another revision of the desired state. */
    AppView withRevision(String at) {
      return new AppView(
          namespace,
          name,
          kind,
          desiredInstances,
          runningInstances,
          healthyInstances,
          status,
          syncStatus,
          health,
          message,
          at,
          specHash,
          tasks,
          runs,
          restartFailures,
          nextLaunchAt,
          lastFailure,
          planState,
          labels,
          volumes);
    }
  }

  /**
   * Where a resident instance's persistent volumes are.
   *
   * @param confirmed whether an offer has shown them (false: RESERVE and CREATE were sent)
   */
  public record VolumeView(int instance, String agentId, boolean confirmed, Instant since) {}

  /**
   * One task.
   *
   * @param recovering known from Telos's records only: the master has not reported it since Telos
   *     restarted (its agent may not have re-registered after a master failover)
   * @param usage what the task's processes use, as its Telos executor last reported (every 30 s);
   *     null under the command executor or before a first report
   * @param ready whether the task passed its app's readiness checks; null when the app has none
   */
  public record TaskView(
      String id,
      String state,
      String agentId,
      String host,
      List<Long> ports,
      Boolean healthy,
      String specHash,
      boolean recovering,
      TaskUsage usage,
      Boolean ready,
      Instant killRequestedAt,
      Instant launchedAt) {
    public TaskView {
      ports = List.copyOf(ports);
    }
  }

  /**
   * Why the app's last task that ended unexpectedly ended, as its status said (under the Telos
   * executor: the exit code and the last stderr lines).
   *
   * @param exitCode the process's exit code, when the executor reported one
   */
  public record TaskEnd(
      String taskId, String state, String reason, String message, Integer exitCode, Instant at) {}

  /**
   * A task's resource use.
   *
   * @param rssBytes resident memory of the task's processes
   * @param cpuSeconds CPU time they used since the task started
   * @param reportedAt when the report arrived
   */
  public record TaskUsage(long rssBytes, double cpuSeconds, Instant reportedAt) {}

  static StatusView initial() {
    return new StatusView(
        null,
        "Progressing",
        null,
        null,
        true,
        "DISCONNECTED",
        false,
        null,
        Instant.EPOCH,
        null,
        0,
        List.of(),
        List.of(),
        AppHealth.UNKNOWN,
        Hold.NONE,
        List.of());
  }
}
