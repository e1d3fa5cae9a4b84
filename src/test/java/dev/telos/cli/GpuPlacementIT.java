package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.TelosProcess;
import dev.telos.testing.TempGitRepo;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code resources.gpus} end to end on {@code telos local} with one agent with GPUs and one
 * without: the GPU app runs on the first, the other app only on the second.
 */
class GpuPlacementIT {
  @TempDir Path dir;

  static String manifest(String name, String resources) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: "
        + name
        + "}\nspec:\n  instances: 2\n  command: exec sleep 600\n  resources: "
        + resources
        + "\n";
  }

  @Test
  void aGpuAppRunsOnTheAgentWithGpusAndNoOtherAppDoes() throws Exception {
    try (TempGitRepo repo = TempGitRepo.init(dir.resolve("repo"))) {
      repo.write("apps/trainer.yaml", manifest("trainer", "{cpus: 0.01, mem: 8, gpus: 1}"))
          .write("apps/web.yaml", manifest("web", "{cpus: 0.01, mem: 8}"))
          .commit("a GPU app and another");
      try (TelosProcess local =
          TelosProcess.local(dir, repo.url(), "apps", "--agents", "2", "--agent-gpus", "2,0")) {
        String api = local.awaitOutput("Telos API listening on (http://\\S+)");
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    app(api, "trainer").path("runningInstances").asInt() == 2
                        && app(api, "web").path("runningInstances").asInt() == 2);
        for (JsonNode t : app(api, "trainer").path("tasks")) {
          assertThat(t.path("host").asText()).isEqualTo("127.0.0.1");
        }
        for (JsonNode t : app(api, "web").path("tasks")) {
          assertThat(t.path("host").asText()).isEqualTo("127.0.0.2");
        }
      }
    }
  }

  static JsonNode app(String api, String name) throws Exception {
    return TelosProcess.json(api + "/api/v1/apps/default/" + name);
  }
}
