package dev.telos.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deliveries to a real local HTTP receiver. */
class NotifierTest {
  record Received(String method, String path, Map<String, List<String>> headers, String body) {
    String header(String name) {
      List<String> v = headers.get(name);
      return v == null ? null : v.get(0);
    }
  }

  @TempDir Path dir;
  HttpServer receiver;
  final List<Received> received = new CopyOnWriteArrayList<>();
  final AtomicInteger failFirst = new AtomicInteger();
  String base;

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    receiver.createContext(
        "/",
        ex -> {
          String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          received.add(
              new Received(
                  ex.getRequestMethod(),
                  ex.getRequestURI().toString(),
                  Map.copyOf(ex.getRequestHeaders()),
                  body));
          int status = failFirst.getAndDecrement() > 0 ? 500 : 201;
          ex.sendResponseHeaders(status, -1);
          ex.close();
        });
    receiver.start();
    base = "http://127.0.0.1:" + receiver.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
  }

  static final Event SYNCED =
      new Event(
          Event.Type.SYNCED,
          "c".repeat(40),
          null,
          "cccccccccccc synced: 2 launched, 0 killed (scale web)",
          Instant.parse("2026-11-27T12:00:00Z"));

  Notifier.Target target(String type, String extra) throws Exception {
    Path token = Files.writeString(dir.resolve("token-" + type), "s3cret-token\n");
    Path secret = Files.writeString(dir.resolve("secret"), "hook-secret\n");
    Path config =
        Files.writeString(
            dir.resolve("n.yaml"),
            "notifiers:\n  - name: "
                + type
                + "\n    type: "
                + type
                + "\n"
                + extra
                    .replace("TOKEN", token.toString())
                    .replace("SECRET", secret.toString())
                    .replace("BASE", base));
    try (Notifier n = Notifier.load(config, "https://github.com/platform/apps.git")) {
      return n.targets().get(0);
    }
  }

  void deliver(Notifier.Target t, Event e) {
    try (Notifier n = new Notifier(List.of(t), Duration.ofMillis(10))) {
      n.deliverNow(e);
      await().until(() -> n.counts()[0] + n.counts()[1] > 0);
    }
  }

  @Test
  void aWebhookGetsTheEventAsJsonSignedWithItsSecret() throws Exception {
    Notifier.Target t =
        target("webhook", "    url: BASE/hook\n    secretFile: SECRET\n    headers: {X-Team: a}\n");
    deliver(t, SYNCED);
    Received r = received.get(0);
    assertThat(r.path()).isEqualTo("/hook");
    JsonNode body = new ObjectMapper().readTree(r.body());
    assertThat(body.get("event").asText()).isEqualTo("synced");
    assertThat(body.get("revision").asText()).isEqualTo("c".repeat(40));
    assertThat(body.get("message").asText()).contains("2 launched");
    assertThat(r.header("X-telos-signature"))
        .isEqualTo("sha256=" + Notifier.hmac("hook-secret", r.body()));
    assertThat(r.header("X-telos-event")).isEqualTo("synced");
    assertThat(r.header("X-team")).isEqualTo("a");
  }

  @Test
  void slackGetsTextAndGitHostsGetCommitStatuses() throws Exception {
    Path url = Files.writeString(dir.resolve("slack-url"), base + "/slack\n");
    deliver(target("slack", "    urlFile: " + url + "\n"), SYNCED);
    assertThat(new ObjectMapper().readTree(received.get(0).body()).get("text").asText())
        .isEqualTo(":white_check_mark: *Telos* " + SYNCED.message());

    deliver(target("github", "    tokenFile: TOKEN\n    apiUrl: BASE/gh\n"), SYNCED);
    Received gh = received.get(1);
    assertThat(gh.path()).isEqualTo("/gh/repos/platform/apps/statuses/" + "c".repeat(40));
    assertThat(gh.header("Authorization")).isEqualTo("Bearer s3cret-token");
    JsonNode status = new ObjectMapper().readTree(gh.body());
    assertThat(status.get("state").asText()).isEqualTo("success");
    assertThat(status.get("context").asText()).isEqualTo("telos");

    Event invalid =
        new Event(Event.Type.INVALID_COMMIT, "d".repeat(40), null, "rejected", Instant.now());
    deliver(
        target(
            "gitea", "    tokenFile: TOKEN\n    apiUrl: BASE/gitea/api/v1\n    repository: o/r\n"),
        invalid);
    Received gitea = received.get(2);
    assertThat(gitea.path()).isEqualTo("/gitea/api/v1/repos/o/r/statuses/" + "d".repeat(40));
    assertThat(gitea.header("Authorization")).isEqualTo("token s3cret-token");
    assertThat(new ObjectMapper().readTree(gitea.body()).get("state").asText())
        .isEqualTo("failure");

    deliver(target("gitlab", "    tokenFile: TOKEN\n    apiUrl: BASE/gl\n"), SYNCED);
    Received gl = received.get(3);
    assertThat(gl.path())
        .startsWith("/gl/projects/platform%2Fapps/statuses/" + "c".repeat(40) + "?state=success")
        .contains("&name=telos");
    assertThat(gl.header("Private-token")).isEqualTo("s3cret-token");
  }

  @Test
  void aFailedDeliveryIsRetriedWithBackoffAndAGiveUpIsCounted() throws Exception {
    Notifier.Target t = target("webhook", "    url: BASE/hook\n");
    failFirst.set(2);
    try (Notifier n = new Notifier(List.of(t), Duration.ofMillis(10))) {
      n.deliverNow(SYNCED);
      await().until(() -> n.counts()[0] == 1);
      assertThat(received).hasSize(3);
    }
    received.clear();
    failFirst.set(100);
    try (Notifier n = new Notifier(List.of(t), Duration.ofMillis(5))) {
      n.deliverNow(SYNCED);
      await().until(() -> n.counts()[1] == 1);
      assertThat(received).hasSize(Notifier.ATTEMPTS);
    }
  }

  @Test
  void aBadFileIsRefusedNamingItAndSecretsStayOutOfTheMessage() throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, "notifiers:\n  - name: x\n    type: pager\n");
    assertThatThrownBy(() -> Notifier.load(f, null))
        .hasMessageContaining("bad.yaml: notifier x: type must be webhook, slack");
    Files.writeString(
        f, "notifiers:\n  - name: x\n    type: webhook\n    url: http://h\n    events: [lunch]\n");
    assertThatThrownBy(() -> Notifier.load(f, null)).hasMessageContaining("unknown event 'lunch'");
    Files.writeString(f, "notifiers:\n  - name: x\n    type: github\n    tokenFile: " + f + "\n");
    assertThatThrownBy(() -> Notifier.load(f, "/srv/git/apps"))
        .hasMessageContaining("repository (OWNER/NAME) is required");
    assertThatThrownBy(() -> Notifier.load(f, "https://github.com/o/r.git", false))
        .hasMessageContaining("commit statuses need a single --repo");
    Files.writeString(f, "notifiers:\n  - name: x\n    type: webhook\n    urll: http://h\n");
    assertThatThrownBy(() -> Notifier.load(f, null)).hasMessageContaining("urll");
    Files.writeString(f, "notifiers: []\n");
    assertThatThrownBy(() -> Notifier.load(f, null)).hasMessageContaining("no notifiers");
    assertThat(Notifier.repositoryPath("git@github.com:platform/apps.git"))
        .isEqualTo("platform/apps");
    assertThat(Notifier.repositoryPath("https://gitlab.com/g/sub/apps")).isEqualTo("g/sub/apps");
    assertThat(Notifier.repositoryPath("/srv/git/apps")).isNull();
  }
}
