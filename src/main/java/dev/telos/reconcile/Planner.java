package dev.telos.reconcile;

import dev.telos.cluster.LiveTask;
import dev.telos.cluster.TaskIds;
import dev.telos.manifest.App;
import dev.telos.manifest.CronJob;
import dev.telos.manifest.Job;
import dev.telos.manifest.RestartPolicy;
import dev.telos.manifest.Service;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskState;

/**
 * The pure heart of Telos: {@code plan(desired, live, now)}. Level-based: it never asks what
 * changed, only what is, and returns everything to do now plus when to look again. No I/O, no
 * clock, no state between calls; identical inputs give identical plans.
 */
public final class Planner {
  /**
   * Everything a pass decides from.
   *
   * @param revision the commit of {@code desired}, or null
   * @param desired the apps of the last good snapshot, or null before any snapshot (then nothing is
   *     launched or killed)
   * @param agentFields hostname and attributes of every known agent, for constraints
   * @param seed distinguishes the task IDs of successive passes (the controller counts passes)
   * @param volumes where resident instances' volumes are ({@code namespace/name#i})
   */
  public record Input(
      String revision,
      List<App> desired,
      List<LiveTask> tasks,
      List<Offer> offers,
      Map<String, Map<String, String>> agentFields,
      Map<String, AppHistory> history,
      PlannerSettings settings,
      long seed,
      Map<String, App> previous,
      Map<String, VolumeRecord> volumes) {
    /** An input without the records of resident instances' volumes. */
    public Input(
        String revision,
        List<App> desired,
        List<LiveTask> tasks,
        List<Offer> offers,
        Map<String, Map<String, String>> agentFields,
        Map<String, AppHistory> history,
        PlannerSettings settings,
        long seed,
        Map<String, App> previous) {
      this(
          revision,
          desired,
          tasks,
          offers,
          agentFields,
          history,
          settings,
          seed,
          previous,
          Map.of());
    }

    /** An input without previous specs: no automatic rollback can happen. */
    public Input(
        String revision,
        List<App> desired,
        List<LiveTask> tasks,
        List<Offer> offers,
        Map<String, Map<String, String>> agentFields,
        Map<String, AppHistory> history,
        PlannerSettings settings,
        long seed) {
      this(revision, desired, tasks, offers, agentFields, history, settings, seed, Map.of());
    }

    public Input {
      desired = desired == null ? null : List.copyOf(desired);
      tasks = List.copyOf(tasks);
      offers = List.copyOf(offers);
      agentFields = Map.copyOf(agentFields);
      history = Map.copyOf(history);
      previous = Map.copyOf(previous);
      volumes = Map.copyOf(volumes);
    }
  }

  private Planner() {}

  /** The fields constraints can name for the agent of an offer: hostname and attributes. */
  public static Map<String, String> agentFields(Offer offer) {
    return Placement.fieldsOf(offer);
  }

  /** Computes the plan of one pass. */
  public static Plan plan(Input in, Instant now) {
    return new Pass(in, now).run();
  }

  /** Static helper for the statuses reported while no snapshot is known. */
  static Plan nothing(Input in) {
    List<String> declines = in.offers().stream().map(o -> o.getId().getValue()).toList();
    return new Plan(
        List.of(), List.of(), List.of(), declines, Map.of(), List.of(), null, null, List.of());
  }

