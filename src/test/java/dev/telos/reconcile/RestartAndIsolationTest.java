package dev.telos.reconcile;

import static dev.telos.reconcile.PlannerFixture.NOW;
import static dev.telos.reconcile.PlannerFixture.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.cluster.LiveTask;
import dev.telos.manifest.App;
import dev.telos.manifest.Service;
import dev.telos.manifest.TaskSpec;
import java.time.Duration;
import java.util.Set;
import org.apache.mesos.v1.Protos.TaskState;
import org.junit.jupiter.api.Test;

/** Crash-loop backoff, per-app restart policies, launch timeouts and per-app failure isolation. */
class RestartAndIsolationTest {
  final PlannerFixture f = new PlannerFixture();

  static AppHistory failures(int n, Duration ago) {
    return new AppHistory(n, NOW.minus(ago), Set.of(), 0, null, null);
  }

  @Test
  void aTaskThatCrashesSoonAfterRunningDoesNotResetTheBackoff() {
    // Regression: any TASK_RUNNING used to reset the count, so an app exiting 1 at once was
    // relaunched about every second forever.
    App web = service("web", 1, "");
    f.with(web).offer("a1", 4, 1000, 1, 0);
    f.history.put(web.key(), failures(4, Duration.ofSeconds(1)));
    LiveTask briefly = f.running(web, "a1", 0); // up since NOW: far from resetAfter (5m)
    Plan plan = f.plan();
    assertThat(plan.backoffResets()).isEmpty();
    assertThat(plan.apps().get(web.key()).failures()).isEqualTo(4);
    assertThat(plan.nextWakeup()).isEqualTo(briefly.runningSince().plus(Duration.ofMinutes(5)));
  }

  @Test
  void theBackoffStartsOverOnceATaskStayedUpForResetAfter() {
    App web = service("web", 1, "  restart: {resetAfter: 2m}\n");
    f.with(web);
    f.history.put(web.key(), failures(4, Duration.ofMinutes(10)));
    f.running(web, "a1", 3);
    Plan plan = f.plan();
    assertThat(plan.backoffResets()).containsExactly(web.key());
    assertThat(plan.apps().get(web.key()).failures()).isZero();
    assertThat(plan.apps().get(web.key()).status()).isEqualTo("Synced");
  }

  @Test
  void aHealthCheckedTaskCountsAsUpOnlyWhileHealthy() {
    App web =
        service(
            "web",
            1,
            "  ports: [{name: http}]\n  healthCheck: {type: TCP}\n  restart: {resetAfter: 1m}\n");
    f.with(web);
    f.history.put(web.key(), failures(2, Duration.ofMinutes(10)));
    f.task(web, web.specHash(), TaskState.TASK_RUNNING, null, "a1", 30); // running, no result yet
    assertThat(f.plan().backoffResets()).isEmpty();
    f.tasks.clear();
    f.task(web, web.specHash(), TaskState.TASK_RUNNING, true, "a1", 30);
    assertThat(f.plan().backoffResets()).containsExactly(web.key());
  }

  @Test
  void theManifestsRestartPolicyDecidesTheDelay() {
    App web = service("web", 1, "  restart: {backoff: 10s, factor: 3, maxDelay: 1m}\n");
    f.with(web).offer("a1", 4, 1000, 1, 0);
    f.history.put(web.key(), failures(2, Duration.ofSeconds(20)));
    Plan waiting = f.plan(); // 10s × 3 = 30s after the failure
    assertThat(waiting.launches()).isEmpty();
    assertThat(waiting.apps().get(web.key()).nextLaunchAt()).isEqualTo(NOW.plusSeconds(10));
    assertThat(waiting.apps().get(web.key()).message())
        .isEqualTo("backing off 30s after 2 failure(s)");
    f.history.put(web.key(), failures(5, Duration.ofSeconds(59)));
    assertThat(f.plan().apps().get(web.key()).nextLaunchAt())
        .as("capped at maxDelay")
        .isEqualTo(NOW.plusSeconds(1));
    f.history.put(web.key(), failures(2, Duration.ofSeconds(30)));
    Plan ready = f.plan();
    assertThat(ready.launches()).hasSize(1);
    assertThat(ready.apps().get(web.key()).nextLaunchAt()).isNull();
  }

