package dev.telos.cluster;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;

/**
 * Tasks, agents' hostnames and outstanding offers as learned from Mesos events. Mutable and
 * confined to the controller's thread; the planner reads it through {@link #tasks()} and {@link
 * #offers()}, which return immutable copies.
 */
public final class LiveState {
  private final Map<String, LiveTask> tasks = new LinkedHashMap<>();
  private final Map<String, Offer> offers = new LinkedHashMap<>();
  private final Map<String, String> hostnames = new LinkedHashMap<>();
  private final Map<String, Offer> agentsByLastOffer = new LinkedHashMap<>();

  /** {@link #tasks} by app key (null for tasks whose ID Telos did not make), in the same order. */
  private final Map<String, Map<String, LiveTask>> byApp = new java.util.HashMap<>();

  /** IDs of terminal tasks not forgotten yet: forgetting must not scan every task. */
  private final java.util.Set<String> terminal = new java.util.HashSet<>();

  /** Bumped whenever an offer comes or goes. */
  private long offersVersion;

  /** A number that changes whenever an offer is added or removed. */
  public long offersVersion() {
    return offersVersion;
  }

  /** Bumped whenever an agent appears, disappears or changes its hostname or attributes. */
  private long agentsVersion;

  private void put(LiveTask t) {
    LiveTask old = tasks.put(t.id(), t);
    if (old != null && !java.util.Objects.equals(old.appKey(), t.appKey())) {
      unindex(old);
    }
    byApp.computeIfAbsent(t.appKey(), k -> new LinkedHashMap<>()).put(t.id(), t);
    if (t.terminal()) {
      terminal.add(t.id());
    } else {
      terminal.remove(t.id());
    }
  }

  private void remove(String id) {
    LiveTask old = tasks.remove(id);
    if (old != null) {
      unindex(old);
      terminal.remove(id);
    }
  }

  private void unindex(LiveTask t) {
    Map<String, LiveTask> of = byApp.get(t.appKey());
    if (of != null) {
      of.remove(t.id());
      if (of.isEmpty()) {
        byApp.remove(t.appKey());
      }
    }
  }

  /** The tasks of one app (null: tasks whose ID Telos did not make), as an immutable copy. */
  public List<LiveTask> tasksOf(String appKey) {
    Map<String, LiveTask> of = byApp.get(appKey);
    return of == null ? List.of() : List.copyOf(of.values());
  }

  /** The keys of the apps that have a task here (null when some task's ID is not Telos's). */
  public java.util.Set<String> appKeys() {
    return java.util.Collections.unmodifiableSet(byApp.keySet());
  }

  /** How many tasks are known, terminal ones not yet forgotten included. */
  public int size() {
    return tasks.size();
  }

  /**
   * A number that changes whenever the set of known agents or any agent's hostname or attributes
   * change, so that a caller can tell whether constraints may decide differently.
   */
  public long agentsVersion() {
    return agentsVersion;
  }

  /** Non-terminal tasks (and terminal ones not yet forgotten), by ID. */
  public List<LiveTask> tasks() {
    return List.copyOf(tasks.values());
  }

  public LiveTask task(String id) {
    return tasks.get(id);
  }

  /** Outstanding offers, in arrival order. */
  public List<Offer> offers() {
    return List.copyOf(offers.values());
  }

  /** The hostname of an agent, when any offer named it. */
  public String hostname(String agentId) {
    return hostnames.get(agentId);
  }

  /** The last offer of each agent seen, for its hostname and attributes. */
  public Collection<Offer> knownAgents() {
    return List.copyOf(agentsByLastOffer.values());
  }

  public void addOffers(List<Offer> list) {
    for (Offer o : list) {
      offersVersion++;
      offers.put(o.getId().getValue(), o);
      hostnames.put(o.getAgentId().getValue(), o.getHostname());
      Offer before = agentsByLastOffer.put(o.getAgentId().getValue(), o);
      if (before == null
          || !before.getHostname().equals(o.getHostname())
          || !before.getAttributesList().equals(o.getAttributesList())) {
        agentsVersion++;
      }
    }
  }

  public void removeOffer(String offerId) {
    if (offers.remove(offerId) != null) {
      offersVersion++;
    }
  }

  /** Offers of an agent become invalid when it is lost. */
  public void removeOffersOfAgent(String agentId) {
    if (offers.values().removeIf(o -> o.getAgentId().getValue().equals(agentId))) {
      offersVersion++;
    }
  }

  public void clearOffers() {
    if (!offers.isEmpty()) {
      offersVersion++;
    }
    offers.clear();
  }

