package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.TelosProcess;
import dev.telos.testing.TempGitRepo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overlays end to end on {@code telos local}: {@code --path overlays/prod} syncs the base with
 * prod's namespace, labels and patches; a patch change scales the app; a patch that cannot apply
 * changes nothing and is reported at its line; {@code telos render} and {@code telos validate}
 * build the same thing.
 */
class OverlaysIT {
  @TempDir Path dir;

  static final String WEB =
      "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web}\n"
          + "spec:\n  command: exec sleep 600\n  instances: 1\n"
          + "  resources: {cpus: 0.01, mem: 8}\n";

  static String prod(int instances) {
    return "spec:\n  bases: [../../base]\n  namespace: prod\n  commonLabels: {env: prod}\n"
        + "  patches:\n    - target: {name: web}\n      merge:\n        spec: {instances: "
        + instances
        + "}\n";
  }

  List<String> running(String api, String app) throws Exception {
    List<String> ids = new ArrayList<>();
    for (JsonNode t : TelosProcess.json(api + "/api/v1/apps/" + app).path("tasks")) {
      if (t.path("state").asText().equals("TASK_RUNNING")) {
        ids.add(t.path("id").asText());
      }
    }
    return ids;
  }

  @Test
  void anOverlaySyncsItsEnvironmentAndABrokenPatchChangesNothing() throws Exception {
    try (TempGitRepo repo = TempGitRepo.init(dir.resolve("repo"))) {
      repo.write("base/web.yaml", WEB)
          .write("overlays/prod/telos.yaml", prod(2))
          .write("overlays/staging/telos.yaml", "spec: {bases: [../../base], namespace: staging}\n")
          .commit("base and two environments");
      try (TelosProcess local = TelosProcess.local(dir, repo.url(), "overlays/prod")) {
        String api = local.awaitOutput("Telos API listening on (http://\\S+)");
        await().atMost(Duration.ofSeconds(90)).until(() -> running(api, "prod/web").size() == 2);
        JsonNode app = TelosProcess.json(api + "/api/v1/apps/prod/web");
        assertThat(app.path("labels").path("env").asText()).isEqualTo("prod");
        JsonNode apps = TelosProcess.json(api + "/api/v1/apps");
        assertThat(apps.toString()).doesNotContain("staging").doesNotContain("\"default\"");

        repo.write("overlays/prod/telos.yaml", prod(3)).commit("prod: 3");
        await().atMost(Duration.ofSeconds(90)).until(() -> running(api, "prod/web").size() == 3);
        List<String> three = running(api, "prod/web");

        repo.write(
            "overlays/prod/telos.yaml",
            "spec:\n  bases: [../../base]\n  namespace: prod\n  patches:\n"
                + "    - target: {name: web}\n      json:\n"
                + "        - {op: replace, path: /spec/instancs, value: 1}\n");
        String broken = repo.commit("a patch with a typo");
        JsonNode error = TelosProcess.awaitRejected(api, broken);
        assertThat(error.path("file").asText()).isEqualTo("overlays/prod/telos.yaml");
        assertThat(error.path("line").asInt()).isEqualTo(7);
        assertThat(error.path("message").asText())
            .contains("patch of web (from base/web.yaml:1:1)")
            .contains("/spec/instancs does not exist");
        assertThat(running(api, "prod/web")).containsExactlyInAnyOrderElementsOf(three);

        try (TelosProcess render =
            TelosProcess.start(
                dir,
                "render",
                "--repo",
                repo.url(),
                "--path",
                "overlays/prod",
                "--revision",
                "HEAD~1")) {
          assertThat(render.awaitExit(Duration.ofSeconds(60))).isZero();
          assertThat(String.join("\n", render.stdout()))
              .contains("# Source: base/web.yaml:1:1")
              .contains("namespace: prod")
              .contains("instances: 3")
              .contains("env: prod");
        }
        local.terminate(Duration.ofSeconds(30));
      }
      repo.write("overlays/prod/telos.yaml", prod(4)).commit("fixed");
      try (TelosProcess validate =
          TelosProcess.start(
              dir,
              "validate",
              "--repo-root",
              repo.dir().toString(),
              repo.dir().resolve("overlays").toString())) {
        assertThat(validate.awaitExit(Duration.ofSeconds(60))).isZero();
        assertThat(String.join("\n", validate.stdout())).contains("valid: 2 app(s)");
      }
    }
  }
}
