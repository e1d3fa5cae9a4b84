package dev.telos.controller;

import dev.telos.cluster.LiveState;
import dev.telos.cluster.LiveTask;
import dev.telos.manifest.App;
import dev.telos.reconcile.AppHistory;
import dev.telos.reconcile.Plan;
import dev.telos.reconcile.Planner;
import dev.telos.reconcile.PlannerSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.mesos.v1.Protos.Offer;

/**
 * Runs the pure {@link Planner} over only the apps whose inputs changed since they were last
 * planned, so that a pass costs what changed, not what exists: with 10,000 apps, one status update
 * re-plans one app.
 *
 * <p>An app is re-planned when it was {@linkplain #touch touched} (a status update of one of its
 * tasks, a launch or kill of it, a change of its history), when its own wake-up time is due, or,
 * while it waits for offers, when offers come or go. Everything is re-planned when {@linkplain
 * #touchAll told so} (a new subscription, a changed agent, a new snapshot that adds or removes
 * apps; a snapshot that only changes some apps re-plans those, see {@link #desiredChanged}), and
 * whenever a re-planned key belongs to no desired app, and while tasks of apps that are not desired
 * remain: pruning weighs every app at once. The planner is per-app apart from pruning and offers,
 * so an untouched app's last plan is still its plan now; {@code IncrementalPlannerTest} checks this
 * against full passes over random event sequences.
 *
 * <p>Confined to the controller's loop thread, as the rest of its state.
 */
final class IncrementalPlanner {
  /** What a pass plans from. Read in full only on a full pass. */
  interface Source {
    /** The apps of the last good snapshot, or null before any. */
    List<App> desired();

    /** One desired app by key, or null. */
    App app(String key);

    String revision();

    /** The tasks as learned from Mesos. */
    LiveState live();

    default List<LiveTask> tasks() {
      return live().tasks();
    }

    default List<LiveTask> tasksOf(String appKey) {
      return live().tasksOf(appKey);
    }

    /** The keys of apps that have live tasks (null for tasks whose ID is not Telos's). */
    default Set<String> liveAppKeys() {
      return live().appKeys();
    }

    List<Offer> offers();

    Map<String, Map<String, String>> agentFields();

    Map<String, AppHistory> history();

    PlannerSettings settings();

    /** Per app key, the app as it was before its spec last changed (for automatic rollback). */
    default Map<String, App> previous() {
      return Map.of();
    }

    /** Where resident instances' volumes are, by {@code namespace/name#i}. */
    default Map<String, dev.telos.reconcile.VolumeRecord> volumes() {
      return Map.of();
    }
  }

  /**
   * The outcome of one pass.
   *
   * @param plan what to do now; its {@code apps} are the statuses of the apps planned this pass,
   *     and its {@code pending} lists every app still waiting for offers, planned now or before
   * @param statuses every app's status (a read-only view, valid until the next pass)
   * @param planned the keys planned this pass; every key when {@code full}
   * @param full whether every app was planned
   */
  record Result(
      Plan plan,
      Map<String, Plan.AppStatus> statuses,
      Set<String> planned,
      boolean full,
      List<Plan.Release> releases) {
    Result(Plan plan, Map<String, Plan.AppStatus> statuses, Set<String> planned, boolean full) {
      this(plan, statuses, planned, full, List.of());
    }
  }

  private record Due(Instant at, String key) implements Comparable<Due> {
    @Override
    public int compareTo(Due o) {
      int c = at.compareTo(o.at);
      return c != 0 ? c : key.compareTo(o.key);
    }
  }

  private final Set<String> dirty = new HashSet<>();

  /**
   * The apps that depend on each app, from the last full pass's desired apps: planning an app needs
   * its dependencies' tasks (are they healthy?), and a change of a dependency's tasks may let its
   * dependents go on.
   */
  private final Map<String, Set<String>> dependents = new HashMap<>();

  private boolean all = true;
  private boolean offersChanged;
  private final Map<String, Plan.AppStatus> statuses = new HashMap<>();
  private final Map<String, List<Plan.Pending>> pending = new HashMap<>();
  private final Map<String, Instant> wakeups = new HashMap<>();
  private final TreeSet<Due> due = new TreeSet<>();
  private String held;

  /**
   * Whether the last full pass found tasks of apps that are not desired (being pruned, held, or not
   * Telos's): until they are gone, every pass is full, since whether pruning is held depends on how
   * many apps run at all.
   */
  private boolean pruning;

  /** The app's inputs changed: plan it on the next pass. A null key (not Telos's) plans all. */
  void touch(String appKey) {
    if (appKey == null) {
      all = true;
    } else {
      dirty.add(appKey);
    }
  }

  /** Something every app plans from changed: plan them all on the next pass. */
  void touchAll() {
    all = true;
  }

