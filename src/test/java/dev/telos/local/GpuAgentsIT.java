package dev.telos.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.RawScheduler;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents with GPUs, as Mesos treats them: offered (with a {@code gpus} scalar) only to frameworks
 * with the GPU_RESOURCES capability; the others see only the agents without.
 */
class GpuAgentsIT {
  @TempDir Path work;

  @Test
  void anAgentWithGpusIsOfferedOnlyToAFrameworkWithGpuResources() throws Exception {
    try (LocalCluster cluster =
        LocalCluster.start(ClusterFixture.fast(work).agents(2, 0).agentGpus(List.of(2)).build())) {
      String gpuAgent = cluster.agentIds().get(0);
      try (RawScheduler plain =
          RawScheduler.subscribe(cluster.url(), ClusterFixture.frameworkInfo(60))) {
        JsonNode offers = plain.next("OFFERS").at("/offers/offers");
        assertThat(offers).hasSize(1);
        assertThat(offers.get(0).at("/agent_id/value").asText()).isNotEqualTo(gpuAgent);
      }
      try (RawScheduler gpu =
          RawScheduler.subscribe(
              cluster.url(), ClusterFixture.frameworkInfo(60, "GPU_RESOURCES"))) {
        Set<String> agents = new HashSet<>();
        JsonNode gpus = null;
        while (agents.size() < 2) {
          for (JsonNode o : gpu.next("OFFERS").at("/offers/offers")) {
            agents.add(o.at("/agent_id/value").asText());
            for (JsonNode r : o.path("resources")) {
              if (r.path("name").asText().equals("gpus")) {
                gpus = r;
                assertThat(o.at("/agent_id/value").asText()).isEqualTo(gpuAgent);
              }
            }
          }
        }
        assertThat(gpus).isNotNull();
        assertThat(gpus.at("/scalar/value").asDouble()).isEqualTo(2.0);
      }
    }
  }
}
