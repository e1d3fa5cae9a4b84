package dev.telos.controller;

import java.time.Duration;

/**
 * What the controller does, for metrics. Called on the controller's threads; implementations must
 * be quick and must not throw. Every method has a no-op default; {@link #NONE} does nothing.
 */
public interface ControllerEvents {
  ControllerEvents NONE = new ControllerEvents() {};

  /** A git poll finished: {@code updated}, {@code unchanged}, {@code invalid} or {@code failed}. */
  default void gitPolled(Duration took, String outcome) {}

  /**
   * A pass of the loop ended: planning, applying the plan, publishing the view. {@code full}: every
   * app was planned; otherwise only those something touched.
   */
  default void passFinished(Duration took, boolean full) {}

  /** A commit's sync ended: {@code Synced} or {@code Superseded}. */
  default void syncFinished(Duration took, String result) {}

  default void launched(int tasks) {}

  default void killed(int tasks) {}

  /** A task is being killed, by the app's plan, for {@code reason} (appKey null: an orphan). */
  default void killing(String appKey, String taskId, String reason) {}

  /** A task of a Service ended without being asked to. */
  default void restarted(String app) {}

  default void offersReceived(int offers) {}

  /** A status update about a task arrived from the master (state as Mesos names it). */
  default void statusUpdate(String state) {}

  default void offersDeclined(int offers) {}

  /** A reconciliation round was sent: explicit (with tasks) or implicit. */
  default void reconciliation(boolean explicit) {}

  /** A call to the master failed (after any retries); {@code call} is its type. */
  default void callFailed(String call) {}

  /** A bound on what the controller keeps was hit and something was dropped. */
  default void boundHit(String what) {}
}
