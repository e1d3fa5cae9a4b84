package dev.telos.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telos.controller.ApiHarness;
import dev.telos.git.Webhooks;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every endpoint and field of DESIGN.md section 7, against a live controller. */
class ApiIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String TOKEN = "api-token-123";
  static final String SECRET = "hook-secret-456";
  @TempDir Path dir;
  ApiHarness h;
  String base;
  String revision;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void setUp() throws Exception {
    h = new ApiHarness(dir);
    revision =
        h.commit(
            "web.yaml",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name:"
                + " web, namespace: shop}\nspec:\n  instances: 2\n  command: exec sleep 600\n"
                + "  resources: {cpus: 0.01, mem: 8}\n  ports: [{name: http}]\n"
                + "  healthCheck: {type: COMMAND, command: 'true', interval: 200ms}\n",
            "add web");
    h.start();
    base = h.startApi(TOKEN, SECRET);
    h.awaitSynced(revision);
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, Map<String, String> headers, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode json(HttpResponse<String> r) throws Exception {
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
    return JSON.readTree(r.body());
  }

  @Test
  void healthAndReadiness() throws Exception {
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = get("/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(json(ready).get("ready").asBoolean()).isTrue();
  }

  @Test
  void statusHasEveryContractField() throws Exception {
    JsonNode s = json(get("/api/v1/status"));
    assertThat(s.get("revision").asText()).isEqualTo(revision);
    assertThat(s.get("syncStatus").asText()).isEqualTo("Synced");
    assertThat(s.get("lastError").isNull()).isTrue();
    assertThat(s.get("frameworkId").asText()).isNotBlank();
    assertThat(s.get("leader").asBoolean()).isTrue();
    assertThat(s.get("health").asText()).isEqualTo("Healthy");
    // With one repository, its URL (credentials removed) for links to its commits.
    assertThat(s.get("repository").asText()).contains("repo");
  }

  @Test
  void appsAndOneAppHaveEveryContractField() throws Exception {
    JsonNode apps = json(get("/api/v1/apps"));
    assertThat(apps.isArray()).isTrue();
    JsonNode web = apps.get(0);
    for (String field :
        List.of(
            "namespace",
            "name",
            "kind",
            "desiredInstances",
            "runningInstances",
            "healthyInstances",
            "status",
            "syncStatus",
            "health",
            "revision",
            "tasks")) {
      assertThat(web.has(field)).as(field).isTrue();
    }
    assertThat(web.get("syncStatus").asText()).isEqualTo("Synced");
    assertThat(web.get("health").asText()).isEqualTo("Healthy");
    assertThat(web.get("namespace").asText()).isEqualTo("shop");
    assertThat(web.get("kind").asText()).isEqualTo("Service");
    assertThat(web.get("desiredInstances").asInt()).isEqualTo(2);
    assertThat(web.get("healthyInstances").asInt()).isEqualTo(2);
    assertThat(web.get("revision").asText()).isEqualTo(revision);
    JsonNode task = web.get("tasks").get(0);
    for (String field : List.of("id", "state", "agentId", "host", "ports", "healthy")) {
      assertThat(task.has(field)).as(field).isTrue();
    }
    assertThat(task.get("ports").get(0).asLong()).isBetween(31000L, 32000L);
    assertThat(task.get("healthy").asBoolean()).isTrue();
    assertThat(java.time.Instant.parse(task.get("launchedAt").asText()))
        .isBefore(java.time.Instant.now().plusSeconds(1))
        .isAfter(java.time.Instant.now().minusSeconds(600));

    JsonNode one = json(get("/api/v1/apps/shop/web"));
    assertThat(one.get("name").asText()).isEqualTo("web");
    HttpResponse<String> missing = get("/api/v1/apps/shop/nope");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(json(missing).get("error").asText()).contains("shop/nope");
  }

  @Test
  void historyIsNewestFirstWithEveryContractField() throws Exception {
    String second =
        h.commit(
            "web.yaml",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata:"
                + " {name: web, namespace: shop}\nspec:\n  instances: 1\n  command: exec sleep 600\n"
                + "  resources: {cpus: 0.01, mem: 8}\n  ports: [{name: http}]\n"
                + "  healthCheck: {type: COMMAND, command: 'true', interval: 200ms}\n",
            "scale down");
    h.awaitSynced(second);
    JsonNode history = json(get("/api/v1/history"));
    JsonNode newest = history.get(0);
    for (String field :
        List.of(
            "id",
            "startedAt",
            "finishedAt",
            "revision",
            "author",
            "message",
            "launched",
            "killed",
            "result")) {
      assertThat(newest.has(field)).as(field).isTrue();
    }
    assertThat(newest.get("revision").asText()).isEqualTo(second);
    assertThat(newest.get("message").asText()).isEqualTo("scale down");
    assertThat(newest.get("author").asText()).isEqualTo("Ada Lovelace <ada@example.com>");
    assertThat(newest.get("killed").asInt()).isEqualTo(1);
    assertThat(newest.get("result").asText()).isEqualTo("Synced");
    await()
        .until(() -> json(get("/api/v1/history")).get(0).path("health").asText().equals("Healthy"));
    assertThat(history.get(1).get("revision").asText()).isEqualTo(revision);
    assertThat(history.get(1).get("launched").asInt()).isEqualTo(2);
  }

  @Test
  void syncNeedsTheBearerTokenAndAnswers202() throws Exception {
    HttpResponse<String> anonymous = post("/api/v1/sync", Map.of(), "");
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(json(anonymous).get("error").asText()).contains("Bearer");
    assertThat(post("/api/v1/sync", Map.of("Authorization", "Bearer wrong"), "").statusCode())
        .isEqualTo(401);
    HttpResponse<String> ok = post("/api/v1/sync", Map.of("Authorization", "Bearer " + TOKEN), "");
    assertThat(ok.statusCode()).isEqualTo(202);
    assertThat(get("/api/v1/sync").statusCode()).isEqualTo(405);
  }

  @Test
  void approvingAPruneNeedsTheTokenTheRunningRevisionAndAHeldPrune() throws Exception {
    Map<String, String> auth = Map.of("Authorization", "Bearer " + TOKEN);
    assertThat(post("/api/v1/prunes/approve?revision=" + revision, Map.of(), "").statusCode())
        .isEqualTo(401);
    HttpResponse<String> noRevision = post("/api/v1/prunes/approve", auth, "");
    assertThat(noRevision.statusCode()).isEqualTo(400);
    assertThat(json(noRevision).get("error").asText()).contains("?revision=SHA");
    HttpResponse<String> nothingHeld =
        post("/api/v1/prunes/approve?revision=" + revision.substring(0, 12), auth, "");
    assertThat(nothingHeld.statusCode()).isEqualTo(409);
    assertThat(json(nothingHeld).get("error").asText()).contains("no prune is held");
    assertThat(get("/api/v1/prunes/approve").statusCode()).isEqualTo(405);
  }

  @Test
  void suspendingAndResumingNeedTheTokenAndSayWhatTheyHold() throws Exception {
    Map<String, String> auth = Map.of("Authorization", "Bearer " + TOKEN);
    assertThat(post("/api/v1/suspend", Map.of(), "").statusCode()).isEqualTo(401);
    HttpResponse<String> unknown = post("/api/v1/suspend?app=shop/nope", auth, "");
    assertThat(unknown.statusCode()).isEqualTo(409);
    assertThat(json(unknown).get("error").asText()).isEqualTo("no app shop/nope");
    assertThat(post("/api/v1/suspend?app=nonsense", auth, "").statusCode()).isEqualTo(400);
    HttpResponse<String> app = post("/api/v1/suspend?app=shop/web", auth, "");
    assertThat(app.statusCode()).isEqualTo(202);
    assertThat(json(app).get("suspended").asText()).isEqualTo("shop/web");
    assertThat(json(post("/api/v1/suspend", auth, "")).get("suspended").asText()).isEqualTo("sync");
    await()
        .until(
            () -> {
              JsonNode s = json(get("/api/v1/status"));
              return s.get("syncSuspended").asBoolean()
                  && s.get("suspendedApps").get(0).asText().equals("shop/web")
                  && s.get("syncBlocked").asText().contains("suspended");
            });
    assertThat(post("/api/v1/resume?app=shop/web", auth, "").statusCode()).isEqualTo(202);
    assertThat(post("/api/v1/resume", auth, "").statusCode()).isEqualTo(202);
    assertThat(post("/api/v1/resume?app=shop/web", auth, "").statusCode()).isEqualTo(409);
    await().until(() -> json(get("/api/v1/status")).get("syncBlocked").isNull());
  }

  @Test
  void webhooksAreVerifiedAndTriggerAFetch() throws Exception {
    String next =
        h.commit(
            "web.yaml",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata:"
                + " {name: web, namespace: shop}\nspec:\n  instances: 2\n  command: exec sleep 600\n"
                + "  resources: {cpus: 0.01, mem: 8}\n  ports: [{name: http}]\n"
                + "  healthCheck: {type: COMMAND, command: 'true', interval: 200ms}\n"
                + "  env: {V: '2'}\n",
            "v2");
    byte[] payload =
        ("{\"ref\":\"refs/heads/main\",\"after\":\"" + next + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    String body = new String(payload, StandardCharsets.UTF_8);
    HttpResponse<String> missing =
        post("/api/v1/webhooks/git", Map.of("X-GitHub-Event", "push"), body);
    assertThat(missing.statusCode()).isEqualTo(401);
    HttpResponse<String> wrong =
        post(
            "/api/v1/webhooks/git",
            Map.of(
                "X-GitHub-Event",
                "push",
                "X-Hub-Signature-256",
                "sha256=" + Webhooks.hmac("nope", payload)),
            body);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).doesNotContain(SECRET);
    HttpResponse<String> junk = post("/api/v1/webhooks/git", Map.of(), body);
    assertThat(junk.statusCode()).isEqualTo(400);
    HttpResponse<String> good =
        post(
            "/api/v1/webhooks/git",
            Map.of(
                "X-GitHub-Event",
                "push",
                "X-Hub-Signature-256",
                "sha256=" + Webhooks.hmac(SECRET, payload)),
            body);
    assertThat(good.statusCode()).isEqualTo(202);
    assertThat(json(good).get("sync").asBoolean()).isTrue();
    await().until(() -> next.equals(h.view().revision()));
  }

  @Test
  void eventsStreamStatusChanges() throws Exception {
    HttpResponse<InputStream> stream =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/events")).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.headers().firstValue("Content-Type")).contains("text/event-stream");
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      assertThat(r.readLine()).isEqualTo("event: status");
      String data = r.readLine();
      assertThat(data).startsWith("data: ");
      assertThat(JSON.readTree(data.substring(6)).get("revision").asText()).isEqualTo(revision);
    }
  }

  @Test
  void metricsArePrometheusText() throws Exception {
    HttpResponse<String> m = get("/metrics");
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(m.body())
        .contains("telos_apps{status=\"Synced\"} 1.0")
        .contains("telos_tasks{state=\"TASK_RUNNING\"} 2.0")
        .contains("telos_sync_status{status=\"Synced\"} 1.0")
        .contains("telos_apps_health{health=\"Healthy\"} 1.0")
        .contains("telos_health{health=\"Healthy\"} 1.0")
        .contains("telos_mesos_connection{state=\"SUBSCRIBED\"} 1.0")
        .contains("jvm_memory_used_bytes")
        .contains("telos_task_launches_total 2.0")
        .contains("telos_offers_received_total")
        .containsPattern("telos_status_updates_total\\{state=\"TASK_RUNNING\"\\} [1-9]")
        .containsPattern("telos_mesos_calls_pending [0-9]")
        .contains("telos_reconciliation_rounds_total{kind=\"implicit\"}")
        .contains("telos_git_fetch_seconds_count{outcome=\"updated\"} 1")
        .contains("telos_sync_duration_seconds_count{result=\"Synced\"} 1")
        .containsPattern("telos_loop_pass_seconds_count\\{kind=\"full\"\\} [1-9]")
        .contains("telos_loop_pass_seconds_max{kind=\"incremental\"}");
  }

  @Test
  void unknownEndpointsAndMethodsAreJsonErrors() throws Exception {
    HttpResponse<String> nope = get("/api/v1/nope");
    assertThat(nope.statusCode()).isEqualTo(404);
    assertThat(json(nope).get("error").asText()).contains("/api/v1/nope");
    assertThat(post("/api/v1/apps", Map.of(), "").statusCode()).isEqualTo(405);
  }

  @Test
  void eventStreamClientsAreBoundedAndTheNextOneIsRefused() throws Exception {
    java.util.List<java.net.Socket> held = new java.util.ArrayList<>();
    try {
      URI uri = URI.create(base);
      for (int i = 0; i <= ApiServer.MAX_SSE_CLIENTS; i++) {
        java.net.Socket s = new java.net.Socket(uri.getHost(), uri.getPort());
        held.add(s);
        s.getOutputStream()
            .write(
                "GET /api/v1/events HTTP/1.1\r\nHost: t\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        String statusLine =
            new java.io.BufferedReader(
                    new java.io.InputStreamReader(
                        s.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII))
                .readLine();
        if (i < ApiServer.MAX_SSE_CLIENTS) {
          assertThat(statusLine).as("client " + i).contains(" 200");
        } else {
          assertThat(statusLine).as("one too many").contains(" 503");
        }
      }
      assertThat(get("/healthz").statusCode()).as("other requests still served").isEqualTo(200);
    } finally {
      for (java.net.Socket s : held) {
        s.close();
      }
    }
  }
}