  /**
   * What a new snapshot changes against the one before it.
   *
   * @param apps the keys of the apps it adds, changes or removes, sorted
   * @param everything whether every app must be planned: there was no snapshot before, or the apps,
   *     their order or any app's dependencies changed (pruning, the dependents and the order of the
   *     views weigh every app)
   */
  record Changes(List<String> apps, boolean everything) {}

  /** The changes from {@code before} (null: none yet) to {@code after}, app by app. */
  static Changes changes(List<App> before, List<App> after) {
    Map<String, App> old = new HashMap<>();
    if (before != null) {
      before.forEach(a -> old.put(a.key(), a));
    }
    boolean everything = before == null || before.size() != after.size();
    TreeSet<String> changed = new TreeSet<>();
    for (int i = 0; i < after.size(); i++) {
      App now = after.get(i);
      App was = old.remove(now.key());
      everything |= !everything && !before.get(i).key().equals(now.key());
      if (was == null) {
        changed.add(now.key());
      } else if (was != now) {
        everything |= !dependencyKeys(was).equals(dependencyKeys(now));
        if (!was.equals(now)) {
          changed.add(now.key());
        }
      }
    }
    changed.addAll(old.keySet());
    return new Changes(List.copyOf(changed), everything);
  }

  /**
   * A new snapshot: the apps it changed are planned on the next pass (with their dependents and
   * dependencies, as any touched app), the others keep their plan; everything when {@code changes}
   * says so. Returns whether everything will be planned.
   */
  boolean desiredChanged(Changes changes) {
    if (changes.everything()) {
      all = true;
    } else {
      dirty.addAll(changes.apps());
    }
    return all;
  }

  /** {@link #desiredChanged(Changes)} of the changes from {@code before} to {@code after}. */
  boolean desiredChanged(List<App> before, List<App> after) {
    return desiredChanged(changes(before, after));
  }

  private static List<String> dependencyKeys(App app) {
    if (app.dependencies().isEmpty()) {
      return List.of();
    }
    List<String> keys = new ArrayList<>();
    app.dependencies().forEach(d -> keys.add(d.key()));
    return keys;
  }

  /**
   * Offers came or went: plan the apps that wait for some (with what there is now, which their
   * status names), and give back what none of them takes.
   */
  void offersChanged() {
    offersChanged = true;
  }

  /** The keys that will be planned on the next pass whatever the time (touched since the last). */
  Set<String> touched() {
    return Collections.unmodifiableSet(dirty);
  }

  Result plan(Source source, long seed, Instant now) {
    Result r = plan(source, source.offers(), seed, now);
    if (source.desired() == null) {
      return r;
    }
    // After the pass, so that a prune it holds (this commit's) holds the volumes too.
    java.util.function.Predicate<String> keep =
        key ->
            held != null
                || source.app(key) != null
                || source.liveAppKeys().contains(key)
                || source.settings().suspended().contains(key);
    // Volumes of deleted apps go back only from offers the plan gives back anyway.
    Set<String> declined = new HashSet<>(r.plan().declines());
    List<Offer> free = new ArrayList<>();
    for (Offer o : source.offers()) {
      if (declined.contains(o.getId().getValue())) {
        free.add(o);
      }
    }
    List<Plan.Release> releases = dev.telos.reconcile.Resident.releases(free, keep);
    // Recorded volumes of deleted apps that no offer brought: offers are wanted until they come.
    Set<String> released = new HashSet<>();
    Set<String> gone = new HashSet<>();
    releases.forEach(
        x -> {
          released.addAll(x.appKeys());
          gone.add(x.offerId());
        });
    List<Plan.Pending> releasing = new ArrayList<>();
    source
        .volumes()
        .forEach(
            (key, v) -> {
              String app = key.substring(0, key.lastIndexOf('#'));
              if (!keep.test(app) && !released.contains(app)) {
                releasing.add(
                    new Plan.Pending(
                        app,
                        null,
                        1,
                        "persistent volumes of a deleted app: released once an offer of agent "
                            + v.agentId()
                            + " holds them",
                        v.role(),
                        true));
              }
            });
    if (releases.isEmpty() && releasing.isEmpty()) {
      return r;
    }
    return new Result(
        r.plan().withoutDeclines(gone).withPending(releasing),
        r.statuses(),
        r.planned(),
        r.full(),
        releases);
  }

