package dev.telos.reconcile;

import static dev.telos.reconcile.PlannerFixture.NOW;
import static dev.telos.reconcile.PlannerFixture.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.cluster.LiveTask;
import dev.telos.manifest.App;
import org.apache.mesos.v1.Protos.TaskState;
import org.junit.jupiter.api.Test;

/**
 * Planner cases that mutation testing found no test for: kill retries of a service, tasks being
 * killed counting against the surge, the prune fraction with orphans, no held prune by default.
 */
class PlannerSurvivorsTest {
  final PlannerFixture f = new PlannerFixture();

  /** A task of {@code app} whose kill was asked for {@code secondsAgo} before NOW. */
  LiveTask killing(App app, String hash, int secondsAgo) {
    LiveTask t = f.task(app, hash, TaskState.TASK_RUNNING, null, "a1", 10);
    f.tasks.remove(t);
    LiveTask k = t.withKillRequestedAt(NOW.minusSeconds(secondsAgo));
    f.tasks.add(k);
    return k;
  }

  @Test
  void aServiceTaskWhoseKillWasNeverConfirmedIsKilledAgainOnceItsGraceAndRetryPassed() {
    App web = service("web", 1, "  killGracePeriod: 10s\n");
    f.with(web);
    f.running(web, "a1", 5);
    // Asked 100 s ago: past 10 s of grace plus the 60 s retry.
    LiveTask stuck = killing(web, web.specHash(), 100);
    Plan plan = f.plan();
    assertThat(plan.kills())
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.taskId()).isEqualTo(stuck.id());
              assertThat(k.reason()).contains("sent again");
            });
    // Asked 30 s ago: not yet; the plan wakes when it is due.
    PlannerFixture g = new PlannerFixture();
    g.with(web);
    g.running(web, "a1", 5);
    LiveTask recent =
        g.task(web, web.specHash(), TaskState.TASK_RUNNING, null, "a1", 10)
            .withKillRequestedAt(NOW.minusSeconds(30));
    g.tasks.remove(g.tasks.size() - 1);
    g.tasks.add(recent);
    Plan later = g.plan();
    assertThat(later.kills()).isEmpty();
    assertThat(later.wakeups().get("default/web")).isEqualTo(NOW.plusSeconds(40));
  }

  @Test
  void aTaskStillBeingKilledCountsAgainstTheSurge() {
    // 2 instances, maxSurge 1: one of the new spec up, one old one up, and one old one whose
    // kill is not confirmed. Three may run, so no launch until the stopping one has stopped.
    App v2 = service("web", 2, "  upgrade: {maxSurge: 1, maxUnavailable: 0}\n");
    f.with(v2).offer("a1", 8, 8000, 1, 0);
    f.running(v2, "a1", 5);
    f.task(v2, "old-spec", TaskState.TASK_RUNNING, null, "a1", 60);
    killing(v2, "old-spec", 1);
    Plan plan = f.plan();
    assertThat(plan.launches()).isEmpty();
    assertThat(plan.apps().get("default/web").status()).isEqualTo("Progressing");
  }

  @Test
  void orphansCountInThePruneFractionOnBothSides() {
    // Four apps run, one is removed, and one task belongs to no app: 2 of 5 go (40 %), under
    // --max-prune 50 %, so both are killed.
    App a = service("a", 1, "");
    App b = service("b", 1, "");
    App c = service("c", 1, "");
    App d = service("d", 1, "");
    f.with(a).with(b).with(c);
    f.running(a, "a1", 1);
    f.running(b, "a1", 1);
    f.running(c, "a1", 1);
    f.running(d, "a1", 1);
    f.orphan("orphan-1");
    Plan plan = f.plan();
    assertThat(plan.heldPrune()).isNull();
    assertThat(plan.kills()).hasSize(2);
  }

  @Test
  void aPlanWithNothingToPruneHoldsNothing() {
    App a = service("a", 1, "");
    f.with(a);
    f.running(a, "a1", 1);
    assertThat(f.plan().heldPrune()).isNull();
  }

  @Test
  void theLaunchBudgetIsNeverNegativeWithMoreTasksThanTheSurgeAllows() {
    App web = service("web", 1, "");
    f.with(web).offer("a1", 8, 8000, 1, 0);
    f.running(web, "a1", 5);
    f.running(web, "a1", 6);
    f.running(web, "a1", 7);
    Plan plan = f.plan();
    assertThat(plan.launches()).isEmpty();
    assertThat(plan.kills()).hasSize(2);
    assertThat(plan.apps().get("default/web").status()).isEqualTo("Progressing");
    assertThat(plan.apps().get("default/web").desired()).isEqualTo(1);
  }

  LiveTask healthy(App app, String hash, int minutesAgo) {
    return f.task(app, hash, TaskState.TASK_RUNNING, true, "a1", minutesAgo);
  }

  static final String CHECKED =
      "  healthCheck: {type: COMMAND, command: 'true', interval: 1s, gracePeriod: 10s}\n";

  @Test
  void inARolloutAnUnavailableOldTaskGoesAtOnceAndAvailableOnesOldestFirst() {
    App v2 = service("web", 3, "  upgrade: {maxSurge: 0, maxUnavailable: 1}\n" + CHECKED);
    f.with(v2);
    // Newest first in the input: the plan must still pick the oldest available one.
    LiveTask newer = healthy(v2, "old-spec", 10);
    LiveTask older = healthy(v2, "old-spec", 50);
    LiveTask sick = f.task(v2, "old-spec", TaskState.TASK_RUNNING, false, "a1", 30);
    Plan plan = f.plan();
    assertThat(plan.kills())
        .extracting(Plan.Kill::taskId)
        .contains(sick.id())
        .doesNotContain(newer.id());
    assertThat(plan.kills())
        .filteredOn(k -> k.taskId().equals(sick.id()))
        .singleElement()
        .satisfies(k -> assertThat(k.reason()).contains("not available"));
    // 3 wanted, maxUnavailable 1: of 3 available (one new, two old) one may go: the oldest.
    PlannerFixture g = new PlannerFixture();
    g.with(v2);
    LiveTask n1 = g.task(v2, "old-spec", TaskState.TASK_RUNNING, true, "a1", 10);
    LiveTask o1 = g.task(v2, "old-spec", TaskState.TASK_RUNNING, true, "a1", 50);
    g.task(v2, v2.specHash(), TaskState.TASK_RUNNING, true, "a1", 1);
    Plan rolling = g.plan();
    assertThat(rolling.kills()).extracting(Plan.Kill::taskId).containsExactly(o1.id());
    assertThat(rolling.kills().get(0).reason()).contains("rolling update");
    assertThat(n1).isNotNull();
  }

  @Test
  void onlyTasksNotBeingKilledCountAsHealthy() {
    App web = service("web", 2, CHECKED);
    f.with(web);
    healthy(web, web.specHash(), 5);
    healthy(web, web.specHash(), 6);
    LiveTask t = healthy(web, web.specHash(), 7);
    f.tasks.remove(t);
    f.tasks.add(t.withKillRequestedAt(NOW.minusSeconds(1)));
    assertThat(f.plan().apps().get("default/web").healthy()).isEqualTo(2);
  }

  @Test
  void anAppAtFullStrengthAfterFailuresIsNotBackingOff() {
    App web = service("web", 1, "");
    f.with(web);
    f.running(web, "a1", 1);
    // Five failures, the last a second ago: a launch would wait out the backoff, but none is due.
    f.history.put(
        web.key(), new AppHistory(5, NOW.minusSeconds(1), java.util.Set.of(), 0, null, null));
    Plan.AppStatus s = f.plan().apps().get("default/web");
    assertThat(s.message()).isNull();
    assertThat(s.nextLaunchAt()).isNull();
  }

  @Test
  void anAppWaitingForOffersSaysSoAndARecoveringTaskIsNamed() {
    App web = service("web", 1, "");
    f.with(web);
    assertThat(f.plan().apps().get("default/web").message()).startsWith("waiting for offers");

    PlannerFixture g = new PlannerFixture();
    App two = service("two", 1, "");
    g.with(two);
    LiveTask t = g.running(two, "a1", 1);
    g.tasks.remove(t);
    g.tasks.add(t.asRecovering());
    assertThat(g.plan().apps().get("default/two").message())
        .contains("1 task(s) recovering")
        .contains("not replaced");
    PlannerFixture h = new PlannerFixture();
    h.with(two);
    h.running(two, "a1", 1);
    assertThat(h.plan().apps().get("default/two").message()).isNull();
  }

  @Test
  void aJobsFirstAttemptSaysNothingAndAFailureOfAnotherSpecDoesNotDelayIt() {
    App job = JobPlannerTest.job();
    f.with(job);
    f.running(job, "a1", 1);
    assertThat(f.plan().apps().get(job.key()).message()).as("attempt 1 is not news").isNull();

    PlannerFixture g = new PlannerFixture();
    g.with(job).offer("a1", 4, 1000, 1, 0);
    // The last failure was of another spec a moment ago: this spec has no failed attempt.
    g.history.put(
        job.key(), new AppHistory(1, NOW.minusSeconds(1), java.util.Set.of(), 1, "other", null));
    Plan plan = g.plan();
    assertThat(plan.launches()).hasSize(1);
    assertThat(plan.apps().get(job.key()).message()).isNull();

    PlannerFixture h = new PlannerFixture();
    h.with(job);
    assertThat(h.plan().apps().get(job.key()).message()).isEqualTo("waiting for offers");
  }

  @Test
  void aLaunchThatTimedOutCountsAgainstTheSurgeUntilItsKillIsConfirmed() {
    App web = service("web", 2, "  upgrade: {maxSurge: 0, maxUnavailable: 1}\n");
    f.with(web).offer("a1", 8, 8000, 1, 0);
    f.running(web, "a1", 1);
    // Staging for 10 minutes, past the 5-minute launch timeout: killed, but it may still start.
    LiveTask stuck = f.task(web, web.specHash(), TaskState.TASK_STAGING, null, "a1", 10);
    Plan plan = f.plan();
    assertThat(plan.kills()).extracting(Plan.Kill::taskId).containsExactly(stuck.id());
    assertThat(plan.launches()).as("no surge allowed while it may still run").isEmpty();
  }

  @Test
  void orphansCountAmongTheTasksThatWouldGo() {
    // Two apps run, one is removed, and one task belongs to no app: 2 of 3 would go (67 %),
    // over --max-prune 50 %: held, nothing killed.
    App a = service("a", 1, "");
    App b = service("b", 1, "");
    f.with(a);
    f.running(a, "a1", 1);
    f.running(b, "a1", 1);
    f.orphan("orphan-2");
    Plan plan = f.plan();
    assertThat(plan.heldPrune()).isNotNull();
    assertThat(plan.kills()).isEmpty();
  }

  @Test
  void aLaunchSaysWhetherItScalesOrRollsOut() {
    App web = service("web", 2, "");
    f.with(web).offer("a1", 8, 8000, 1, 0);
    assertThat(f.plan().launches()).extracting(Plan.Launch::reason).containsOnly("scale to 2");
    // A rollout with maxSurge 1: one new task beside the two old ones, not the two it needs.
    PlannerFixture g = new PlannerFixture();
    g.with(web).offer("a1", 8, 8000, 1, 0);
    healthyIn(g, web, "old-spec", 30);
    healthyIn(g, web, "old-spec", 31);
    assertThat(g.plan().launches())
        .extracting(Plan.Launch::reason)
        .containsExactly("rolling update to spec " + web.specHash());
  }

  static void healthyIn(PlannerFixture g, App app, String hash, int minutesAgo) {
    g.task(app, hash, TaskState.TASK_RUNNING, true, "a1", minutesAgo);
  }
}