  @Test
  void aTaskNotRunningWithinTheLaunchTimeoutIsKilledAndReplaced() {
    App web = service("web", 1, "");
    f.with(web).offer("a1", 4, 1000, 1, 0);
    f.task(web, web.specHash(), TaskState.TASK_STAGING, null, "a1", 6);
    Plan plan = f.plan();
    assertThat(plan.kills())
        .singleElement()
        .satisfies(k -> assertThat(k.reason()).startsWith("launch timed out"));
    assertThat(plan.launches()).as("its replacement").hasSize(1);
  }

  @Test
  void aTaskStillWithinTheLaunchTimeoutIsWaitedFor() {
    App web = service("web", 1, "");
    f.with(web).offer("a1", 4, 1000, 1, 0);
    LiveTask staging = f.task(web, web.specHash(), TaskState.TASK_STAGING, null, "a1", 1);
    Plan plan = f.plan();
    assertThat(plan.kills()).isEmpty();
    assertThat(plan.launches()).isEmpty();
    assertThat(plan.nextWakeup()).isEqualTo(staging.launchedAt().plus(Duration.ofMinutes(5)));
  }

  /**
   * A Service "broken" whose kill grace period no validation would let through (the loader bounds
   * it to 24h): built by hand, it overflows when its TaskInfo is made.
   */
  static Service overflowingGracePeriod(java.util.Map<String, String> env) {
    return overflowingGracePeriod(env, 1);
  }

  static Service overflowingGracePeriod(java.util.Map<String, String> env, int instances) {
    Service broken = (Service) service("broken", 1, "");
    return overflowingGracePeriod(broken, env, instances);
  }

  /**
   * {@code base} with a kill grace period no validation lets through: it overflows when its
   * TaskInfo is built.
   */
  static Service overflowingGracePeriod(
      Service broken, java.util.Map<String, String> env, int instances) {
    TaskSpec t = broken.task();
    return new Service(
        broken.metadata(),
        instances,
        new TaskSpec(
            t.command(),
            env,
            t.resources(),
            t.ports(),
            t.container(),
            t.constraints(),
            t.healthCheck(),
            Duration.ofDays(365L * 300),
            t.role()),
        broken.upgrade(),
        null,
        broken.source());
  }

  @Test
  void anAppWhosePlanningFailsIsDegradedAndTheOthersGoOn() {
    // A spec no validation would let through (the loader bounds killGracePeriod to 24h); built by
    // hand, it overflows when its TaskInfo is made.
    Service ok = (Service) service("ok", 1, "");
    Service huge = overflowingGracePeriod(java.util.Map.of());
    f.with(huge).with(ok).offer("a1", 4, 1000, 1, 0);
    Plan plan = f.plan();
    assertThat(plan.launches()).extracting(Plan.Launch::appKey).containsExactly(ok.key());
    assertThat(plan.apps().get(huge.key()).status()).isEqualTo("Degraded");
    assertThat(plan.apps().get(huge.key()).message()).startsWith("planning failed: ");
    assertThat(plan.declines()).isEmpty();
  }

  @Test
  void whatAFailingAppDecidedBeforeItFailedIsDroppedToo() {
    // It asks to kill its old task, then fails making the TaskInfo of the new one: the kill
    // must not go out from a plan the app could not finish.
    Service ok = (Service) service("ok", 1, "");
    Service huge = overflowingGracePeriod(java.util.Map.of("V", "2"));
    f.with(huge).with(ok).offer("a1", 4, 1000, 1, 0);
    f.task(huge, "0ldspec", TaskState.TASK_STAGING, null, "a1", 0);
    Plan plan = f.plan();
    assertThat(plan.kills()).isEmpty();
    assertThat(plan.launches()).extracting(Plan.Launch::appKey).containsExactly(ok.key());
  }