  private Result plan(Source source, List<Offer> offers, long seed, Instant now) {
    List<App> desired = source.desired();
    Set<String> keys = all || pruning || desired == null ? null : scope(source, now);
    if (keys == null) {
      return full(source, offers, desired, seed, now);
    }
    if (keys.isEmpty() && !offersChanged) {
      // nothing changed and nothing is due: nothing to plan
      Plan none =
          new Plan(
              List.of(), List.of(), List.of(), List.of(), Map.of(), List.of(), null, null,
              List.of());
      return new Result(merged(none), Collections.unmodifiableMap(statuses), keys, false);
    }
    List<App> apps = new ArrayList<>(keys.size());
    List<LiveTask> tasks = new ArrayList<>();
    Map<String, AppHistory> history = new HashMap<>();
    Map<String, AppHistory> allHistory = source.history();
    for (String key : keys) {
      apps.add(source.app(key));
      tasks.addAll(source.tasksOf(key));
      AppHistory h = allHistory.get(key);
      if (h != null) {
        history.put(key, h);
      }
    }
    Plan plan =
        Planner.plan(
            new Planner.Input(
                source.revision(),
                apps,
                tasks,
                offers,
                source.agentFields(),
                history,
                source.settings(),
                seed,
                source.previous(),
                source.volumes()),
            now);
    for (String key : keys) {
      remember(key, plan);
    }
    dirty.clear();
    offersChanged = false;
    return new Result(merged(plan), Collections.unmodifiableMap(statuses), keys, false);
  }

  /**
   * The keys to plan this pass, or null when every app must be: the touched, the due and (with new
   * offers) the waiting ones, all of them desired apps.
   */
  private Set<String> scope(Source source, Instant now) {
    Set<String> keys = new TreeSet<>(dirty);
    while (!due.isEmpty() && !due.first().at().isAfter(now)) {
      keys.add(due.pollFirst().key());
    }
    if (offersChanged) {
      keys.addAll(pending.keySet());
    }
    for (String key : keys) {
      if (source.app(key) == null) {
        return null; // an app removed from git: pruning weighs every app
      }
    }
    // With their dependents (a dependency's tasks changed: may they go on?) and the dependencies
    // of all of those (is each healthy? planning it again decides the same).
    Set<String> more = new TreeSet<>();
    for (String key : keys) {
      for (String d : dependents.getOrDefault(key, Set.of())) {
        if (source.app(d) != null) {
          more.add(d);
        }
      }
    }
    keys.addAll(more);
    more.clear();
    for (String key : keys) {
      for (dev.telos.manifest.Dependency d : source.app(key).dependencies()) {
        if (source.app(d.key()) != null) {
          more.add(d.key());
        }
      }
    }
    keys.addAll(more);
    return keys;
  }

  private Result full(
      Source source, List<Offer> offers, List<App> desired, long seed, Instant now) {
    Plan plan =
        Planner.plan(
            new Planner.Input(
                source.revision(),
                desired,
                source.tasks(),
                offers,
                source.agentFields(),
                source.history(),
                source.settings(),
                seed,
                source.previous(),
                source.volumes()),
            now);
    statuses.clear();
    statuses.putAll(plan.apps());
    dependents.clear();
    if (desired != null) {
      for (App app : desired) {
        for (dev.telos.manifest.Dependency d : app.dependencies()) {
          dependents.computeIfAbsent(d.key(), k -> new TreeSet<>()).add(app.key());
        }
      }
    }
    pending.clear();
    wakeups.clear();
    due.clear();
    for (Plan.Pending p : plan.pending()) {
      pending.computeIfAbsent(p.appKey(), k -> new ArrayList<>()).add(p);
    }
    plan.wakeups().forEach(this::wakeAt);
    held = plan.heldPrune();
    dirty.clear();
    all = false;
    offersChanged = false;
    // Every desired app has a status in a full plan; apps being pruned have tasks.
    Set<String> planned = new HashSet<>(statuses.keySet());
    pruning = false;
    for (String key : source.liveAppKeys()) {
      if (key == null || source.app(key) == null) {
        pruning = true;
      }
      if (key != null) {
        planned.add(key);
      }
    }
    return new Result(plan, Collections.unmodifiableMap(statuses), planned, true);
  }

  /** Keeps what the planner said of one app this pass in place of what it said before. */
  private void remember(String key, Plan plan) {
    Plan.AppStatus s = plan.apps().get(key);
    if (s == null) {
      statuses.remove(key);
    } else {
      statuses.put(key, s);
    }
    pending.remove(key);
    Instant before = wakeups.remove(key);
    if (before != null) {
      due.remove(new Due(before, key));
    }
    Instant at = plan.wakeups().get(key);
    if (at != null) {
      wakeAt(key, at);
    }
  }

  private void wakeAt(String key, Instant at) {
    wakeups.put(key, at);
    due.add(new Due(at, key));
  }

  /** This pass's plan with every waiting app's pending launches, and the earliest wake-up. */
  private Plan merged(Plan plan) {
    for (Plan.Pending p : plan.pending()) {
      pending.computeIfAbsent(p.appKey(), k -> new ArrayList<>()).add(p);
    }
    List<Plan.Pending> allPending = new ArrayList<>();
    pending.values().forEach(allPending::addAll);
    return new Plan(
        plan.launches(),
        allPending,
        plan.kills(),
        plan.declines(),
        plan.apps(),
        plan.cronEvents(),
        held,
        due.isEmpty() ? null : due.first().at(),
        plan.backoffResets(),
        plan.wakeups(),
        plan.rollbacks(),
        plan.reserves(),
        plan.volumesSeen());
  }
}
