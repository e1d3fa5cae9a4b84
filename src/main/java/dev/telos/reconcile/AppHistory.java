package dev.telos.reconcile;

import java.time.Instant;
import java.util.Set;

/**
 * What the controller remembers about an app between passes, as values the planner reads.
 *
 * @param consecutiveFailures tasks of the app that ended unexpectedly since the last healthy run
 * @param lastFailureAt when the last of them ended, or null
 * @param succeededJobSpecs spec hashes of Job runs that finished successfully
 * @param failedAttempts failed attempts (Job) or unexpected task ends (Service) of the spec {@code
 *     attemptsSpec}
 * @param attemptsSpec the spec hash {@code failedAttempts} counts for, or null
 * @param lastCronFire the last cron fire time handled (run or skipped), or null
 * @param rolledBackSpec the Service spec Telos rolled back from ({@code upgrade.autoRollback}):
 *     while git still asks for it, the app runs the spec it ran before; null when none
 */
public record AppHistory(
    int consecutiveFailures,
    Instant lastFailureAt,
    Set<String> succeededJobSpecs,
    int failedAttempts,
    String attemptsSpec,
    Instant lastCronFire,
    String rolledBackSpec) {
  public static final AppHistory EMPTY = new AppHistory(0, null, Set.of(), 0, null, null, null);

  /** A history with no rollback. */
  public AppHistory(
      int consecutiveFailures,
      Instant lastFailureAt,
      Set<String> succeededJobSpecs,
      int failedAttempts,
      String attemptsSpec,
      Instant lastCronFire) {
    this(
        consecutiveFailures,
        lastFailureAt,
        succeededJobSpecs,
        failedAttempts,
        attemptsSpec,
        lastCronFire,
        null);
  }

  /** This history with the Service spec {@code spec} rolled back (its failures forgotten). */
  public AppHistory withRollback(String spec) {
    return new AppHistory(
        consecutiveFailures, lastFailureAt, succeededJobSpecs, 0, null, lastCronFire, spec);
  }

  public AppHistory {
    succeededJobSpecs = Set.copyOf(succeededJobSpecs);
  }

  /** After a cron fire time was handled: a started run begins with no failed attempts. */
  public AppHistory withCronFire(Instant fire, boolean started) {
    return new AppHistory(
        consecutiveFailures,
        lastFailureAt,
        succeededJobSpecs,
        started ? 0 : failedAttempts,
        started ? null : attemptsSpec,
        fire,
        rolledBackSpec);
  }

  /** After a healthy run: the restart backoff starts over. */
  public AppHistory withRecovery() {
    return new AppHistory(
        0,
        lastFailureAt,
        succeededJobSpecs,
        failedAttempts,
        attemptsSpec,
        lastCronFire,
        rolledBackSpec);
  }

  /** After a failed attempt of the Job spec {@code spec} at {@code at}. */
  public AppHistory withFailedAttempt(String spec, Instant at) {
    int attempts = spec.equals(attemptsSpec) ? failedAttempts + 1 : 1;
    return new AppHistory(
        consecutiveFailures + 1,
        at,
        succeededJobSpecs,
        attempts,
        spec,
        lastCronFire,
        rolledBackSpec);
  }

  /** After a successful run of the Job spec {@code spec} (null for a cron run). */
  public AppHistory withSuccess(String spec) {
    Set<String> done = new java.util.HashSet<>(succeededJobSpecs);
    if (spec != null) {
      done.add(spec);
    }
    return new AppHistory(0, lastFailureAt, done, 0, null, lastCronFire, rolledBackSpec);
  }
}