  /**
   * The latest fire time in {@code (last, now]}, or null when none is due. After a long outage (a
   * minutely schedule down for months) the fire times in between are not walked one by one: for an
   * instant {@code t}, the next fire after {@code t} is at or before now exactly when {@code t} is
   * before the latest fire, so a binary search over the seconds since {@code last} finds it in
   * about 25 steps, exactly, however many fire times were missed. (Cron fire times are whole
   * minutes, so no two lie within a second of each other.)
   */
  static Instant latestFire(dev.telos.manifest.CronSchedule schedule, Instant last, Instant now) {
    java.util.Optional<Instant> first = schedule.next(last);
    if (first.isEmpty() || first.get().isAfter(now)) {
      return null;
    }
    // Invariant: the next fire after last + lo seconds is due; after last + hi seconds it is not.
    long lo = 0;
    long hi = Duration.between(last, now).toSeconds() + 1;
    while (hi - lo > 1) {
      long mid = lo + (hi - lo) / 2;
      java.util.Optional<Instant> f = schedule.next(last.plusSeconds(mid));
      if (f.isPresent() && !f.get().isAfter(now)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return schedule.next(last.plusSeconds(lo)).orElseThrow();
  }

  /** One computation; holds the intermediate results of a single call. */
  private static final class Pass {
    final Input in;
    final Instant now;
    final List<Plan.Launch> launches = new ArrayList<>();
    final List<Plan.Pending> pending = new ArrayList<>();
    final List<Plan.Kill> kills = new ArrayList<>();
    final Map<String, Plan.AppStatus> statuses = new HashMap<>();
    final List<Plan.CronEvent> cronEvents = new ArrayList<>();
    final List<String> backoffResets = new ArrayList<>();
    final List<Plan.Rollback> rollbacks = new ArrayList<>();
    final List<Plan.Reserve> reserves = new ArrayList<>();
    final Map<String, String> volumesSeen = new HashMap<>();
    final Map<String, List<LiveTask>> byApp;
    final List<LiveTask> orphans = new ArrayList<>();
    Instant wakeup;
    final Map<String, Instant> wakeups = new HashMap<>();

    /** The app being planned, whose wake-ups {@link #wake} records. */
    String current;

    int sequence;
    Placement placement;

    Pass(Input in, Instant now) {
      this.in = in;
      this.now = now;
      this.byApp = new HashMap<>(Math.max(16, in.tasks().size() / 4));
    }

    Plan run() {
      if (in.desired() == null) {
        return nothing(in);
      }
      // Keys computed once per app: a 10,000-app pass must not build strings in comparators.
      Map<String, App> unsorted = new HashMap<>(in.desired().size() * 2);
      for (App a : in.desired()) {
        unsorted.put(a.key(), a);
      }
      String[] keys = unsorted.keySet().toArray(new String[0]);
      java.util.Arrays.sort(keys);
      Map<String, App> desired = new LinkedHashMap<>(keys.length * 2);
      for (String k : keys) {
        desired.put(k, unsorted.get(k));
      }
      for (LiveTask t : in.tasks()) {
        if (t.terminal()) {
          continue;
        }
        if (t.appKey() == null) {
          orphans.add(t);
        } else {
          byApp.computeIfAbsent(t.appKey(), k -> new ArrayList<>()).add(t);
        }
      }
      // No sorting here: the input's order is part of the input, so plans stay deterministic,
      // and every choice below that depends on order sorts what it chooses from.
      placement = new Placement(in.offers(), in.agentFields());
      String held = prune(desired);
      for (Map.Entry<String, App> e : desired.entrySet()) {
        String key = e.getKey();
        App app = e.getValue();
        List<LiveTask> tasks = byApp.getOrDefault(key, List.of());
        AppHistory history = in.history().getOrDefault(key, AppHistory.EMPTY);
        int launched = launches.size();
        int waiting = pending.size();
        int killed = kills.size();
        int crons = cronEvents.size();
        int resets = backoffResets.size();
        int rolled = rollbacks.size();
        int reserved = reserves.size();
        current = key;
        if (in.settings().suspended().contains(key)) {
          // An operator holds it: nothing launched, killed or rolled, its tasks left as they are.
          hold(
              key,
              app,
              tasks,
              "Suspended",
              "suspended: nothing is launched, killed or rolled until it is resumed");
          continue;
        }
        String unmet = unmetDependencies(app, desired);
        if (unmet != null) {
          // It starts, and rolls, only once what it depends on is healthy; what runs keeps running.
          hold(
              key,
              app,
              tasks,
              "Progressing",
              "waiting for " + unmet + " to be healthy: nothing is launched or rolled until then");
          continue;
        }
        try {
          if (app instanceof Service s) {
            serviceOrRollback(key, s, tasks, history);
          } else if (app instanceof Job j) {
            job(key, j, tasks, history);
          } else if (app instanceof CronJob c) {
            cron(key, c, tasks, history);
          }
        } catch (RuntimeException failure) {
          // One app's failure must never stop the others: drop what it decided, say why.
          launches.subList(launched, launches.size()).clear();
          pending.subList(waiting, pending.size()).clear();
          kills.subList(killed, kills.size()).clear();
          cronEvents.subList(crons, cronEvents.size()).clear();
          backoffResets.subList(resets, backoffResets.size()).clear();
          rollbacks.subList(rolled, rollbacks.size()).clear();
          reserves.subList(reserved, reserves.size()).clear();
          statuses.put(
              key,
              new Plan.AppStatus(
                  "Degraded",
                  app instanceof Service s ? s.instances() : 1,
                  countRunning(tasks),
                  0,
                  "planning failed: " + failure));
        }
      }
      // An offer that no launch uses goes back, even if a failed app had reserved part of it.
      Set<String> used = new java.util.HashSet<>();
      for (Plan.Launch l : launches) {
        used.add(l.offerId());
      }
      for (Plan.Reserve r : reserves) {
        used.add(r.offerId());
      }
      List<String> declines = new ArrayList<>();
      for (OfferSlot slot : placement.slots()) {
        if (!used.contains(slot.offer.getId().getValue())) {
          declines.add(slot.offer.getId().getValue());
        }
      }
      return new Plan(
          launches,
          pending,
          kills,
          declines,
          statuses,
          cronEvents,
          held,
          wakeup,
          backoffResets,
          wakeups,
          rollbacks,
          reserves,
          volumesSeen);
    }

    // --- prune -------------------------------------------------------------------------------

    private String prune(Map<String, App> desired) {
      Set<String> running = new LinkedHashSet<>(byApp.keySet());
      Set<String> removed = new LinkedHashSet<>();
      for (String key : running) {
        if (desired.containsKey(key)) {
          continue;
        }
        if (in.settings().suspended().contains(key)) {
          // Removed from git but suspended: its tasks stay until it is resumed.
          statuses.put(
              key,
              new Plan.AppStatus(
                  "Suspended",
                  0,
                  countRunning(byApp.get(key)),
                  0,
                  "removed from git, but suspended: not pruned until it is resumed"));
          continue;
        }
        removed.add(key);
      }
      int orphanCount = orphans.size();
      if (removed.isEmpty() && orphanCount == 0) {
        return null;
      }
      int total = running.size() + orphanCount;
      int goes = removed.size() + orphanCount;
      double fraction = (double) goes / total;
      if (fraction > in.settings().maxPrune() && !in.settings().allowMassPrune()) {
        for (String key : removed) {
          statuses.put(
              key,
              new Plan.AppStatus(
                  "PruneHeld",
                  0,
                  countRunning(byApp.get(key)),
                  0,
                  "removed from git, but pruning is held back"));
        }
        return String.format(
            "this commit would remove %d of %d running apps (%.0f%%), more than"
                + " --max-prune %.0f%%; nothing is pruned until this commit's prune is approved"
                + " (telos sync --approve-prune SHA), --allow-mass-prune is given or the apps come"
                + " back",
            goes, total, fraction * 100, in.settings().maxPrune() * 100);
      }
      for (String key : removed) {
        for (LiveTask t : byApp.get(key)) {
          kill(key, t, Duration.ofSeconds(30), "pruned: app removed from git");
        }
        statuses.put(
            key,
            new Plan.AppStatus("Pruning", 0, countRunning(byApp.get(key)), 0, "removed from git"));
      }
      for (LiveTask t : orphans) {
        kill(null, t, Duration.ofSeconds(30), "orphan: task ID matches no app of Telos");
      }
      return null;
    }

    // --- services ----------------------------------------------------------------------------

    /**
     * Plans {@code s}, or the spec it ran before when {@code upgrade.autoRollback} says so: tasks
     * of the spec git asks for failed {@code afterFailures} times (this pass rolls back, and says
     * so in the plan), or the app was rolled back from that spec already and git has not changed it
     * since. A rolled-back app is Degraded until git changes it: the commit still asks for the
     * failing spec, and only a new commit (a fix or a revert) settles it.
     */
    private void serviceOrRollback(String key, Service s, List<LiveTask> tasks, AppHistory h) {
      String hash = s.specHash();
      int after = s.upgrade().rollbackAfter();
      boolean rolledBack = hash.equals(h.rolledBackSpec());
      boolean failing = after > 0 && hash.equals(h.attemptsSpec()) && h.failedAttempts() >= after;
      if (!rolledBack && !failing) {
        service(key, s, tasks, h);
        return;
      }
      App before = in.previous().get(key);
      if (!(before instanceof Service previous) || previous.specHash().equals(hash)) {
        if (rolledBack) {
          // Rolled back before a restart: the earlier spec is not known now, and rolling forward
          // to the spec that failed is what the rollback was for not to do.
          hold(
              key,
              s,
              tasks,
              "RolledBack",
              "rolled back from spec "
                  + hash
                  + " before Telos restarted; the spec it ran before is not known now: nothing"
                  + " is launched or rolled until git changes the app");
        } else {
          service(key, s, tasks, h); // nothing to go back to: a first version keeps trying
        }
        return;
      }
      if (!rolledBack) {
        rollbacks.add(new Plan.Rollback(key, hash, previous.specHash(), h.failedAttempts()));
      }
      service(key, previous, tasks, h.withRollback(hash));
      Plan.AppStatus st = statuses.get(key);
      statuses.put(
          key,
          new Plan.AppStatus(
              "RolledBack",
              st.desired(),
              st.running(),
              st.healthy(),
              "rolled back to spec "
                  + previous.specHash()
                  + " after tasks of spec "
                  + hash
                  + " failed "
                  + Math.max(after, h.failedAttempts())
                  + " time(s); git still asks for "
                  + hash
                  + ": commit a fix or a revert to go on",
              st.failures(),
              st.nextLaunchAt()));
    }

    /**
     * A Service, or a pod: its task groups are planned as tasks (each group one instance), and a
     * kill of a group kills each of its tasks.
     */
    private void service(String key, Service app, List<LiveTask> tasks, AppHistory history) {
      if (!app.pod()) {
        serviceTasks(key, app, tasks, history);
        return;
      }
      int before = kills.size();
      Map<String, List<LiveTask>> groups = Pods.groups(tasks);
      List<LiveTask> views = new ArrayList<>();
      Duration grace = app.task().killGracePeriod();
      for (Map.Entry<String, List<LiveTask>> g : groups.entrySet()) {
        LiveTask view = Pods.view(app, g.getKey(), g.getValue());
        if (Pods.broken(app, g.getValue()) && view.killRequestedAt() == null) {
          kill(key, view, grace, "a container of the pod ended: the pod is replaced whole");
          view = view.withKillRequestedAt(now);
        }
        views.add(view);
      }
      serviceTasks(key, app, views, history);
      List<Plan.Kill> mine = new ArrayList<>(kills.subList(before, kills.size()));
      kills.subList(before, kills.size()).clear();
      for (Plan.Kill k : mine) {
        List<LiveTask> members = groups.get(k.taskId());
        if (members == null) {
          kills.add(k);
          continue;
        }
        for (LiveTask m : members) {
          kills.add(new Plan.Kill(k.appKey(), m.id(), m.agentId(), k.gracePeriod(), k.reason()));
        }
      }
    }

    private void serviceTasks(String key, Service app, List<LiveTask> tasks, AppHistory history) {
      String hash = app.specHash();
      int n = app.instances();
      int surge = app.upgrade().maxSurge();
      int unavailable = app.upgrade().maxUnavailable();
      boolean checked = app.task().healthCheck() != null || (app.pod() && Pods.checked(app));
      boolean gated = !app.readinessChecks().isEmpty();
      Duration grace = app.task().killGracePeriod();

      List<LiveTask> counted = new ArrayList<>();
      int killing = 0;
      for (LiveTask t : tasks) {
        if (t.killRequestedAt() != null || t.state() == TaskState.TASK_KILLING) {
          retryKill(key, t, grace);
          // Until its end is confirmed it may still run, so it counts against maxSurge; a task
          // unreachable past the timeout no longer does (its agent may never come back).
          if (!unreachableExpired(t, inactiveAfter(app))) {
            killing++;
            if (t.state() == TaskState.TASK_UNREACHABLE && t.unreachableSince() != null) {
              wake(t.unreachableSince().plus(inactiveAfter(app))); // then it stops counting
            }
          }
          continue;
        }
        if (launchTimedOut(t)) {
          kill(key, t, grace, launchTimeoutReason());
          killing++;
          continue;
        }
        if (t.state() == TaskState.TASK_UNREACHABLE && t.unreachableSince() != null) {
          Instant expires = t.unreachableSince().plus(inactiveAfter(app));
          if (app.expungeAfter() != null) {
            // Expunged: given up for good. The kill is asked for now and sent again until a
            // returning agent confirms it (a master forgets a kill of an unreachable task).
            Instant expunge = t.unreachableSince().plus(app.expungeAfter());
            expunge = expunge.isBefore(expires) ? expires : expunge;
            if (!now.isBefore(expunge)) {
              kill(
                  key,
                  t,
                  grace,
                  "unreachable for longer than expungeAfter ("
                      + dev.telos.manifest.Durations.format(app.expungeAfter())
                      + "): expunged, killed when its agent returns");
              continue;
            }
            wake(expunge);
          }
          if (!now.isBefore(expires)) {
            continue; // given up on: replaced; killed as surplus if it ever returns
          }
          wake(expires);
        }
        counted.add(t);
      }
      List<LiveTask> current = new ArrayList<>();
      List<LiveTask> old = new ArrayList<>();
      for (LiveTask t : counted) {
        (hash.equals(t.specHash()) ? current : old).add(t);
      }
      // Surplus tasks of the current spec: unavailable first, then by the app's kill selection
      // (newest first unless OLDEST_FIRST).
      List<LiveTask> killed = new ArrayList<>();
      if (current.size() > n) {
        List<LiveTask> order = new ArrayList<>(current);
        Comparator<Instant> age =
            app.killSelection() == Service.KillSelection.OLDEST_FIRST
                ? Comparator.naturalOrder()
                : Comparator.reverseOrder();
        Comparator<LiveTask> first =
            Comparator.comparing((LiveTask t) -> available(t, hash, checked, gated));
        if (Resident.resident(app)) {
          // The highest instances go: the lowest keep their volumes in use.
          first = first.thenComparing(t -> -TaskIds.instanceOf(t.id()));
        }
        order.sort(first.thenComparing(LiveTask::launchedAt, age).thenComparing(LiveTask::id));
        for (LiveTask t : order.subList(0, current.size() - n)) {
          kill(key, t, grace, "scale down to " + n);
          killed.add(t);
        }
        current.removeAll(killed);
      }
      // Old tasks: unavailable ones go at once; available ones only while enough stay available.
      int availableCount = 0;
      for (LiveTask t : current) {
        if (available(t, hash, checked, gated)) {
          availableCount++;
        }
      }
      List<LiveTask> oldAvailable = new ArrayList<>();
      for (LiveTask t : old) {
        if (available(t, hash, checked, gated)) {
          oldAvailable.add(t);
          availableCount++;
        } else {
          kill(key, t, grace, "replaced by spec " + hash + " (not available)");
          killed.add(t);
        }
      }
      oldAvailable.sort(Comparator.comparing(LiveTask::launchedAt).thenComparing(LiveTask::id));
      int killable = Math.max(0, availableCount - Math.max(0, n - unavailable));
      for (LiveTask t : oldAvailable) {
        if (killable == 0) {
          break;
        }
        kill(key, t, grace, "rolling update to spec " + hash);
        killed.add(t);
        killable--;
      }
      // Old tasks this pass does not kill: the rollout is not over while any remains.
      boolean oldRemain = !killed.containsAll(old);
      // Every task that may still run counts against instances + maxSurge: those killed this
      // pass and those whose kill is not confirmed yet included. Launching beside a task that is
      // still stopping would run more than the surge allows until it stops.
      int alive = counted.size() + killing;
      int need = Math.max(0, n - current.size());
      int launch = Math.min(need, Math.max(0, n + surge - alive));
      String message = null;
      RestartPolicy policy = app.restart() != null ? app.restart() : in.settings().restart();
      int failures = failuresAfterUptime(key, history, current, checked, policy);
      Instant nextLaunchAt = null;
      if (launch > 0 && failures > 0 && history.lastFailureAt() != null) {
        Instant retryAt = history.lastFailureAt().plus(policy.delay(failures));
        if (now.isBefore(retryAt)) {
          // Not "restarting in 12s": a status must not change with the clock alone, or every
          // waiting app would need a pass every second to stay true.
          message =
              "backing off "
                  + dev.telos.manifest.Durations.format(policy.delay(failures))
                  + " after "
                  + failures
                  + " failure(s)";
          wake(retryAt);
          nextLaunchAt = retryAt;
          launch = 0;
        }
      }
      List<String> occupied = new ArrayList<>();
      for (LiveTask t : counted) {
        if (t.agentId() != null && !killed.contains(t)) {
          occupied.add(t.agentId());
        }
      }
      String why = need == launch ? "scale to " + n : "rolling update to spec " + hash;
      int placed =
          app.pod()
              ? launchPods(app, launch, occupied, why)
              : Resident.resident(app)
                  ? launchResident(app, launch, tasks, occupied, why)
                  : launchTasks(app, launch, occupied, why);
      int running = countRunning(tasks);
      int healthy = 0;
      for (LiveTask t : tasks) {
        if (t.killRequestedAt() == null
            && available(t, hash, checked, gated)
            && hash.equals(t.specHash())) {
          healthy++;
        }
      }
      boolean synced =
          current.size() == n
              && !oldRemain
              && killing == 0
              && killed.isEmpty()
              && healthy == n
              && launch == 0;
      String status = synced ? "Synced" : failures > 0 ? "Degraded" : "Progressing";
      if (message == null && placed < launch) {
        message = "waiting for offers: " + pending.get(pending.size() - 1).reason();
      }
      long recovering = tasks.stream().filter(LiveTask::recovering).count();
      if (message == null && recovering > 0) {
        message =
            recovering
                + " task(s) recovering: the master has not reported them since Telos restarted"
                + " (their agents may not have re-registered yet); they are not replaced";
      }
      if (message == null && gated) {
        int unready = 0;
        for (LiveTask t : current) {
          if (t.readySince() == null && available(t, hash, checked, false) && !killed.contains(t)) {
            unready++;
          }
        }
        if (unready > 0) {
          message = unready + " task(s) running but not ready: waiting for readiness checks";
        }
      }
      statuses.put(
          key, new Plan.AppStatus(status, n, running, healthy, message, failures, nextLaunchAt));
    }

    /**
     * The failures that still count toward the backoff: all of them, unless a task of the current
     * spec has stayed up for the policy's {@code resetAfter}, which starts the count over (and is
     * reported in the plan so the controller records it).
     */
    private int failuresAfterUptime(
        String key,
        AppHistory history,
        List<LiveTask> current,
        boolean checked,
        RestartPolicy policy) {
      int failures = history.consecutiveFailures();
      if (failures == 0) {
        return 0;
      }
      Instant earliest = null;
      for (LiveTask t : current) {
        Instant up = t.state() == TaskState.TASK_RUNNING ? t.upSince(checked) : null;
        if (up != null && (earliest == null || up.isBefore(earliest))) {
          earliest = up;
        }
      }
      if (earliest == null) {
        return failures;
      }
      Instant resetAt = earliest.plus(policy.resetAfter());
      if (now.isBefore(resetAt)) {
        wake(resetAt);
        return failures;
      }
      backoffResets.add(key);
      return 0;
    }

    private boolean unreachableExpired(LiveTask t, Duration inactiveAfter) {
      return t.state() == TaskState.TASK_UNREACHABLE
          && t.unreachableSince() != null
          && !now.isBefore(t.unreachableSince().plus(inactiveAfter));
    }

    /** How long the app's unreachable tasks are waited for: its own, or the controller's. */
    private Duration inactiveAfter(Service app) {
      return app.inactiveAfter() != null ? app.inactiveAfter() : in.settings().unreachableTimeout();
    }

    /** Whether a launched task is still not running after the launch timeout. */
    private boolean launchTimedOut(LiveTask t) {
      if (t.recovering()
          || (t.state() != TaskState.TASK_STAGING && t.state() != TaskState.TASK_STARTING)) {
        return false; // a recovering task waits for the master's answer, however long it takes
      }
      Instant deadline = t.launchedAt().plus(in.settings().launchTimeout());
      if (now.isBefore(deadline)) {
        wake(deadline);
        return false;
      }
      return true;
    }

    private String launchTimeoutReason() {
      return "launch timed out: not RUNNING within --task-launch-timeout "
          + dev.telos.manifest.Durations.format(in.settings().launchTimeout());
    }

    /**
     * Whether a task serves: running, and for the current spec healthy where checked and ready
     * where {@code gated} by readiness checks; a task of an old spec only needs not to be known
     * unhealthy (it was counted when it rolled out).
     */
    private static boolean available(LiveTask t, String hash, boolean checked, boolean gated) {
      if (t.state() != TaskState.TASK_RUNNING) {
        return false;
      }
      if (hash.equals(t.specHash())) {
        return (!checked || Boolean.TRUE.equals(t.healthy())) && (!gated || t.readySince() != null);
      }
      return !Boolean.FALSE.equals(t.healthy());
    }

    // --- jobs --------------------------------------------------------------------------------

    private void job(String key, Job app, List<LiveTask> tasks, AppHistory history) {
      String hash = app.specHash();
      List<LiveTask> active = new ArrayList<>();
      for (LiveTask t : tasks) {
        if (!hash.equals(t.specHash())) {
          if (t.killRequestedAt() == null) {
            kill(key, t, app.task().killGracePeriod(), "superseded by spec " + hash);
          } else {
            retryKill(key, t, app.task().killGracePeriod());
          }
        } else if (t.killRequestedAt() == null && launchTimedOut(t)) {
          kill(key, t, app.task().killGracePeriod(), launchTimeoutReason());
        } else {
          active.add(t);
        }
      }
      int attempts = hash.equals(history.attemptsSpec()) ? history.failedAttempts() : 0;
      if (history.succeededJobSpecs().contains(hash)) {
        statuses.put(
            key,
            new Plan.AppStatus(
                "Succeeded", 0, countRunning(tasks), 0, "spec " + hash + " ran to completion"));
        return;
      }
      if (!active.isEmpty()) {
        statuses.put(
            key,
            new Plan.AppStatus(
                "Running",
                1,
                countRunning(active),
                0,
                attempts > 0 ? "attempt " + (attempts + 1) + " of " + (app.retries() + 1) : null));
        return;
      }
      if (attempts > app.retries()) {
        statuses.put(
            key,
            new Plan.AppStatus(
                "Failed",
                1,
                0,
                0,
                "failed " + attempts + " time(s); retries exhausted for spec " + hash));
        return;
      }
      if (attempts > 0 && history.lastFailureAt() != null) {
        Duration backoff = app.backoff().multipliedBy(1L << Math.min(20, attempts - 1));
        Instant retryAt = history.lastFailureAt().plus(backoff);
        if (now.isBefore(retryAt)) {
          wake(retryAt);
          statuses.put(
              key,
              new Plan.AppStatus(
                  "Progressing",
                  1,
                  0,
                  0,
                  "retry "
                      + (attempts + 1)
                      + " after a "
                      + dev.telos.manifest.Durations.format(backoff)
                      + " backoff",
                  0,
                  retryAt));
          return;
        }
      }
      int placed =
          launchTasks(
              app,
              1,
              List.of(),
              attempts == 0
                  ? "run job spec " + hash
                  : "retry " + (attempts + 1) + " of " + (app.retries() + 1));
      statuses.put(
          key,
          new Plan.AppStatus("Progressing", 1, 0, 0, placed == 0 ? "waiting for offers" : null));
    }

    // --- cron jobs ---------------------------------------------------------------------------

    private void cron(String key, CronJob app, List<LiveTask> tasks, AppHistory history) {
      Instant last = history.lastCronFire();
      List<LiveTask> active = tasks.stream().filter(t -> t.killRequestedAt() == null).toList();
      if (last == null) {
        // First sight: schedule from now on, never retroactively.
        app.schedule().next(now).ifPresent(this::wake);
        statuses.put(key, new Plan.AppStatus("Scheduled", 0, countRunning(tasks), 0, null));
        return;
      }
      Instant due = latestFire(app.schedule(), last, now);
      String message = null;
      if (due != null) {
        Duration late = Duration.between(due, now);
        if (app.startingDeadline() != null && late.compareTo(app.startingDeadline()) > 0) {
          cronEvents.add(
              new Plan.CronEvent(
                  key,
                  due,
                  false,
                  "missed: started "
                      + late.toSeconds()
                      + "s late, past startingDeadline "
                      + dev.telos.manifest.Durations.format(app.startingDeadline())));
        } else if (!active.isEmpty()
            && app.concurrencyPolicy() == CronJob.ConcurrencyPolicy.Forbid) {
          cronEvents.add(
              new Plan.CronEvent(
                  key,
                  due,
                  false,
                  "skipped: the previous run is still active (concurrencyPolicy Forbid)"));
        } else {
          if (app.concurrencyPolicy() == CronJob.ConcurrencyPolicy.Replace) {
            for (LiveTask a : active) {
              kill(key, a, app.task().killGracePeriod(), "replaced by the run of " + due);
            }
          }
          // The run counts as started once it is placed; until then the next pass retries it
          // (within startingDeadline), so a run waiting for offers is never lost.
          if (launchTasks(app, 1, List.of(), "scheduled run of " + due) == 1) {
            cronEvents.add(new Plan.CronEvent(key, due, true, "started"));
          } else {
            message = "run of " + due + " waiting for offers";
          }
        }
      } else if (active.isEmpty()) {
        message = retryCronRun(key, app, history);
      }
      // A due fire time is never after now (latestFire), so the next one is the next after now.
      app.schedule().next(now).ifPresent(this::wake);
      statuses.put(
          key,
          new Plan.AppStatus(
              active.isEmpty() ? "Scheduled" : "Running", 0, countRunning(tasks), 0, message));
    }

    /**
     * Retries the current cron run after a failure, as a Job would: up to {@code retries} times,
     * waiting {@code backoff} doubling. Failed attempts are counted per run (reset when a new fire
     * time starts one).
     */
    private String retryCronRun(String key, CronJob app, AppHistory history) {
      int attempts = app.specHash().equals(history.attemptsSpec()) ? history.failedAttempts() : 0;
      if (attempts == 0 || attempts > app.retries() || history.lastFailureAt() == null) {
        return attempts > app.retries() ? "last run failed " + attempts + " time(s)" : null;
      }
      Instant retryAt =
          history
              .lastFailureAt()
              .plus(app.backoff().multipliedBy(1L << Math.min(20, attempts - 1)));
      if (now.isBefore(retryAt)) {
        wake(retryAt);
        return "retry "
            + (attempts + 1)
            + " of the last run at "
            + retryAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      }
      launchTasks(app, 1, List.of(), "retry " + (attempts + 1) + " of " + (app.retries() + 1));
      return null;
    }

    // --- shared ------------------------------------------------------------------------------

    /** An app left as it is this pass, with {@code status} and why. */
    private void hold(String key, App app, List<LiveTask> tasks, String status, String message) {
      statuses.put(
          key,
          new Plan.AppStatus(
              status,
              app instanceof Service s ? s.instances() : 1,
              countRunning(tasks),
              (int) tasks.stream().filter(t -> Boolean.TRUE.equals(t.healthy())).count(),
              message));
    }

    /**
     * The dependencies of {@code app} that are not healthy now, comma-separated, or null when all
     * are: a Service with all its instances of its current spec available, a Job whose current spec
     * succeeded, any CronJob. One that no manifest declares is not healthy.
     */
    private String unmetDependencies(App app, Map<String, App> desired) {
      List<String> unmet = new ArrayList<>();
      for (dev.telos.manifest.Dependency d : app.dependencies()) {
        App dep = desired.get(d.key());
        if (dep == null) {
          unmet.add(d.key() + " (declared nowhere)");
        } else if (!healthy(dep)) {
          unmet.add(d.key());
        }
      }
      return unmet.isEmpty() ? null : String.join(", ", unmet);
    }

    private boolean healthy(App dep) {
      if (dep instanceof Service s) {
        boolean checked = s.task().healthCheck() != null;
        int available = 0;
        for (LiveTask t : byApp.getOrDefault(s.key(), List.of())) {
          if (t.killRequestedAt() == null
              && s.specHash().equals(t.specHash())
              && available(t, s.specHash(), checked, !s.readinessChecks().isEmpty())) {
            available++;
          }
        }
        return available >= s.instances();
      }
      if (dep instanceof Job j) {
        return in.history()
            .getOrDefault(j.key(), AppHistory.EMPTY)
            .succeededJobSpecs()
            .contains(j.specHash());
      }
      return true;
    }

    /**
     * Launches up to {@code count} tasks of a resident Service, each onto the volumes of an
     * instance that has no task: where an offer holds them; else, for an instance without volumes
     * yet, makes them (RESERVE, CREATE) on the offer its task would take, to launch on once they
     * are offered back. An instance whose volumes are known goes nowhere else.
     */
    private int launchResident(
        App app, int count, List<LiveTask> tasks, List<String> occupied, String reason) {
      if (count <= 0 || !canLaunch(app, count)) {
        return 0;
      }
      Set<Integer> taken = new java.util.HashSet<>();
      for (LiveTask t : tasks) {
        taken.add(TaskIds.instanceOf(t.id()));
      }
      String role = app.task().role();
      ExecutorLaunch executor = in.settings().executor();
      List<String> agents = new ArrayList<>(occupied);
      int placed = 0;
      int n = ((Service) app).instances();
      for (int i = 0; i < n && placed < count; i++) {
        if (taken.contains(i)) {
          continue;
        }
        String key = Resident.key(app.key(), i);
        VolumeRecord rec = in.volumes().get(key);
        List<String> ids = Resident.persistenceIds(app, i);
        OfferSlot home = placement.withVolumes(role, ids);
        if (home != null) {
          if (rec == null || !rec.confirmed() || !rec.agentId().equals(home.agentId())) {
            volumesSeen.put(key, home.agentId());
          }
          Placement.Result r = placement.placeOn(home, app, 0, 0);
          if (r.placed() == null) {
            waitFor(
                app, "instance " + i + ": the agent with its volumes has no room: " + r.reason());
            continue;
          }
          Placement.Placed p = r.placed();
          List<Resource> resources = new ArrayList<>(p.resources());
          resources.addAll(home.takeVolumes(ids));
          String taskId = TaskIds.resident(nextTaskId(app), i);
          launches.add(
              new Plan.Launch(
                  app.key(),
                  home.offer.getId().getValue(),
                  home.agentId(),
                  home.offer.getHostname(),
                  p.ports(),
                  TaskInfoFactory.build(
                      app,
                      taskId,
                      home,
                      resources,
                      p.ports(),
                      in.revision(),
                      executor,
                      p.executorResources()),
                  reason + " (instance " + i + ", on its persistent volumes)"));
          agents.add(home.agentId());
          placed++;
          continue;
        }
        double disk = Resident.volumeDisk(app);
        OfferSlot slot;
        List<Resource> disks;
        if (rec != null) {
          Instant retry = rec.since().plus(VolumeRecord.CONFIRM_WAIT);
          if (rec.confirmed() || now.isBefore(retry)) {
            if (!rec.confirmed()) {
              wake(retry);
            }
            waitFor(
                app,
                "instance "
                    + i
                    + ": waiting for an offer of agent "
                    + rec.agentId()
                    + ", which holds its persistent volumes");
            continue;
          }
          slot = placement.ofAgent(role, rec.agentId(), disk);
          disks = slot == null ? null : Resident.fit(slot, app);
          if (disks == null) {
            waitFor(
                app,
                "instance "
                    + i
                    + ": its persistent volumes were not made on agent "
                    + rec.agentId()
                    + "; waiting for an offer of it to make them again");
            continue;
          }
        } else {
          Placement.Chosen c =
              placement.choose(app, agents, 0, 0, disk, s -> Resident.fit(s, app) != null);
          if (c.slot() == null) {
            waitFor(app, "instance " + i + ": " + c.reason());
            continue;
          }
          slot = c.slot();
          disks = Resident.fit(slot, app);
        }
        Resident.take(slot, disks);
        reserves.add(
            new Plan.Reserve(
                app.key(),
                i,
                slot.offer.getId().getValue(),
                slot.agentId(),
                Resident.reserveAndCreate(app, i, disks)));
        waitFor(
            app,
            "instance "
                + i
                + ": making its persistent volumes on agent "
                + slot.agentId()
                + "; its task launches once they are offered");
        agents.add(slot.agentId());
      }
      return placed;
    }

    /** Mesos's default executor's own share of a pod's resources (as Marathon's pods). */
    static final double POD_EXECUTOR_CPUS = 0.1;

    static final double POD_EXECUTOR_MEM = 32;

    /**
     * Launches up to {@code count} pods: each a task group (one task per container, on one offer)
     * under a default executor, by LAUNCH_GROUP.
     */
    private int launchPods(Service app, int count, List<String> occupied, String reason) {
      if (count <= 0 || !canLaunch(app, count)) {
        return 0;
      }
      List<String> agents = new ArrayList<>(occupied);
      int placed = 0;
      for (int i = 0; i < count; i++) {
        Placement.Chosen c = placement.choose(app, agents, POD_EXECUTOR_CPUS, POD_EXECUTOR_MEM, 0);
        if (c.slot() == null) {
          pending.add(
              new Plan.Pending(
                  app.key(), app.specHash(), count - placed, c.reason(), app.task().role(), true));
          break;
        }
        OfferSlot slot = c.slot();
        String groupId = nextTaskId(app);
        List<Resource> executor = new ArrayList<>(slot.takeScalar("cpus", POD_EXECUTOR_CPUS));
        executor.addAll(slot.takeScalar("mem", POD_EXECUTOR_MEM));
        org.apache.mesos.v1.Protos.ExecutorInfo group =
            org.apache.mesos.v1.Protos.ExecutorInfo.newBuilder()
                .setType(org.apache.mesos.v1.Protos.ExecutorInfo.Type.DEFAULT)
                .setExecutorId(org.apache.mesos.v1.Protos.ExecutorID.newBuilder().setValue(groupId))
                .setFrameworkId(slot.offer.getFrameworkId())
                .addAllResources(executor)
                .build();
        List<List<Resource>> resources = new ArrayList<>();
        List<Long> ports = new ArrayList<>();
        for (dev.telos.manifest.PodContainer pc : app.containers()) {
          dev.telos.manifest.TaskResources r = pc.task().resources();
          List<Resource> mine = new ArrayList<>(slot.takeScalar("cpus", r.cpus()));
          mine.addAll(slot.takeScalar("mem", r.mem()));
          mine.addAll(slot.takeScalar("disk", r.disk()));
          mine.addAll(slot.takeScalar("gpus", r.gpus()));
          ports.addAll(slot.takePorts(pc.portCount(), mine));
          resources.add(mine);
        }
        for (int k = 0; k < app.containers().size(); k++) {
          dev.telos.manifest.PodContainer pc = app.containers().get(k);
          String taskId = TaskIds.member(groupId, pc.name());
          org.apache.mesos.v1.Protos.TaskInfo task =
              TaskInfoFactory.build(
                      app.withTask(pc.task()),
                      taskId,
                      slot,
                      resources.get(k),
                      ports,
                      in.revision(),
                      null,
                      List.of())
                  .toBuilder()
                  .setName(
                      app.metadata().namespace() + "." + app.metadata().name() + "." + pc.name())
                  .build();
          task =
              task.toBuilder()
                  .setLabels(
                      task.getLabels().toBuilder()
                          .addLabels(
                              org.apache.mesos.v1.Protos.Label.newBuilder()
                                  .setKey("telos.dev/container")
                                  .setValue(pc.name())))
                  .build();
          launches.add(
              new Plan.Launch(
                  app.key(),
                  slot.offer.getId().getValue(),
                  slot.agentId(),
                  slot.offer.getHostname(),
                  ports,
                  task,
                  reason,
                  group));
        }
        agents.add(slot.agentId());
        placed++;
      }
      return placed;
    }

    /** A new task ID of {@code app}: this pass's seed and sequence make it unique. */
    private String nextTaskId(App app) {
      String suffix = Long.toString(in.seed(), 36) + Integer.toString(sequence++, 36);
      return TaskIds.of(
          app.metadata().namespace(), app.metadata().name(), app.specHash(), now, suffix);
    }

    /** One task of {@code app} waits for an offer (REVIVE: one can come). */
    private void waitFor(App app, String reason) {
      pending.add(new Plan.Pending(app.key(), app.specHash(), 1, reason, app.task().role(), true));
    }

    /**
     * Whether tasks of {@code app} can be launched at all: its role is one Telos subscribes to and
     * its executor can be fetched; otherwise says why in the pending list.
     */
    private boolean canLaunch(App app, int count) {
      String role = app.task().role();
      java.util.Set<String> roles = in.settings().roles();
      if (!roles.isEmpty() && !roles.contains(role)) {
        pending.add(
            new Plan.Pending(
                app.key(),
                app.specHash(),
                count,
                "role '"
                    + role
                    + "' is not one Telos subscribes to ("
                    + String.join(",", new java.util.TreeSet<>(roles))
                    + "), so no offer can come; add it to --roles or change the app's role",
                role,
                false));
        return false;
      }
      if (app.task().executor() != null && in.settings().executor() == null) {
        pending.add(
            new Plan.Pending(
                app.key(),
                app.specHash(),
                count,
                "executor: telos, but agents have nowhere to fetch the Telos executor from;"
                    + " start telos with its API, or give --executor-uri",
                role,
                false));
        return false;
      }
      return true;
    }

    private int launchTasks(App app, int count, List<String> occupied, String reason) {
      if (count <= 0 || !canLaunch(app, count)) {
        return 0;
      }
      String role = app.task().role();
      ExecutorLaunch executor = in.settings().executor();
      double executorCpus = app.task().executor() == null ? 0 : executor.cpus();
      double executorMem = app.task().executor() == null ? 0 : executor.mem();
      List<String> agents = new ArrayList<>(occupied);
      int placed = 0;
      for (int i = 0; i < count; i++) {
        Placement.Result r = placement.place(app, agents, executorCpus, executorMem);
        if (r.placed() == null) {
          pending.add(
              new Plan.Pending(app.key(), app.specHash(), count - placed, r.reason(), role, true));
          break;
        }
        Placement.Placed p = r.placed();
        String taskId = nextTaskId(app);
        launches.add(
            new Plan.Launch(
                app.key(),
                p.slot().offer.getId().getValue(),
                p.slot().agentId(),
                p.slot().offer.getHostname(),
                p.ports(),
                TaskInfoFactory.build(
                    app,
                    taskId,
                    p.slot(),
                    p.resources(),
                    p.ports(),
                    in.revision(),
                    executor,
                    p.executorResources()),
                reason));
        agents.add(p.slot().agentId());
        placed++;
      }
      return placed;
    }

    private void kill(String appKey, LiveTask t, Duration grace, String reason) {
      if (t.killRequestedAt() != null) {
        retryKill(appKey, t, grace);
        return;
      }
      kills.add(new Plan.Kill(appKey, t.id(), t.agentId(), grace, reason));
    }

    private void retryKill(String appKey, LiveTask t, Duration grace) {
      if (t.killRequestedAt() == null) {
        return;
      }
      Instant again = t.killRequestedAt().plus(grace).plus(in.settings().killRetry());
      if (!now.isBefore(again)) {
        kills.add(
            new Plan.Kill(
                appKey, t.id(), t.agentId(), grace, "kill not yet confirmed;" + " sent again"));
      } else {
        String was = current;
        current = appKey; // a pruned app's or an orphan's kill is due for no desired app
        wake(again);
        current = was;
      }
    }

    private void wake(Instant at) {
      if (wakeup == null || at.isBefore(wakeup)) {
        wakeup = at;
      }
      wakeups.merge(current == null ? Plan.NO_APP : current, at, (a, b) -> b.isBefore(a) ? b : a);
    }

    private static int countRunning(List<LiveTask> tasks) {
      int c = 0;
      if (tasks != null) {
        for (LiveTask t : tasks) {
          if (t.state() == TaskState.TASK_RUNNING) {
            c++;
          }
        }
      }
      return c;
    }
  }
}
