package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telos.testing.TelosProcess;
import dev.telos.testing.TempGitRepo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as people and CI run it, against a running {@code telos local}. */
class ClientCommandsIT {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  TempGitRepo repo;
  TelosProcess local;
  String api;

  static String app(String name, int instances) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: "
        + name
        + ", namespace: cli}\nspec:\n  instances: "
        + instances
        + "\n  command: exec sleep 600\n"
        + "  resources: {cpus: 0.01, mem: 8}\n  killGracePeriod: 1s\n";
  }

  @BeforeEach
  void setUp() throws Exception {
    repo = TempGitRepo.init(dir.resolve("repo"));
    repo.write("apps/web.yaml", app("web", 2));
    repo.commit("add web");
    local =
        TelosProcess.start(
            dir,
            "local",
            "--repo",
            repo.url(),
            "--path",
            "apps",
            "--http-port",
            "0",
            "--poll",
            "500ms",
            "--data-dir",
            dir.resolve("data").toString());
    api = local.awaitOutput("Telos API listening on (http://\\S+)");
  }

  @AfterEach
  void tearDown() throws Exception {
    local.terminate(Duration.ofSeconds(30));
    local.close();
    repo.close();
  }

  /** Runs a CLI command to completion; returns exit code and stdout. */
  record Result(int code, List<String> out) {
    String text() {
      return String.join("\n", out);
    }
  }

  Result telos(String... args) throws Exception {
    return telos(java.util.Map.of(), args);
  }

  Result telos(java.util.Map<String, String> env, String... args) throws Exception {
    try (TelosProcess p = TelosProcess.start(dir, List.of(), env, args)) {
      int code = p.awaitExit(Duration.ofSeconds(120));
      return new Result(code, p.stdout());
    }
  }

  void awaitSynced() {
    await()
        .until(
            () -> {
              Result r = telos("status", "--server", api, "-o", "json");
              return JSON.readTree(r.text()).path("syncStatus").asText().equals("Synced");
            });
  }

  @Test
  void statusAppsAndHistoryForPeopleAndScripts() throws Exception {
    awaitSynced();
    Result status = telos("status", "--server", api);
    assertThat(status.code()).isZero();
    assertThat(status.text())
        .contains("Sync status:  Synced")
        .contains("Health:       Healthy")
        .contains("Ready:        true");

    Result apps = telos("apps", "--server", api);
    assertThat(apps.out().get(0)).startsWith("NAMESPACE  NAME  KIND     STATUS");
    assertThat(apps.out().get(1))
        .matches("cli\\s+web\\s+Service\\s+Synced\\s+Synced\\s+Healthy\\s+2\\s+2\\s+2\\s+\\S+.*");
    assertThat(apps.text()).doesNotContain("\u001b["); // not a terminal: no colour

    JsonNode appsJson = JSON.readTree(telos("apps", "--server", api, "-o", "json").text());
    assertThat(appsJson.get(0).get("tasks")).hasSize(2);

    JsonNode history = JSON.readTree(telos("history", "--server", api, "--output", "json").text());
    assertThat(history.get(0).get("message").asText()).isEqualTo("add web");
    List<String> table = telos("history", "--server", api).out();
    assertThat(table.get(0)).startsWith("ID  STARTED").contains("TOOK").contains("HEALTH");
    assertThat(table.get(1))
        .as("to the second, with how long it took and the health it runs with")
        .matches(
            "1\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\\s+[0-9.]+m?s\\s+\\S+\\s+Synced\\s+Healthy\\s+2\\s+0.*");

    // The packaged wiring reports what the controller did, not only the gauges.
    String metrics =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(api + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics)
        .contains("telos_task_launches_total 2.0")
        .contains("telos_sync_duration_seconds_count{result=\"Synced\"} 1");

    repo.write("apps/web.yaml", app("web", 3));
    repo.commit("scale web to 3");
    await()
        .until(
            () ->
                telos("history", "--server", api, "--limit", "1", "-o", "json")
                    .text()
                    .contains("scale web to 3"));
    assertThat(telos("history", "--server", api, "--limit", "1", "-o", "json").text())
        .doesNotContain("add web");
  }

  @Test
  void theApiServesItsJarAndAgentsRunTheTelosExecutorFetchedFromIt() throws Exception {
    awaitSynced();
    var http = java.net.http.HttpClient.newHttpClient();
    String sha =
        http.send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(api + "/executor/telos.jar.sha256"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
    byte[] jar = java.nio.file.Files.readAllBytes(java.nio.file.Path.of("target", "telos.jar"));
    assertThat(sha).startsWith(java.util.HexFormat.of().formatHex(md.digest(jar)) + "  telos.jar");
    var served =
        http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(api + "/executor/telos.jar"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertThat(served.body()).isEqualTo(jar);

    repo.write(
        "apps/ex.yaml",
        "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: ex}\nspec:\n"
            + "  instances: 1\n  command: exec sleep 600\n  executor: telos\n"
            + "  resources: {cpus: 0.01, mem: 8}\n  killGracePeriod: 1s\n");
    repo.commit("ex under the Telos executor");
    Result ok = telos("sync", "--server", api, "--wait", "--timeout", "120s");
    assertThat(ok.code()).as(ok.text()).isZero();
    JsonNode ex =
        JSON.readTree(
            http.send(
                    java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(api + "/api/v1/apps/default/ex"))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString())
                .body());
    assertThat(ex.get("runningInstances").asInt()).isEqualTo(1);
    // One app: its tasks with their address, health and what the executor reports they use.
    await()
        .atMost(java.time.Duration.ofSeconds(60))
        .until(() -> telos("apps", "default/ex", "--server", api).text().contains(" MiB"));
    String one = telos("apps", "default/ex", "--server", api).text();
    assertThat(one)
        .startsWith("default/ex (Service): Synced, 1/1 healthy, 1 running")
        .containsPattern("TASK +STATE +ADDRESS +HEALTHY +RSS +CPU")
        .containsPattern("RUNNING +127\\.0\\.0\\.1 +- +\\d+ MiB +[0-9.]+ s");
    Result missing = telos("apps", "default/nope", "--server", api);
    assertThat(missing.code()).as("an unknown app is an error").isEqualTo(1);

    // A task that dies: `telos apps` says why, with the executor's exit code and stderr.
    repo.write(
        "apps/bad.yaml",
        "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: bad}\nspec:\n"
            + "  instances: 1\n  command: echo no config file >&2; exit 3\n  executor: telos\n"
            + "  resources: {cpus: 0.01, mem: 8}\n");
    repo.commit("bad under the Telos executor");
    // sync --wait ends as soon as waiting cannot help, long before its timeout, and says why.
    long started = System.nanoTime();
    Result waited = telos("sync", "--server", api, "--wait", "--timeout", "10m");
    assertThat(waited.code()).as(waited.text()).isEqualTo(1);
    assertThat(waited.text()).contains("error: default/bad is Degraded");
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - started))
        .as("not the 10m timeout")
        .isLessThan(java.time.Duration.ofMinutes(5));
    await()
        .atMost(java.time.Duration.ofSeconds(90))
        .until(() -> telos("apps", "--server", api).text().contains("Last failures:"));
    String apps = telos("apps", "--server", api).text();
    assertThat(apps)
        .contains("default/bad: task ")
        .contains("TASK_FAILED, exit code 3")
        .contains("no config file");
    JsonNode bad = JSON.readTree(telos("apps", "--server", api, "-o", "json").text());
    JsonNode failure = null;
    for (JsonNode a : bad) {
      if (a.path("name").asText().equals("bad")) {
        failure = a.get("lastFailure");
      }
    }
    assertThat(failure).isNotNull();
    assertThat(failure.get("exitCode").asInt()).isEqualTo(3);
    assertThat(failure.get("reason").asText()).isEqualTo("REASON_COMMAND_EXECUTOR_FAILED");
    assertThat(telos("apps", "default/bad", "--server", api).text())
        .contains("last failure: task ")
        .contains("TASK_FAILED, exit code 3");
  }

  @Test
  void syncWaitFollowsANewCommitAndFailsOnAnInvalidOne() throws Exception {
    awaitSynced();
    repo.write("apps/web.yaml", app("web", 3));
    repo.commit("scale web");
    Result ok = telos("sync", "--server", api, "--wait", "--timeout", "60s");
    assertThat(ok.code()).isZero();
    assertThat(ok.text()).contains("Synced at");
    assertThat(
            JSON.readTree(telos("apps", "--server", api, "-o", "json").text())
                .get(0)
                .get("runningInstances")
                .asInt())
        .isEqualTo(3);

    repo.write("apps/web.yaml", app("web", 3).replace("instances", "instanes"));
    repo.commit("break web");
    Result bad = telos("sync", "--server", api, "--wait", "--timeout", "60s");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.text()).contains("error: apps/web.yaml:5:3: unknown field 'instanes'");
  }

  @Test
  void theServerComesFromTheEnvironmentAndPlanTakesRevisionsAsGitDoes() throws Exception {
    awaitSynced();
    String synced = repo.git().getRepository().resolve("HEAD").getName();
    java.util.Map<String, String> env = java.util.Map.of("TELOS_SERVER", api);
    Result status = telos(env, "status", "-o", "json");
    assertThat(status.code()).isZero();
    assertThat(JSON.readTree(status.text()).get("revision").asText()).isEqualTo(synced);

    repo.branch("pr-7").write("apps/web.yaml", app("web", 3));
    repo.commit("PR: scale web to 3");
    String[] plan = {"plan", "--repo", repo.url(), "--path", "apps", "--revision"};
    for (String same : List.of(synced.substring(0, 8), "pr-7~1", "HEAD^")) {
      Result r = telos(env, concat(plan, same));
      assertThat(r.code()).as(same + ": " + r.text()).isZero();
      assertThat(r.text()).as(same).startsWith("No changes");
    }
    Result head = telos(env, concat(plan, "HEAD"));
    assertThat(head.code()).as("HEAD is the repository's HEAD: pr-7").isEqualTo(2);
    assertThat(head.text()).contains("cli/web").contains("2 → 3");

    Result noServer = telos(concat(plan, "pr-7"));
    assertThat(noServer.code()).isEqualTo(1);
    assertThat(noServer.text()).as("the error goes to stderr").doesNotContain("No changes");
  }

  @Test
  void planReadsTheControllersRecordsSoADoneJobIsNoChangeAndACronJobIsScheduled() throws Exception {
    repo.write(
        "apps/once.yaml",
        "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: once, namespace: cli}\n"
            + "spec:\n  command: exit 0\n  resources: {cpus: 0.01, mem: 8}\n");
    repo.commit("add a Job");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              for (JsonNode a :
                  JSON.readTree(telos("apps", "--server", api, "-o", "json").text())) {
                if (a.path("name").asText().equals("once")) {
                  return a.path("status").asText().equals("Succeeded");
                }
              }
              return false;
            });
    repo.branch("pr-9")
        .write("apps/web.yaml", app("web", 3))
        .write(
            "apps/nightly.yaml",
            "apiVersion: telos.dev/v1\nkind: CronJob\nmetadata: {name: nightly, namespace: cli}\n"
                + "spec:\n  schedule: '0 3 * * *'\n  job:\n    command: exit 0\n"
                + "    resources: {cpus: 0.01, mem: 8}\n");
    repo.commit("PR: scale web, add a nightly CronJob");
    JsonNode plan =
        JSON.readTree(
            telos(
                    "plan",
                    "--repo",
                    repo.url(),
                    "--path",
                    "apps",
                    "--revision",
                    "pr-9",
                    "--server",
                    api,
                    "-o",
                    "json")
                .text());
    List<String> changed = new java.util.ArrayList<>();
    for (JsonNode c : plan.get("changes")) {
      changed.add(c.get("app").asText() + " " + c.get("change").asText());
    }
    assertThat(changed)
        .as("the Job that succeeded is not run again; the CronJob waits for its schedule")
        .containsExactlyInAnyOrder("cli/web scale", "cli/nightly schedule");
  }

  @Test
  void logsPrintATasksOutputThroughItsAgentsFilesApiAndFollowIt() throws Exception {
    repo.write(
        "apps/talker.yaml",
        "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: talker, namespace: cli}\n"
            + "spec:\n  instances: 1\n  resources: {cpus: 0.01, mem: 8}\n"
            + "  command: 'echo hello from talker; echo to stderr >&2;"
            + " i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.3; done'\n");
    repo.commit("a talking app");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> telos("logs", "cli/talker", "--server", api).text().contains("tick 2"));
    Result out = telos("logs", "cli/talker", "--server", api);
    assertThat(out.code()).isZero();
    assertThat(out.text()).startsWith("hello from talker").contains("tick 1");
    assertThat(telos("logs", "cli/talker", "--server", api, "--stderr").text())
        .isEqualTo("to stderr");
    assertThat(telos("logs", "cli/talker", "--server", api, "--tail", "30").text())
        .as("only the last bytes")
        .doesNotContain("hello")
        .contains("tick");

    JsonNode app = JSON.readTree(telos("apps", "cli/talker", "--server", api, "-o", "json").text());
    String task = app.path("tasks").get(0).path("id").asText();
    var http = java.net.http.HttpClient.newHttpClient();
    JsonNode listing =
        JSON.readTree(
            http.send(
                    java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(api + "/api/v1/files/browse?task=" + task))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString())
                .body());
    List<String> files = new java.util.ArrayList<>();
    listing.forEach(f -> files.add(f.path("path").asText().replaceAll(".*/", "")));
    assertThat(files).contains("stdout", "stderr");
    var escape =
        http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(
                        api + "/api/v1/files/read?task=" + task + "&path=../../../../etc/passwd"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(escape.statusCode()).isEqualTo(400);

    try (TelosProcess follow =
        TelosProcess.start(dir, "logs", "cli/talker", "--server", api, "--follow")) {
      follow.awaitOutput("tick \\d+");
      int printed = 0;
      for (String line : telos("logs", "cli/talker", "--server", api).out()) {
        if (line.startsWith("tick ")) {
          printed = Math.max(printed, Integer.parseInt(line.substring(5).strip()));
        }
      }
      follow.awaitOutput("tick " + (printed + 2) + "$"); // written after it began: followed
    }
  }

  static String[] concat(String[] a, String b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }

  @Test
  void planOfAPullRequestBranchShowsItsChangesWithExitCodes() throws Exception {
    awaitSynced();
    Result same =
        telos(
            "plan", "--repo", repo.url(), "--revision", "main", "--path", "apps", "--server", api);
    assertThat(same.code()).isZero();
    assertThat(same.text()).startsWith("No changes");

    repo.branch("pr-42")
        .write("apps/web.yaml", app("web", 4))
        .write("apps/api.yaml", app("api", 1));
    repo.commit("PR: scale web, add api");
    Result md =
        telos(
            "plan",
            "--repo",
            repo.url(),
            "--revision",
            "pr-42",
            "--path",
            "apps",
            "--server",
            api,
            "--output",
            "markdown");
    assertThat(md.code()).isEqualTo(2);
    assertThat(md.text())
        .contains("**Telos plan**")
        .contains("2 app(s) change")
        .contains("| `cli/api` | Service | launch | 1 instance(s)")
        .contains("| `cli/web` | Service | scale | 2 → 4 instance(s) |");

    repo.write("apps/web.yaml", app("web", 4).replace("sleep 600", "sleep 601"));
    repo.commit("PR: change the command");
    JsonNode json =
        JSON.readTree(
            telos(
                    "plan",
                    "--repo",
                    repo.url(),
                    "--revision",
                    "pr-42",
                    "--path",
                    "apps",
                    "--server",
                    api,
                    "-o",
                    "json")
                .text());
    JsonNode web = null;
    for (JsonNode c : json.get("changes")) {
      if (c.get("app").asText().equals("cli/web")) {
        web = c;
      }
    }
    assertThat(web.get("change").asText()).isEqualTo("rollout");
    assertThat(web.get("fields").get(0).asText())
        .isEqualTo("spec.command: exec sleep 600 → exec sleep 601");

    repo.write("apps/web.yaml", "kind: [");
    repo.commit("PR: broken");
    Result broken =
        telos("plan", "--repo", repo.url(), "--revision", "pr-42", "--path", "apps", "--offline");
    assertThat(broken.code()).isEqualTo(1);
    assertThat(broken.text()).contains("apps/web.yaml:");

    Result offline =
        telos("plan", "--repo", repo.url(), "--revision", "main", "--path", "apps", "--offline");
    assertThat(offline.code()).isEqualTo(2);
    assertThat(offline.text()).contains("launch cli/web (Service): 2 instance(s)");
    // A plan never changes the cluster.
    assertThat(
            JSON.readTree(telos("apps", "--server", api, "-o", "json").text())
                .get(0)
                .get("runningInstances")
                .asInt())
        .isEqualTo(2);
  }
}
