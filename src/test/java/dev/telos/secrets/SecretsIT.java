package dev.telos.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.TelosProcess;
import dev.telos.testing.TempGitRepo;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full sync with secrets in SOPS files, on {@code telos local}: the tasks (under Mesos's command
 * executor and under the Telos executor) get the values; a new value rolls the app; a tampered file
 * or one for another key is rejected naming the file, the running tasks untouched; and no log line,
 * API answer, UI file, metric or file Telos wrote holds a value.
 */
class SecretsIT {
  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  static final String FIRST = "first-Secret-Value-7f3a";
  static final String SECOND = "second-Secret-Value-9c1d";

  static String app(String name, String executor) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: "
        + name
        + ", namespace: shop}\nspec:\n  instances: 1\n"
        + "  command: test -n \"$DB_PASSWORD\" && test \"$(cat config/db-password)\" ="
        + " \"$DB_PASSWORD\" && printf %s \"$DB_PASSWORD\" | sha256sum > secret.sha256 && exec"
        + " sleep 600\n"
        + executor
        + "  resources: {cpus: 0.01, mem: 8}\n  killGracePeriod: 1s\n"
        + "  env: {LOG_LEVEL: info}\n"
        + "  secrets:\n    DB_PASSWORD: {file: secrets/db.sops.yaml, key: db.password}\n"
        + "  secretFiles:\n    config/db-password: {file: secrets/db.sops.yaml, key: db.password}\n";
  }

  static String sops(String password, String recipient) throws Exception {
    Map<String, Object> db = new LinkedHashMap<>();
    db.put("user", "shop");
    db.put("password", password);
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("db", db);
    return SopsFiles.encrypt(tree, recipient);
  }

  static String sha256(String s) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  String get(String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** What the app's running task wrote: the SHA-256 of the value it was given. */
  String taskHash(String api, String app) throws Exception {
    JsonNode a = TelosProcess.json(api + "/api/v1/apps/shop/" + app);
    for (JsonNode t : a.path("tasks")) {
      if (t.path("state").asText().equals("TASK_RUNNING")) {
        String read =
            get(
                api
                    + "/api/v1/files/read?task="
                    + URLEncoder.encode(t.path("id").asText(), StandardCharsets.UTF_8)
                    + "&path=secret.sha256&offset=0&length=200");
        JsonNode data = new com.fasterxml.jackson.databind.ObjectMapper().readTree(read);
        String text = data.path("data").asText("");
        return text.isEmpty() ? null : text.split("\\s+")[0];
      }
    }
    return null;
  }

  @Test
  void tasksGetTheValuesANewValueRollsABadFileIsRejectedAndNoValueLeaks() throws Exception {
    String[] key = SopsFiles.keyPair();
    String[] stranger = SopsFiles.keyPair();
    Path keyFile = Files.writeString(dir.resolve("age.key"), "# test\n" + key[0] + "\n");
    try (TempGitRepo repo = TempGitRepo.init(dir.resolve("repo"))) {
      repo.write("secrets/db.sops.yaml", sops(FIRST, key[1]));
      repo.write("apps/web.yaml", app("web", ""));
      repo.write("apps/worker.yaml", app("worker", "  executor: telos\n"));
      repo.commit("web and worker with a database password");
      try (TelosProcess local =
          TelosProcess.local(dir, repo.url(), "apps", "--age-key-file", keyFile.toString())) {
        String api = local.awaitOutput("Telos API listening on (http://\\S+)");
        TelosProcess.awaitSynced(api);
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> sha256(FIRST).equals(taskHash(api, "web")));
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> sha256(FIRST).equals(taskHash(api, "worker")));

        // A new value: both apps roll to tasks that get it.
        String webTask =
            TelosProcess.json(api + "/api/v1/apps/shop/web")
                .path("tasks")
                .get(0)
                .path("id")
                .asText();
        repo.write("secrets/db.sops.yaml", sops(SECOND, key[1]));
        String rotated = repo.commit("rotate the database password");
        http.send(
            HttpRequest.newBuilder(URI.create(api + "/api/v1/sync"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding());
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> sha256(SECOND).equals(taskHash(api, "web")));
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> sha256(SECOND).equals(taskHash(api, "worker")));
        assertThat(
                TelosProcess.json(api + "/api/v1/apps/shop/web")
                    .path("tasks")
                    .get(0)
                    .path("id")
                    .asText())
            .isNotEqualTo(webTask);
        TelosProcess.awaitSynced(api);
        assertThat(TelosProcess.json(api + "/api/v1/status").path("revision").asText())
            .isEqualTo(rotated);

        // A tampered file: the commit is rejected naming the file; the tasks keep running.
        String good = Files.readString(repo.dir().resolve("secrets/db.sops.yaml"));
        repo.write(
            "secrets/db.sops.yaml",
            good.replace(
                "user: ",
                "user: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]#"));
        String tampered = repo.commit("tamper");
        JsonNode error = TelosProcess.awaitRejected(api, tampered);
        assertThat(error.path("message").asText()).contains("secrets/db.sops.yaml");
        assertThat(error.path("file").asText()).startsWith("apps/");
        // For another key: rejected, naming the file and its recipient.
        repo.write("secrets/db.sops.yaml", sops(SECOND, stranger[1]));
        String foreign = repo.commit("encrypted for someone else");
        JsonNode other = TelosProcess.awaitRejected(api, foreign);
        assertThat(other.path("message").asText())
            .contains("secrets/db.sops.yaml")
            .contains("no identity of --age-key-file opens it");
        assertThat(taskHash(api, "web")).isEqualTo(sha256(SECOND));

        // Nothing Telos shows or writes holds a value.
        List<String> answers = new ArrayList<>();
        for (String path :
            List.of(
                "/api/v1/status",
                "/api/v1/apps",
                "/api/v1/apps/shop/web",
                "/api/v1/apps/shop/web/spec",
                "/api/v1/apps/shop/worker/spec",
                "/api/v1/history",
                "/api/v1/plan?revision=" + rotated,
                "/api/v1/plan?revision=HEAD~3",
                "/metrics",
                "/",
                "/ui/app.js")) {
          answers.add(path + " " + get(api + path));
        }
        assertThat(String.join("\n", answers))
            .contains("DB_PASSWORD")
            .contains("secrets/db.sops.yaml")
            .doesNotContain(FIRST)
            .doesNotContain(SECOND);
        assertThat(answers.get(3))
            .as("the spec shows the reference and its version")
            .contains("version");
        local.terminate(Duration.ofSeconds(30));
        assertThat(String.join("\n", local.stdout())).doesNotContain(FIRST).doesNotContain(SECOND);
        assertThat(local.stderr()).doesNotContain(FIRST).doesNotContain(SECOND);
      }
      List<Path> scanned = new ArrayList<>();
      List<Path> secretFiles = new ArrayList<>();
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          if (f.endsWith(Path.of("config", "db-password"))) {
            // The task's own secret file, which it was meant to get: owner-read only.
            assertThat(Files.getPosixFilePermissions(f))
                .containsExactly(java.nio.file.attribute.PosixFilePermission.OWNER_READ);
            secretFiles.add(f);
            continue;
          }
          String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
          assertThat(text).as(f.toString()).doesNotContain(FIRST).doesNotContain(SECOND);
          scanned.add(f);
        }
      }
      assertThat(scanned)
          .as("state, history, logs and sandboxes were scanned")
          .anyMatch(p -> p.toString().contains("data"))
          .anyMatch(p -> p.getFileName().toString().equals("secret.sha256"));
      assertThat(secretFiles)
          .as("each task's sandbox had its secret file")
          .hasSizeGreaterThanOrEqualTo(2);
    }
  }
}
