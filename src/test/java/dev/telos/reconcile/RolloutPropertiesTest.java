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

  /** The health of the i-th task: true, false, or null (checked, no result yet). */
  private static Boolean healthy(List<Boolean> health, int i) {
    return health.isEmpty() ? Boolean.TRUE : health.get(i % health.size());
  }
}
