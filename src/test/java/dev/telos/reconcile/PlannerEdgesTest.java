package dev.telos.reconcile;

import static dev.telos.reconcile.PlannerFixture.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.cluster.LiveTask;
import dev.telos.manifest.App;
import java.util.Set;
import org.apache.mesos.v1.Protos.TaskState;
import org.junit.jupiter.api.Test;

/** Edges of the planner that the larger tests pass over (mutation survivors killed here). */
class PlannerEdgesTest {
  final PlannerFixture f = new PlannerFixture();

  @Test
  void aSuspendedServiceReportsItsInstancesAndItsHealthyTasks() {
    App web = PlannerFixture.service("web", 3, "");
    App job =
        PlannerFixture.app(
            "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: once}\nspec: {command: run}\n");
    f.with(web).with(job).offer("a1", 8, 4000, 1, 0);
    f.task(web, web.specHash(), TaskState.TASK_RUNNING, true, "a1", 5);
    f.task(web, web.specHash(), TaskState.TASK_RUNNING, false, "a1", 5);
    f.task(web, web.specHash(), TaskState.TASK_RUNNING, null, "a1", 5);
    f.settings = f.settings.withSuspended(Set.of(web.key(), job.key()));
    Plan plan = f.plan();
    Plan.AppStatus s = plan.apps().get(web.key());
    assertThat(s.status()).isEqualTo("Suspended");
    assertThat(s.desired()).isEqualTo(3);
    assertThat(s.running()).isEqualTo(3);
    assertThat(s.healthy()).isEqualTo(1);
    assertThat(plan.apps().get(job.key()).desired()).isEqualTo(1);
    assertThat(plan.launches()).isEmpty();
  }

  @Test
  void aPrunedTasksUnconfirmedKillIsSentAgainOnceItsGraceAndRetryHavePassed() {
    App kept = PlannerFixture.service("kept", 1, "");
    App gone = PlannerFixture.service("gone", 1, "");
    f.with(kept).offer("a1", 8, 4000, 1, 0);
    f.task(kept, kept.specHash(), TaskState.TASK_RUNNING, null, "a1", 5);
    LiveTask t = f.task(gone, gone.specHash(), TaskState.TASK_RUNNING, null, "a1", 5);
    f.tasks.set(f.tasks.indexOf(t), t.withKillRequestedAt(NOW.minusSeconds(120)));
    assertThat(f.plan().kills())
        .singleElement()
        .satisfies(k -> assertThat(k.reason()).isEqualTo("kill not yet confirmed; sent again"));
    f.tasks.set(f.tasks.size() - 1, t.withKillRequestedAt(NOW.minusSeconds(1)));
    Plan waiting = f.plan();
    assertThat(waiting.kills()).isEmpty();
    assertThat(waiting.nextWakeup()).isAfter(NOW);
  }

