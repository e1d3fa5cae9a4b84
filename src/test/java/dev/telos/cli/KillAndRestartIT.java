package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telos.testing.TelosProcess;
import dev.telos.testing.TempGitRepo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code telos run} killed with SIGKILL in the middle of a rollout and started again: as processes,
 * against {@code telos cluster} in its own process. No task is lost or duplicated, and the rollout
 * finishes.
 */
class KillAndRestartIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String CHECK =
      "  healthCheck: {type: COMMAND, command: '%s', interval: 200ms,"
          + " timeout: 1s, gracePeriod: 60s}\n";
  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  static String app(String command, String check) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: r, namespace: it}\n"
        + "spec:\n  instances: 3\n  command: "
        + command
        + "\n"
        + "  resources: {cpus: 0.01, mem: 8}\n  killGracePeriod: 1s\n"
        + String.format(CHECK, check);
  }

  JsonNode get(String url) throws Exception {
    return JSON.readTree(
        http.send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }

  Set<String> masterTasks(String master) throws Exception {
    Set<String> ids = new HashSet<>();
    for (JsonNode f : get(master + "/master/state").get("frameworks")) {
      for (JsonNode t : f.get("tasks")) {
        ids.add(t.get("id").asText());
      }
    }
    return ids;
  }

  TelosProcess run(String master, TempGitRepo repo) throws Exception {
    return TelosProcess.start(
        dir,
        "run",
        "--master",
        master,
        "--repo",
        repo.url(),
        "--path",
        "apps",
        "--poll",
        "300ms",
        "--http-port",
        "0",
        "--http-address",
        "127.0.0.1",
        "--data-dir",
        dir.resolve("data").toString());
  }

  @Test
  void sigkillMidRolloutLosesAndDuplicatesNothing() throws Exception {
    try (TempGitRepo repo = TempGitRepo.init(dir.resolve("repo"));
        TelosProcess cluster = TelosProcess.cluster(dir)) {
      String master = cluster.awaitOutput("Mesos master listening on (http://\\S+)");
      repo.write("apps/r.yaml", app("exec sleep 600", "true"));
      repo.commit("v1");

      TelosProcess first = run(master, repo);
      String api = first.awaitOutput("Telos API listening on (http://\\S+)");
      await().until(() -> get(api + "/api/v1/status").path("syncStatus").asText().equals("Synced"));
      Set<String> v1 = masterTasks(master);
      assertThat(v1).hasSize(3);
      String frameworkId = get(api + "/api/v1/status").path("frameworkId").asText();

      // A second controller on the same data dir would launch everything twice: it refuses.
      try (TelosProcess intruder = run(master, repo)) {
        assertThat(intruder.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
        assertThat(intruder.stderr()).contains("is locked by pid " + first.pid());
      }

      // v2 never becomes healthy: the rollout stalls with one surge task, then SIGKILL.
      repo.write("apps/r.yaml", app("exec sleep 601", "false"));
      repo.commit("v2");
      await().until(() -> masterTasks(master).size() == 4);
      Set<String> midRollout = masterTasks(master);
      first.kill();

      // SIGKILL released the lock with the process: the next one starts at once.
      try (TelosProcess second = run(master, repo)) {
        String api2 = second.awaitOutput("Telos API listening on (http://\\S+)");
        await().until(() -> get(api2 + "/readyz").path("ready").asBoolean());
        assertThat(get(api2 + "/api/v1/status").path("frameworkId").asText())
            .isEqualTo(frameworkId);
        await()
            .during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(20))
            .until(() -> masterTasks(master).equals(midRollout));
        assertThat(masterTasks(master)).containsAll(v1);

        repo.write("apps/r.yaml", app("exec sleep 602", "true"));
        repo.commit("v3");
        await()
            .until(
                () ->
                    get(api2 + "/api/v1/status").path("syncStatus").asText().equals("Synced")
                        && masterTasks(master).size() == 3);
        Set<String> finalTasks = masterTasks(master);
        assertThat(finalTasks).doesNotContainAnyElementsOf(v1);
        List<String> history = get(api2 + "/api/v1/history").findValuesAsText("message");
        assertThat(history).contains("v3", "v2", "v1");
        second.terminate(Duration.ofSeconds(30));
      }
    }
  }
}
