package dev.telos.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.mesos.v1.Protos.TaskInfo;

/**
 * What one pass decided, as a value: launches placed on offers, launches still waiting for an
 * offer, kills, offers to give back, each app's status, and when to look again. {@code telos plan}
 * prints it; the controller applies it.
 *
 * @param heldPrune why pruning was held back, or null
 * @param nextWakeup the earliest time a pass may decide something new without any input
 * @param backoffResets apps whose restart backoff starts over: a task of theirs has stayed up for
 *     their policy's {@code resetAfter}
 * @param wakeups per app, the earliest time its own part of the plan may change without any input
 *     (the minimum of these is {@code nextWakeup}); lets a caller re-plan only the apps that are
 *     due
 * @param rollbacks Services this pass rolled back to the spec they ran before ({@code
 *     upgrade.autoRollback}); the caller records them, and plans them so from then on
 * @param reserves persistent volumes to make (RESERVE, CREATE) for resident instances; the caller
 *     records the instance's agent before it sends them
 * @param volumesSeen resident instances whose volumes an offer showed: {@code namespace/name#i} →
 *     agent ID, for the caller's records
 */
public record Plan(
    List<Launch> launches,
    List<Pending> pending,
    List<Kill> kills,
    List<String> declines,
    Map<String, AppStatus> apps,
    List<CronEvent> cronEvents,
    String heldPrune,
    Instant nextWakeup,
    List<String> backoffResets,
    Map<String, Instant> wakeups,
    List<Rollback> rollbacks,
    List<Reserve> reserves,
    Map<String, String> volumesSeen) {
  /** The key in {@link #wakeups} of what is due for no desired app (a pruned app, an orphan). */
  public static final String NO_APP = "";

  /**
   * A Service rolled back: tasks of {@code fromSpec} failed {@code failures} times, so it runs
   * {@code toSpec}, the spec it ran before, while git still asks for {@code fromSpec}.
   */
  public record Rollback(String appKey, String fromSpec, String toSpec, int failures) {}

  /** RESERVE and CREATE of a resident instance's volumes on an offer; its task follows later. */
  public record Reserve(
      String appKey,
      int instance,
      String offerId,
      String agentId,
      List<org.apache.mesos.v1.Protos.Offer.Operation> operations) {
    public Reserve {
      operations = List.copyOf(operations);
    }
  }

  /** DESTROY and UNRESERVE of the volumes of deleted apps that an offer holds. */
  public record Release(
      String offerId,
      String agentId,
      List<String> appKeys,
      List<org.apache.mesos.v1.Protos.Offer.Operation> operations) {
    public Release {
      appKeys = List.copyOf(appKeys);
      operations = List.copyOf(operations);
    }
  }

  /** A plan without volume operations. */
  public Plan(
      List<Launch> launches,
      List<Pending> pending,
      List<Kill> kills,
      List<String> declines,
      Map<String, AppStatus> apps,
      List<CronEvent> cronEvents,
      String heldPrune,
      Instant nextWakeup,
      List<String> backoffResets,
      Map<String, Instant> wakeups,
      List<Rollback> rollbacks) {
    this(
        launches,
        pending,
        kills,
        declines,
        apps,
        cronEvents,
        heldPrune,
        nextWakeup,
        backoffResets,
        wakeups,
        rollbacks,
        List.of(),
        Map.of());
  }

  /** A plan without rollbacks. */
  public Plan(
      List<Launch> launches,
      List<Pending> pending,
      List<Kill> kills,
      List<String> declines,
      Map<String, AppStatus> apps,
      List<CronEvent> cronEvents,
      String heldPrune,
      Instant nextWakeup,
      List<String> backoffResets,
      Map<String, Instant> wakeups) {
    this(
        launches,
        pending,
        kills,
        declines,
        apps,
        cronEvents,
        heldPrune,
        nextWakeup,
        backoffResets,
        wakeups,
        List.of());
  }

  /** A plan that says nothing about when each app is due. */
  public Plan(
      List<Launch> launches,
      List<Pending> pending,
      List<Kill> kills,
      List<String> declines,
      Map<String, AppStatus> apps,
      List<CronEvent> cronEvents,
      String heldPrune,
      Instant nextWakeup,
      List<String> backoffResets) {
    this(
        launches,
        pending,
        kills,
        declines,
        apps,
        cronEvents,
        heldPrune,
        nextWakeup,
        backoffResets,
        Map.of());
  }

  public Plan {
    launches = List.copyOf(launches);
    pending = List.copyOf(pending);
    kills = List.copyOf(kills);
    declines = List.copyOf(declines);
    apps = Map.copyOf(apps);
    cronEvents = List.copyOf(cronEvents);
    backoffResets = List.copyOf(backoffResets);
    wakeups = Map.copyOf(wakeups);
    rollbacks = List.copyOf(rollbacks);
    reserves = List.copyOf(reserves);
    volumesSeen = Map.copyOf(volumesSeen);
  }

  /** This plan without declining {@code offerIds} (the caller uses them otherwise). */
  public Plan withoutDeclines(java.util.Set<String> offerIds) {
    return with(declines.stream().filter(id -> !offerIds.contains(id)).toList(), pending);
  }

  /** This plan with more launches waiting for offers. */
  public Plan withPending(List<Pending> more) {
    List<Pending> all = new java.util.ArrayList<>(pending);
    all.addAll(more);
    return with(declines, all);
  }

  private Plan with(List<String> otherDeclines, List<Pending> otherPending) {
    return new Plan(
        launches,
        otherPending,
        kills,
        otherDeclines,
        apps,
        cronEvents,
        heldPrune,
        nextWakeup,
        backoffResets,
        wakeups,
        rollbacks,
        reserves,
        volumesSeen);
  }

  /** Whether the plan changes anything on the cluster. */
  public boolean changesCluster() {
    return !launches.isEmpty() || !pending.isEmpty() || !kills.isEmpty() || !reserves.isEmpty();
  }

  /**
   * A task to launch on an offer.
   *
   * @param group for a pod's container, the default executor its whole task group launches under
   *     (one LAUNCH_GROUP per executor); null for a plain LAUNCH
   */
  public record Launch(
      String appKey,
      String offerId,
      String agentId,
      String host,
      List<Long> ports,
      TaskInfo task,
      String reason,
      org.apache.mesos.v1.Protos.ExecutorInfo group) {
    public Launch {
      ports = List.copyOf(ports);
    }

    /** A plain LAUNCH. */
    public Launch(
        String appKey,
        String offerId,
        String agentId,
        String host,
        List<Long> ports,
        TaskInfo task,
        String reason) {
      this(appKey, offerId, agentId, host, ports, task, reason, null);
    }

    public String taskId() {
      return task.getTaskId().getValue();
    }
  }

  /**
   * Tasks an app needs that no offer could take this pass, and the role they need offers of.
   *
   * @param placeable whether an offer could ever take them (false: their role is not one Telos
   *     subscribes to, so reviving offers cannot help)
   */
  public record Pending(
      String appKey, String specHash, int count, String reason, String role, boolean placeable) {}

  /** Whether launches that an offer could take are waiting (REVIVE) or not (SUPPRESS). */
  public boolean wantsOffers() {
    return !wantedRoles().isEmpty();
  }

  /** The roles whose offers placeable waiting launches need (REVIVE these, and only these). */
  public java.util.Set<String> wantedRoles() {
    java.util.Set<String> roles = new java.util.TreeSet<>();
    for (Pending p : pending) {
      if (p.placeable()) {
        roles.add(p.role());
      }
    }
    return roles;
  }

  /** A task to kill, with the grace period from its app's {@code killGracePeriod}. */
  public record Kill(
      String appKey, String taskId, String agentId, Duration gracePeriod, String reason) {}

  /** A cron fire time handled this pass: run, or skipped with a reason. */
  public record CronEvent(String appKey, Instant fireTime, boolean started, String reason) {}

  /**
   * One app's state after this pass.
   *
   * @param failures consecutive unexpected task ends counting toward the restart backoff
   * @param nextLaunchAt when the restart backoff lets the next launch happen, or null when it does
   *     not hold one back
   */
  public record AppStatus(
      String status,
      int desired,
      int running,
      int healthy,
      String message,
      int failures,
      Instant nextLaunchAt) {
    public AppStatus(String status, int desired, int running, int healthy, String message) {
      this(status, desired, running, healthy, message, 0, null);
    }
  }
}