  @Test
  void anAppWhoseRoleIsNotSubscribedAndLacksNothingIsNotPending() {
    App web = PlannerFixture.service("web", 1, "  role: analytics\n");
    f.with(web).offer("a1", 8, 4000, 1, 0);
    f.settings = f.settings.withRoles(java.util.List.of("*"));
    f.task(web, web.specHash(), TaskState.TASK_RUNNING, null, "a1", 5);
    assertThat(f.plan().pending()).isEmpty();
    f.tasks.clear();
    assertThat(f.plan().pending())
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.reason())
                    .startsWith("role 'analytics' is not one Telos subscribes to (*)"));
    // Roles not known (empty): nothing is ruled out for its role; the offers decide.
    f.settings = f.settings.withRoles(java.util.List.of());
    assertThat(f.plan().pending())
        .singleElement()
        .satisfies(p -> assertThat(p.reason()).isEqualTo("no offer for role 'analytics'"));
  }

  @Test
  void aServiceAtItsCountWithPastFailuresHasNoBackoffToWaitFor() {
    App web = PlannerFixture.service("web", 1, "");
    f.with(web).offer("a1", 8, 4000, 1, 0);
    f.task(web, web.specHash(), TaskState.TASK_RUNNING, null, "a1", 0);
    f.history.put(web.key(), new AppHistory(3, NOW.minusSeconds(1), Set.of(), 0, null, null));
    Plan.AppStatus s = f.plan().apps().get(web.key());
    assertThat(s.nextLaunchAt()).isNull();
  }

  @Test
  void aBackoffResetByUptimeHoldsNoLaunchEvenWhenTheLastFailureIsStampedAfterNow() {
    // The clock stepped back: the last failure reads a minute ahead. The task of the current spec
    // has been up ten minutes (more than resetAfter), so the failures no longer count.
    // The earliest of its tasks counts: one up ten minutes, one up one.
    App web = PlannerFixture.service("web", 3, "");
    f.with(web).offer("a1", 8, 4000, 1, 0);
    f.task(web, web.specHash(), TaskState.TASK_RUNNING, null, "a1", 1);
    f.task(web, web.specHash(), TaskState.TASK_RUNNING, null, "a1", 10);
    f.history.put(web.key(), new AppHistory(3, NOW.plusSeconds(60), Set.of(), 0, null, null));
    Plan plan = f.plan();
    assertThat(plan.backoffResets()).containsExactly(web.key());
    assertThat(plan.launches()).hasSize(1);
    assertThat(plan.apps().get(web.key()).nextLaunchAt()).isNull();
  }

  @Test
  void anAppStartsOnlyOnceItsDependenciesAreHealthy() {
    App db = PlannerFixture.service("db", 2, "  healthCheck: {type: COMMAND, command: 'true'}\n");
    App web = PlannerFixture.service("web", 1, "  dependencies: [db, other/cache]\n");
    App cache =
        PlannerFixture.app(
            "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: cache, namespace: other}\n"
                + "spec: {command: ./warm, resources: {cpus: 0.1, mem: 10}}\n");
    f.with(db).with(web).offer("a1", 8, 4000, 1, 0);
    Plan waiting = f.plan();
    assertThat(waiting.launches()).extracting(Plan.Launch::appKey).containsOnly(db.key());
    assertThat(waiting.apps().get(web.key()).status()).isEqualTo("Progressing");
    assertThat(waiting.apps().get(web.key()).message())
        .isEqualTo(
            "waiting for default/db, other/cache (declared nowhere) to be healthy: nothing is"
                + " launched or rolled until then");
    f.with(cache);
    // db runs both its instances, one not healthy yet; cache has not succeeded
    f.task(db, db.specHash(), TaskState.TASK_RUNNING, true, "a1", 5);
    f.task(db, db.specHash(), TaskState.TASK_RUNNING, null, "a1", 5);
    assertThat(f.plan().apps().get(web.key()).message())
        .startsWith("waiting for default/db, other/cache to be healthy");
    f.tasks.remove(1);
    f.task(db, db.specHash(), TaskState.TASK_RUNNING, true, "a1", 5);
    assertThat(f.plan().apps().get(web.key()).message()).startsWith("waiting for other/cache to");
    f.history.put(cache.key(), new AppHistory(0, null, Set.of(cache.specHash()), 0, null, null));
    // a CronJob is always there to depend on
    App report =
        PlannerFixture.app(
            "apiVersion: telos.dev/v1\nkind: CronJob\nmetadata: {name: report}\nspec:\n"
                + "  schedule: '0 3 * * *'\n  job: {command: ./r, resources: {cpus: 0.1, mem: 10}}\n");
    f.with(report);
    f.apps.set(1, PlannerFixture.service("web", 1, "  dependencies: [db, other/cache, report]\n"));
    Plan go = f.plan();
    assertThat(go.launches()).extracting(Plan.Launch::appKey).containsExactly(web.key());
    // A dependency of an old spec is not healthy for its new one.
    f.tasks.replaceAll(t -> t.withKillRequestedAt(null));
    App db2 = PlannerFixture.service("db", 2, "  healthCheck: {type: COMMAND, command: 'x'}\n");
    f.apps.set(0, db2);
    assertThat(f.plan().launches()).extracting(Plan.Launch::appKey).doesNotContain(web.key());
  }

  @Test
  void aGpuTaskGoesOnlyWhereGpusAreOfferedAndOtherTasksNeverThere() {
    App trainer =
        PlannerFixture.app(
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: trainer}\nspec:\n"
                + "  command: ./train\n  resources: {cpus: 0.5, mem: 100, gpus: 2}\n");
    App web = PlannerFixture.service("web", 1, "");
    f.with(trainer).with(web).offer("gpu", 8, 4000, 1, 0).offer("plain", 8, 4000, 1, 0);
    f.offers.set(
        0, f.offers.get(0).toBuilder().addResources(PlannerFixture.scalar("gpus", 2)).build());
    Plan plan = f.plan();
    assertThat(plan.launches())
        .extracting(l -> l.appKey() + "@" + l.agentId())
        .containsExactlyInAnyOrder("default/trainer@gpu", "default/web@plain");
    Plan.Launch gpu =
        plan.launches().stream().filter(l -> l.agentId().equals("gpu")).findFirst().orElseThrow();
    assertThat(gpu.task().getResourcesList())
        .filteredOn(r -> r.getName().equals("gpus"))
        .singleElement()
        .satisfies(r -> assertThat(r.getScalar().getValue()).isEqualTo(2.0));
    // Only the GPU agent left: a task without gpus waits, and says why.
    f.offers.remove(1);
    f.apps.remove(trainer);
    Plan waiting = f.plan();
    assertThat(waiting.launches()).isEmpty();
    assertThat(waiting.pending())
        .singleElement()
        .satisfies(p -> assertThat(p.reason()).contains("kept for tasks that ask for gpus"));
    // and a GPU task asking for more than is offered waits too
    f.apps.set(0, trainer);
    f.offers.set(
        0,
        f.offers.get(0).toBuilder()
            .clearResources()
            .addResources(PlannerFixture.scalar("cpus", 8))
            .addResources(PlannerFixture.scalar("mem", 4000))
            .addResources(PlannerFixture.scalar("gpus", 1))
            .build());
    assertThat(f.plan().launches()).isEmpty();
  }
}
