package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.TelosProcess;
import dev.telos.testing.TempGitRepo;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Releases end to end on {@code telos local}: a release of the shipped {@code service} chart runs a
 * real HTTP server that passes its health check; a values change rolls out; a broken template
 * changes nothing and is reported with its file and line; removing the release prunes its app.
 */
class ChartsIT {
  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  static String release(int instances) {
    return "apiVersion: telos.dev/v1\nkind: Release\nmetadata: {name: web, namespace: shop}\n"
        + "spec:\n  chart: telos/service\n  values:\n    instances: "
        + instances
        + "\n    command: exec python3 -m http.server $PORT_HTTP --bind 127.0.0.1\n"
        + "    resources: {cpus: 0.01, mem: 32}\n    healthCheck: {path: /, interval: 1s}\n";
  }

  static final String KEEPER =
      "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: keeper, namespace: shop}\n"
          + "spec:\n  command: exec sleep 600\n  resources: {cpus: 0.01, mem: 8}\n";

  JsonNode get(String url) throws Exception {
    return TelosProcess.json(url);
  }

  List<String> healthy(String api, String app) throws Exception {
    List<String> ids = new ArrayList<>();
    for (JsonNode t : get(api + "/api/v1/apps/" + app).path("tasks")) {
      if (t.path("state").asText().equals("TASK_RUNNING") && t.path("healthy").asBoolean()) {
        ids.add(t.path("id").asText());
      }
    }
    return ids;
  }

  @Test
  void aReleaseRunsRollsOutRefusesABrokenTemplateAndIsPrunedWhenItGoes() throws Exception {
    try (TempGitRepo repo = TempGitRepo.init(dir.resolve("repo"))) {
      repo.write("apps/web.yaml", release(1)).write("apps/keeper.yaml", KEEPER).commit("web");
      try (TelosProcess local = TelosProcess.local(dir, repo.url(), "apps")) {
        String api = local.awaitOutput("Telos API listening on (http://\\S+)");
        await().atMost(Duration.ofSeconds(90)).until(() -> healthy(api, "shop/web").size() == 1);
        JsonNode app = get(api + "/api/v1/apps/shop/web");
        assertThat(app.path("labels").path("telos.dev/release").asText()).isEqualTo("web");
        assertThat(app.path("labels").path("telos.dev/chart").asText()).isEqualTo("service-1.0.0");
        JsonNode charts = get(api + "/api/v1/history").get(0).path("charts");
        assertThat(charts.toString())
            .isEqualTo("[{\"release\":\"shop/web\",\"chart\":\"service-1.0.0\",\"commit\":null}]");

        repo.write("apps/web.yaml", release(2)).commit("two");
        await().atMost(Duration.ofSeconds(90)).until(() -> healthy(api, "shop/web").size() == 2);
        List<String> running = healthy(api, "shop/web");

        // a repository chart whose template is broken: the commit is rejected whole
        repo.write("charts/bad/Chart.yaml", "name: bad\nversion: 0.1.0\n")
            .write("charts/bad/templates/job.yaml", "kind: Job\n{{ values.missing }}\n")
            .write(
                "apps/bad.yaml",
                "apiVersion: telos.dev/v1\nkind: Release\nmetadata: {name: bad, namespace: shop}\n"
                    + "spec: {chart: charts/bad}\n")
            .write("apps/web.yaml", release(1));
        String broken = repo.commit("broken chart, and scale web down");
        JsonNode error = TelosProcess.awaitRejected(api, broken);
        assertThat(error.path("file").asText()).isEqualTo("charts/bad/templates/job.yaml");
        assertThat(error.path("line").asInt()).isEqualTo(2);
        assertThat(error.path("message").asText())
            .contains("release shop/bad: ")
            .contains("missing");
        assertThat(healthy(api, "shop/web")).containsExactlyInAnyOrderElementsOf(running);

        try (TelosProcess render =
            TelosProcess.start(
                dir, "render", "--repo", repo.url(), "--path", "apps", "--revision", "HEAD~1")) {
          assertThat(render.awaitExit(Duration.ofSeconds(60))).isZero();
          assertThat(String.join("\n", render.stdout()))
              .contains("# Source: telos/service/templates/service.yaml (release shop/web)")
              .contains("instances: 2");
        }
        try (TelosProcess render =
            TelosProcess.start(dir, "render", "--repo", repo.url(), "--path", "apps")) {
          assertThat(render.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
          assertThat(String.join("\n", render.stdout()))
              .contains("charts/bad/templates/job.yaml:2:1: release shop/bad: ");
        }
        try (TelosProcess plan =
            TelosProcess.start(
                dir,
                "plan",
                "--repo",
                repo.url(),
                "--path",
                "apps",
                "--revision",
                "HEAD~1",
                "--offline")) {
          assertThat(plan.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
          assertThat(String.join("\n", plan.stdout()))
              .contains("shop/web (Service, release web (service-1.0.0))");
        }
        try (TelosProcess validate =
            TelosProcess.start(
                dir,
                "validate",
                "--repo-root",
                repo.dir().toString(),
                repo.dir().resolve("apps").toString())) {
          assertThat(validate.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
        }

        // the release goes: its app is pruned, the hand-written one stays
        repo.delete("apps/bad.yaml").delete("apps/web.yaml").commit("no more web");
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    get(api + "/api/v1/apps/shop/web").path("tasks").isEmpty()
                        || get(api + "/api/v1/apps/shop/web").path("namespace").isMissingNode());
        TelosProcess.awaitSynced(api);
        assertThat(get(api + "/api/v1/apps/shop/keeper").path("runningInstances").asInt())
            .isEqualTo(1);
        local.terminate(Duration.ofSeconds(30));
      }
    }
  }
}
