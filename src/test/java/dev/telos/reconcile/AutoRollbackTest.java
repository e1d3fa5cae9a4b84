package dev.telos.reconcile;

import static dev.telos.reconcile.PlannerFixture.NOW;
import static dev.telos.reconcile.PlannerFixture.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.manifest.App;
import dev.telos.manifest.Service;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** upgrade.autoRollback: a rollout whose new tasks keep failing goes back to the spec before. */
class AutoRollbackTest {
  static final String ROLLBACK = "  upgrade: {autoRollback: {afterFailures: 2}}\n";
  final App v1 = service("web", 2, ROLLBACK);
  final App v2 = service("web", 2, ROLLBACK + "  env: {V: '2'}\n");
  final PlannerFixture f = new PlannerFixture();

  Plan plan(Map<String, App> previous) {
    return f.plan(previous, Map.of());
  }

  AppHistory failed(String spec, int times) {
    AppHistory h = AppHistory.EMPTY;
    for (int i = 0; i < times; i++) {
      h = h.withFailedAttempt(spec, NOW.minusSeconds(600));
    }
    return h;
  }

  @Test
  void theBindersDefaultIsThreeFailuresAndNoneWithoutTheField() {
    assertThat(((Service) v1).upgrade().rollbackAfter()).isEqualTo(2);
    assertThat(
            ((Service) service("web", 1, "  upgrade: {maxSurge: 2, autoRollback: {}}\n"))
                .upgrade()
                .rollbackAfter())
        .isEqualTo(3);
    assertThat(((Service) service("web", 1, "")).upgrade().rollbackAfter()).isZero();
  }

  @Test
  void belowTheThresholdTheRolloutGoesOn() {
    f.with(v2).offer("a1", 4, 1000, 1, 0);
    f.running(v1, "a1", 10);
    f.running(v1, "a1", 9);
    f.history.put(v2.key(), failed(v2.specHash(), 1));
    Plan plan = plan(Map.of(v2.key(), v1));
    assertThat(plan.rollbacks()).isEmpty();
    assertThat(plan.launches())
        .singleElement()
        .satisfies(l -> assertThat(l.taskId()).contains(v2.specHash()));
  }

  @Test
  void atTheThresholdItRollsBackKillsTheNewTasksAndKeepsTheOld() {
    f.with(v2).offer("a1", 4, 1000, 1, 0);
    f.running(v1, "a1", 10);
    f.running(v1, "a1", 9);
    var failing = f.running(v2, "a1", 0);
    f.history.put(v2.key(), failed(v2.specHash(), 2));
    Plan plan = plan(Map.of(v2.key(), v1));
    assertThat(plan.rollbacks())
        .containsExactly(new Plan.Rollback(v2.key(), v2.specHash(), v1.specHash(), 2));
    assertThat(plan.kills())
        .singleElement()
        .satisfies(k -> assertThat(k.taskId()).isEqualTo(failing.id()));
    assertThat(plan.launches()).isEmpty();
    Plan.AppStatus status = plan.apps().get(v2.key());
    assertThat(status.status()).isEqualTo("RolledBack");
    assertThat(status.message())
        .isEqualTo(
            "rolled back to spec "
                + v1.specHash()
                + " after tasks of spec "
                + v2.specHash()
                + " failed 2 time(s); git still asks for "
                + v2.specHash()
                + ": commit a fix or a revert to go on");
  }

  @Test
  void onceRolledBackItStaysBackUntilGitChangesTheApp() {
    f.with(v2).offer("a1", 4, 1000, 1, 0);
    f.running(v1, "a1", 10);
    f.history.put(v2.key(), AppHistory.EMPTY.withRollback(v2.specHash()));
    Plan back = plan(Map.of(v2.key(), v1));
    assertThat(back.rollbacks()).as("recorded already").isEmpty();
    assertThat(back.launches())
        .as("the second instance of the spec before")
        .singleElement()
        .satisfies(l -> assertThat(l.taskId()).contains(v1.specHash()));

    App v3 = service("web", 2, ROLLBACK + "  env: {V: '3'}\n");
    PlannerFixture next = new PlannerFixture();
    next.with(v3).offer("a1", 4, 1000, 1, 0);
    next.running(v1, "a1", 10);
    next.history.put(v3.key(), AppHistory.EMPTY.withRollback(v2.specHash()));
    Plan forward = Planner.plan(next.input(), NOW);
    assertThat(forward.rollbacks()).isEmpty();
    assertThat(forward.launches())
        .isNotEmpty()
        .allSatisfy(l -> assertThat(l.taskId()).contains(v3.specHash()));
    assertThat(forward.apps().get(v3.key()).message()).isNull();
  }

  @Test
  void rolledBackButTheSpecBeforeUnknownHoldsTheAppAndAFirstVersionKeepsTrying() {
    f.with(v2).offer("a1", 4, 1000, 1, 0);
    f.running(v1, "a1", 10);
    f.history.put(v2.key(), AppHistory.EMPTY.withRollback(v2.specHash()));
    Plan held = plan(Map.of());
    assertThat(held.launches()).isEmpty();
    assertThat(held.kills()).isEmpty();
    assertThat(held.apps().get(v2.key()).status()).isEqualTo("RolledBack");
    assertThat(held.apps().get(v2.key()).message()).contains("before Telos restarted");

    PlannerFixture first = new PlannerFixture();
    first.with(v2).offer("a1", 4, 1000, 1, 0);
    first.history.put(v2.key(), failed(v2.specHash(), 5));
    Plan tries = Planner.plan(first.input(), NOW);
    assertThat(tries.rollbacks()).isEmpty();
    assertThat(tries.launches()).isNotEmpty();
    assertThat(Planner.plan(first.input(), NOW).apps().get(v2.key()).status())
        .isEqualTo("Degraded");
  }

  @Test
  void withoutAutoRollbackFailuresNeverRollBack() {
    App plain1 = service("web", 1, "");
    App plain2 = service("web", 1, "  env: {V: '2'}\n");
    f.with(plain2).offer("a1", 4, 1000, 1, 0);
    f.running(plain1, "a1", 10);
    f.history.put(plain2.key(), failed(plain2.specHash(), 50));
    assertThat(plan(Map.of(plain2.key(), plain1)).rollbacks()).isEmpty();
  }

  @Test
  void aRollbackWhosePlanningFailsIsDroppedWithTheRestOfTheApp() {
    App git = service("broken", 1, ROLLBACK + "  env: {V: '2'}\n");
    Service before = RestartAndIsolationTest.overflowingGracePeriod(Map.of());
    f.with(git).offer("a1", 4, 1000, 1, 0);
    f.history.put(git.key(), failed(git.specHash(), 2));
    Plan plan = plan(Map.of(git.key(), before));
    assertThat(plan.rollbacks()).isEmpty();
    assertThat(plan.launches()).isEmpty();
    assertThat(plan.apps().get(git.key()).message()).startsWith("planning failed: ");
  }
}
