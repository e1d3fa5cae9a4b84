package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.Archives;
import dev.telos.testing.TelosProcess;
import dev.telos.testing.TempGitRepo;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code args} and {@code fetch} end to end on {@code telos local}: a task fetches and unpacks an
 * archive through the agent's fetcher and runs a script from it without a shell; a URI that cannot
 * be fetched fails the launch with Mesos's reason, and the app says so.
 */
class CommandFieldsIT {
  @TempDir Path dir;

  @Test
  void aTaskRunsFromWhatItFetchedAndAFailedFetchIsReported() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src/app"));
    Files.writeString(src.resolve("run.sh"), "echo \"started as $0 with $1\"\nexec sleep 600\n");
    Path tgz = Archives.tarGz(dir.resolve("src"), "app", dir.resolve("app.tgz"));
    try (TempGitRepo repo = TempGitRepo.init(dir.resolve("repo"))) {
      repo.write(
              "apps/web.yaml",
              "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web, labels: {team: a}}\n"
                  + "spec:\n  args: [/bin/sh, app/run.sh, 'one arg']\n"
                  + "  resources: {cpus: 0.01, mem: 8}\n"
                  + "  fetch: [{uri: '"
                  + tgz
                  + "', extract: true}]\n")
          .write(
              "apps/broken.yaml",
              "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: broken}\n"
                  + "spec:\n  command: exec sleep 600\n  resources: {cpus: 0.01, mem: 8}\n"
                  + "  fetch: [{uri: '"
                  + dir.resolve("missing.tgz")
                  + "'}]\n")
          .commit("fetching apps");
      try (TelosProcess local = TelosProcess.local(dir, repo.url(), "apps")) {
        String api = local.awaitOutput("Telos API listening on (http://\\S+)");
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    TelosProcess.json(api + "/api/v1/apps/default/web")
                            .path("runningInstances")
                            .asInt()
                        == 1);
        String task =
            TelosProcess.json(api + "/api/v1/apps/default/web")
                .path("tasks")
                .get(0)
                .path("id")
                .asText();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    TelosProcess.json(
                            api
                                + "/api/v1/files/read?task="
                                + URLEncoder.encode(task, StandardCharsets.UTF_8)
                                + "&path=stdout&offset=0")
                        .path("data")
                        .asText()
                        .contains("started as app/run.sh with one arg"));

        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    !TelosProcess.json(api + "/api/v1/apps/default/broken")
                        .path("lastFailure")
                        .isNull());
        JsonNode failure =
            TelosProcess.json(api + "/api/v1/apps/default/broken").path("lastFailure");
        assertThat(failure.path("state").asText()).isEqualTo("TASK_FAILED");
        assertThat(failure.path("reason").asText()).isEqualTo("REASON_CONTAINER_LAUNCH_FAILED");
        assertThat(failure.path("message").asText())
            .startsWith("Failed to launch container: Failed to fetch all URIs for container: ")
            .contains("missing.tgz");
        local.terminate(Duration.ofSeconds(30));
      }
    }
  }
}
