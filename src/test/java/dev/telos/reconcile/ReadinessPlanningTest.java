package dev.telos.reconcile;

import static dev.telos.reconcile.PlannerFixture.NOW;
import static dev.telos.reconcile.PlannerFixture.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.cluster.LiveTask;
import dev.telos.manifest.App;
import org.apache.mesos.v1.Protos.TaskState;
import org.junit.jupiter.api.Test;

/** Readiness checks gate a rollout after health: an old task goes only for a ready new one. */
class ReadinessPlanningTest {
  static final String READY = "  ports: [{name: http}]\n  readinessChecks: [{path: /ready}]\n";
  final PlannerFixture f = new PlannerFixture();

  LiveTask ready(LiveTask t) {
    LiveTask r = t.withReadySince(NOW);
    f.tasks.set(f.tasks.indexOf(t), r);
    return r;
  }

  @Test
  void aRunningButUnreadyNewTaskKillsNoOldOneAndIsSaidToWait() {
    App v1 = service("web", 2, READY);
    App v2 = service("web", 2, READY + "  env: {V: '2'}\n");
    f.with(v2).offer("a1", 4, 1000, 31000, 31010);
    f.running(v1, "a1", 10);
    f.running(v1, "a1", 9);
    LiveTask fresh = f.running(v2, "a1", 0);
    Plan waiting = f.plan();
    assertThat(waiting.kills()).isEmpty();
    assertThat(waiting.launches()).as("maxSurge 1 is taken by the unready task").isEmpty();
    Plan.AppStatus status = waiting.apps().get("default/web");
    assertThat(status.status()).isEqualTo("Progressing");
    assertThat(status.healthy()).isZero();
    assertThat(status.message())
        .isEqualTo("1 task(s) running but not ready: waiting for readiness checks");

    ready(fresh);
    Plan next = f.plan();
    assertThat(next.kills())
        .hasSize(1)
        .allSatisfy(k -> assertThat(k.reason()).startsWith("rolling update"));
    assertThat(next.apps().get("default/web").healthy()).isEqualTo(1);
  }

  @Test
  void readinessComesAfterHealthAndTheAppIsSyncedOnlyWhenEveryTaskIsReady() {
    App web = service("web", 1, READY + "  healthCheck: {type: HTTP, port: http, path: /health}\n");
    f.with(web);
    LiveTask t = f.task(web, web.specHash(), TaskState.TASK_RUNNING, true, "a1", 0);
    Plan.AppStatus unready = f.plan().apps().get("default/web");
    assertThat(unready.status()).isEqualTo("Progressing");
    assertThat(unready.message()).contains("not ready");
    ready(t);
    Plan.AppStatus done = f.plan().apps().get("default/web");
    assertThat(done.status()).isEqualTo("Synced");
    assertThat(done.message()).isNull();
  }

  @Test
  void anUnhealthyTaskIsNotSaidToWaitForReadiness() {
    App web = service("web", 1, READY + "  healthCheck: {type: HTTP, port: http, path: /health}\n");
    f.with(web);
    f.task(web, web.specHash(), TaskState.TASK_RUNNING, null, "a1", 0);
    assertThat(f.plan().apps().get("default/web").message()).isNull();
  }

  @Test
  void anOldTaskNeedsNoReadinessToStayAndAnAppWithoutChecksIgnoresIt() {
    App v1 = service("web", 1, "");
    App v2 = service("web", 1, READY);
    f.with(v2).offer("a1", 4, 1000, 31000, 31010);
    f.running(v1, "a1", 10);
    Plan plan = f.plan();
    assertThat(plan.kills()).as("the old task is available without readiness").isEmpty();
    assertThat(plan.launches()).hasSize(1);

    PlannerFixture plain = new PlannerFixture();
    App noChecks = service("web", 1, "");
    plain.with(noChecks);
    plain.running(noChecks, "a1", 0);
    assertThat(plain.plan().apps().get("default/web").status()).isEqualTo("Synced");
  }

  @Test
  void aDependencyWithReadinessChecksIsHealthyOnlyOnceReady() {
    App db = service("db", 1, READY);
    App web = service("web", 1, "  dependencies: [db]\n");
    f.with(db).with(web).offer("a1", 4, 1000, 31000, 31010);
    LiveTask t = f.running(db, "a1", 0);
    assertThat(f.plan().launches()).isEmpty();
    ready(t);
    assertThat(f.plan().launches()).hasSize(1);
  }

  @Test
  void aScaleDownKillsAnUnreadyTaskFirst() {
    App web = service("web", 1, READY);
    f.with(web);
    LiveTask youngerReady = ready(f.running(web, "a1", 10));
    LiveTask unready = f.running(web, "a1", 20);
    Plan plan = f.plan();
    assertThat(plan.kills())
        .singleElement()
        .satisfies(k -> assertThat(k.taskId()).isEqualTo(unready.id()));
    assertThat(youngerReady.readySince()).isEqualTo(NOW);
  }
}
