package dev.telos.local;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;

/**
 * An agent without processes: tasks go STARTING then RUNNING after a delay, a configured fraction
 * of them fail, a command that is just {@code exit N} ends after the delay, kills complete at once.
 * Lets a thousand agents and a hundred thousand tasks run in one JVM.
 */
final class SimulatedRunner implements TaskRunner {
  private final StatusSink sink;
  private final ScheduledExecutorService timers;
  private final Duration delay;
  private final double failureRate;
  private final Map<String, Boolean> running = new ConcurrentHashMap<>();

  SimulatedRunner(
      StatusSink sink, ScheduledExecutorService timers, Duration delay, double failureRate) {
    this.sink = sink;
    this.timers = timers;
    this.delay = delay;
    this.failureRate = failureRate;
  }

  @Override
  public void launch(Launch launch) {
    String id = launch.task().getTaskId().getValue();
    boolean healthChecked = launch.task().hasHealthCheck();
    Integer exit = exitCode(launch.task().getCommand().getValue());
    running.put(id, Boolean.TRUE);
    long d = delay.toMillis();
    timers.schedule(
        () -> {
          if (running.containsKey(id)) {
            sink.status(id, TaskState.TASK_STARTING, null, null, null);
            sink.status(
                id, TaskState.TASK_RUNNING, null, null, healthChecked ? Boolean.TRUE : null);
            if (exit != null) {
              timers.schedule(() -> exit(id, exit), Math.max(1, d), TimeUnit.MILLISECONDS);
            } else if (failureRate > 0 && ThreadLocalRandom.current().nextDouble() < failureRate) {
              timers.schedule(() -> fail(id), Math.max(1, d), TimeUnit.MILLISECONDS);
            }
          }
        },
        d,
        TimeUnit.MILLISECONDS);
  }

  /**
   * A command that is just {@code exit N} ends on its own after running for the delay: finished for
   * 0, failed otherwise (so Jobs can be simulated); any other command runs until killed.
   */
  static Integer exitCode(String command) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\s*exit\\s+(\\d{1,3})\\s*").matcher(command);
    return m.matches() ? Integer.valueOf(m.group(1)) : null;
  }

  private void exit(String id, int code) {
    if (running.remove(id) != null) {
      if (code == 0) {
        sink.status(id, TaskState.TASK_FINISHED, "Command exited with status 0", null, null);
      } else {
        sink.status(
            id,
            TaskState.TASK_FAILED,
            "Command exited with status " + code,
            TaskStatus.Reason.REASON_COMMAND_EXECUTOR_FAILED,
            null);
      }
    }
  }

  private void fail(String id) {
    if (running.remove(id) != null) {
      sink.status(
          id,
          TaskState.TASK_FAILED,
          "Simulated failure",
          TaskStatus.Reason.REASON_COMMAND_EXECUTOR_FAILED,
          null);
    }
  }

  @Override
  public void kill(String taskId, Duration grace) {
    if (running.remove(taskId) != null) {
      sink.status(taskId, TaskState.TASK_KILLING, null, null, null);
      sink.status(taskId, TaskState.TASK_KILLED, "Simulated kill", null, null);
    }
  }

  @Override
  public void crash(String taskId) {
    if (running.remove(taskId) != null) {
      sink.status(
          taskId,
          TaskState.TASK_FAILED,
          "Command terminated with signal Killed",
          TaskStatus.Reason.REASON_COMMAND_EXECUTOR_FAILED,
          null);
    }
  }

  @Override
  public void shutdown() {
    running.clear();
  }
}
