package dev.telos.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.cluster.LiveState;
import dev.telos.cluster.LiveTask;
import dev.telos.manifest.App;
import dev.telos.manifest.CronJob;
import dev.telos.manifest.Job;
import dev.telos.manifest.ManifestLoader;
import dev.telos.reconcile.AppHistory;
import dev.telos.reconcile.Plan;
import dev.telos.reconcile.Planner;
import dev.telos.reconcile.PlannerSettings;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The incremental planner must decide exactly what a full pass would: random event sequences are
 * planned both ways, step by step, and every decision and status compared.
 */
class IncrementalPlannerTest {
  static final Instant START = Instant.parse("2026-06-01T11:58:30Z");

  static App app(String yaml) {
    ManifestLoader.FileResult r =
        new ManifestLoader().parseFile("t.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    assertThat(r.errors()).isEmpty();
    return r.apps().get(0);
  }

  static App service(String name, int instances, String extra) {
    return app(
        "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: "
            + name
            + "}\nspec:\n  instances: "
            + instances
            + "\n  command: run "
            + name
            + "\n  resources: {cpus: 0.5, mem: 100}\n"
            + extra);
  }

  static List<App> apps(int version) {
    return apps(version, false);
  }

  /**
   * The apps; with {@code dependencies}, api waits for web (health-checked), solo for the Job
   * migrate, spread for the CronJob report.
   */
  static List<App> apps(int version, boolean dependencies) {
    return apps(new int[] {version, 0, 0, 0, 0, 0}, dependencies);
  }

  /** The apps, each at its own version (web, api, spread, solo, migrate, report). */
  static List<App> apps(int[] v, boolean dependencies) {
    String env = "  env: {V: '" + v[0] + "'}\n";
    return new ArrayList<>(
        List.of(
            service("web", 3, env + "  healthCheck: {type: COMMAND, command: 'true'}\n"),
            service(
                "api",
                2,
                "  restart: {backoff: 5s, factor: 2, maxDelay: 1m, resetAfter: 2m}\n"
                    + "  upgrade: {maxSurge: 1, maxUnavailable: 0}\n"
                    + version(v[1])
                    + (dependencies ? "  dependencies: [web]\n" : "")),
            service(
                "spread",
                2,
                "  constraints: [{field: hostname, operator: UNIQUE}]\n"
                    + version(v[2])
                    + (dependencies ? "  dependencies: [default/report]\n" : "")),
            service("solo", 1, version(v[3]) + (dependencies ? "  dependencies: [migrate]\n" : "")),
            app(
                "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: migrate}\n"
                    + "spec: {command: ./migrate"
                    + (v[4] == 0 ? "" : " " + v[4])
                    + ", retries: 2, backoff: 10s,"
                    + " resources: {cpus: 0.1, mem: 10}}\n"),
            app(
                "apiVersion: telos.dev/v1\nkind: CronJob\nmetadata: {name: report}\n"
                    + "spec:\n  schedule: '*/5 * * * *'\n  concurrencyPolicy: Forbid\n"
                    + "  job: {command: ./r"
                    + (v[5] == 0 ? "" : " " + v[5])
                    + ", retries: 1, backoff: 10s,"
                    + " resources: {cpus: 0.1, mem: 10}}\n")));
  }

  private static String version(int v) {
    return v == 0 ? "" : "  env: {V: '" + v + "'}\n";
  }

  /** The world both planners read: the controller's state, driven by random events. */
  static class World implements IncrementalPlanner.Source {
    final LiveState live = new LiveState();
    final Map<String, AppHistory> history = new HashMap<>();
    List<App> desired;
    Map<String, App> byKey = new HashMap<>();
    Map<String, Map<String, String>> agents = new HashMap<>();
    int offerCount;

    void desire(List<App> apps) {
      desired = apps;
      byKey = new HashMap<>();
      apps.forEach(a -> byKey.put(a.key(), a));
    }

    @Override
    public List<App> desired() {
      return desired;
    }

    @Override
    public App app(String key) {
      return byKey.get(key);
    }

    @Override
    public String revision() {
      return "r1";
    }

    @Override
    public LiveState live() {
      return live;
    }

    @Override
    public List<Offer> offers() {
      return live.offers();
    }

    @Override
    public Map<String, Map<String, String>> agentFields() {
      return agents;
    }

    @Override
    public Map<String, AppHistory> history() {
      return history;
    }

    @Override
    public PlannerSettings settings() {
      return PlannerSettings.DEFAULT;
    }

    Offer offer(String agent) {
      Offer o =
          Offer.newBuilder()
              .setId(OfferID.newBuilder().setValue("o" + offerCount++))
              .setFrameworkId(FrameworkID.newBuilder().setValue("fw"))
              .setAgentId(AgentID.newBuilder().setValue(agent))
              .setHostname("host-" + agent)
              .setAllocationInfo(Resource.AllocationInfo.newBuilder().setRole("*"))
              .addResources(scalar("cpus", 2))
              .addResources(scalar("mem", 1000))
              .addResources(
                  Resource.newBuilder()
                      .setName("ports")
                      .setType(Value.Type.RANGES)
                      .setRanges(
                          Value.Ranges.newBuilder()
                              .addRange(Value.Range.newBuilder().setBegin(31000).setEnd(31100)))
                      .setAllocationInfo(Resource.AllocationInfo.newBuilder().setRole("*")))
              .build();
      agents.put(agent, Planner.agentFields(o));
      return o;
    }

    static Resource scalar(String name, double v) {
      return Resource.newBuilder()
          .setName(name)
          .setType(Value.Type.SCALAR)
          .setScalar(Value.Scalar.newBuilder().setValue(v))
          .setAllocationInfo(Resource.AllocationInfo.newBuilder().setRole("*"))
          .build();
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void decidesExactlyWhatAFullPassDecides(long seed) {
    Random random = new Random(seed);
    boolean deps = seed % 2 == 0; // every other seed with dependencies between the apps
    World world = new World();
    world.desire(apps(1, deps));
    IncrementalPlanner incremental = new IncrementalPlanner();
    Instant now = START;
    int[] versions = {1, 0, 0, 0, 0, 0};
    int version = 1;
    long partial = 0;
    long offersSeen = -1;
    for (int step = 0; step < 400; step++) {
      String what = event(random, world, incremental, now);
      List<App> before = world.desired;
      if (what.equals("time")) {
        now = now.plusMillis(1 + random.nextInt(90_000));
      } else if (what.equals("spec")) {
        // A commit that changes some of the apps (none, now and then: a commit of other files).
        for (int i = 0; i < versions.length; i++) {
          if (random.nextInt(3) == 0) {
            versions[i] = ++version;
          }
        }
        world.desire(apps(versions, deps));
        incremental.desiredChanged(before, world.desired);
      } else if (what.equals("restore")) {
        world.desire(apps(versions, deps));
        incremental.desiredChanged(before, world.desired);
      } else if (what.equals("remove")) {
        List<App> fewer = apps(versions, deps);
        fewer.remove(random.nextInt(fewer.size()));
        world.desire(fewer);
        incremental.desiredChanged(before, world.desired);
      }
      Plan full = fullPlan(world, step, now);
      if (world.live.offersVersion() != offersSeen) {
        offersSeen = world.live.offersVersion();
        incremental.offersChanged();
      }
      IncrementalPlanner.Result result = incremental.plan(world, step, now);
      Plan inc = result.plan();
      if (System.getenv("TRACE") != null && seed == Long.parseLong(System.getenv("TRACE"))) {
        System.out.println(
            step
                + " "
                + what
                + " now="
                + now
                + " full="
                + result.full()
                + " planned="
                + result.planned()
                + " wakeups="
                + full.wakeups()
                + " incnext="
                + inc.nextWakeup()
                + " kills="
                + inc.kills().stream().map(k -> k.appKey() + ":" + k.reason()).toList());
      }
      String where = "seed " + seed + " step " + step + " after " + what;
      assertThat(result.statuses()).as(where).isEqualTo(full.apps());
      assertThat(inc.launches()).as(where).isEqualTo(full.launches());
      assertThat(inc.kills()).as(where).isEqualTo(full.kills());
      assertThat(Set.copyOf(inc.declines())).as(where).isEqualTo(Set.copyOf(full.declines()));
      assertThat(sorted(inc.pending())).as(where).isEqualTo(sorted(full.pending()));
      assertThat(inc.cronEvents()).as(where).isEqualTo(full.cronEvents());
      assertThat(inc.backoffResets()).as(where).isEqualTo(full.backoffResets());
      assertThat(inc.nextWakeup()).as(where).isEqualTo(full.nextWakeup());
      assertThat(inc.heldPrune()).as(where).isEqualTo(full.heldPrune());
      if (!result.full()) {
        partial++;
      }
      apply(world, incremental, inc, now);
    }
    assertThat(partial).as("most passes plan only what changed").isGreaterThan(200);
  }

  @Test
  void oneStatusUpdatePlansOneApp() {
    World world = new World();
    world.desire(apps(1));
    IncrementalPlanner incremental = new IncrementalPlanner();
    world.live.addOffers(List.of(world.offer("a1"), world.offer("a2"), world.offer("a3")));
    Instant now = START;
    apply(world, incremental, incremental.plan(world, 1, now).plan(), now);
    incremental.plan(world, 2, now); // sees the launches it made
    LiveTask web = world.live.tasksOf("default/web").get(0);
    world.live.update(status(web, TaskState.TASK_RUNNING, true), now);
    incremental.touch("default/web");
    assertThat(incremental.touched()).containsExactly("default/web");

    IncrementalPlanner.Result result = incremental.plan(world, 3, now);
    assertThat(incremental.touched()).isEmpty();

    assertThat(result.full()).isFalse();
    assertThat(result.planned()).containsExactly("default/web");
    assertThat(result.statuses()).containsKeys("default/api", "default/solo");
  }

  @Test
  void aCommitPlansTheAppsItChangedWithTheirDependentsAndNothingWhenItChangedNone() {
    World world = new World();
    world.desire(apps(new int[] {1, 1, 1, 1, 1, 1}, true));
    IncrementalPlanner incremental = new IncrementalPlanner();
    world.live.addOffers(List.of(world.offer("a1"), world.offer("a2"), world.offer("a3")));
    apply(world, incremental, incremental.plan(world, 1, START).plan(), START);
    incremental.plan(world, 2, START); // sees the launches it made

    // The same manifests parsed again (a commit of other files): nothing to plan.
    List<App> before = world.desired;
    world.desire(apps(new int[] {1, 1, 1, 1, 1, 1}, true));
    assertThat(incremental.desiredChanged(before, world.desired)).isFalse();
    IncrementalPlanner.Result same = incremental.plan(world, 3, START);
    assertThat(same.full()).isFalse();
    assertThat(same.planned()).isEmpty();

    // The Job changes: it, solo that depends on it; api (depends on web) stays as it was.
    before = world.desired;
    world.desire(apps(new int[] {1, 1, 1, 1, 2, 1}, true));
    assertThat(incremental.desiredChanged(before, world.desired)).isFalse();
    IncrementalPlanner.Result one = incremental.plan(world, 4, START);
    assertThat(one.full()).isFalse();
    assertThat(one.planned()).containsExactlyInAnyOrder("default/migrate", "default/solo");
    assertThat(one.statuses()).isEqualTo(fullPlan(world, 4, START).apps());
  }

  @Test
  void aCommitThatAddsRemovesReordersAppsOrChangesDependenciesPlansEverything() {
    List<App> apps = apps(new int[] {1, 1, 1, 1, 1, 1}, true);
    assertThat(plannedOnce(apps).desiredChanged(null, apps)).as("the first snapshot").isTrue();
    List<App> fewer = new ArrayList<>(apps);
    fewer.remove(2);
    assertThat(plannedOnce(apps).desiredChanged(apps, fewer)).as("removed").isTrue();
    assertThat(plannedOnce(fewer).desiredChanged(fewer, apps)).as("added").isTrue();
    List<App> reordered = new ArrayList<>(apps);
    java.util.Collections.swap(reordered, 0, 1);
    assertThat(plannedOnce(apps).desiredChanged(apps, reordered)).as("reordered").isTrue();
    List<App> independent = apps(new int[] {1, 1, 1, 1, 1, 1}, false);
    assertThat(plannedOnce(apps).desiredChanged(apps, independent))
        .as("dependencies dropped")
        .isTrue();
    assertThat(plannedOnce(independent).desiredChanged(independent, apps))
        .as("dependencies added")
        .isTrue();
    // What an app depends on, not where the manifest says it: the same apps parsed again.
    assertThat(plannedOnce(apps).desiredChanged(apps, apps(new int[] {1, 1, 1, 1, 1, 1}, true)))
        .as("nothing changed")
        .isFalse();
    assertThat(
            new IncrementalPlanner().desiredChanged(apps, apps(new int[] {1, 1, 1, 1, 1, 1}, true)))
        .as("nothing changed, but no pass was made yet: the first plans everything")
        .isTrue();
  }

  /**
   * A planner that has made its first, full, pass over {@code apps}: it plans only what changes.
   */
  private static IncrementalPlanner plannedOnce(List<App> apps) {
    World world = new World();
    world.desire(apps);
    IncrementalPlanner incremental = new IncrementalPlanner();
    assertThat(incremental.plan(world, 1, START).full()).isTrue();
    return incremental;
  }

  @Test
  void aTouchedAppThatIsNoLongerDesiredPlansEverything() {
    World world = new World();
    world.desire(apps(1));
    IncrementalPlanner incremental = new IncrementalPlanner();
    world.live.addOffers(List.of(world.offer("a1"), world.offer("a2"), world.offer("a3")));
    apply(world, incremental, incremental.plan(world, 1, START).plan(), START);
    List<App> fewer = apps(1);
    fewer.removeIf(a -> a.key().equals("default/solo"));
    world.desire(fewer);
    incremental.plan(world, 2, START); // not told: still partial, and solo's tasks untouched
    incremental.touch("default/solo");

    IncrementalPlanner.Result result = incremental.plan(world, 3, START);

    assertThat(result.full()).isTrue();
    assertThat(result.plan().kills()).extracting(Plan.Kill::appKey).contains("default/solo");
  }

  @Test
  void aFullPassForgetsWhatNoLongerHoldsStatusesAndWakeUps() {
    World world = new World();
    world.desire(apps(1));
    IncrementalPlanner incremental = new IncrementalPlanner();
    world.live.addOffers(List.of(world.offer("a1"), world.offer("a2"), world.offer("a3")));
    apply(world, incremental, incremental.plan(world, 1, START).plan(), START);
    LiveTask solo = world.live.tasksOf("default/solo").get(0);
    world.live.killRequested(solo.id(), START);
    incremental.touch("default/solo");
    Instant retry = incremental.plan(world, 2, START).plan().nextWakeup();
    assertThat(retry).as("a kill to resend is due").isNotNull();

    // The app is removed and its task confirmed killed: nothing of it may linger.
    world.live.update(status(solo, TaskState.TASK_KILLED, null), START);
    world.live.forgetTerminal();
    List<App> fewer = apps(1);
    fewer.removeIf(a -> a.key().equals("default/solo"));
    world.desire(fewer);
    incremental.touchAll();
    IncrementalPlanner.Result result = incremental.plan(world, 3, START);
    Plan full = fullPlan(world, 3, START);
    assertThat(result.statuses()).doesNotContainKey("default/solo").isEqualTo(full.apps());
    assertThat(result.plan().nextWakeup()).isEqualTo(full.nextWakeup());
    assertThat(incremental.plan(world, 4, START).plan().nextWakeup()).isEqualTo(full.nextWakeup());
  }

  @Test
  void tasksOfNoAppMakeEveryPassFullAndAreNeverAPlannedKey() {
    World world = new World();
    world.desire(apps(1));
    IncrementalPlanner incremental = new IncrementalPlanner();
    world.live.update(
        TaskStatus.newBuilder()
            .setTaskId(TaskID.newBuilder().setValue("marathon.foreign"))
            .setState(TaskState.TASK_RUNNING)
            .setAgentId(AgentID.newBuilder().setValue("a1"))
            .build(),
        START);
    IncrementalPlanner.Result first = incremental.plan(world, 1, START);
    assertThat(first.planned()).doesNotContainNull().contains("default/web");
    assertThat(incremental.plan(world, 2, START).full()).isTrue();
  }

  /** What one pass over every app decides. */
  static Plan fullPlan(World world, long seed, Instant now) {
    return Planner.plan(
        new Planner.Input(
            "r1",
            world.desired,
            world.live.tasks(),
            world.live.offers(),
            world.agents,
            world.history,
            PlannerSettings.DEFAULT,
            seed),
        now);
  }

  private static List<String> sorted(List<Plan.Pending> pending) {
    return pending.stream()
        .map(p -> p.appKey() + " " + p.specHash() + " " + p.count() + " " + p.role())
        .sorted()
        .collect(Collectors.toList());
  }

  /** One random event, applied to the world with the touches the controller makes. */
  private static String event(
      Random random, World world, IncrementalPlanner incremental, Instant now) {
    int dice = random.nextInt(100);
    List<LiveTask> tasks =
        world.live.tasks().stream()
            .filter(t -> !t.terminal())
            .sorted(Comparator.comparing(LiveTask::id))
            .toList();
    if (dice < 15) {
      List<Offer> offers = new ArrayList<>();
      for (int i = random.nextInt(3); i >= 0; i--) {
        offers.add(world.offer("a" + random.nextInt(4)));
      }
      world.live.addOffers(offers);
      return "offers";
    }
    if (dice < 30) {
      return "time";
    }
    if (dice < 33) {
      return "spec";
    }
    if (dice < 35) {
      return "remove";
    }
    if (dice < 37) {
      return "restore";
    }
    if (tasks.isEmpty()) {
      return "nothing";
    }
    LiveTask t = tasks.get(random.nextInt(tasks.size()));
    TaskState state;
    Boolean healthy = null;
    int kind = random.nextInt(100);
    if (t.killRequestedAt() != null && kind < 60) {
      state = TaskState.TASK_KILLED;
    } else if (kind < 55) {
      state = TaskState.TASK_RUNNING;
      healthy = random.nextInt(4) == 0 ? Boolean.FALSE : random.nextBoolean() ? true : null;
    } else if (kind < 70) {
      state = TaskState.TASK_FAILED;
    } else if (kind < 82) {
      state = TaskState.TASK_FINISHED;
    } else if (kind < 90) {
      state = TaskState.TASK_UNREACHABLE;
    } else {
      state = TaskState.TASK_STARTING;
    }
    LiveTask after = world.live.update(status(t, state, healthy), now);
    incremental.touch(after.appKey());
    if (after.terminal()) {
      recordEnd(world, after, now);
      world.live.forgetTerminal();
    }
    return "update";
  }

  /** What the controller records of a task's end, in short. */
  private static void recordEnd(World world, LiveTask task, Instant now) {
    App app = world.byKey.get(task.appKey());
    AppHistory h = world.history.getOrDefault(task.appKey(), AppHistory.EMPTY);
    boolean expected = task.killRequestedAt() != null || task.state() == TaskState.TASK_KILLED;
    if (app instanceof Job || app instanceof CronJob) {
      if (task.state() == TaskState.TASK_FINISHED) {
        world.history.put(
            task.appKey(), h.withSuccess(app instanceof Job ? task.specHash() : null));
      } else if (!expected) {
        world.history.put(task.appKey(), h.withFailedAttempt(task.specHash(), now));
      }
    } else if (!expected && app != null) {
      // As the controller: a Service's failures count per spec too.
      world.history.put(
          task.appKey(), h.withFailedAttempt(task.specHash() == null ? "" : task.specHash(), now));
    }
  }

  /** What the controller does with a plan, with the touches it makes. */
  private static void apply(World world, IncrementalPlanner incremental, Plan plan, Instant now) {
    for (Plan.Launch l : plan.launches()) {
      world.live.launching(l.taskId(), l.agentId(), l.host(), l.ports(), now);
      world.live.removeOffer(l.offerId());
      incremental.touch(l.appKey());
    }
    plan.declines().forEach(world.live::removeOffer);
    for (Plan.Kill k : plan.kills()) {
      world.live.killRequested(k.taskId(), now);
      incremental.touch(k.appKey());
    }
    for (Plan.CronEvent c : plan.cronEvents()) {
      world.history.put(
          c.appKey(),
          world
              .history
              .getOrDefault(c.appKey(), AppHistory.EMPTY)
              .withCronFire(c.fireTime(), c.started()));
      incremental.touch(c.appKey());
    }
    for (String key : plan.backoffResets()) {
      AppHistory h = world.history.get(key);
      if (h != null && h.consecutiveFailures() > 0) {
        world.history.put(key, h.withRecovery());
        incremental.touch(key);
      }
    }
  }

  /** A persistent volume Telos made for instance 0 of {@code appKey}, as an offer carries it. */
  static Resource volumeOf(String appKey) {
    return World.scalar("disk", 64).toBuilder()
        .addReservations(
            Resource.ReservationInfo.newBuilder()
                .setType(Resource.ReservationInfo.Type.DYNAMIC)
                .setRole("*")
                .setLabels(
                    org.apache.mesos.v1.Protos.Labels.newBuilder()
                        .addLabels(
                            org.apache.mesos.v1.Protos.Label.newBuilder()
                                .setKey("telos.dev/app")
                                .setValue(appKey))))
        .setDisk(
            Resource.DiskInfo.newBuilder()
                .setPersistence(Resource.DiskInfo.Persistence.newBuilder().setId("v-" + appKey)))
        .build();
  }

  @Test
  void theVolumesOfADeletedAppGoBackOnlyFromDeclinedOffersAndNeverWhileAPruneIsHeld() {
    World world = new World();
    App a = service("a", 1, "");
    App b = service("b", 1, "");
    for (App app : List.of(a, b)) {
      world.live.update(
          TaskStatus.newBuilder()
              .setTaskId(
                  TaskID.newBuilder()
                      .setValue(
                          dev.telos.cluster.TaskIds.of(
                              "default", app.metadata().name(), app.specHash(), START, "x")))
              .setState(TaskState.TASK_RUNNING)
              .setAgentId(AgentID.newBuilder().setValue("a1"))
              .build(),
          START);
    }
    Offer offer = world.offer("a1").toBuilder().addResources(volumeOf("default/gone")).build();
    world.live.addOffers(List.of(offer));
    world.desire(List.of()); // a commit that deletes every app: its prune is held
    IncrementalPlanner incremental = new IncrementalPlanner();
    IncrementalPlanner.Result held = incremental.plan(world, 1, START);
    assertThat(held.plan().heldPrune()).isNotNull();
    assertThat(held.releases()).as("nothing is destroyed while a prune is held").isEmpty();

    world.desire(List.of(a, b)); // they come back; only the deleted app's volume goes
    incremental.touchAll();
    IncrementalPlanner.Result released = incremental.plan(world, 2, START);
    assertThat(released.plan().heldPrune()).isNull();
    assertThat(released.releases())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.appKeys()).containsExactly("default/gone");
              assertThat(r.offerId()).isEqualTo(offer.getId().getValue());
            });
    assertThat(released.plan().declines())
        .as("the offer is accepted for the release, not declined")
        .doesNotContain(offer.getId().getValue());
  }

