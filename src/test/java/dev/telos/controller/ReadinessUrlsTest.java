package dev.telos.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.cluster.LiveTask;
import dev.telos.manifest.ReadinessCheck;
import dev.telos.probe.HttpProber;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.mesos.v1.Protos.TaskState;
import org.junit.jupiter.api.Test;

/** Where a task's readiness checks are sent: its agent's host, the port the check names. */
class ReadinessUrlsTest {
  static LiveTask task(String host, List<Long> ports) {
    return new LiveTask(
        "t",
        "default/web",
        "h",
        Instant.EPOCH,
        TaskState.TASK_RUNNING,
        null,
        "a1",
        host,
        ports,
        null,
        null,
        null);
  }

  static ReadinessCheck check(ReadinessCheck.Scheme scheme, String path, int port) {
    return new ReadinessCheck(
        scheme, path, port, Set.of(200, 204), Duration.ofSeconds(3), Duration.ofSeconds(1));
  }

  @Test
  void eachCheckGoesToThePortItNames() {
    assertThat(
            Controller.readinessChecks(
                task("10.0.0.7", List.of(31000L, 31001L)),
                List.of(
                    check(ReadinessCheck.Scheme.HTTP, "/ready", 1),
                    check(ReadinessCheck.Scheme.HTTPS, "/", 0))))
        .containsExactly(
            new HttpProber.Check(
                "http://10.0.0.7:31001/ready",
                Set.of(200, 204),
                Duration.ofSeconds(3),
                Duration.ofSeconds(1)),
            new HttpProber.Check(
                "https://10.0.0.7:31000/",
                Set.of(200, 204),
                Duration.ofSeconds(3),
                Duration.ofSeconds(1)));
  }

  @Test
  void aTaskWithoutItsHostOrPortIsNotChecked() {
    List<ReadinessCheck> checks = List.of(check(ReadinessCheck.Scheme.HTTP, "/", 1));
    assertThat(Controller.readinessChecks(task(null, List.of(1L, 2L)), checks)).isNull();
    assertThat(Controller.readinessChecks(task("h", List.of(1L)), checks)).isNull();
  }
}
