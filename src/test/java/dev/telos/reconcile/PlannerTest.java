package dev.telos.reconcile;

import static dev.telos.reconcile.PlannerFixture.NOW;
import static dev.telos.reconcile.PlannerFixture.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.cluster.LiveTask;
import dev.telos.manifest.App;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.mesos.v1.Protos.Environment;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.junit.jupiter.api.Test;

class PlannerTest {
  final PlannerFixture f = new PlannerFixture();

  static Map<String, String> env(TaskInfo t) {
    Map<String, String> m = new HashMap<>();
    for (Environment.Variable v : t.getCommand().getEnvironment().getVariablesList()) {
      m.put(v.getName(), v.getValue());
    }
    return m;
  }

  @Test
  void launchesInstancesWithPortsEnvironmentAndResourcesCutFromTheOffer() {
    App web =
        service(
            "web",
            2,
            "  ports: [{name: http}, {name: admin}]\n  env: {GREETING: hi}\n"
                + "  healthCheck: {type: HTTP, port: admin, path: /ready}\n");
    Plan plan = f.with(web).offer("a1", 4, 1000, 31000, 31010).plan();
    assertThat(plan.launches()).hasSize(2);
    assertThat(plan.kills()).isEmpty();
    assertThat(plan.declines()).isEmpty();
    TaskInfo first = plan.launches().get(0).task();
    assertThat(first.getTaskId().getValue()).startsWith("default.web." + web.specHash() + ".");
    Map<String, String> env = env(first);
    assertThat(env)
        .containsEntry("PORT0", "31000")
        .containsEntry("PORT1", "31001")
        .containsEntry("PORT_HTTP", "31000")
        .containsEntry("PORT_ADMIN", "31001")
        .containsEntry("PORTS", "31000,31001")
        .containsEntry("HOST", "host-a1")
        .containsEntry("TELOS_APP", "web")
        .containsEntry("TELOS_NAMESPACE", "default")
        .containsEntry("TELOS_REVISION", "abc123")
        .containsEntry("GREETING", "hi");
    assertThat(env(plan.launches().get(1).task())).containsEntry("PORT0", "31002");
    assertThat(first.getHealthCheck().getHttp().getPort()).isEqualTo(31001);
    assertThat(first.getHealthCheck().getHttp().getPath()).isEqualTo("/ready");
    assertThat(first.getKillPolicy().getGracePeriod().getNanoseconds())
        .isEqualTo(Duration.ofSeconds(30).toNanos());
    assertThat(first.getResourcesList())
        .allSatisfy(r -> assertThat(r.getAllocationInfo().getRole()).isEqualTo("*"));
    assertThat(first.getResourcesList())
        .extracting(Resource::getName)
        .containsExactly("cpus", "mem", "ports");
    assertThat(plan.apps().get("default/web").status()).isEqualTo("Progressing");
    assertThat(plan.wantsOffers()).isFalse();
  }

