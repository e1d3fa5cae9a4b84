package dev.telos.reconcile;

import dev.telos.manifest.RestartPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * The planner's policy knobs. Immutable; checked at construction.
 *
 * @param maxPrune the largest fraction of running apps one commit may remove (default 0.5)
 * @param allowMassPrune prune even above {@code maxPrune}
 * @param unreachableTimeout how long a TASK_UNREACHABLE task is waited for before it is replaced
 * @param restart the restart policy of Services whose manifest sets none
 * @param killRetry how long after a kill without a terminal update the kill is sent again
 * @param launchTimeout how long a launched task may stay STAGING/STARTING before it is killed and
 *     replaced (Marathon's {@code task_launch_timeout}, default 5 minutes)
 */
public record PlannerSettings(
    double maxPrune,
    boolean allowMassPrune,
    Duration unreachableTimeout,
    RestartPolicy restart,
    Duration killRetry,
    Duration launchTimeout) {
  public static final PlannerSettings DEFAULT =
      new PlannerSettings(
          0.5,
          false,
          Duration.ofMinutes(5),
          RestartPolicy.DEFAULT,
          Duration.ofSeconds(60),
          Duration.ofMinutes(5));

  public PlannerSettings {
    if (!(maxPrune >= 0 && maxPrune <= 1)) {
      throw new IllegalArgumentException("maxPrune must be between 0 and 1, got " + maxPrune);
    }
    Objects.requireNonNull(restart, "restart");
    Objects.requireNonNull(unreachableTimeout, "unreachableTimeout");
    Objects.requireNonNull(killRetry, "killRetry");
    if (launchTimeout == null || launchTimeout.isNegative() || launchTimeout.isZero()) {
      throw new IllegalArgumentException("launchTimeout must be > 0, got " + launchTimeout);
    }
  }

  /** These settings with another launch timeout. */
  public PlannerSettings withLaunchTimeout(Duration timeout) {
    return new PlannerSettings(
        maxPrune, allowMassPrune, unreachableTimeout, restart, killRetry, timeout);
  }
}
