package dev.telos.reconcile;

import static dev.telos.reconcile.PlannerFixture.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.cluster.LiveTask;
import dev.telos.manifest.App;
import java.time.Instant;
import java.util.Set;
import org.apache.mesos.v1.Protos.TaskState;
import org.junit.jupiter.api.Test;

class JobPlannerTest {
  final PlannerFixture f = new PlannerFixture();

  static App job() {
    return PlannerFixture.app(
        "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: migrate}\n"
            + "spec: {command: ./migrate, retries: 2, backoff: 10s, resources: {cpus: 0.1, mem: 10}}\n");
  }

  static App cron(String policy, String deadline) {
    return PlannerFixture.app(
        "apiVersion: telos.dev/v1\nkind: CronJob\nmetadata: {name: report}\n"
            + "spec:\n  schedule: '*/5 * * * *'\n  concurrencyPolicy: "
            + policy
            + "\n"
            + (deadline == null ? "" : "  startingDeadline: " + deadline + "\n")
            + "  job: {command: ./report, resources: {cpus: 0.1, mem: 10}}\n");
  }

  @Test
  void aJobRunsOncePerSpec() {
    App job = job();
    f.with(job).offer("a1", 4, 1000, 1, 0);
    assertThat(f.plan().launches()).hasSize(1);
    f.task(job, job.specHash(), TaskState.TASK_RUNNING, null, "a1", 0);
    assertThat(f.plan().launches()).isEmpty();
    f.tasks.clear();
    f.history.put(job.key(), new AppHistory(0, null, Set.of(job.specHash()), 0, null, null));
    Plan done = f.plan();
    assertThat(done.launches()).isEmpty();
    assertThat(done.apps().get(job.key()).status()).isEqualTo("Succeeded");
  }

  @Test
  void aFailedJobIsRetriedWithBackoffUntilRetriesRunOut() {
    App job = job();
    f.with(job).offer("a1", 4, 1000, 1, 0);
    f.history.put(
        job.key(), new AppHistory(1, NOW.minusSeconds(5), Set.of(), 1, job.specHash(), null));
    Plan wait = f.plan();
    assertThat(wait.launches()).isEmpty();
    assertThat(wait.nextWakeup()).isEqualTo(NOW.plusSeconds(5));
    f.history.put(
        job.key(), new AppHistory(2, NOW.minusSeconds(25), Set.of(), 2, job.specHash(), null));
    assertThat(f.plan().launches())
        .singleElement()
        .satisfies(l -> assertThat(l.reason()).isEqualTo("retry 3 of 3"));
    f.history.put(
        job.key(), new AppHistory(3, NOW.minusSeconds(500), Set.of(), 3, job.specHash(), null));
    Plan failed = f.plan();
    assertThat(failed.launches()).isEmpty();
    assertThat(failed.apps().get(job.key()).status()).isEqualTo("Failed");
  }

