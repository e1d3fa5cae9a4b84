package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.TelosProcess;
import dev.telos.testing.TempGitRepo;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code telos local} with two {@code --source}s: both teams' apps run; one team's broken commit or
 * unreachable repository leaves its tasks running, untouched, while the other keeps syncing.
 */
class SeveralSourcesIT {
  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  static String service(String namespace, String name, int instances) {
    return dev.telos.testing.Manifests.service(namespace, name, instances, "exec sleep 600");
  }

  JsonNode get(String url) throws Exception {
    return TelosProcess.json(url);
  }

  /** A field of the search source in the status. */
  String search(String api, String field) throws Exception {
    return get(api + "/api/v1/status").path("sources").get(1).path(field).asText();
  }

  /** The IDs of the app's RUNNING tasks. */
  List<String> running(String api, String app) throws Exception {
    List<String> ids = new ArrayList<>();
    for (JsonNode t : get(api + "/api/v1/apps/" + app).path("tasks")) {
      if (t.path("state").asText().equals("TASK_RUNNING")) {
        ids.add(t.path("id").asText());
      }
    }
    return ids;
  }

  @Test
  void oneSourcesBrokenCommitOrOutageLeavesItsAppsAloneWhileTheOtherSyncs() throws Exception {
    try (TempGitRepo payments = TempGitRepo.init(dir.resolve("payments"));
        TempGitRepo search = TempGitRepo.init(dir.resolve("search"))) {
      payments.write("api.yaml", service("payments", "api", 1)).commit("api");
      search.write("apps/indexer.yaml", service("search", "indexer", 1)).commit("indexer");
      try (TelosProcess local =
          TelosProcess.start(
              dir,
              "local",
              "--source",
              "name=payments,repo=" + payments.url(),
              "--source",
              "name=search,repo=" + search.url() + ",branch=main,path=apps,namespace=search",
              "--http-port",
              "0",
              "--poll",
              "300ms",
              "--data-dir",
              dir.resolve("data").toString())) {
        String api = local.awaitOutput("Telos API listening on (http://\\S+)");
        assertThat(local.awaitOutput("(Syncing payments=.*search=.*)")).contains("path apps");
        TelosProcess.awaitSynced(api);
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> running(api, "search/indexer").size() == 1);
        String indexer = running(api, "search/indexer").get(0);
        JsonNode status = get(api + "/api/v1/status");
        assertThat(status.path("revision").asText()).startsWith("payments@").contains(",search@");
        assertThat(status.path("sources")).hasSize(2);
        assertThat(status.path("sources").get(1).path("path").asText()).isEqualTo("apps");

        // search's next commit is broken; payments scales meanwhile
        String broken = search.write("apps/indexer.yaml", "kind: [").commit("broken");
        payments.write("api.yaml", service("payments", "api", 2)).commit("scale api");
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> running(api, "payments/api").size() == 2);
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> search(api, "errorRevision").equals(broken));
        status = get(api + "/api/v1/status");
        assertThat(status.path("syncStatus").asText()).isEqualTo("Error");
        assertThat(status.path("lastError").path("message").asText())
            .startsWith("apps/indexer.yaml:1:")
            .contains("source search: ");
        assertThat(status.path("lastError").path("revision").asText()).isEqualTo(broken);
        assertThat(running(api, "search/indexer")).containsExactly(indexer);

        // then search's repository goes away: still nothing happens to its app
        Files.move(dir.resolve("search"), dir.resolve("search-gone"));
        payments.write("api.yaml", service("payments", "api", 1)).commit("scale api down");
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> running(api, "payments/api").size() == 1);
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> search(api, "error").startsWith("source search: cannot read"));
        assertThat(running(api, "search/indexer")).containsExactly(indexer);

        // back and fixed: Synced, and the history names the rejected commit once
        Files.move(dir.resolve("search-gone"), dir.resolve("search"));
        // reachable again, still at the broken commit: reported again, recorded once
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> search(api, "errorRevision").equals(broken));
        search.write("apps/indexer.yaml", service("search", "indexer", 1)).commit("fixed");
        TelosProcess.awaitSynced(api);
        assertThat(running(api, "search/indexer")).containsExactly(indexer);
        int rejected = 0;
        for (JsonNode h : get(api + "/api/v1/history")) {
          if (h.path("revision").asText().equals(broken)) {
            rejected++;
          }
        }
        assertThat(rejected).isEqualTo(1);

        try (TelosProcess cli = TelosProcess.start(dir, "status", "--server", api)) {
          assertThat(cli.awaitExit(Duration.ofSeconds(60))).isZero();
          assertThat(String.join("\n", cli.stdout()))
              .containsPattern("Source: +payments [0-9a-f]{12} ")
              .contains("(main, apps) namespaces search");
        }
        // a plan is of one source: the other's apps are not "removed"
        try (TelosProcess plan =
            TelosProcess.start(
                dir,
                "plan",
                "--repo",
                search.url(),
                "--path",
                "apps",
                "--source",
                "search",
                "--server",
                api)) {
          assertThat(plan.awaitExit(Duration.ofSeconds(60))).isZero();
        }
        try (TelosProcess plan =
            TelosProcess.start(dir, "plan", "--repo", search.url(), "--server", api)) {
          assertThat(plan.awaitExit(Duration.ofSeconds(60))).isNotZero();
          assertThat(plan.stderr())
              .contains("the controller syncs several sources (payments, search)");
        }
        local.terminate(Duration.ofSeconds(30));
      }
    }
  }

  @Test
  void repoAndSourceExcludeEachOtherAndASourceNeedsANameAndARepo() throws Exception {
    // A start refused for its flags leaves no temporary data directory behind.
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    List<String> jvm = List.of("-Djava.io.tmpdir=" + tmp);
    try (TelosProcess both =
        TelosProcess.start(
            dir,
            jvm,
            Map.of(),
            "local",
            "--repo",
            "x",
            "--source",
            "name=a,repo=y",
            "--http-port",
            "0")) {
      assertThat(both.awaitExit(Duration.ofSeconds(60))).isNotZero();
      assertThat(both.stderr()).contains("--repo and --source exclude each other");
    }
    try (TelosProcess unnamed =
        TelosProcess.start(dir, jvm, Map.of(), "local", "--source", "repo=y", "--http-port", "0")) {
      assertThat(unnamed.awaitExit(Duration.ofSeconds(60))).isNotZero();
      assertThat(unnamed.stderr()).contains("name= and repo= are required");
    }
    try (java.util.stream.Stream<Path> left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith("telos-local-"));
    }
  }
}