  @Test
  void volumesOfADeletedAppThatNoOfferBringsKeepOffersComingUntilTheyDo() {
    World world =
        new World() {
          @Override
          public Map<String, dev.telos.reconcile.VolumeRecord> volumes() {
            return Map.of(
                "default/gone#0",
                new dev.telos.reconcile.VolumeRecord("a7", true, START, "data"),
                "default/web#0",
                new dev.telos.reconcile.VolumeRecord("a1", true, START, "data"));
          }
        };
    world.desire(List.of(service("web", 1, "")));
    IncrementalPlanner.Result r = new IncrementalPlanner().plan(world, 1, START);
    assertThat(r.releases()).isEmpty();
    assertThat(r.plan().pending())
        .filteredOn(p -> p.appKey().equals("default/gone"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.reason())
                  .isEqualTo(
                      "persistent volumes of a deleted app: released once an offer of agent a7"
                          + " holds them");
              assertThat(p.role()).isEqualTo("data");
            });
    assertThat(r.plan().pending())
        .as("an app still desired keeps its volumes")
        .noneMatch(p -> p.appKey().equals("default/web") && p.reason().startsWith("persistent"));
  }

  @Test
  void beforeAnyCommitThereIsNothingToRelease() {
    World world =
        new World() {
          @Override
          public Map<String, dev.telos.reconcile.VolumeRecord> volumes() {
            return Map.of(
                "default/gone#0", new dev.telos.reconcile.VolumeRecord("a7", true, START, "data"));
          }
        };
    IncrementalPlanner.Result r = new IncrementalPlanner().plan(world, 1, START);
    assertThat(r).isNotNull();
    assertThat(r.releases()).isEmpty();
    assertThat(r.plan().pending()).isEmpty();
  }

  static TaskStatus status(LiveTask t, TaskState state, Boolean healthy) {
    TaskStatus.Builder b =
        TaskStatus.newBuilder()
            .setTaskId(TaskID.newBuilder().setValue(t.id()))
            .setState(state)
            .setAgentId(AgentID.newBuilder().setValue(t.agentId() == null ? "a0" : t.agentId()));
    if (healthy != null) {
      b.setHealthy(healthy);
    }
    return b.build();
  }
}
