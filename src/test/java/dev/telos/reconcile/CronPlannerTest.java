package dev.telos.reconcile;

import static dev.telos.reconcile.PlannerFixture.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.cluster.LiveTask;
import dev.telos.manifest.App;
import java.time.Instant;
import java.util.Set;
import org.apache.mesos.v1.Protos.TaskState;
import org.junit.jupiter.api.Test;

/** The CronJob paths of the planner at their edges (mutation survivors killed here). */
class CronPlannerTest {
  final PlannerFixture f = new PlannerFixture();

  static App cron(String policy, String deadline, String job) {
    return PlannerFixture.app(
        "apiVersion: telos.dev/v1\nkind: CronJob\nmetadata: {name: report}\n"
            + "spec:\n  schedule: '*/5 * * * *'\n  concurrencyPolicy: "
            + policy
            + "\n"
            + (deadline == null ? "" : "  startingDeadline: " + deadline + "\n")
            + "  job: {command: ./report, resources: {cpus: 0.1, mem: 10}"
            + job
            + "}\n");
  }

  @Test
  void aNewCronJobRunsNothingButWakesAtItsFirstFireTime() {
    App c = cron("Allow", null, "");
    f.with(c).offer("a1", 4, 1000, 1, 0);
    Plan plan = f.plan();
    assertThat(plan.launches()).isEmpty();
    assertThat(plan.apps().get(c.key()).status()).isEqualTo("Scheduled");
    assertThat(plan.nextWakeup()).isEqualTo(Instant.parse("2026-06-01T12:05:00Z"));
  }

  @Test
  void aRunStartedExactlyAtItsDeadlineStillRuns() {
    App c = cron("Allow", "1m", "");
    f.with(c).offer("a1", 4, 1000, 1, 0);
    f.history.put(
        c.key(), new AppHistory(0, null, Set.of(), 0, null, Instant.parse("2026-06-01T11:58:00Z")));
    // due at 12:00; planned at 12:01 exactly: one minute late, as late as allowed
    Plan plan = Planner.plan(f.input(), NOW.plusSeconds(60));
    assertThat(plan.launches()).hasSize(1);
    assertThat(plan.cronEvents()).singleElement().satisfies(e -> assertThat(e.started()).isTrue());
  }

  @Test
  void aRunBeingKilledDoesNotHoldBackTheNextUnderForbid() {
    App c = cron("Forbid", null, "");
    f.with(c).offer("a1", 4, 1000, 1, 0);
    LiveTask old = f.task(c, c.specHash(), TaskState.TASK_RUNNING, null, "a1", 8);
    f.tasks.set(f.tasks.indexOf(old), old.withKillRequestedAt(NOW.minusSeconds(5)));
    f.history.put(
        c.key(), new AppHistory(0, null, Set.of(), 0, null, Instant.parse("2026-06-01T11:55:00Z")));
    Plan plan = f.plan();
    assertThat(plan.launches()).hasSize(1);
    assertThat(plan.cronEvents()).singleElement().satisfies(e -> assertThat(e.started()).isTrue());
  }

  @Test
  void itsStatusIsRunningWhileARunIsActiveElseScheduled() {
    App c = cron("Allow", null, "");
    f.with(c).offer("a1", 4, 1000, 1, 0);
    f.history.put(
        c.key(), new AppHistory(0, null, Set.of(), 0, null, Instant.parse("2026-06-01T12:00:00Z")));
    assertThat(f.plan().apps().get(c.key()).status()).isEqualTo("Scheduled");
    f.task(c, c.specHash(), TaskState.TASK_RUNNING, null, "a1", 0);
    assertThat(f.plan().apps().get(c.key()).status()).isEqualTo("Running");
  }

  @Test
  void aFailedRunsRetryWaitsTheBackoffDoubledPerAttemptAndWakesThen() {
    App c = cron("Allow", null, ", retries: 3, backoff: 10s");
    f.with(c).offer("a1", 4, 1000, 1, 0);
    Instant fired = Instant.parse("2026-06-01T12:00:00Z");
    // the second failure, 5 s ago: the retry waits 10 s x 2 = 20 s
    f.history.put(
        c.key(), new AppHistory(2, NOW.minusSeconds(5), Set.of(), 2, c.specHash(), fired));
    Plan wait = f.plan();
    assertThat(wait.launches()).isEmpty();
    assertThat(wait.nextWakeup()).isEqualTo(NOW.plusSeconds(15));
    assertThat(wait.apps().get(c.key()).message())
        .isEqualTo("retry 3 of the last run at " + NOW.plusSeconds(15));
    // once due, it launches, and the app has nothing more to say
    Plan retry = Planner.plan(f.input(), NOW.plusSeconds(15));
    assertThat(retry.launches())
        .singleElement()
        .satisfies(l -> assertThat(l.reason()).isEqualTo("retry 3 of 4"));
    assertThat(retry.apps().get(c.key()).message()).isNull();
  }

