package dev.telos.ha;

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
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code telos run --ha} processes on a real ZooKeeper (in this JVM) against {@code telos
 * cluster}: one leads, the other stands by and sends clients to it; the leader killed with SIGKILL
 * mid-rollout is replaced within the session timeout, with the same framework ID and no task
 * relaunched.
 */
class HaIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration SESSION = Duration.ofSeconds(4);
  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();
  TestingServer zk;

  @BeforeEach
  void startZooKeeper() throws Exception {
    zk = new TestingServer(true);
  }

  @AfterEach
  void stopZooKeeper() throws Exception {
    zk.close();
  }

  static String app(String command, String check) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: r, namespace: it}\n"
        + "spec:\n  instances: 3\n  command: "
        + command
        + "\n  resources: {cpus: 0.01, mem: 8}\n  killGracePeriod: 1s\n"
        + "  healthCheck: {type: COMMAND, command: '"
        + check
        + "', interval: 200ms, timeout: 1s, gracePeriod: 60s}\n";
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    // Bounded: an API request must never hang on ZooKeeper.
    return http.send(
        request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode get(String url) throws Exception {
    return JSON.readTree(send(HttpRequest.newBuilder(URI.create(url))).body());
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

  TelosProcess instance(String name, String master, TempGitRepo repo) throws Exception {
    return instance(name, master, repo, zk.getConnectString());
  }

  TelosProcess instance(String name, String master, TempGitRepo repo, String zkHosts)
      throws Exception {
    return instance(name, master, repo, zkHosts, List.of());
  }

  TelosProcess instance(
      String name, String master, TempGitRepo repo, String zkHosts, List<String> more)
      throws Exception {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
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
                dir.resolve(name).toString(),
                "--ha",
                "zk://" + zkHosts + "/telos",
                "--ha-session-timeout",
                SESSION.toSeconds() + "s"));
    args.addAll(more);
    return TelosProcess.start(dir, args.toArray(String[]::new));
  }

  boolean leads(String api) {
    try {
      return get(api + "/api/v1/status").path("leader").asBoolean();
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void aLeaderCutOffFromZooKeeperStopsActingBeforeAnotherOneStarts() throws Exception {
    try (TempGitRepo repo = TempGitRepo.init(dir.resolve("repo"));
        TelosProcess cluster = TelosProcess.cluster(dir);
        dev.telos.local.TcpProxy proxy = new dev.telos.local.TcpProxy("127.0.0.1", zk.getPort())) {
      String master = cluster.awaitOutput("Mesos master listening on (http://\\S+)");
      repo.write("apps/r.yaml", app("exec sleep 600", "true"));
      repo.commit("v1");
      // a reaches ZooKeeper only through the proxy, and leads; b reaches it directly.
      try (TelosProcess a = instance("a", master, repo, proxy.address())) {
        String apiA = a.awaitOutput("Telos API listening on (http://\\S+)");
        await().until(() -> leads(apiA));
        await()
            .until(() -> get(apiA + "/api/v1/status").path("syncStatus").asText().equals("Synced"));
        try (TelosProcess b = instance("b", master, repo)) {
          String apiB = b.awaitOutput("Telos API listening on (http://\\S+)");
          await().until(() -> get(apiB + "/readyz").path("ready").asBoolean());
          Set<String> tasks = masterTasks(master);
          assertThat(tasks).hasSize(3);

          proxy.cut(); // a partitioned from ZooKeeper, not from Mesos
          await().atMost(SESSION.plusSeconds(10)).until(() -> !leads(apiA));
          assertThat(leads(apiB))
              .as("b may lead only once a's session has expired, after a stopped")
              .isFalse();
          await().atMost(SESSION.plusSeconds(30)).until(() -> leads(apiB));
          await()
              .until(
                  () -> get(apiB + "/api/v1/status").path("syncStatus").asText().equals("Synced"));
          assertThat(masterTasks(master)).as("nothing launched or killed twice").isEqualTo(tasks);
          assertThat(cluster.stderr())
              .as("the master never had to cut off a still-subscribed Telos")
              .doesNotContain("failed over from an open subscription");

          proxy.restore(); // a rejoins, as a standby
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () -> get(apiA + "/api/v1/status").path("leaderAddress").asText().equals(apiB));
          assertThat(masterTasks(master)).isEqualTo(tasks);
        }
      }
    }
  }

  @Test
  void aRollingRestartOfThreeInstancesChangesNoTask() throws Exception {
    try (TempGitRepo repo = TempGitRepo.init(dir.resolve("repo"));
        TelosProcess cluster = TelosProcess.cluster(dir)) {
      String master = cluster.awaitOutput("Mesos master listening on (http://\\S+)");
      repo.write("apps/r.yaml", app("exec sleep 600", "true"));
      repo.commit("v1");
      List<String> names = List.of("a", "b", "c");
      java.util.Map<String, TelosProcess> processes = new java.util.LinkedHashMap<>();
      java.util.Map<String, String> apis = new java.util.LinkedHashMap<>();
      try {
        for (String n : names) {
          processes.put(n, instance(n, master, repo));
          apis.put(n, processes.get(n).awaitOutput("Telos API listening on (http://\\S+)"));
        }
        await().until(() -> apis.values().stream().anyMatch(this::leads));
        String first = apis.values().stream().filter(this::leads).findFirst().orElseThrow();
        await()
            .until(
                () -> get(first + "/api/v1/status").path("syncStatus").asText().equals("Synced"));
        Set<String> tasks = masterTasks(master);
        assertThat(tasks).hasSize(3);
        String frameworkId = get(first + "/api/v1/status").path("frameworkId").asText();

        for (String n : names) {
          processes.get(n).terminate(Duration.ofSeconds(30));
          processes.put(n, instance(n, master, repo));
          apis.put(n, processes.get(n).awaitOutput("Telos API listening on (http://\\S+)"));
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () ->
                      apis.values().stream()
                          .anyMatch(
                              api -> {
                                try {
                                  JsonNode st = get(api + "/api/v1/status");
                                  return st.path("leader").asBoolean()
                                      && st.path("syncStatus").asText().equals("Synced")
                                      && st.path("ready").asBoolean();
                                } catch (Exception e) {
                                  return false;
                                }
                              }));
          await().until(() -> get(apis.get(n) + "/readyz").path("ready").asBoolean());
          assertThat(masterTasks(master)).as("after restarting %s", n).isEqualTo(tasks);
        }
        String leader = apis.values().stream().filter(this::leads).findFirst().orElseThrow();
        assertThat(get(leader + "/api/v1/status").path("frameworkId").asText())
            .isEqualTo(frameworkId);
        await()
            .during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(20))
            .until(() -> masterTasks(master).equals(tasks));
      } finally {
        processes.values().forEach(TelosProcess::close);
      }
    }
  }

  @Test
  void withoutAZooKeeperQuorumNobodyActsAndNothingIsKilledThenALeaderResumes() throws Exception {
    try (TempGitRepo repo = TempGitRepo.init(dir.resolve("repo"));
        TelosProcess cluster = TelosProcess.cluster(dir)) {
      String master = cluster.awaitOutput("Mesos master listening on (http://\\S+)");
      repo.write("apps/r.yaml", app("exec sleep 600", "true"));
      repo.commit("v1");
      try (TelosProcess a = instance("a", master, repo);
          TelosProcess b = instance("b", master, repo)) {
        String apiA = a.awaitOutput("Telos API listening on (http://\\S+)");
        String apiB = b.awaitOutput("Telos API listening on (http://\\S+)");
        await().until(() -> leads(apiA) || leads(apiB));
        String leaderApi = leads(apiA) ? apiA : apiB;
        TelosProcess leader = leads(apiA) ? a : b;
        String otherApi = leads(apiA) ? apiB : apiA;
        await()
            .until(
                () ->
                    get(leaderApi + "/api/v1/status").path("syncStatus").asText().equals("Synced"));
        Set<String> running = masterTasks(master);
        assertThat(running).hasSize(3);

        zk.stop(); // the whole ensemble: no quorum
        await().atMost(SESSION.plusSeconds(20)).until(() -> !leads(apiA) && !leads(apiB));
        // A commit meanwhile is not acted on: nobody leads.
        repo.write("apps/r.yaml", app("exec sleep 601", "true"));
        String v2 = repo.commit("v2");
        await()
            .during(Duration.ofSeconds(3))
            .atMost(Duration.ofSeconds(20))
            .until(() -> masterTasks(master).equals(running));

        zk.restart();
        await().atMost(Duration.ofSeconds(60)).until(() -> leads(apiA) || leads(apiB));
        String nowLeading = leads(apiA) ? apiA : apiB;
        // Synced on v2, every v1 task replaced. A leader first acts on the last good revision it
        // restores (v1, already synced) until its first fetch: "Synced" alone is not the end of
        // the rollout, and a SIGTERM in the middle of it would leave the next leader to finish it.
        await()
            .until(
                () -> {
                  JsonNode status = get(nowLeading + "/api/v1/status");
                  Set<String> now = masterTasks(master);
                  return status.path("revision").asText().equals(v2)
                      && status.path("syncStatus").asText().equals("Synced")
                      && now.size() == 3
                      && java.util.Collections.disjoint(now, running);
                });

        // SIGTERM: the leader leaves the election at once; the other leads well within a session.
        TelosProcess current = nowLeading.equals(leaderApi) ? leader : leader == a ? b : a;
        String standby = nowLeading.equals(apiA) ? apiB : apiA;
        Set<String> before = masterTasks(master);
        long stopped = System.nanoTime();
        current.terminate(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(30)).until(() -> leads(standby));
        Duration handOver = Duration.ofNanos(System.nanoTime() - stopped);
        System.out.println(
            "HA hand-over after SIGTERM of the leader: " + handOver.toMillis() + " ms");
        await()
            .during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(20))
            .until(() -> masterTasks(master).equals(before));
        assertThat(otherApi).isNotNull();
      }
    }
  }

  @Test
  void overMutualTlsWithTokensAStandbyAnswersReadsFromItsLeaderAsAPeer() throws Exception {
    okhttp3.tls.HeldCertificate root =
        new okhttp3.tls.HeldCertificate.Builder().certificateAuthority(0).commonName("ca").build();
    okhttp3.tls.HeldCertificate server =
        new okhttp3.tls.HeldCertificate.Builder()
            .signedBy(root)
            .commonName("telos")
            .addSubjectAlternativeName("127.0.0.1")
            .addSubjectAlternativeName("localhost")
            .build();
    okhttp3.tls.HeldCertificate operator =
        new okhttp3.tls.HeldCertificate.Builder().signedBy(root).commonName("ops").build();
    Path cert =
        java.nio.file.Files.writeString(
            dir.resolve("tls.crt"), server.certificatePem() + root.certificatePem());
    Path key = java.nio.file.Files.writeString(dir.resolve("tls.key"), server.privateKeyPkcs8Pem());
    Path ca = java.nio.file.Files.writeString(dir.resolve("ca.pem"), root.certificatePem());
    String read = "read-token-0123456789";
    Path tokens =
        java.nio.file.Files.writeString(
            dir.resolve("tokens"), "read " + read + "\nadmin admin-token-0123456789\n");
    List<String> secure =
        List.of(
            "--tls-cert",
            cert.toString(),
            "--tls-key",
            key.toString(),
            "--tls-client-ca",
            ca.toString(),
            "--api-tokens-file",
            tokens.toString(),
            "--require-auth");
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(
                new okhttp3.tls.HandshakeCertificates.Builder()
                    .addTrustedCertificate(root.certificate())
                    .heldCertificate(operator)
                    .build()
                    .sslContext())
            .build();
    java.util.function.Function<String, JsonNode> get =
        url -> {
          try {
            return JSON.readTree(
                client
                    .send(
                        HttpRequest.newBuilder(URI.create(url))
                            .header("Authorization", "Bearer " + read)
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body());
          } catch (Exception e) {
            return JSON.createObjectNode();
          }
        };
    try (TempGitRepo repo = TempGitRepo.init(dir.resolve("repo"));
        TelosProcess cluster = TelosProcess.cluster(dir)) {
      String master = cluster.awaitOutput("Mesos master listening on (http://\\S+)");
      repo.write("apps/r.yaml", app("exec sleep 600", "true"));
      repo.commit("v1");
      try (TelosProcess a = instance("a", master, repo, zk.getConnectString(), secure);
          TelosProcess b = instance("b", master, repo, zk.getConnectString(), secure)) {
        String apiA = a.awaitOutput("Telos API listening on (https://\\S+)");
        String apiB = b.awaitOutput("Telos API listening on (https://\\S+)");
        await()
            .until(
                () ->
                    get.apply(apiA + "/api/v1/status").path("leader").asBoolean()
                        || get.apply(apiB + "/api/v1/status").path("leader").asBoolean());
        boolean aLeads = get.apply(apiA + "/api/v1/status").path("leader").asBoolean();
        String leaderApi = aLeads ? apiA : apiB;
        String standbyApi = aLeads ? apiB : apiA;
        await()
            .until(
                () ->
                    get.apply(leaderApi + "/api/v1/status")
                        .path("syncStatus")
                        .asText()
                        .equals("Synced"));
        String frameworkId = get.apply(leaderApi + "/api/v1/status").path("frameworkId").asText();
        // The standby names its leader by https and answers with the leader's fields: it asked
        // the leader over mutual TLS with its own certificate, passing the caller's token on.
        await()
            .until(
                () ->
                    get.apply(standbyApi + "/api/v1/status")
                        .path("leaderAddress")
                        .asText()
                        .equals(leaderApi));
        JsonNode standby = get.apply(standbyApi + "/api/v1/status");
        assertThat(standby.path("leader").asBoolean()).isFalse();
        assertThat(standby.path("frameworkId").asText()).isEqualTo(frameworkId);
        assertThat(get.apply(standbyApi + "/api/v1/apps").findValuesAsText("name"))
            .containsExactly("r");
        // A browser signed in on the standby reads through it: the signed session cookie goes
        // to the leader, which accepts it (same tokens, same key).
        HttpResponse<String> signIn =
            client.send(
                HttpRequest.newBuilder(URI.create(standbyApi + "/api/v1/session"))
                    .header("Authorization", "Bearer " + read)
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(signIn.statusCode()).isEqualTo(200);
        String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).contains("Secure");
        HttpResponse<String> viaCookie =
            client.send(
                HttpRequest.newBuilder(URI.create(standbyApi + "/api/v1/apps"))
                    .header("Cookie", setCookie.substring(0, setCookie.indexOf(';')))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(viaCookie.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(viaCookie.body()).findValuesAsText("name")).containsExactly("r");
        // Without a token, the standby refuses as the leader would.
        assertThat(
                client
                    .send(
                        HttpRequest.newBuilder(URI.create(standbyApi + "/api/v1/apps")).build(),
                        HttpResponse.BodyHandlers.ofString())
                    .statusCode())
            .isEqualTo(401);
      }
    }
  }

  @Test
  void aStandbySendsClientsToTheLeaderAndTakesOverMidRolloutRelaunchingNothing() throws Exception {
    try (TempGitRepo repo = TempGitRepo.init(dir.resolve("repo"));
        TelosProcess cluster = TelosProcess.cluster(dir)) {
      String master = cluster.awaitOutput("Mesos master listening on (http://\\S+)");
      repo.write("apps/r.yaml", app("exec sleep 600", "true"));
      repo.commit("v1");

      try (TelosProcess a = instance("a", master, repo);
          TelosProcess b = instance("b", master, repo)) {
        String apiA = a.awaitOutput("Telos API listening on (http://\\S+)");
        String apiB = b.awaitOutput("Telos API listening on (http://\\S+)");
        await().until(() -> leads(apiA) || leads(apiB));
        TelosProcess leader = leads(apiA) ? a : b;
        String leaderApi = leads(apiA) ? apiA : apiB;
        String standbyApi = leads(apiA) ? apiB : apiA;
        await()
            .until(
                () ->
                    get(leaderApi + "/api/v1/status").path("syncStatus").asText().equals("Synced"));
        Set<String> v1 = masterTasks(master);
        assertThat(v1).hasSize(3);
        String frameworkId = get(leaderApi + "/api/v1/status").path("frameworkId").asText();

        // The standby answers reads with the leader's fields, marked as its own.
        await()
            .until(
                () ->
                    get(standbyApi + "/api/v1/status")
                        .path("leaderAddress")
                        .asText()
                        .equals(leaderApi));
        JsonNode standby = get(standbyApi + "/api/v1/status");
        assertThat(standby.path("leader").asBoolean()).isFalse();
        assertThat(standby.path("leaderAddress").asText()).isEqualTo(leaderApi);
        assertThat(standby.path("frameworkId").asText()).isEqualTo(frameworkId);
        assertThat(standby.path("syncStatus").asText()).isEqualTo("Synced");
        assertThat(get(standbyApi + "/api/v1/apps").findValuesAsText("name")).containsExactly("r");
        assertThat(send(HttpRequest.newBuilder(URI.create(standbyApi + "/readyz"))).statusCode())
            .isEqualTo(200);
        HttpResponse<String> sync =
            send(
                HttpRequest.newBuilder(URI.create(standbyApi + "/api/v1/sync"))
                    .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(sync.statusCode()).as("writes go to the leader").isEqualTo(307);
        assertThat(sync.headers().firstValue("Location")).contains(leaderApi + "/api/v1/sync");
        String standbyMetrics =
            send(HttpRequest.newBuilder(URI.create(standbyApi + "/metrics"))).body();
        assertThat(standbyMetrics)
            .contains("telos_leader 0.0")
            .contains("telos_zk_connection{state=\"CONNECTED\"} 1.0");
        assertThat(send(HttpRequest.newBuilder(URI.create(leaderApi + "/metrics"))).body())
            .contains("telos_leader 1.0")
            .contains("telos_leader_changes_total 1.0");

        // v2 never becomes healthy: the rollout stalls with one surge task; then SIGKILL.
        repo.write("apps/r.yaml", app("exec sleep 601", "false"));
        repo.commit("v2");
        await().until(() -> masterTasks(master).size() == 4);
        Set<String> midRollout = masterTasks(master);
        long killed = System.nanoTime();
        leader.kill();

        await().atMost(SESSION.plusSeconds(30)).until(() -> leads(standbyApi));
        Duration takeOver = Duration.ofNanos(System.nanoTime() - killed);
        System.out.println(
            "HA take-over after SIGKILL of the leader: " + takeOver.toMillis() + " ms");
        // Printed, not asserted: a shared machine can stretch it. What must hold whatever the
        // timing is asserted: the same framework ID and no task relaunched (below), and that a
        // deposed leader stops before another one starts (the partition test).
        await().until(() -> get(standbyApi + "/readyz").path("ready").asBoolean());
        assertThat(get(standbyApi + "/api/v1/status").path("frameworkId").asText())
            .isEqualTo(frameworkId);
        await()
            .during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(20))
            .until(() -> masterTasks(master).equals(midRollout));

        repo.write("apps/r.yaml", app("exec sleep 602", "true"));
        repo.commit("v3");
        await()
            .until(
                () ->
                    get(standbyApi + "/api/v1/status").path("syncStatus").asText().equals("Synced")
                        && masterTasks(master).size() == 3);
        assertThat(masterTasks(master)).doesNotContainAnyElementsOf(v1);
        List<String> history = get(standbyApi + "/api/v1/history").findValuesAsText("message");
        assertThat(history).as("the history was kept in ZooKeeper").contains("v3", "v2", "v1");
      }
    }
  }
}
