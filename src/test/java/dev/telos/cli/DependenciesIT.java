package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.TelosProcess;
import dev.telos.testing.TempGitRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dependencies} end to end on {@code telos local}: an app waits, with nothing launched,
 * until the app it depends on is healthy (its health check passes once the test says so), then
 * starts; a commit that closes a dependency cycle is refused at its line and changes nothing.
 */
class DependenciesIT {
  @TempDir Path dir;

  static final String DB =
      "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: db}\nspec:\n"
          + "  command: exec sleep 600\n  resources: {cpus: 0.01, mem: 8}\n"
          + "  healthCheck: {type: COMMAND, command: 'test -f %s', interval: 200ms, timeout: 1s,"
          + " gracePeriod: 60s}\n";

  static final String WEB =
      "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web}\nspec:\n"
          + "  command: exec sleep 600\n  resources: {cpus: 0.01, mem: 8}\n"
          + "  dependencies: [db]\n";

  @Test
  void anAppStartsOnceItsDependencyIsHealthyAndACycleIsRefused() throws Exception {
    Path ready = dir.resolve("db-ready");
    try (TempGitRepo repo = TempGitRepo.init(dir.resolve("repo"))) {
      repo.write("apps/db.yaml", DB.formatted(ready)).write("apps/web.yaml", WEB).commit("db, web");
      try (TelosProcess local = TelosProcess.local(dir, repo.url(), "apps")) {
        String api = local.awaitOutput("Telos API listening on (http://\\S+)");
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    app(api, "db").path("runningInstances").asInt() == 1
                        && app(api, "web")
                            .path("message")
                            .asText()
                            .startsWith("waiting for default/db to be healthy"));
        assertThat(app(api, "web").path("tasks"))
            .as("nothing launched while db is unhealthy")
            .isEmpty();

        Files.writeString(ready, "");
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> app(api, "web").path("runningInstances").asInt() == 1);
        assertThat(app(api, "db").path("healthyInstances").asInt()).isEqualTo(1);
        String webTask = app(api, "web").path("tasks").get(0).path("id").asText();

        repo.write(
            "apps/db.yaml",
            DB.formatted(ready).replace("  command:", "  dependencies: [web]\n  command:"));
        String cycle = repo.commit("db waits for web");
        JsonNode error = TelosProcess.awaitRejected(api, cycle);
        assertThat(error.path("message").asText())
            .contains("dependency cycle: default/db -> default/web -> default/db");
        assertThat(error.path("file").asText()).isEqualTo("apps/web.yaml");
        assertThat(error.path("line").asInt()).isEqualTo(7);
        assertThat(app(api, "web").path("tasks").get(0).path("id").asText()).isEqualTo(webTask);
      }
    }
  }

  static JsonNode app(String api, String name) throws Exception {
    return TelosProcess.json(api + "/api/v1/apps/default/" + name);
  }
}
