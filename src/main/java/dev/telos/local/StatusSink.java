package dev.telos.local;

import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;

/** Where an agent's task runner reports task state changes. Thread-safe; never blocks long. */
@FunctionalInterface
interface StatusSink {
  /**
   * A task changed state.
   *
   * @param healthy the health check result carried by the update, or null when none
   */
  void status(
      String taskId, TaskState state, String message, TaskStatus.Reason reason, Boolean healthy);

  /**
   * An executor's own update: its state, message, reason, health and labels are forwarded (the
   * master gives it a uuid of its own).
   */
  default void status(TaskStatus fromExecutor) {
    status(
        fromExecutor.getTaskId().getValue(),
        fromExecutor.getState(),
        fromExecutor.hasMessage() ? fromExecutor.getMessage() : null,
        fromExecutor.hasReason() ? fromExecutor.getReason() : null,
        fromExecutor.hasHealthy() ? fromExecutor.getHealthy() : null);
  }

  /** An executor's MESSAGE for its framework's scheduler (unreliable: delivered at most once). */
  default void executorMessage(
      String frameworkId, String executorId, com.google.protobuf.ByteString data) {}
}
