package dev.telos.controller;

import dev.telos.reconcile.PlannerSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * How the controller runs.
 *
 * @param poll how often the repository is checked
 * @param reconcileInterval how often implicit reconciliation runs after the first round
 * @param failoverTimeout how long Mesos keeps our tasks when we are gone (default one week)
 * @param user the Unix user tasks run as ({@code FrameworkInfo.user})
 */
public record ControllerSettings(
    String frameworkName,
    String user,
    Duration failoverTimeout,
    Duration poll,
    Duration reconcileInterval,
    PlannerSettings planner) {
  public ControllerSettings {
    Objects.requireNonNull(frameworkName, "frameworkName");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(failoverTimeout, "failoverTimeout");
    Objects.requireNonNull(poll, "poll");
    Objects.requireNonNull(reconcileInterval, "reconcileInterval");
    Objects.requireNonNull(planner, "planner");
    if (poll.toMillis() < 100) {
      throw new IllegalArgumentException("poll interval must be >= 100ms, got " + poll);
    }
  }

  public static ControllerSettings defaults(Duration poll) {
    return new ControllerSettings(
        "telos",
        System.getProperty("user.name"),
        Duration.ofDays(7),
        poll,
        Duration.ofMinutes(15),
        PlannerSettings.DEFAULT);
  }

  public ControllerSettings withPlanner(PlannerSettings p) {
    return new ControllerSettings(frameworkName, user, failoverTimeout, poll, reconcileInterval, p);
  }
}
