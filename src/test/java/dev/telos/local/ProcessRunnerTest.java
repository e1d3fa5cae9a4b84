package dev.telos.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A process agent that is stopping starts nothing more. */
class ProcessRunnerTest {
  @TempDir Path work;

  @Test
  void aLaunchQueuedBeforeShutdownStartsNoProcess() throws Exception {
    // Regression: the launch ran after shutdown() had killed what was running, so its process
    // outlived the agent (found by the test suite's process guard after ApiIT).
    List<TaskState> states = new CopyOnWriteArrayList<>();
    StatusSink sink = (task, state, message, reason, healthy) -> states.add(state);
    ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    ExecutorService workers = Executors.newSingleThreadExecutor();
    try {
      ProcessRunner runner = new ProcessRunner("a1", work, "127.0.0.1", sink, timers, workers);
      CountDownLatch gate = new CountDownLatch(1);
      workers.execute(
          () -> {
            try {
              gate.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      runner.launch(
          new TaskRunner.Launch(
              TaskInfo.newBuilder()
                  .setName("t")
                  .setTaskId(TaskID.newBuilder().setValue("t1"))
                  .setAgentId(AgentID.newBuilder().setValue("a1"))
                  .setCommand(CommandInfo.newBuilder().setValue("exec sleep 300"))
                  .build(),
              "fw",
              "a1",
              "*",
              true,
              "t1",
              org.apache.mesos.v1.Protos.FrameworkInfo.getDefaultInstance()));
      runner.shutdown();
      gate.countDown();
      workers.shutdown();
      assertThat(workers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      assertThat(states).containsExactly(TaskState.TASK_FAILED);
      assertThat(runner.pid("t1")).isEmpty();
      assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
    } finally {
      timers.shutdownNow();
      workers.shutdownNow();
    }
  }

  @Test
  void aHeldPortIsNeverOfferedAndOneFoundFreeIsNotProbedAgainForAWhile() throws Exception {
    ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    ExecutorService workers = Executors.newSingleThreadExecutor();
    try {
      ProcessRunner runner =
          new ProcessRunner("a1", work, "127.0.0.1", (t, s, m, r, h) -> {}, timers, workers);
      long[] now = {0};
      runner.nanoClock = () -> now[0];
      int port;
      try (java.net.ServerSocket held = new java.net.ServerSocket(0)) {
        port = held.getLocalPort();
        assertThat(runner.canBind(port)).as("held").isFalse();
        assertThat(runner.canBind(port)).as("held, probed again").isFalse();
      }
      assertThat(runner.canBind(port)).as("released").isTrue();
      try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
        taken.bind(new java.net.InetSocketAddress(port));
        now[0] += ProcessRunner.PORT_PROBE_TTL.toNanos() - 1;
        assertThat(runner.canBind(port)).as("taken within the TTL: not probed").isTrue();
        now[0] += 1;
        assertThat(runner.canBind(port)).as("taken, the TTL over: probed").isFalse();
      }
    } finally {
      timers.shutdownNow();
      workers.shutdownNow();
    }
  }
}
