package dev.telos.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.cluster.LiveTask;
import dev.telos.manifest.App;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.mesos.v1.Protos.TaskState;

/** Invariants of rollouts, over random sizes, strategies and health. */
class RolloutPropertiesTest {

  @Property(tries = 400)
  void aRolloutStaysWithinSurgeAndUnavailability(
      @ForAll @IntRange(min = 0, max = 8) int instances,
      @ForAll @IntRange(min = 0, max = 3) int surge,
      @ForAll @IntRange(min = 0, max = 3) int unavailable,
      @ForAll @IntRange(min = 0, max = 8) int oldTasks,
      @ForAll @IntRange(min = 0, max = 8) int newTasks,
      @ForAll List<@net.jqwik.api.constraints.WithNull(0.3) Boolean> health) {
    if (surge + unavailable == 0) {
      surge = 1;
    }
    String strategy =
        "  upgrade: {maxSurge: "
            + surge
            + ", maxUnavailable: "
            + unavailable
            + "}\n"
            + "  healthCheck: {type: COMMAND, command: 'true'}\n";
    App v1 = PlannerFixture.service("web", instances, strategy);
    App v2 = PlannerFixture.service("web", instances, strategy + "  env: {V: '2'}\n");
    PlannerFixture f = new PlannerFixture();
    f.with(v2).offer("a1", 1000, 100_000, 1, 0);
    int i = 0;
    for (int k = 0; k < oldTasks; k++) {
      f.task(v1, v1.specHash(), TaskState.TASK_RUNNING, healthy(health, i++), "a1", 10 + k);
    }
    for (int k = 0; k < newTasks; k++) {
      f.task(v2, v2.specHash(), TaskState.TASK_RUNNING, healthy(health, i++), "a1", k);
    }
    Plan plan = f.plan();
    List<String> killed = plan.kills().stream().map(Plan.Kill::taskId).toList();
    List<LiveTask> kept = f.tasks.stream().filter(t -> !killed.contains(t.id())).toList();
    // Available as the planner counts it: a new-spec task once its check passed; an old-spec task
    // unless it failed its check (the planner cannot tell an old task whose spec had no check
    // from one whose check has not reported yet, and killing every unchecked old task at once
    // would be an outage).
    java.util.function.Predicate<LiveTask> available =
        t ->
            v2.specHash().equals(t.specHash())
                ? Boolean.TRUE.equals(t.healthy())
                : !Boolean.FALSE.equals(t.healthy());
    long availableBefore = f.tasks.stream().filter(available).count();
    long availableAfter = kept.stream().filter(available).count();
    int totalAfter = kept.size() + plan.launches().size();

    // Never above instances + maxSurge when the plan adds tasks: the tasks it kills may still
    // run until their end is confirmed, so they count too.
    if (!plan.launches().isEmpty()) {
      assertThat(totalAfter).isLessThanOrEqualTo(instances + surge);
      assertThat(f.tasks.size() + plan.launches().size()).isLessThanOrEqualTo(instances + surge);
    }
    // Health not yet known (null) is never taken for healthy.
    assertThat(plan.apps().get(v2.key()).healthy())
        .isLessThanOrEqualTo(
            (int)
                f.tasks.stream()
                    .filter(t -> v2.specHash().equals(t.specHash()))
                    .filter(t -> Boolean.TRUE.equals(t.healthy()))
                    .count());
    // Never below instances - maxUnavailable healthy by its own kills of healthy tasks.
    long healthyKilled = availableBefore - availableAfter;
    if (healthyKilled > 0) {
      assertThat(availableAfter).isGreaterThanOrEqualTo(Math.max(0, instances - unavailable));
    }
    // Identical inputs, identical plans.
    assertThat(f.plan()).isEqualTo(plan);
  }

  static App pod(int instances, int surge, int unavailable, String version) {
    return PlannerFixture.app(
        "apiVersion: telos.dev/v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
            + "  instances: "
            + instances
            + "\n  upgrade: {maxSurge: "
            + surge
            + ", maxUnavailable: "
            + unavailable
            + "}\n  containers:\n"
            + "    - name: app\n      command: exec serve "
            + version
            + "\n      resources: {cpus: 0.1, mem: 10}\n"
            + "      healthCheck: {type: COMMAND, command: 'true'}\n"
            + "    - name: side\n      command: exec side\n      resources: {cpus: 0.1, mem: 10}\n");
  }