  @Test
  void afterALongOutageTheRunIsForTheLatestFireTimeOnly() {
    App minutely =
        PlannerFixture.app(
            "apiVersion: telos.dev/v1\nkind: CronJob\nmetadata: {name: tick}\n"
                + "spec:\n  schedule: '* * * * *'\n  job: {command: ./tick, resources: {cpus: 0.1,"
                + " mem: 10}}\n");
    f.with(minutely).offer("a1", 4, 1000, 1, 0);
    // down for three weeks: 30,240 minutely fire times were missed
    f.history.put(
        minutely.key(),
        new AppHistory(0, null, Set.of(), 0, null, NOW.minus(java.time.Duration.ofDays(21))));
    Plan plan = Planner.plan(f.input(), NOW.plusSeconds(30));
    assertThat(plan.launches()).hasSize(1);
    assertThat(plan.cronEvents())
        .singleElement()
        .satisfies(e -> assertThat(e.fireTime()).isEqualTo(NOW));
    assertThat(plan.nextWakeup()).isEqualTo(NOW.plusSeconds(60));
  }

  @Test
  void theLatestFireTimeIsFoundWhateverTheGapAndNoneBeforeTheFirst() {
    dev.telos.manifest.CronSchedule daily =
        new dev.telos.manifest.CronSchedule("0 3 * * *", java.time.ZoneId.of("UTC"));
    Instant now = Instant.parse("2026-06-01T12:00:00Z");
    Instant today = Instant.parse("2026-06-01T03:00:00Z");
    assertThat(Planner.latestFire(daily, today.minusSeconds(1), now)).isEqualTo(today);
    assertThat(Planner.latestFire(daily, today, now)).isNull();
    assertThat(Planner.latestFire(daily, Instant.parse("2025-01-01T00:00:00Z"), now))
        .isEqualTo(today);
    assertThat(Planner.latestFire(daily, now.minusSeconds(60), now)).isNull();
  }

  @Test
  void theLatestOfHalfAMillionMissedFiresIsFoundExactly() {
    // Every minute, last fired a year ago: the latest fire, not one on the way to it.
    dev.telos.manifest.CronSchedule everyMinute =
        new dev.telos.manifest.CronSchedule("* * * * *", java.time.ZoneId.of("UTC"));
    Instant now = Instant.parse("2026-06-01T12:00:30Z");
    assertThat(Planner.latestFire(everyMinute, now.minus(java.time.Duration.ofDays(365)), now))
        .isEqualTo(Instant.parse("2026-06-01T12:00:00Z"));
    // Every minute in January to June only, half a million fire times behind, the latest in June.
    dev.telos.manifest.CronSchedule firstHalf =
        new dev.telos.manifest.CronSchedule("* * * 1-6 *", java.time.ZoneId.of("UTC"));
    assertThat(
            Planner.latestFire(
                firstHalf,
                Instant.parse("2026-01-01T00:00:00.250Z"),
                Instant.parse("2026-12-31T08:00:00Z")))
        .isEqualTo(Instant.parse("2026-06-30T23:59:00Z"));
    // A fire time exactly at now is due; one a millisecond later is not.
    assertThat(
            Planner.latestFire(
                everyMinute,
                Instant.parse("2026-06-01T11:58:00Z"),
                Instant.parse("2026-06-01T12:00:00Z")))
        .isEqualTo(Instant.parse("2026-06-01T12:00:00Z"));
  }

  @Test
  void aCronJobWithoutRetriesWhoseLastRunSucceededSaysNothing() {
    App c = cron("Allow", null, ", retries: 0");
    f.with(c).offer("a1", 4, 1000, 1, 0);
    // its last run started at 12:00 and ended well; the next is at 12:05
    f.history.put(c.key(), new AppHistory(0, null, Set.of(), 0, null, NOW));
    Plan plan = Planner.plan(f.input(), NOW.plusSeconds(30));
    assertThat(plan.apps().get(c.key()).status()).isEqualTo("Scheduled");
    assertThat(plan.apps().get(c.key()).message()).isNull();
    // and one whose run failed once, with no retry left, says so
    f.history.put(
        c.key(),
        new AppHistory(
            0,
            NOW.minusSeconds(10),
            Set.of(),
            1,
            c.specHash(),
            Instant.parse("2026-06-01T12:00:00Z")));
    assertThat(Planner.plan(f.input(), NOW.plusSeconds(30)).apps().get(c.key()).message())
        .isEqualTo("last run failed 1 time(s)");
  }
}
