package dev.telos.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.cluster.LiveTask;
import dev.telos.manifest.App;
import dev.telos.manifest.ManifestLoader;
import dev.telos.reconcile.Plan;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.mesos.v1.Protos.TaskState;
import org.junit.jupiter.api.Test;

class AppHealthTest {
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  static App app(String kind, String spec) {
    ManifestLoader.FileResult r =
        new ManifestLoader()
            .parseFile(
                "t.yaml",
                ("apiVersion: telos.dev/v1\nkind: "
                        + kind
                        + "\nmetadata: {name: a}\nspec:\n"
                        + spec)
                    .getBytes(StandardCharsets.UTF_8));
    assertThat(r.errors()).isEmpty();
    return r.apps().get(0);
  }

  static App service(int instances, boolean checked) {
    return app(
        "Service",
        "  instances: "
            + instances
            + "\n  command: run\n"
            + (checked
                ? "  ports: [{name: http}]\n  healthCheck: {type: HTTP, port: http}\n"
                : ""));
  }

  static LiveTask task(App app, String spec, TaskState state, Boolean healthy, boolean killing) {
    return new LiveTask(
        "t-" + Math.random(),
        app.key(),
        spec,
        NOW,
        state,
        healthy,
        "agent",
        "host",
        List.of(),
        null,
        killing ? NOW : null,
        null);
  }

