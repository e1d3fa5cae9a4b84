package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telos.testing.TelosProcess;
import dev.telos.testing.TempGitRepo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

  @Test
  void withoutADataDirItsTemporaryDirectoryIsGoneWhenItStops() throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    try (TempGitRepo repo = TempGitRepo.init(dir.resolve("repo"))) {
      repo.write(
          "web.yaml",
          "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web}\nspec:\n"
              + "  instances: 1\n  command: exec sleep 600\n  resources: {cpus: 0.01, mem: 8}\n");
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
        HttpClient http = HttpClient.newHttpClient();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    new ObjectMapper()
                        .readTree(
                            http.send(
                                    HttpRequest.newBuilder(URI.create(api + "/api/v1/status"))
                                        .build(),
                                    HttpResponse.BodyHandlers.ofString())
                                .body())
                        .path("syncStatus")
                        .asText()
                        .equals("Synced"));
        local.terminate(Duration.ofSeconds(30));
        assertThat(data).doesNotExist();
      }
    }
  }
}