  /** A running pod of {@code app}: one task per container, the app's with {@code healthy}. */
  static void pod(PlannerFixture f, App app, int k, int minutesAgo, Boolean healthy) {
    java.time.Instant at = PlannerFixture.NOW.minusSeconds(60L * minutesAgo);
    String group = dev.telos.cluster.TaskIds.of("default", "web", app.specHash(), at, "g" + k);
    for (String c : List.of("app", "side")) {
      f.tasks.add(
          new LiveTask(
              dev.telos.cluster.TaskIds.member(group, c),
              app.key(),
              app.specHash(),
              at,
              TaskState.TASK_RUNNING,
              c.equals("app") ? healthy : null,
              "a1",
              "host-a1",
              List.of(),
              null,
              null,
              null,
              at,
              c.equals("app") && Boolean.TRUE.equals(healthy) ? at : null,
              false));
    }
  }

  @Property(tries = 300)
  void aPodRolloutMovesWholePodsWithinSurgeAndUnavailability(
      @ForAll @IntRange(min = 0, max = 6) int instances,
      @ForAll @IntRange(min = 0, max = 3) int surge,
      @ForAll @IntRange(min = 0, max = 3) int unavailable,
      @ForAll @IntRange(min = 0, max = 6) int oldPods,
      @ForAll @IntRange(min = 0, max = 6) int newPods,
      @ForAll List<@net.jqwik.api.constraints.WithNull(0.3) Boolean> health) {
    if (surge + unavailable == 0) {
      surge = 1;
    }
    App v1 = pod(instances, surge, unavailable, "1");
    App v2 = pod(instances, surge, unavailable, "2");
    PlannerFixture f = new PlannerFixture();
    f.with(v2).offer("a1", 1000, 100_000, 1, 0);
    int i = 0;
    java.util.Map<String, Boolean> groupHealth = new java.util.HashMap<>();
    for (int k = 0; k < oldPods + newPods; k++) {
      App app = k < oldPods ? v1 : v2;
      Boolean h = healthy(health, i++);
      pod(f, app, k, k < oldPods ? 10 + k : k, h);
    }
    for (LiveTask t : f.tasks) {
      if (dev.telos.cluster.TaskIds.containerOf(t.id()).equals("app")) {
        groupHealth.put(dev.telos.cluster.TaskIds.groupOf(t.id()), t.healthy());
      }
    }
    Plan plan = f.plan();
    java.util.Set<String> killed = new java.util.HashSet<>();
    plan.kills().forEach(k -> killed.add(k.taskId()));
    java.util.Set<String> killedGroups = new java.util.HashSet<>();
    killed.forEach(id -> killedGroups.add(dev.telos.cluster.TaskIds.groupOf(id)));
    // A pod is killed whole: every task of a killed pod is killed.
    for (LiveTask t : f.tasks) {
      if (killedGroups.contains(dev.telos.cluster.TaskIds.groupOf(t.id()))) {
        assertThat(killed).contains(t.id());
      }
    }
    // Launched whole: one task per container under each new executor.
    java.util.Map<String, Long> perGroup =
        plan.launches().stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    l -> l.group().getExecutorId().getValue(),
                    java.util.stream.Collectors.counting()));
    assertThat(perGroup.values()).allMatch(n -> n == 2);
    int pods = oldPods + newPods;
    if (!plan.launches().isEmpty()) {
      assertThat(pods + perGroup.size()).isLessThanOrEqualTo(instances + surge);
    }
    java.util.function.Predicate<String> available =
        g ->
            g.contains("." + v2.specHash() + ".")
                ? Boolean.TRUE.equals(groupHealth.get(g))
                : !Boolean.FALSE.equals(groupHealth.get(g));
    long before = groupHealth.keySet().stream().filter(available).count();
    long after =
        groupHealth.keySet().stream()
            .filter(g -> !killedGroups.contains(g))
            .filter(available)
            .count();
    if (before > after) {
      assertThat(after).isGreaterThanOrEqualTo(Math.max(0, instances - unavailable));
    }
    assertThat(f.plan()).isEqualTo(plan);
  }

  @Property(tries = 300)
  void aResidentRolloutNeverPutsTwoTasksOnOneVolume(
      @ForAll @IntRange(min = 1, max = 5) int instances,
      @ForAll @IntRange(min = 1, max = 3) int unavailable,
      @ForAll List<@IntRange(min = 0, max = 2) Integer> tasks) {
    String spec =
        "  role: data\n  upgrade: {maxUnavailable: "
            + unavailable
            + "}\n  container:\n    type: MESOS\n"
            + "    volumes: [{containerPath: d, persistent: {size: 10}}]\n";
    App v1 = PlannerFixture.service("db", instances, spec);
    App v2 = PlannerFixture.service("db", instances, spec + "  env: {V: '2'}\n");
    PlannerFixture f = new PlannerFixture();
    f.with(v2);
    org.apache.mesos.v1.Protos.Offer.Builder offer =
        org.apache.mesos.v1.Protos.Offer.newBuilder()
            .setId(org.apache.mesos.v1.Protos.OfferID.newBuilder().setValue("o1"))
            .setFrameworkId(org.apache.mesos.v1.Protos.FrameworkID.newBuilder().setValue("fw"))
            .setAgentId(org.apache.mesos.v1.Protos.AgentID.newBuilder().setValue("a1"))
            .setHostname("host-a1")
            .setAllocationInfo(
                org.apache.mesos.v1.Protos.Resource.AllocationInfo.newBuilder().setRole("data"))
            .addResources(ResidentPlanningTest.scalar("cpus", 100))
            .addResources(ResidentPlanningTest.scalar("mem", 100_000))
            .addResources(ResidentPlanningTest.scalar("disk", 100_000));
    java.util.Map<String, VolumeRecord> records = new java.util.HashMap<>();
    java.util.Set<Integer> live = new java.util.HashSet<>();
    // Each instance: no task (0), an old-spec task (1) or a new-spec task (2); its volumes are
    // offered when it has no task.
    for (int n = 0; n < instances; n++) {
      int what = tasks.isEmpty() ? 0 : tasks.get(n % tasks.size());
      records.put(
          Resident.key(v2.key(), n),
          new VolumeRecord("a1", true, PlannerFixture.NOW.minusSeconds(3600), "data"));
      if (what == 0) {
        offer.addResources(
            Resident.reserveAndCreate(v2, n, List.of(ResidentPlanningTest.scalar("disk", 10)))
                .get(1)
                .getCreate()
                .getVolumes(0));
        continue;
      }
      App app = what == 1 ? v1 : v2;
      java.time.Instant at = PlannerFixture.NOW.minusSeconds(600 + n);
      f.tasks.add(
          new LiveTask(
              dev.telos.cluster.TaskIds.resident(
                  dev.telos.cluster.TaskIds.of("default", "db", app.specHash(), at, "t" + n), n),
              app.key(),
              app.specHash(),
              at,
              TaskState.TASK_RUNNING,
              null,
              "a1",
              "host-a1",
              List.of(),
              null,
              null,
              null,
              at,
              null,
              false));
      live.add(n);
    }
    f.offers.add(offer.build());
    Plan plan = f.plan(java.util.Map.of(), records);
    for (Plan.Launch l : plan.launches()) {
      int n = dev.telos.cluster.TaskIds.instanceOf(l.taskId());
      assertThat(live).as("instance %d has a task already", n).doesNotContain(n);
    }
    assertThat(plan.launches().stream().map(l -> dev.telos.cluster.TaskIds.instanceOf(l.taskId())))
        .doesNotHaveDuplicates();
    assertThat(plan.reserves()).as("every instance has volumes already").isEmpty();
    assertThat(f.tasks.size() + plan.launches().size()).isLessThanOrEqualTo(instances);
  }

  /** The health of the i-th task: true, false, or null (checked, no result yet). */
  private static Boolean healthy(List<Boolean> health, int i) {
    return health.isEmpty() ? Boolean.TRUE : health.get(i % health.size());
  }
}