  static List<LiveTask> running(App app, int n, Boolean healthy) {
    List<LiveTask> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(task(app, app.specHash(), TaskState.TASK_RUNNING, healthy, false));
    }
    return out;
  }

  static Plan.AppStatus status(String s, int failures) {
    return new Plan.AppStatus(s, 2, 0, 0, null, failures, null);
  }

  static AppHealth of(App app, String planned, List<LiveTask> tasks) {
    return AppHealth.of(app, status(planned, 0), tasks, null);
  }

  @Test
  void aServiceIsSyncedWhenItsInstancesRunTheSpecAndHealthyWhenTheyPassTheirCheck() {
    App plain = service(2, false);
    assertThat(of(plain, "Synced", running(plain, 2, null)))
        .isEqualTo(new AppHealth("Synced", "Healthy"));
    App checked = service(2, true);
    assertThat(of(checked, "Synced", running(checked, 2, true)))
        .isEqualTo(new AppHealth("Synced", "Healthy"));
    assertThat(of(checked, "Progressing", running(checked, 2, null)))
        .as("running the commit, its check has no result yet")
        .isEqualTo(new AppHealth("Synced", "Progressing"));
    List<LiveTask> oneFails = running(checked, 1, true);
    oneFails.addAll(running(checked, 1, false));
    assertThat(of(checked, "Progressing", oneFails))
        .as("the commit runs, badly: the sync status and the health part ways")
        .isEqualTo(new AppHealth("Synced", "Degraded"));
  }

  @Test
  void aSuspendedJobIsOutOfSyncAndASuspendedCronJobSyncedBothSuspended() {
    App job = app("Job", "  command: run\n");
    App cron = app("CronJob", "  schedule: '0 * * * *'\n  job: {command: run}\n");
    assertThat(of(job, "Suspended", List.of())).isEqualTo(new AppHealth("OutOfSync", "Suspended"));
    assertThat(of(cron, "Suspended", List.of())).isEqualTo(new AppHealth("Synced", "Suspended"));
  }

  @Test
  void aRolloutAScaleOrAKillLeftIsOutOfSync() {
    App app = service(2, false);
    List<LiveTask> rollout = running(app, 1, null);
    rollout.add(task(app, "old-spec", TaskState.TASK_RUNNING, null, false));
    assertThat(of(app, "Progressing", rollout))
        .isEqualTo(new AppHealth("OutOfSync", "Progressing"));
    List<LiveTask> starting = running(app, 1, null);
    starting.add(task(app, app.specHash(), TaskState.TASK_STAGING, null, false));
    assertThat(of(app, "Progressing", starting))
        .isEqualTo(new AppHealth("OutOfSync", "Progressing"));
    List<LiveTask> surplus = running(app, 2, null);
    surplus.add(task(app, app.specHash(), TaskState.TASK_RUNNING, null, true));
    assertThat(of(app, "Progressing", surplus))
        .as("a task being killed is not gone yet")
        .isEqualTo(new AppHealth("OutOfSync", "Healthy"));
    List<LiveTask> stopping = running(app, 2, null);
    stopping.add(task(app, app.specHash(), TaskState.TASK_KILLING, null, false));
    assertThat(of(app, "Progressing", stopping))
        .as("a task the agent is killing is not gone yet either")
        .isEqualTo(new AppHealth("OutOfSync", "Healthy"));
    List<LiveTask> ended = running(app, 2, null);
    ended.add(task(app, "old-spec", TaskState.TASK_FINISHED, null, false));
    assertThat(of(app, "Synced", ended))
        .as("ended tasks do not count")
        .isEqualTo(new AppHealth("Synced", "Healthy"));
    assertThat(of(app, "Progressing", running(app, 3, null)).syncStatus())
        .as("one more than the commit says")
        .isEqualTo("OutOfSync");
  }

  @Test
  void crashLoopingIsDegradedNothingAtAllIsMissingAndZeroInstancesIsSuspended() {
    App app = service(2, false);
    assertThat(AppHealth.of(app, status("Degraded", 3), running(app, 1, null), null))
        .isEqualTo(new AppHealth("OutOfSync", "Degraded"));
    assertThat(AppHealth.of(app, status("Progressing", 0), List.of(), null))
        .as("nothing runs, starts or failed: no offer fits it, say")
        .isEqualTo(new AppHealth("OutOfSync", "Missing"));
    assertThat(AppHealth.of(app, status("Progressing", 1), List.of(), null).health())
        .as("nothing runs after failures: waiting out the backoff")
        .isEqualTo("Progressing");
    App zero = service(0, false);
    assertThat(of(zero, "Synced", List.of())).isEqualTo(new AppHealth("Synced", "Suspended"));
    assertThat(
            of(
                zero,
                "Progressing",
                List.of(task(zero, zero.specHash(), TaskState.TASK_RUNNING, null, true))))
        .isEqualTo(new AppHealth("OutOfSync", "Progressing"));
    assertThat(AppHealth.of(app, null, List.of(), null))
        .as("before the planner said anything")
        .isEqualTo(new AppHealth("OutOfSync", "Missing"));
  }

  @Test
  void jobsCronJobsAndAppsLeftOnlyByTheirTasks() {
    App job = app("Job", "  command: exit 0\n");
    assertThat(of(job, "Succeeded", List.of())).isEqualTo(new AppHealth("Synced", "Healthy"));
    assertThat(of(job, "Running", List.of())).isEqualTo(new AppHealth("Synced", "Progressing"));
    assertThat(of(job, "Failed", List.of())).isEqualTo(new AppHealth("OutOfSync", "Degraded"));
    assertThat(of(job, "Progressing", List.of()))
        .isEqualTo(new AppHealth("OutOfSync", "Progressing"));
    App cron = app("CronJob", "  schedule: '0 3 * * *'\n  job: {command: exit 0}\n");
    assertThat(AppHealth.of(cron, status("Scheduled", 0), List.of(), null))
        .isEqualTo(new AppHealth("Synced", "Healthy"));
    assertThat(AppHealth.of(cron, status("Scheduled", 0), List.of(), "Succeeded").health())
        .isEqualTo("Healthy");
    assertThat(AppHealth.of(cron, status("Scheduled", 0), List.of(), "Failed").health())
        .isEqualTo("Degraded");
    assertThat(AppHealth.of(null, status("Pruning", 0), List.of(), null))
        .isEqualTo(new AppHealth("OutOfSync", "Progressing"));
    assertThat(AppHealth.of(null, status("PruneHeld", 0), List.of(), null))
        .isEqualTo(new AppHealth("OutOfSync", "Suspended"));
  }

  @Test
  void aRollUpTakesTheMostSevereHealth() {
    assertThat(AppHealth.worse("Healthy", "Suspended")).isEqualTo("Suspended");
    assertThat(AppHealth.worse("Suspended", "Progressing")).isEqualTo("Progressing");
    assertThat(AppHealth.worse("Missing", "Progressing")).isEqualTo("Missing");
    assertThat(AppHealth.worse("Degraded", "Missing")).isEqualTo("Degraded");
    assertThat(AppHealth.worse("Healthy", "Healthy")).isEqualTo("Healthy");
  }
}
