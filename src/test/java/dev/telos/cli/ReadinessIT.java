package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.TelosProcess;
import dev.telos.testing.TempGitRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code readinessChecks} end to end on {@code telos local}: each version of the app is a real HTTP
 * server that answers its readiness path 503 until the test creates its marker file. A rollout
 * starts the new task, keeps the old one for as long as the new one is not ready, and replaces it
 * as soon as the new one answers 200.
 */
class ReadinessIT {
  @TempDir Path dir;

  static final String SERVER =
      """
      import http.server, os, sys
      marker = sys.argv[1]
      class Ready(http.server.BaseHTTPRequestHandler):
          def do_GET(self):
              code = 200 if self.path == '/ready' and os.path.exists(marker) else 503
              self.send_response(code)
              self.send_header('Content-Length', '0')
              self.end_headers()
          def log_message(self, *args):
              pass
      http.server.HTTPServer(('0.0.0.0', int(os.environ['PORT0'])), Ready).serve_forever()
      """;

  static String app(Path server, Path dir, int version) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web}\nspec:\n"
        + "  command: exec python3 "
        + server
        + " "
        + dir
        + "/ready-$V\n"
        + "  env: {V: '"
        + version
        + "'}\n"
        + "  resources: {cpus: 0.01, mem: 32}\n  killGracePeriod: 1s\n"
        + "  ports: [{name: http}]\n"
        + "  readinessChecks: [{port: http, path: /ready, interval: 200ms, timeout: 200ms}]\n";
  }

  @Test
  void aRolloutKeepsTheOldTaskUntilTheNewOneIsReady() throws Exception {
    Path server = Files.writeString(dir.resolve("server.py"), SERVER);
    Files.writeString(dir.resolve("ready-1"), "");
    try (TempGitRepo repo = TempGitRepo.init(dir.resolve("repo"))) {
      repo.write("apps/web.yaml", app(server, dir, 1)).commit("v1");
      try (TelosProcess local = TelosProcess.local(dir, repo.url(), "apps")) {
        String api = local.awaitOutput("Telos API listening on (http://\\S+)");
        TelosProcess.awaitSynced(api);
        JsonNode v1 = web(api).path("tasks").get(0);
        assertThat(v1.path("ready").asBoolean()).isTrue();
        String first = v1.path("id").asText();

        repo.write("apps/web.yaml", app(server, dir, 2)).commit("v2");
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    web(api)
                        .path("message")
                        .asText()
                        .equals("1 task(s) running but not ready: waiting for readiness checks"));
        await()
            .during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(30))
            .until(() -> states(api).equals(List.of("TASK_RUNNING false", "TASK_RUNNING true")));
        assertThat(TelosProcess.json(api + "/api/v1/status").path("syncStatus").asText())
            .isEqualTo("Progressing");

        Files.writeString(dir.resolve("ready-2"), "");
        TelosProcess.awaitSynced(api);
        JsonNode tasks = web(api).path("tasks");
        assertThat(tasks).hasSize(1);
        assertThat(tasks.get(0).path("id").asText()).isNotEqualTo(first);
        assertThat(tasks.get(0).path("ready").asBoolean()).isTrue();
        assertThat(web(api).path("message").isNull()).isTrue();
      }
    }
  }

  static JsonNode web(String api) throws Exception {
    return TelosProcess.json(api + "/api/v1/apps/default/web");
  }

  /** Each task's state and readiness, sorted. */
  static List<String> states(String api) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode t : web(api).path("tasks")) {
      out.add(t.path("state").asText() + " " + t.path("ready").asText());
    }
    out.sort(null);
    return out;
  }
}
