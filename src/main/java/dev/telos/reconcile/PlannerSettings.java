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
 * @param roles the roles Telos subscribes to (offers come for these only); empty: not known, any
 *     role is assumed placeable
 * @param executor how agents start the Telos executor, or null when it is not available (apps with
 *     {@code executor: telos} then wait, saying why)
 * @param suspended apps an operator suspended: nothing is launched, killed or rolled for them
 */
public record PlannerSettings(
    double maxPrune,
    boolean allowMassPrune,
    Duration unreachableTimeout,
    RestartPolicy restart,
    Duration killRetry,
    Duration launchTimeout,
    java.util.Set<String> roles,
    ExecutorLaunch executor,
    java.util.Set<String> suspended) {
  public static final PlannerSettings DEFAULT =
      new PlannerSettings(
          0.5,
          false,
          Duration.ofMinutes(5),
          RestartPolicy.DEFAULT,
          Duration.ofSeconds(60),
          Duration.ofMinutes(5),
          java.util.Set.of(),
          null,
          java.util.Set.of());

  /** Settings with no app suspended. */
  public PlannerSettings(
      double maxPrune,
      boolean allowMassPrune,
      Duration unreachableTimeout,
      RestartPolicy restart,
      Duration killRetry,
      Duration launchTimeout,
      java.util.Set<String> roles,
      ExecutorLaunch executor) {
    this(
        maxPrune,
        allowMassPrune,
        unreachableTimeout,
        restart,
        killRetry,
        launchTimeout,
        roles,
        executor,
        java.util.Set.of());
  }

  /** Settings without the Telos executor. */
  public PlannerSettings(
      double maxPrune,
      boolean allowMassPrune,
      Duration unreachableTimeout,
      RestartPolicy restart,
      Duration killRetry,
      Duration launchTimeout,
      java.util.Set<String> roles) {
    this(
        maxPrune,
        allowMassPrune,
        unreachableTimeout,
        restart,
        killRetry,
        launchTimeout,
        roles,
        null);
  }

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
    roles = roles == null ? java.util.Set.of() : java.util.Set.copyOf(roles);
    suspended = suspended == null ? java.util.Set.of() : java.util.Set.copyOf(suspended);
  }

  /** These settings with another launch timeout. */
  public PlannerSettings withLaunchTimeout(Duration timeout) {
    return new PlannerSettings(
        maxPrune,
        allowMassPrune,
        unreachableTimeout,
        restart,
        killRetry,
        timeout,
        roles,
        executor,
        suspended);
  }

  /** These settings for a framework subscribed to {@code subscribed}. */
  public PlannerSettings withRoles(java.util.Collection<String> subscribed) {
    return new PlannerSettings(
        maxPrune,
        allowMassPrune,
        unreachableTimeout,
        restart,
        killRetry,
        launchTimeout,
        java.util.Set.copyOf(subscribed),
        executor,
        suspended);
  }

  /** The same settings, pruning above {@code maxPrune} allowed or not. */
  public PlannerSettings withAllowMassPrune(boolean allow) {
    return new PlannerSettings(
        maxPrune,
        allow,
        unreachableTimeout,
        restart,
        killRetry,
        launchTimeout,
        roles,
        executor,
        suspended);
  }

  /** The same settings with {@code apps} suspended (and no other). */
  public PlannerSettings withSuspended(java.util.Set<String> apps) {
    return new PlannerSettings(
        maxPrune,
        allowMassPrune,
        unreachableTimeout,
        restart,
        killRetry,
        launchTimeout,
        roles,
        executor,
        apps);
  }

  /** These settings with agents starting the Telos executor as {@code launch} says. */
  public PlannerSettings withExecutor(ExecutorLaunch launch) {
    return new PlannerSettings(
        maxPrune,
        allowMassPrune,
        unreachableTimeout,
        restart,
        killRetry,
        launchTimeout,
        roles,
        launch,
        suspended);
  }
}
