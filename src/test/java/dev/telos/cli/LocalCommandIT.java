package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telos.testing.TelosProcess;
import dev.telos.testing.TempGitRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code telos local} as a newcomer runs it: no data directory given. */
class LocalCommandIT {
  @TempDir Path dir;

  static String web(int instances) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web}\nspec:\n  instances: "
        + instances
        + "\n  command: exec sleep 600\n  resources: {cpus: 0.01, mem: 8}\n";
  }

  @Test
  void withoutADataDirItsTemporaryDirectoryIsGoneWhenItStops() throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    try (TempGitRepo repo = TempGitRepo.init(dir.resolve("repo"))) {
      repo.write("web.yaml", web(1));
      repo.commit("web");
      try (TelosProcess local =
          TelosProcess.start(
              dir,
              List.of("-Djava.io.tmpdir=" + tmp),
              Map.of(),
              "local",
              "--repo",
              repo.url(),
              "--http-port",
              "0",
              "--poll",
              "500ms")) {
        String api = local.awaitOutput("Telos API listening on (http://\\S+)");
        Path data = Path.of(local.awaitOutput("data in (\\S+) \\(deleted on exit"));
        assertThat(data).startsWith(tmp).isDirectory();
        TelosProcess.awaitSynced(api);
        local.terminate(Duration.ofSeconds(30));
        assertThat(data).doesNotExist();
      }
    }
  }

  @Test
  void notificationsReachAWebhookWhenACommitSyncsAndWhenOneIsRejected() throws Exception {
    List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    com.sun.net.httpserver.HttpServer receiver =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 8);
    receiver.createContext(
        "/",
        ex -> {
          JsonNode body = new ObjectMapper().readTree(ex.getRequestBody());
          events.add(body.path("event").asText() + " " + body.path("revision").asText());
          ex.sendResponseHeaders(204, -1);
          ex.close();
        });
    receiver.start();
    try (TempGitRepo repo = TempGitRepo.init(dir.resolve("repo"))) {
      repo.write("web.yaml", web(1));
      repo.commit("web");
      Path config =
          Files.writeString(
              dir.resolve("notifications.yaml"),
              "notifiers:\n  - name: ops\n    type: webhook\n    url: http://127.0.0.1:"
                  + receiver.getAddress().getPort()
                  + "/hook\n    events: [synced, invalid-commit, degraded]\n");
      try (TelosProcess local =
          TelosProcess.start(
              dir,
              "local",
              "--repo",
              repo.url(),
              "--http-port",
              "0",
              "--poll",
              "300ms",
              "--data-dir",
              dir.resolve("data").toString(),
              "--notifications",
              config.toString())) {
        local.awaitOutput("Telos API listening on (http://\\S+)");
        repo.write("web.yaml", web(2));
        String scaled = repo.commit("scale web to 2");
        await().atMost(Duration.ofSeconds(60)).until(() -> events.contains("synced " + scaled));
        repo.write("web.yaml", "kind: [");
        String broken = repo.commit("broken");
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> events.contains("invalid-commit " + broken));
        assertThat(events)
            .as("sync-started is not among the events asked for")
            .allMatch(e -> e.startsWith("synced") || e.startsWith("invalid-commit"));
        local.terminate(Duration.ofSeconds(30));
      }
    } finally {
      receiver.stop(0);
    }
  }
}
