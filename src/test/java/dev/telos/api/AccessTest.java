package dev.telos.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessTest {
  @TempDir Path dir;

  @Test
  void tokensWithRolesFromAFileAndOneAdminToken() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("tokens"),
            "# who\n\nread  reader-token-0123456789\nADMIN admin-token-0123456789\n");
    Access a = Access.of("the-single-admin", file, true);
    assertThat(a.enabled()).isTrue();
    assertThat(a.requireAuth()).isTrue();
    assertThat(a.authenticate("reader-token-0123456789").role()).isEqualTo(Access.Role.READ);
    assertThat(a.authenticate("admin-token-0123456789").role()).isEqualTo(Access.Role.ADMIN);
    assertThat(a.authenticate("the-single-admin").role()).isEqualTo(Access.Role.ADMIN);
    assertThat(a.authenticate("reader-token-012345678")).isNull();
    assertThat(a.authenticate(null)).isNull();
    Access.Caller c = a.authenticate("reader-token-0123456789");
    assertThat(c.token()).startsWith("sha256:").hasSize(15).doesNotContain("reader");
    assertThat(a.authenticate("admin-token-0123456789").token()).isNotEqualTo(c.token());
  }

  @Test
  void aBadTokensFileIsRefusedWithItsLine() throws Exception {
    Path roles =
        Files.writeString(
            dir.resolve("t"), "read reader-token-0123456789\nwrite x-token-0123456789\n");
    assertThatThrownBy(() -> Access.of(null, roles, false))
        .hasMessageContaining(roles + ":2: unknown role 'write'");
    Path shape = Files.writeString(dir.resolve("s"), "reader-token-0123456789\n");
    assertThatThrownBy(() -> Access.of(null, shape, false))
        .hasMessageContaining(shape + ":1: want 'ROLE TOKEN'");
    Path weak = Files.writeString(dir.resolve("w"), "admin short\n");
    assertThatThrownBy(() -> Access.of(null, weak, false))
        .hasMessageContaining(":1: a token must have at least 16 characters")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("short"));
    assertThatThrownBy(() -> Access.of(null, null, true))
        .hasMessageContaining("--require-auth needs tokens");
    assertThat(Access.open().enabled()).isFalse();
  }

  @Test
  void sessionsAreSignedWithTheTokensAndEndWhenTheTokensChange() throws Exception {
    Path file = Files.writeString(dir.resolve("t"), "read reader-token-0123456789\n");
    Access a = Access.of(null, file, true);
    Access.Caller c = a.authenticate("reader-token-0123456789");
    String cookie = a.openSession(c);
    assertThat(cookie).doesNotContain("reader-token");
    assertThat(a.session(cookie)).isEqualTo(c);
    assertThat(Access.of(null, file, true).session(cookie))
        .as("another instance with the same tokens (a leader for its standby)")
        .isEqualTo(c);
    // Forged: another role with the old signature, or a signature cut short.
    String payload =
        new String(
            java.util.Base64.getUrlDecoder().decode(cookie.substring(0, cookie.indexOf('.'))));
    String forged =
        java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(payload.replace("read|", "admin|").getBytes())
            + cookie.substring(cookie.indexOf('.'));
    assertThat(a.session(forged)).isNull();
    assertThat(a.session(cookie.substring(0, cookie.length() - 2))).isNull();
    assertThat(a.session("nonsense")).isNull();
    assertThat(a.session(null)).isNull();
    Path other = Files.writeString(dir.resolve("o"), "read other-token-0123456789\n");
    assertThat(Access.of(null, other, true).session(cookie))
        .as("the tokens changed: the session ends")
        .isNull();
    assertThat(Access.open().session(cookie)).isNull();
    a.revoke(cookie);
    assertThat(a.session(cookie)).as("signed out here").isNull();
    assertThat(a.session(a.openSession(c))).as("a new sign-in works").isEqualTo(c);
  }

  @Test
  void theRateLimiterAllowsABurstThenTheRatePerClient() {
    RateLimiter r = new RateLimiter(2, 4);
    long t = 1_000_000_000L;
    for (int i = 0; i < 4; i++) {
      assertThat(r.tryAcquire("a", t)).isTrue();
    }
    assertThat(r.tryAcquire("a", t)).isFalse();
    assertThat(r.retryAfterSeconds("a", t)).isEqualTo(1);
    assertThat(r.tryAcquire("b", t)).as("another client has its own bucket").isTrue();
    assertThat(r.tryAcquire("a", t + 400_000_000L)).isFalse();
    assertThat(r.tryAcquire("a", t + 500_000_000L))
        .as("one token back after 0.5 s at 2/s")
        .isTrue();
    assertThat(r.tryAcquire("a", t + 500_000_000L)).isFalse();
    assertThat(r.tryAcquire("a", t + 60_000_000_000L)).isTrue();
    assertThatThrownBy(() -> new RateLimiter(0, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
