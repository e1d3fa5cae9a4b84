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
 * {@code upgrade.autoRollback} end to end on {@code telos local}: a commit whose tasks exit at once
 * is rolled back to the running version after two failures, without touching git (the status and
 * the history say so, and the old tasks keep running), and the next commit rolls forward.
 */
class AutoRollbackIT {
  @TempDir Path dir;

  static String app(String command) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web}\nspec:\n"
        + "  instances: 2\n  command: "
        + command
        + "\n  resources: {cpus: 0.01, mem: 8}\n  killGracePeriod: 1s\n"
        + "  restart: {backoff: 200ms}\n"
        + "  upgrade: {autoRollback: {afterFailures: 2}}\n";
  }

  @Test
  void failingTasksRollBackToTheVersionBeforeAndTheNextCommitGoesOn() throws Exception {
    try (TempGitRepo repo = TempGitRepo.init(dir.resolve("repo"))) {
      repo.write("apps/web.yaml", app("exec sleep 600")).commit("v1");
      try (TelosProcess local = TelosProcess.local(dir, repo.url(), "apps")) {
        String api = local.awaitOutput("Telos API listening on (http://\\S+)");
        TelosProcess.awaitSynced(api);
        String v1Spec = web(api).path("specHash").asText();

        repo.write("apps/web.yaml", app("exit 3")).commit("v2: broken");
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    web(api).path("message").asText().startsWith("rolled back to spec " + v1Spec));
        JsonNode rolled = web(api);
        String v2Spec = rolled.path("specHash").asText();
        assertThat(v2Spec).as("git's spec is what the app says it wants").isNotEqualTo(v1Spec);
        assertThat(rolled.path("planState").path("rolledBackSpec").asText()).isEqualTo(v2Spec);
        // Without a health check a new task counts as soon as it runs, so the rollout may have
        // replaced an old task before the new ones failed: the rollback runs the spec before again.
        await()
            .during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  List<String> now = ids(api);
                  return now.size() == 2 && now.stream().allMatch(id -> id.contains(v1Spec));
                });
        assertThat(web(api).path("message").asText()).startsWith("rolled back to spec " + v1Spec);
        JsonNode history = TelosProcess.json(api + "/api/v1/history").get(0);
        assertThat(history.path("message").asText()).isEqualTo("v2: broken");
        assertThat(history.path("rollbacks").get(0).asText())
            .matches("default/web: spec " + v2Spec + " -> " + v1Spec + " after [23] failures");
        assertThat(TelosProcess.json(api + "/api/v1/status").path("syncStatus").asText())
            .isEqualTo("OutOfSync");

        repo.write("apps/web.yaml", app("exec sleep 601")).commit("v3: fixed");
        TelosProcess.awaitSynced(api);
        assertThat(ids(api)).hasSize(2).noneMatch(id -> id.contains(v1Spec) || id.contains(v2Spec));
        assertThat(web(api).path("message").isNull()).isTrue();
      }
    }
  }

  static JsonNode web(String api) throws Exception {
    return TelosProcess.json(api + "/api/v1/apps/default/web");
  }

  /** The IDs of the app's running tasks, sorted. */
  static List<String> ids(String api) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode t : web(api).path("tasks")) {
      if (t.path("state").asText().equals("TASK_RUNNING")) {
        out.add(t.path("id").asText());
      }
    }
    out.sort(null);
    return out;
  }
}
