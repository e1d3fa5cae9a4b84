package dev.telos.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What each event does to an app's history, field by field. */
class AppHistoryTest {
  static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
  static final Instant T1 = T0.plusSeconds(60);

  @Test
  void failuresCountUpAndARecoveryStartsTheBackoffOver() {
    AppHistory h = AppHistory.EMPTY.withFailedAttempt("s1", T0).withFailedAttempt("s2", T1);
    assertThat(h.consecutiveFailures()).isEqualTo(2);
    assertThat(h.lastFailureAt()).isEqualTo(T1);
    AppHistory healed = h.withRecovery();
    assertThat(healed.consecutiveFailures()).isZero();
    assertThat(healed.lastFailureAt()).as("kept for the record").isEqualTo(T1);
  }

  @Test
  void failedAttemptsCountPerJobSpecAndASuccessEndsThem() {
    AppHistory h = AppHistory.EMPTY.withFailedAttempt("s1", T0).withFailedAttempt("s1", T1);
    assertThat(h.failedAttempts()).isEqualTo(2);
    assertThat(h.attemptsSpec()).isEqualTo("s1");
    assertThat(h.consecutiveFailures()).isEqualTo(2);
    assertThat(h.lastFailureAt()).isEqualTo(T1);
    AppHistory other = h.withFailedAttempt("s2", T1);
    assertThat(other.failedAttempts()).as("a new spec starts counting again").isEqualTo(1);
    assertThat(other.attemptsSpec()).isEqualTo("s2");

    AppHistory done = other.withSuccess("s2");
    assertThat(done.succeededJobSpecs()).containsExactly("s2");
    assertThat(done.failedAttempts()).isZero();
    assertThat(done.attemptsSpec()).isNull();
    assertThat(done.consecutiveFailures()).isZero();
    assertThat(done.withSuccess(null).succeededJobSpecs())
        .as("a cron run's success records no spec")
        .containsExactly("s2");
  }

  @Test
  void aStartedCronRunBeginsWithNoFailedAttemptsASkippedOneKeepsThem() {
    AppHistory failing =
        new AppHistory(1, T0, Set.of(), 2, "s1", T0.minusSeconds(300)).withCronFire(T1, false);
    assertThat(failing.lastCronFire()).isEqualTo(T1);
    assertThat(failing.failedAttempts()).isEqualTo(2);
    assertThat(failing.attemptsSpec()).isEqualTo("s1");
    AppHistory started = failing.withCronFire(T1.plusSeconds(300), true);
    assertThat(started.failedAttempts()).isZero();
    assertThat(started.attemptsSpec()).isNull();
    assertThat(started.consecutiveFailures())
        .as("the restart count is not the cron's")
        .isEqualTo(1);
  }
}