  @Test
  void withoutAFittingOfferLaunchesWaitAndOffersAreWanted() {
    Plan plan = f.with(service("web", 3, "")).offer("a1", 1.0, 1000, 1, 0).plan();
    assertThat(plan.launches()).hasSize(2);
    assertThat(plan.pending())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.count()).isEqualTo(1);
              assertThat(p.reason()).isEqualTo("no offer has enough resources");
            });
    assertThat(plan.wantsOffers()).isTrue();
  }

  @Test
  void unusedOffersAreDeclined() {
    App web = service("web", 1, "");
    f.with(web).running(web, "a1", 5);
    Plan plan = f.offer("a1", 4, 1000, 1, 0).plan();
    assertThat(plan.declines()).hasSize(1);
    assertThat(plan.apps().get("default/web").status()).isEqualTo("Synced");
  }

  @Test
  void scalingDownKillsUnhealthyThenNewestFirst() {
    App web = service("web", 2, "");
    f.with(web);
    LiveTask oldest = f.running(web, "a1", 30);
    LiveTask staging = f.task(web, web.specHash(), TaskState.TASK_STAGING, null, "a1", 20);
    LiveTask middle = f.running(web, "a1", 10);
    LiveTask newest = f.running(web, "a1", 1);
    Plan plan = f.plan();
    assertThat(plan.kills())
        .extracting(Plan.Kill::taskId)
        .containsExactly(staging.id(), newest.id());
    assertThat(plan.launches()).isEmpty();
    assertThat(List.of(oldest.id(), middle.id()))
        .doesNotContainAnyElementsOf(plan.kills().stream().map(Plan.Kill::taskId).toList());
  }

  @Test
  void scalingUpNeverRestartsRunningTasks() {
    App two = service("web", 2, "");
    f.with(service("web", 3, ""));
    f.running(two, "a1", 5);
    f.running(two, "a1", 5);
    Plan plan = f.offer("a1", 4, 1000, 1, 0).plan();
    assertThat(plan.kills()).isEmpty();
    assertThat(plan.launches()).hasSize(1);
  }

  @Test
  void aRolloutSurgesThenReplacesOldTasksAsNewOnesBecomeHealthy() {
    App v1 = service("web", 2, "  healthCheck: {type: COMMAND, command: 'true'}\n");
    App v2 =
        service("web", 2, "  healthCheck: {type: COMMAND, command: 'true'}\n  env: {V: '2'}\n");
    f.with(v2).offer("a1", 4, 1000, 1, 0);
    f.task(v1, v1.specHash(), TaskState.TASK_RUNNING, true, "a1", 10);
    f.task(v1, v1.specHash(), TaskState.TASK_RUNNING, true, "a1", 9);
    Plan step1 = f.plan();
    assertThat(step1.launches()).hasSize(1);
    assertThat(step1.kills()).isEmpty();

    f.task(v2, v2.specHash(), TaskState.TASK_RUNNING, true, "a1", 0);
    Plan step2 = f.plan();
    assertThat(step2.kills())
        .hasSize(1)
        .allSatisfy(k -> assertThat(k.reason()).startsWith("rolling update"));
    assertThat(step2.launches())
        .as("the killed task may still run: launching beside it would exceed maxSurge")
        .isEmpty();

    // The kill is confirmed (the task ended): the next new task goes out.
    String killed = step2.kills().get(0).taskId();
    f.tasks.removeIf(t -> t.id().equals(killed));
    Plan step3 = f.plan();
    assertThat(step3.kills()).isEmpty();
    assertThat(step3.launches()).hasSize(1);
  }

  @Test
  void aTaskWhoseKillIsNotConfirmedStillCountsAgainstMaxSurge() {
    // Found by the fault harness: a rollout launched beside tasks it had asked to kill (on a
    // partitioned agent), and when the agent came back the app ran instances + maxSurge + 2.
    App v1 = service("web", 3, "");
    App v2 = service("web", 3, "  env: {V: '2'}\n");
    f.with(v2).offer("a1", 8, 4000, 1, 0);
    for (int i = 0; i < 3; i++) {
      LiveTask t = f.running(v1, "a2", 10 - i);
      f.tasks.set(i, t.withKillRequestedAt(NOW.minusSeconds(5)));
    }
    assertThat(f.plan().launches()).as("3 may still run; maxSurge is 1").hasSize(1);
  }

  @Test
  void aNewTaskWithNoHealthResultYetIsNotCountedHealthy() {
    // healthy == null: checked, but no result yet. Treating "unknown" as healthy would let a
    // rollout kill the old version before the new one ever passed its check.
    App v1 = service("web", 2, "  healthCheck: {type: COMMAND, command: 'true'}\n");
    App v2 =
        service("web", 2, "  healthCheck: {type: COMMAND, command: 'true'}\n  env: {V: '2'}\n");
    f.with(v2).offer("a1", 4, 1000, 1, 0);
    f.task(v1, v1.specHash(), TaskState.TASK_RUNNING, true, "a1", 10);
    f.task(v1, v1.specHash(), TaskState.TASK_RUNNING, true, "a1", 9);
    f.task(v2, v2.specHash(), TaskState.TASK_RUNNING, null, "a1", 0);
    Plan plan = f.plan();
    assertThat(plan.kills()).isEmpty();
    assertThat(plan.launches()).as("maxSurge 1 is used by the unknown one").isEmpty();
    assertThat(plan.apps().get("default/web").healthy()).isZero();
    assertThat(plan.apps().get("default/web").status()).isEqualTo("Progressing");
  }

  @Test
  void anAppWithOneUnknownHealthTaskIsNotSynced() {
    App web = service("web", 1, "  healthCheck: {type: COMMAND, command: 'true'}\n");
    f.with(web);
    f.task(web, web.specHash(), TaskState.TASK_RUNNING, null, "a1", 0);
    assertThat(f.plan().apps().get("default/web").status()).isEqualTo("Progressing");
    f.tasks.clear();
    f.task(web, web.specHash(), TaskState.TASK_RUNNING, true, "a1", 0);
    assertThat(f.plan().apps().get("default/web").status()).isEqualTo("Synced");
  }

  @Test
  void aNewVersionFailingItsHealthCheckNeverTakesDownTheOldOne() {
    App v1 = service("web", 2, "  healthCheck: {type: COMMAND, command: 'true'}\n");
    App v2 = service("web", 2, "  healthCheck: {type: COMMAND, command: 'false'}\n");
    f.with(v2).offer("a1", 4, 1000, 1, 0);
    f.task(v1, v1.specHash(), TaskState.TASK_RUNNING, true, "a1", 10);
    f.task(v1, v1.specHash(), TaskState.TASK_RUNNING, true, "a1", 9);
    f.task(v2, v2.specHash(), TaskState.TASK_RUNNING, false, "a1", 1);
    Plan plan = f.plan();
    assertThat(plan.kills()).isEmpty();
    assertThat(plan.launches()).isEmpty();
    assertThat(plan.apps().get("default/web").healthy()).isZero();
    assertThat(plan.apps().get("default/web").status()).isEqualTo("Progressing");
  }

  @Test
  void maxUnavailableLetsARolloutKillBeforeItLaunches() {
    App v1 = service("web", 2, "");
    App v2 = service("web", 2, "  upgrade: {maxSurge: 0, maxUnavailable: 1}\n  env: {V: '2'}\n");
    f.with(v2).offer("a1", 4, 1000, 1, 0);
    f.running(v1, "a1", 10);
    f.running(v1, "a1", 9);
    Plan plan = f.plan();
    assertThat(plan.kills()).hasSize(1);
    assertThat(plan.launches()).as("maxSurge 0: not beside a task still stopping").isEmpty();
    String killed = plan.kills().get(0).taskId();
    f.tasks.removeIf(t -> t.id().equals(killed));
    assertThat(f.plan().launches()).hasSize(1);
  }

  @Test
  void failedTasksAreReplacedAfterAnExponentialBackoff() {
    App web = service("web", 1, "");
    f.with(web).offer("a1", 4, 1000, 1, 0);
    f.history.put(web.key(), new AppHistory(3, NOW.minusSeconds(2), Set.of(), 0, null, null));
    Plan waiting = f.plan();
    assertThat(waiting.launches()).isEmpty();
    assertThat(waiting.nextWakeup()).isEqualTo(NOW.plusSeconds(2)); // 1s doubled twice = 4s
    assertThat(waiting.apps().get(web.key()).message()).contains("after 3 failure(s)");
    assertThat(waiting.apps().get(web.key()).status()).isEqualTo("Degraded");
    f.history.put(web.key(), new AppHistory(3, NOW.minusSeconds(5), Set.of(), 0, null, null));
    assertThat(f.plan().launches()).hasSize(1);
  }

  @Test
  void anUnreachableTaskIsReplacedAfterTheTimeoutAndItsSurplusKilledWhenItReturns() {
    App web = service("web", 1, "");
    f.with(web).offer("a1", 4, 1000, 1, 0);
    LiveTask lost = f.running(web, "a2", 30);
    f.tasks.set(
        0, lost.withState(TaskState.TASK_UNREACHABLE, null, "gone", NOW.minusSeconds(60), NOW));
    Plan early = f.plan();
    assertThat(early.launches()).isEmpty();
    assertThat(early.nextWakeup()).isEqualTo(NOW.minusSeconds(60).plus(Duration.ofMinutes(5)));
    f.tasks.set(
        0,
        lost.withState(
            TaskState.TASK_UNREACHABLE, null, "gone", NOW.minus(Duration.ofMinutes(6)), NOW));
    assertThat(f.plan().launches()).hasSize(1);

    // It comes back while its replacement runs: one of the two goes, the newest.
    f.tasks.set(0, lost);
    LiveTask replacement = f.running(web, "a1", 0);
    assertThat(f.plan().kills()).extracting(Plan.Kill::taskId).containsExactly(replacement.id());
  }

  @Test
  void anUnreachableTaskPastExpungeAfterIsKilledForGoodAndCountsForNothing() {
    App web = service("web", 1, "  unreachableStrategy: {inactiveAfter: 1m, expungeAfter: 1h}\n");
    f.with(web).offer("a1", 4, 1000, 1, 0);
    LiveTask lost = f.running(web, "a2", 30);
    f.tasks.set(
        0, lost.withState(TaskState.TASK_UNREACHABLE, null, "gone", NOW.minusSeconds(120), NOW));
    Plan replaced = f.plan();
    assertThat(replaced.launches()).as("replaced after inactiveAfter").hasSize(1);
    assertThat(replaced.kills()).as("not yet expunged").isEmpty();
    assertThat(replaced.nextWakeup()).isEqualTo(NOW.minusSeconds(120).plus(Duration.ofHours(1)));

    LiveTask expunged =
        lost.withState(
            TaskState.TASK_UNREACHABLE, null, "gone", NOW.minus(Duration.ofMinutes(61)), NOW);
    f.tasks.set(0, expunged);
    Plan plan = f.plan();
    assertThat(plan.kills())
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.taskId()).isEqualTo(lost.id());
              assertThat(k.reason())
                  .isEqualTo(
                      "unreachable for longer than expungeAfter (1h): expunged, killed when its"
                          + " agent returns");
            });
    assertThat(plan.launches()).hasSize(1);

    // Back on its agent with the kill asked for: it is not counted, and its replacement stays.
    f.tasks.set(0, lost.withKillRequestedAt(NOW.minusSeconds(5)));
    LiveTask replacement = f.running(web, "a1", 0);
    Plan back = f.plan();
    assertThat(back.kills()).extracting(Plan.Kill::taskId).doesNotContain(replacement.id());
    assertThat(back.launches()).isEmpty();
  }

  @Test
  void withoutExpungeAfterAnUnreachableTaskIsNeverKilledWhileAway() {
    App web = service("web", 1, "  unreachableStrategy: {inactiveAfter: 1m}\n");
    f.with(web).offer("a1", 4, 1000, 1, 0);
    LiveTask lost = f.running(web, "a2", 30);
    f.tasks.set(
        0,
        lost.withState(
            TaskState.TASK_UNREACHABLE, null, "gone", NOW.minus(Duration.ofDays(9)), NOW));
    Plan plan = f.plan();
    assertThat(plan.kills()).isEmpty();
    assertThat(plan.launches()).hasSize(1);
  }

  @Test
  void anAppsOwnInactiveAfterReplacesItsUnreachableTasksSoonerOrLater() {
    App quick = service("quick", 1, "  unreachableStrategy: {inactiveAfter: 30s}\n");
    App patient = service("patient", 1, "  unreachableStrategy: {inactiveAfter: 1h}\n");
    f.with(quick).with(patient).offer("a1", 4, 1000, 1, 0);
    for (App app : List.of(quick, patient)) {
      LiveTask lost = f.running(app, "a2", 30);
      f.tasks.set(
          f.tasks.size() - 1,
          lost.withState(TaskState.TASK_UNREACHABLE, null, "gone", NOW.minusSeconds(60), NOW));
    }
    Plan plan = f.plan();
    assertThat(plan.launches())
        .as("after 60 s the 30 s app is replaced, the 1 h one waits (the default is 5 min)")
        .extracting(l -> l.appKey())
        .containsExactly("default/quick");
    assertThat(plan.nextWakeup()).isEqualTo(NOW.minusSeconds(60).plus(Duration.ofHours(1)));
  }

  @Test
  void killSelectionChoosesWhichOfTheAvailableTasksAScaleDownKills() {
    for (String selection : List.of("YOUNGEST_FIRST", "OLDEST_FIRST")) {
      PlannerFixture g = new PlannerFixture();
      App web = service("web", 1, "  killSelection: " + selection + "\n");
      g.with(web);
      LiveTask old = g.running(web, "a1", 60);
      LiveTask young = g.running(web, "a1", 5);
      assertThat(g.plan().kills())
          .as(selection)
          .extracting(Plan.Kill::taskId)
          .containsExactly((selection.equals("OLDEST_FIRST") ? old : young).id());
    }
  }

  @Test
  void appsRemovedFromGitArePrunedWithinTheGuard() {
    App a = service("a", 1, "");
    App b = service("b", 1, "");
    App c = service("c", 1, "");
    f.with(a).with(b);
    f.running(a, "a1", 1);
    f.running(b, "a1", 1);
    LiveTask gone = f.running(c, "a1", 1);
    Plan plan = f.plan();
    assertThat(plan.kills()).extracting(Plan.Kill::taskId).containsExactly(gone.id());
    assertThat(plan.heldPrune()).isNull();
  }

  @Test
  void removingExactlyMaxPruneOfTheAppsIsAllowed() {
    // The guard holds only what goes *over* --max-prune: 1 of 2 apps is exactly 50%.
    App a = service("a", 1, "");
    App b = service("b", 1, "");
    f.with(a);
    f.running(a, "a1", 1);
    LiveTask gone = f.running(b, "a1", 1);
    Plan plan = f.plan();
    assertThat(plan.heldPrune()).isNull();
    assertThat(plan.kills()).extracting(Plan.Kill::taskId).containsExactly(gone.id());
  }

  @Test
  void aSuspendedAppIsLeftAsItIsEvenWhenRemovedFromGitOrRolledOut() {
    App a = service("a", 3, "");
    App b = service("b", 1, "");
    f.with(a).offer("a1", 4, 4096, 31000, 31100);
    LiveTask old = f.running(service("a", 3, "  env: {V: old}\n"), "a1", 5); // another spec
    LiveTask gone = f.running(b, "a1", 1); // b removed from git
    f.settings = PlannerSettings.DEFAULT.withSuspended(java.util.Set.of("default/a", "default/b"));
    Plan plan = f.plan();
    assertThat(plan.launches()).as("no scale-up, no rollout").isEmpty();
    assertThat(plan.kills()).as("no rollout kill, no prune").isEmpty();
    assertThat(plan.apps().get("default/a").status()).isEqualTo("Suspended");
    assertThat(plan.apps().get("default/a").running()).isEqualTo(1);
    assertThat(plan.apps().get("default/b").status()).isEqualTo("Suspended");
    assertThat(plan.apps().get("default/b").message()).contains("not pruned");

    f.settings = PlannerSettings.DEFAULT.withSuspended(java.util.Set.of("default/b"));
    Plan resumed = f.plan();
    assertThat(resumed.launches()).as("a, resumed, scales and rolls").isNotEmpty();
    assertThat(resumed.kills()).extracting(Plan.Kill::taskId).doesNotContain(gone.id());
    assertThat(old.id()).isNotBlank();
  }

  @Test
  void aCommitRemovingMostAppsHoldsThePrune() {
    App a = service("a", 1, "");
    App b = service("b", 1, "");
    App c = service("c", 1, "");
    f.with(a);
    f.running(a, "a1", 1);
    f.running(b, "a1", 1);
    f.running(c, "a1", 1);
    Plan plan = f.plan();
    assertThat(plan.kills()).isEmpty();
    assertThat(plan.heldPrune())
        .contains("remove 2 of 3 running apps (67%)")
        .contains("--max-prune 50%");
    assertThat(plan.apps().get("default/b").status()).isEqualTo("PruneHeld");
    f.settings =
        new PlannerSettings(
            0.5,
            true,
            Duration.ofMinutes(5),
            dev.telos.manifest.RestartPolicy.DEFAULT,
            Duration.ofSeconds(60),
            Duration.ofMinutes(5),
            java.util.Set.of());
    assertThat(f.plan().kills()).hasSize(2);
  }

  @Test
  void orphansOfThisFrameworkAreKilled() {
    App a = service("a", 1, "");
    App b = service("b", 1, "");
    f.with(a).with(b);
    f.running(a, "a1", 1);
    f.running(b, "a1", 1);
    f.running(b, "a1", 2);
    f.orphan("something-else");
    assertThat(f.plan().kills()).extracting(Plan.Kill::taskId).contains("something-else");
  }

  @Test
  void withoutASnapshotNothingIsLaunchedOrKilled() {
    App a = service("a", 1, "");
    f.running(a, "a1", 1);
    f.noSnapshot = true;
    Plan plan = f.offer("a1", 4, 1000, 1, 0).plan();
    assertThat(plan.kills()).isEmpty();
    assertThat(plan.launches()).isEmpty();
    assertThat(plan.declines()).hasSize(1);
  }

  @Test
  void uniqueHostnameSpreadsOnePerAgentAndWaitsForMoreAgents() {
    f.with(service("web", 3, "  constraints: [{field: hostname, operator: UNIQUE}]\n"))
        .offer("a1", 4, 1000, 1, 0)
        .offer("a2", 4, 1000, 1, 0);
    Plan plan = f.plan();
    assertThat(plan.launches())
        .extracting(Plan.Launch::agentId)
        .containsExactlyInAnyOrder("a1", "a2");
    assertThat(plan.pending())
        .singleElement()
        .satisfies(p -> assertThat(p.reason()).contains("hostname UNIQUE"));
  }

  @Test
  void clusterLikeUnlikeAndMaxPerSelectAgents() {
    f.offer("a1", 4, 1000, 1, 0, "rack", "r1", "zone", "eu-1")
        .offer("a2", 4, 1000, 1, 0, "rack", "r2", "zone", "us-1");
    f.with(service("eu", 2, "  constraints: [{field: zone, operator: LIKE, value: 'eu-.*'}]\n"));
    f.with(service("notr1", 1, "  constraints: [{field: rack, operator: UNLIKE, value: r1}]\n"));
    f.with(service("pinned", 1, "  constraints: [{field: rack, operator: CLUSTER, value: r2}]\n"));
    f.with(service("capped", 3, "  constraints: [{field: rack, operator: MAX_PER, value: 1}]\n"));
    Plan plan = f.plan();
    Map<String, List<String>> agents =
        plan.launches().stream()
            .collect(
                Collectors.groupingBy(
                    Plan.Launch::appKey,
                    Collectors.mapping(Plan.Launch::agentId, Collectors.toList())));
    assertThat(agents.get("default/eu")).containsExactly("a1", "a1");
    assertThat(agents.get("default/notr1")).containsExactly("a2");
    assertThat(agents.get("default/pinned")).containsExactly("a2");
    assertThat(agents.get("default/capped")).containsExactlyInAnyOrder("a1", "a2");
  }

  @Test
  void groupBySpreadsEvenlyOverTheFieldsValues() {
    App web = service("web", 4, "  constraints: [{field: rack, operator: GROUP_BY}]\n");
    f.with(web).offer("a1", 8, 4000, 1, 0, "rack", "r1").offer("a2", 8, 4000, 1, 0, "rack", "r2");
    f.running(web, "a1", 5);
    Plan plan = f.plan();
    Map<String, Long> perAgent =
        plan.launches().stream()
            .collect(Collectors.groupingBy(Plan.Launch::agentId, Collectors.counting()));
    assertThat(perAgent).containsEntry("a2", 2L).containsEntry("a1", 1L);
  }

  @Test
  void groupByNSpreadsOverAtMostNValues() {
    // Regression: GROUP_BY's n was ignored, so 4 instances went to 4 racks instead of 2.
    App web = service("web", 4, "  constraints: [{field: rack, operator: GROUP_BY, value: 2}]\n");
    f.with(web)
        .offer("a1", 8, 4000, 1, 0, "rack", "r1")
        .offer("a2", 8, 4000, 1, 0, "rack", "r2")
        .offer("a3", 8, 4000, 1, 0, "rack", "r3")
        .offer("a4", 8, 4000, 1, 0, "rack", "r4");
    Plan plan = f.plan();
    Map<String, Long> perAgent =
        plan.launches().stream()
            .collect(Collectors.groupingBy(Plan.Launch::agentId, Collectors.counting()));
    assertThat(plan.launches()).hasSize(4);
    assertThat(perAgent).hasSize(2).allSatisfy((agent, n) -> assertThat(n).isEqualTo(2L));
  }

  @Test
  void groupByIgnoresAgentsThatAreGone() {
    // Regression: an agent seen once counted in GROUP_BY forever, so after it left every launch
    // waited for a value no offer could bring back.
    App web = service("web", 2, "  constraints: [{field: rack, operator: GROUP_BY}]\n");
    f.with(web).offer("a1", 8, 4000, 1, 0, "rack", "r1");
    f.running(web, "a1", 5);
    Planner.Input in = f.input();
    Map<String, Map<String, String>> fields = new java.util.HashMap<>(in.agentFields());
    fields.put("gone", Map.of("hostname", "host-gone", "rack", "r9"));
    Plan plan =
        Planner.plan(
            new Planner.Input(
                in.revision(),
                in.desired(),
                in.tasks(),
                in.offers(),
                fields,
                in.history(),
                in.settings(),
                in.seed()),
            PlannerFixture.NOW);
    assertThat(plan.launches()).as("r9 has no agent with tasks or offers").hasSize(1);
  }

  @Test
  void identicalInputsGiveIdenticalPlans() {
    f.with(service("web", 3, "  ports: [{name: http}]\n")).offer("a1", 4, 1000, 31000, 31005);
    assertThat(f.plan()).isEqualTo(f.plan());
  }

  @Test
  void aPlanAppliedToItsOwnResultIsEmpty() {
    App web = service("web", 2, "  healthCheck: {type: COMMAND, command: 'true'}\n");
    f.with(web).offer("a1", 4, 1000, 1, 0);
    Plan plan = f.plan();
    f.offers.clear();
    for (Plan.Launch l : plan.launches()) {
      f.tasks.add(
          new LiveTask(
              l.taskId(),
              web.key(),
              web.specHash(),
              NOW,
              TaskState.TASK_RUNNING,
              true,
              l.agentId(),
              l.host(),
              l.ports(),
              null,
              null,
              null));
    }
    Plan next = f.plan();
    assertThat(next.launches()).isEmpty();
    assertThat(next.kills()).isEmpty();
    assertThat(next.pending()).isEmpty();
    assertThat(next.apps().get(web.key()).status()).isEqualTo("Synced");
  }
}