  @Test
  void aCronJobRunsWhenDueAndHonoursItsConcurrencyPolicy() {
    App allow = cron("Allow", null);
    f.with(allow).offer("a1", 4, 1000, 1, 0);
    f.history.put(
        allow.key(),
        new AppHistory(0, null, Set.of(), 0, null, Instant.parse("2026-06-01T11:54:00Z")));
    Plan plan = f.plan();
    assertThat(plan.launches()).hasSize(1);
    assertThat(plan.cronEvents())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.fireTime()).isEqualTo(Instant.parse("2026-06-01T12:00:00Z"));
              assertThat(e.started()).isTrue();
            });
    assertThat(plan.nextWakeup()).isEqualTo(Instant.parse("2026-06-01T12:05:00Z"));
  }

  @Test
  void aDueRunWithoutOffersIsNotRecordedSoTheNextPassRetriesIt() {
    App allow = cron("Allow", null);
    f.with(allow);
    f.history.put(
        allow.key(),
        new AppHistory(0, null, Set.of(), 0, null, Instant.parse("2026-06-01T11:54:00Z")));
    Plan plan = f.plan();
    assertThat(plan.launches()).isEmpty();
    assertThat(plan.pending()).hasSize(1);
    assertThat(plan.cronEvents()).isEmpty();
    assertThat(plan.wantsOffers()).isTrue();
  }

  @Test
  void aFailedCronRunIsRetriedWithBackoffUntilItsRetriesRunOut() {
    App cron =
        PlannerFixture.app(
            "apiVersion: telos.dev/v1\nkind: CronJob\nmetadata: {name: r}\n"
                + "spec:\n  schedule: '0 0 * * *'\n  job: {command: ./r, retries: 1, backoff: 10s,"
                + " resources: {cpus: 0.1, mem: 10}}\n");
    f.with(cron).offer("a1", 4, 1000, 1, 0);
    Instant fired = Instant.parse("2026-06-01T00:00:00Z");
    f.history.put(
        cron.key(), new AppHistory(1, NOW.minusSeconds(5), Set.of(), 1, cron.specHash(), fired));
    Plan wait = f.plan();
    assertThat(wait.launches()).isEmpty();
    assertThat(wait.apps().get(cron.key()).message()).startsWith("retry 2 of the last run at");
    f.history.put(
        cron.key(), new AppHistory(1, NOW.minusSeconds(11), Set.of(), 1, cron.specHash(), fired));
    assertThat(f.plan().launches())
        .singleElement()
        .satisfies(l -> assertThat(l.reason()).isEqualTo("retry 2 of 2"));
    f.history.put(
        cron.key(), new AppHistory(2, NOW.minusSeconds(100), Set.of(), 2, cron.specHash(), fired));
    Plan exhausted = f.plan();
    assertThat(exhausted.launches()).isEmpty();
    assertThat(exhausted.apps().get(cron.key()).message()).isEqualTo("last run failed 2 time(s)");
  }

  @Test
  void forbidSkipsARunWhileThePreviousOneIsActive() {
    App forbid = cron("Forbid", null);
    f.with(forbid).offer("a1", 4, 1000, 1, 0);
    f.task(forbid, forbid.specHash(), TaskState.TASK_RUNNING, null, "a1", 3);
    f.history.put(
        forbid.key(),
        new AppHistory(0, null, Set.of(), 0, null, Instant.parse("2026-06-01T11:55:00Z")));
    Plan plan = f.plan();
    assertThat(plan.launches()).isEmpty();
    assertThat(plan.cronEvents())
        .singleElement()
        .satisfies(e -> assertThat(e.reason()).contains("Forbid"));
  }

  @Test
  void replaceKillsTheActiveRunAndStartsANewOne() {
    App replace = cron("Replace", null);
    f.with(replace).offer("a1", 4, 1000, 1, 0);
    f.task(replace, replace.specHash(), TaskState.TASK_RUNNING, null, "a1", 3);
    f.history.put(
        replace.key(),
        new AppHistory(0, null, Set.of(), 0, null, Instant.parse("2026-06-01T11:55:00Z")));
    Plan plan = f.plan();
    assertThat(plan.kills()).hasSize(1);
    assertThat(plan.launches()).hasSize(1);
  }

  @Test
  void aRunMissedPastItsStartingDeadlineIsSkippedAndRecorded() {
    App late = cron("Allow", "1m");
    f.with(late).offer("a1", 4, 1000, 1, 0);
    f.history.put(
        late.key(),
        new AppHistory(0, null, Set.of(), 0, null, Instant.parse("2026-06-01T11:40:00Z")));
    Plan plan = Planner.plan(f.input(), NOW.plusSeconds(150));
    assertThat(plan.launches()).isEmpty();
    assertThat(plan.cronEvents())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.started()).isFalse();
              assertThat(e.reason()).contains("past startingDeadline 1m");
            });
  }

  @Test
  void aRunningRetrySaysWhichAttemptItIs() {
    App job = job();
    f.with(job).offer("a1", 4, 1000, 1, 0);
    f.history.put(
        job.key(), new AppHistory(2, NOW.minusSeconds(60), Set.of(), 2, job.specHash(), null));
    f.task(job, job.specHash(), TaskState.TASK_RUNNING, null, "a1", 0);
    Plan.AppStatus s = f.plan().apps().get(job.key());
    assertThat(s.status()).isEqualTo("Running");
    assertThat(s.running()).isEqualTo(1);
    assertThat(s.message()).isEqualTo("attempt 3 of 3");
  }

  @Test
  void retriesRunOutExactlyAfterRetriesPlusOneAttempts() {
    App job = job(); // retries: 2
    f.with(job).offer("a1", 4, 1000, 1, 0);
    f.history.put(
        job.key(), new AppHistory(2, NOW.minusSeconds(600), Set.of(), 2, job.specHash(), null));
    assertThat(f.plan().launches()).as("2 failed, the third may run").hasSize(1);
    f.history.put(
        job.key(), new AppHistory(3, NOW.minusSeconds(600), Set.of(), 3, job.specHash(), null));
    Plan failed = f.plan();
    assertThat(failed.launches()).isEmpty();
    assertThat(failed.apps().get(job.key()).status()).isEqualTo("Failed");
    assertThat(failed.apps().get(job.key()).message()).startsWith("failed 3 time(s)");
  }

  @Test
  void theBackoffDoublesPerAttemptAndEndsExactlyWhenDue() {
    App job = job(); // backoff: 10s
    f.with(job).offer("a1", 4, 1000, 1, 0);
    // Two failed attempts: the third waits 10s x 2 = 20s after the last failure.
    f.history.put(
        job.key(), new AppHistory(2, NOW.minusSeconds(5), Set.of(), 2, job.specHash(), null));
    Plan wait = f.plan();
    assertThat(wait.apps().get(job.key()).nextLaunchAt()).isEqualTo(NOW.plusSeconds(15));
    assertThat(wait.apps().get(job.key()).message()).isEqualTo("retry 3 after a 20s backoff");
    f.history.put(
        job.key(), new AppHistory(2, NOW.minusSeconds(20), Set.of(), 2, job.specHash(), null));
    assertThat(f.plan().launches()).as("due exactly now").hasSize(1);
  }

  @Test
  void tasksOfAnOlderSpecAreKilledAndTheirKillsSentAgainWhenUnconfirmed() {
    App job = job();
    f.with(job).offer("a1", 4, 1000, 1, 0);
    LiveTask old = f.task(job, "0ldspec", TaskState.TASK_RUNNING, null, "a1", 3);
    assertThat(f.plan().kills())
        .singleElement()
        .satisfies(k -> assertThat(k.reason()).isEqualTo("superseded by spec " + job.specHash()));
    f.tasks.set(0, old.withKillRequestedAt(NOW.minusSeconds(600)));
    assertThat(f.plan().kills())
        .singleElement()
        .satisfies(k -> assertThat(k.reason()).contains("sent again"));
    f.tasks.set(0, old.withKillRequestedAt(NOW));
    assertThat(f.plan().kills()).as("not yet due again").isEmpty();
  }

  @Test
  void aJobTaskStuckInStagingPastTheLaunchTimeoutIsKilled() {
    App job = job();
    f.with(job).offer("a1", 4, 1000, 1, 0);
    f.task(job, job.specHash(), TaskState.TASK_STAGING, null, "a1", 10);
    assertThat(f.plan().kills())
        .singleElement()
        .satisfies(k -> assertThat(k.reason()).startsWith("launch timed out"));
  }
}
