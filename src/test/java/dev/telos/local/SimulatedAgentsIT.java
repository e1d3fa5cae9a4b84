package dev.telos.local;

import static dev.telos.local.ClusterFixture.frameworkInfo;
import static dev.telos.local.ClusterFixture.shell;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.RawScheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Agents without processes: many tasks, state changes only, failures on request. */
class SimulatedAgentsIT {
  @TempDir Path work;

  @Test
  void tasksOnSimulatedAgentsRunWithoutProcessesAndCanFail() throws Exception {
    try (LocalCluster cluster =
            LocalCluster.start(
                ClusterFixture.fast(work)
                    .agents(0, 20)
                    .simulation(Duration.ofMillis(20), 0.5)
                    .build());
        RawScheduler s =
            RawScheduler.subscribe(cluster.url(), frameworkInfo(60)).autoAcknowledge()) {
      assertThat(cluster.agentIds()).hasSize(20);
      JsonNode offers = s.next("OFFERS").at("/offers/offers");
      assertThat(offers.size()).isEqualTo(20);
      int launched = 0;
      for (JsonNode offer : offers) {
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          tasks.add(ClusterFixture.task(offer, "sim-" + launched++, shell("true"), "", i));
        }
        s.call(ClusterFixture.accept(s, offer, tasks.toArray(String[]::new)));
      }
      assertThat(launched).isEqualTo(100);
      await().until(() -> countStates(s, "TASK_RUNNING") == 100);
      await().until(() -> countStates(s, "TASK_FAILED") > 0);
      assertThat(countStates(s, "TASK_FAILED")).isLessThan(100);
      assertThat(cluster.taskPid("sim-0")).isEmpty();
      assertThat(ClusterFixture.state(cluster).at("/slaves/0/hostname").asText())
          .isEqualTo("sim-0.local");
    }
  }

  static long countStates(RawScheduler s, String state) {
    return s.received.stream()
        .filter(e -> state.equals(e.at("/update/status/state").asText()))
        .map(e -> e.at("/update/status/task_id/value").asText())
        .distinct()
        .count();
  }
}
