package dev.telos.reconcile;

import java.time.Duration;

/**
 * The planner's policy knobs. Immutable; checked at construction.
 *
 * @param maxPrune the largest fraction of running apps one commit may remove (default 0.5)
 * @param allowMassPrune prune even above {@code maxPrune}
 * @param unreachableTimeout how long a TASK_UNREACHABLE task is waited for before it is replaced
 * @param restartBackoff the first restart delay of a failing app; doubles per failure
 * @param maxRestartBackoff the cap of the restart delay
 * @param killRetry how long after a kill without a terminal update the kill is sent again
 */
public record PlannerSettings(
    double maxPrune,
    boolean allowMassPrune,
    Duration unreachableTimeout,
    Duration restartBackoff,
    Duration maxRestartBackoff,
    Duration killRetry) {
  public static final PlannerSettings DEFAULT =
      new PlannerSettings(
          0.5,
          false,
          Duration.ofMinutes(5),
          Duration.ofSeconds(1),
          Duration.ofMinutes(5),
          Duration.ofSeconds(60));

  public PlannerSettings {
    if (!(maxPrune >= 0 && maxPrune <= 1)) {
      throw new IllegalArgumentException("maxPrune must be between 0 and 1, got " + maxPrune);
    }
    if (restartBackoff.isNegative() || maxRestartBackoff.compareTo(restartBackoff) < 0) {
      throw new IllegalArgumentException("restart backoff must be >= 0 and <= its maximum");
    }
  }

  /** The restart delay after {@code failures} consecutive failures. */
  public Duration restartDelay(int failures) {
    if (failures <= 0) {
      return Duration.ZERO;
    }
    Duration d = restartBackoff;
    for (int i = 1; i < failures && d.compareTo(maxRestartBackoff) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(maxRestartBackoff) > 0 ? maxRestartBackoff : d;
  }
}