  @Test
  void aKilledTaskUnreachablePastTheTimeoutNoLongerCountsAgainstSurge() {
    String noSurge = "  upgrade: {maxSurge: 0, maxUnavailable: 1}\n";
    App v2 = service("web", 1, noSurge + "  env: {V: '2'}\n");
    f.with(v2).offer("a1", 4, 1000, 1, 0);
    LiveTask gone =
        f.running(service("web", 1, noSurge), "a2", 30)
            .withState(
                TaskState.TASK_UNREACHABLE, null, "lost", NOW.minus(Duration.ofMinutes(6)), NOW)
            .withKillRequestedAt(NOW.minusSeconds(200));
    f.tasks.set(0, gone);
    assertThat(f.plan().launches()).as("its agent may never come back").hasSize(1);
    f.tasks.set(
        0,
        gone.withState(
            TaskState.TASK_UNREACHABLE, null, "lost", NOW.minus(Duration.ofMinutes(1)), NOW));
    f.tasks.add(f.tasks.remove(0));
    assertThat(f.plan().launches())
        .as("within the timeout it may still run: with maxSurge 0 nothing launches beside it")
        .isEmpty();
  }

  @Test
  void wantedRolesAreThoseOfPlaceableLaunchesOnly() {
    Plan plan =
        new Plan(
            java.util.List.of(),
            java.util.List.of(
                new Plan.Pending("default/a", "h", 1, "no offers", "web", true),
                new Plan.Pending("default/b", "h", 1, "not subscribed", "batch", false)),
            java.util.List.of(),
            java.util.List.of(),
            java.util.Map.of(),
            java.util.List.of(),
            null,
            null,
            java.util.List.of());
    assertThat(plan.wantedRoles()).containsExactly("web");
    assertThat(plan.changesCluster()).isTrue();
    Plan idle =
        new Plan(
            java.util.List.of(),
            java.util.List.of(),
            java.util.List.of(),
            java.util.List.of("o1"),
            java.util.Map.of(),
            java.util.List.of(),
            null,
            null,
            java.util.List.of());
    assertThat(idle.wantedRoles()).isEmpty();
    assertThat(idle.changesCluster()).as("declines change nothing on the cluster").isFalse();
  }

  @Test
  void statusesCountOnlyRunningTasks() {
    App web = service("web", 3, "");
    f.with(web);
    f.running(web, "a1", 5);
    f.running(web, "a1", 4);
    f.task(web, web.specHash(), TaskState.TASK_STAGING, null, "a1", 0);
    Plan.AppStatus s = f.plan().apps().get(web.key());
    assertThat(s.running()).isEqualTo(2);
    assertThat(s.desired()).isEqualTo(3);
    assertThat(s.healthy()).isEqualTo(2);
  }

  @Test
  void aFailedAppsBackoffResetIsDroppedWithItsOtherDecisions() {
    // Its task has been up past resetAfter, so planning resets its backoff, then fails making the
    // second task's TaskInfo: the reset must go with the rest of what the pass decided for it.
    Service huge = overflowingGracePeriod(java.util.Map.of(), 2);
    f.with(huge).offer("a1", 4, 1000, 1, 0);
    f.task(huge, huge.specHash(), TaskState.TASK_RUNNING, null, "a1", 10);
    f.history.put(
        huge.key(), new AppHistory(2, NOW.minusSeconds(300), java.util.Set.of(), 0, null, null));
    Plan plan = f.plan();
    assertThat(plan.apps().get(huge.key()).status()).isEqualTo("Degraded");
    assertThat(plan.apps().get(huge.key()).desired()).isEqualTo(2);
    assertThat(plan.backoffResets()).isEmpty();
    assertThat(plan.launches()).isEmpty();
  }
}
