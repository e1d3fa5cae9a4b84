package dev.telos.reconcile;

import java.time.Instant;
import java.util.Set;

/**
 * What the controller remembers about an app between passes, as values the planner reads.
 *
 * @param consecutiveFailures tasks of the app that ended unexpectedly since the last healthy run
 * @param lastFailureAt when the last of them ended, or null
 * @param succeededJobSpecs spec hashes of Job runs that finished successfully
 * @param failedAttempts failed attempts of the Job spec {@code attemptsSpec}
 * @param attemptsSpec the spec hash {@code failedAttempts} counts for, or null
 * @param lastCronFire the last cron fire time handled (run or skipped), or null
 */
public record AppHistory(
    int consecutiveFailures,
    Instant lastFailureAt,
    Set<String> succeededJobSpecs,
    int failedAttempts,
    String attemptsSpec,
    Instant lastCronFire) {
  public static final AppHistory EMPTY = new AppHistory(0, null, Set.of(), 0, null, null);

  public AppHistory {
    succeededJobSpecs = Set.copyOf(succeededJobSpecs);
  }
}
