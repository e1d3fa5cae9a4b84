package dev.telos.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhooksTest {
  static final String SECRET = "webhook-secret-7f3";
  static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  static final byte[] PUSH =
      ("{\"ref\":\"refs/heads/main\",\"before\":\""
              + "0".repeat(40)
              + "\",\"after\":\""
              + SHA
              + "\",\"repository\":{\"full_name\":\"acme/deploy\"}}")
          .getBytes(StandardCharsets.UTF_8);

  @Test
  void aSignedGithubPushIsParsed() throws Exception {
    Webhooks.Push push =
        Webhooks.parse(
            Map.of(
                "x-github-event",
                "push",
                "X-Hub-Signature-256",
                "sha256=" + Webhooks.hmac(SECRET, PUSH)),
            PUSH,
            SECRET);
    assertThat(push).isEqualTo(new Webhooks.Push(Webhooks.Provider.GITHUB, "refs/heads/main", SHA));
    assertThat(push.shortRef()).isEqualTo("main");
  }

  @Test
  void aGiteaPushIsRecognisedEvenWithItsGithubCompatibilityHeader() throws Exception {
    Webhooks.Push push =
        Webhooks.parse(
            Map.of(
                "X-Gitea-Event",
                "push",
                "X-GitHub-Event",
                "push",
                "X-Gitea-Signature",
                Webhooks.hmac(SECRET, PUSH)),
            PUSH,
            SECRET);
    assertThat(push.provider()).isEqualTo(Webhooks.Provider.GITEA);
  }

  @Test
  void aGitlabPushIsVerifiedByItsToken() throws Exception {
    Webhooks.Push push =
        Webhooks.parse(
            Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", SECRET), PUSH, SECRET);
    assertThat(push.provider()).isEqualTo(Webhooks.Provider.GITLAB);
    assertThatThrownBy(
            () ->
                Webhooks.parse(
                    Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", "wrong"), PUSH, SECRET))
        .isInstanceOf(Webhooks.Rejected.class)
        .hasMessageContaining("does not match");
  }

  @Test
  void invalidAndMissingSignaturesAreRefusedWithoutEchoingTheSecret() {
    assertThatThrownBy(
            () ->
                Webhooks.parse(
                    Map.of(
                        "X-GitHub-Event",
                        "push",
                        "X-Hub-Signature-256",
                        "sha256=" + Webhooks.hmac("other", PUSH)),
                    PUSH,
                    SECRET))
        .isInstanceOfSatisfying(
            Webhooks.Rejected.class,
            e -> {
              assertThat(e.status()).isEqualTo(401);
              assertThat(e.getMessage()).doesNotContain(SECRET);
            });
    assertThatThrownBy(() -> Webhooks.parse(Map.of("X-GitHub-Event", "push"), PUSH, SECRET))
        .isInstanceOfSatisfying(
            Webhooks.Rejected.class,
            e -> assertThat(e.getMessage()).contains("missing X-Hub-Signature-256"));
    byte[] tampered =
        new String(PUSH, StandardCharsets.UTF_8)
            .replace("main", "prod")
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(
            () ->
                Webhooks.parse(
                    Map.of(
                        "X-GitHub-Event",
                        "push",
                        "X-Hub-Signature-256",
                        "sha256=" + Webhooks.hmac(SECRET, PUSH)),
                    tampered,
                    SECRET))
        .isInstanceOf(Webhooks.Rejected.class);
  }

  @Test
  void otherEventsAndSendersAreNotPushes() {
    assertThatThrownBy(() -> Webhooks.parse(Map.of("X-GitHub-Event", "ping"), PUSH, null))
        .isInstanceOfSatisfying(
            Webhooks.Rejected.class, e -> assertThat(e.status()).isEqualTo(202));
    assertThatThrownBy(() -> Webhooks.parse(Map.of("User-Agent", "curl"), PUSH, null))
        .isInstanceOfSatisfying(
            Webhooks.Rejected.class, e -> assertThat(e.status()).isEqualTo(400));
    assertThatThrownBy(
            () ->
                Webhooks.parse(
                    Map.of("X-GitHub-Event", "push"),
                    "{\"ref\":\"main\"}".getBytes(StandardCharsets.UTF_8),
                    null))
        .isInstanceOfSatisfying(
            Webhooks.Rejected.class, e -> assertThat(e.status()).isEqualTo(400));
  }
}