  /** A task the controller is about to launch: STAGING until Mesos says otherwise. */
  public void launching(String taskId, String agentId, String host, List<Long> ports, Instant now) {
    TaskIds.Parsed p = TaskIds.parse(taskId).orElse(null);
    put(
        new LiveTask(
            taskId,
            p == null ? null : p.appKey(),
            p == null ? null : p.specHash(),
            p == null ? now : p.launchedAt(),
            TaskState.TASK_STAGING,
            null,
            agentId,
            host,
            ports,
            null,
            null,
            null));
  }

  /** Restores what the store remembers of a task after a restart, before reconciliation. */
  public void remember(String taskId, String agentId, String host, List<Long> ports) {
    if (!tasks.containsKey(taskId)) {
      launching(taskId, agentId, host, ports, Instant.EPOCH);
      put(tasks.get(taskId).asRecovering());
    }
  }

  /**
   * Applies a status update. Returns the task's new view (terminal ones included, then forgotten by
   * {@link #forgetTerminal()}).
   */
  public LiveTask update(TaskStatus status, Instant now) {
    String id = status.getTaskId().getValue();
    LiveTask previous = tasks.get(id);
    String agent =
        status.hasAgentId()
            ? status.getAgentId().getValue()
            : previous == null ? null : previous.agentId();
    if (previous == null) {
      TaskIds.Parsed p = TaskIds.parse(id).orElse(null);
      previous =
          new LiveTask(
              id,
              p == null ? null : p.appKey(),
              p == null ? null : p.specHash(),
              p == null ? now : p.launchedAt(),
              TaskState.TASK_STAGING,
              null,
              agent,
              agent == null ? null : hostnames.get(agent),
              List.of(),
              null,
              null,
              null);
    }
    TaskState state = status.getState();
    boolean unreachable =
        state == TaskState.TASK_UNREACHABLE
            || state == TaskState.TASK_UNKNOWN
            || (state == TaskState.TASK_LOST
                && status.getReason() == TaskStatus.Reason.REASON_AGENT_REMOVED);
    Instant since =
        unreachable
            ? (previous.unreachableSince() != null ? previous.unreachableSince() : now)
            : null;
    // A TASK_LOST of a partition may come back: keep it as unreachable, not terminal.
    TaskState recorded =
        state == TaskState.TASK_LOST && unreachable ? TaskState.TASK_UNREACHABLE : state;
    Boolean healthy =
        status.hasHealthy()
            ? Boolean.valueOf(status.getHealthy())
            : recorded == TaskState.TASK_RUNNING ? previous.healthy() : null;
    LiveTask next =
        previous.withState(
            recorded,
            healthy,
            status.hasMessage() ? status.getMessage() : previous.message(),
            since,
            now);
    if (agent != null && (next.agentId() == null || !agent.equals(next.agentId()))) {
      next = next.withAgent(agent, hostnames.get(agent));
    }
    put(next);
    return next;
  }

  /**
   * Records that a task passed its app's readiness checks at {@code at}; returns the task as now
   * known, or null when it is not running any more (or was ready already).
   */
  public LiveTask ready(String taskId, Instant at) {
    LiveTask t = tasks.get(taskId);
    if (t == null || t.state() != TaskState.TASK_RUNNING || t.readySince() != null) {
      return null;
    }
    LiveTask next = t.withReadySince(at);
    put(next);
    return next;
  }

  public void killRequested(String taskId, Instant at) {
    LiveTask t = tasks.get(taskId);
    if (t != null) {
      put(t.withKillRequestedAt(at));
    }
  }

  /**
   * Puts a task back as it was before an update whose recording failed (null: it was unknown), so
   * that the redelivered update is applied again.
   */
  public void restore(String taskId, LiveTask before) {
    if (before == null) {
      remove(taskId);
    } else {
      put(before);
    }
  }

  /**
   * Forgets tasks the master has reported TASK_UNKNOWN since before {@code cutoff}: it has no
   * record of them, and an agent that kept one would have re-registered long since. Returns their
   * IDs. Should one come back after all, its update makes it known again.
   */
  public List<String> forgetUnknownSince(Instant cutoff) {
    List<String> gone = new java.util.ArrayList<>();
    for (LiveTask t : tasks.values()) {
      if (t.state() == TaskState.TASK_UNKNOWN
          && t.unreachableSince() != null
          && t.unreachableSince().isBefore(cutoff)) {
        gone.add(t.id());
      }
    }
    gone.forEach(this::remove);
    return gone;
  }

  /** Drops terminal tasks once the controller has accounted for them. */
  public void forgetTerminal() {
    for (String id : List.copyOf(terminal)) {
      remove(id);
    }
  }
}
