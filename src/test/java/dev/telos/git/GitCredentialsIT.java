package dev.telos.git;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.telos.manifest.ManifestLoader;
import dev.telos.testing.ScriptedHttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Credentials reach the Git host and nothing else: not logs, not errors, not toString. */
class GitCredentialsIT {
  static final String TOKEN = "ghp_" + "s3cr3tT0k3nValue123";
  @TempDir Path tmp;

  @Test
  void aTokenIsSentAsBasicAuthAndNeverAppearsInErrorsOrLogs() throws Exception {
    List<String> authorizations = new CopyOnWriteArrayList<>();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    try (ScriptedHttpServer host =
        new ScriptedHttpServer(
            (request, exchange) -> {
              String auth = request.header("authorization");
              if (auth == null) {
                exchange.respond(
                    401, Map.of("WWW-Authenticate", "Basic realm=\"git\""), new byte[0]);
              } else {
                authorizations.add(auth);
                exchange.respond(
                    403, Map.of(), ("denied for token " + TOKEN).getBytes(StandardCharsets.UTF_8));
              }
            })) {
      Path tokenFile = Files.writeString(tmp.resolve("token"), TOKEN + "\n");
      GitCredentials credentials = GitCredentials.token(null, tokenFile);
      assertThat(credentials.toString()).doesNotContain(TOKEN);
      String url = host.url("http") + "/acme/deploy.git?access_token=" + TOKEN;
      GitSource.Config config =
          new GitSource.Config(
              url, "main", "", credentials, tmp.resolve("data"), false, Duration.ofSeconds(20));
      assertThat(config.toString()).doesNotContain(TOKEN);
      try (GitSource source = new GitSource(config, new ManifestLoader())) {
        PollResult r = source.poll();
        assertThat(r).isInstanceOf(PollResult.Failed.class);
        assertThat(((PollResult.Failed) r).message()).doesNotContain(TOKEN).contains("cannot read");
        assertThat(source.displayUrl()).doesNotContain(TOKEN);
      }
      assertThat(authorizations)
          .contains(
              "Basic "
                  + Base64.getEncoder()
                      .encodeToString(
                          ("x-access-token:" + TOKEN).getBytes(StandardCharsets.UTF_8)));
      assertThat(logs.list).isNotEmpty();
      for (ILoggingEvent e : logs.list) {
        assertThat(e.getFormattedMessage()).doesNotContain(TOKEN);
      }
    } finally {
      root.detachAppender(logs);
    }
  }

  @Test
  void userInfoInTheUrlIsRedacted() throws Exception {
    try (ScriptedHttpServer host =
        new ScriptedHttpServer(
            (request, exchange) -> exchange.respond(404, Map.of(), new byte[0]))) {
      String url = host.url("http").replace("://", "://deploy:hunter2pass@") + "/r.git";
      try (GitSource source =
          new GitSource(
              new GitSource.Config(
                  url, "main", "", null, tmp.resolve("data"), false, Duration.ofSeconds(20)),
              new ManifestLoader())) {
        PollResult r = source.poll();
        assertThat(((PollResult.Failed) r).message()).doesNotContain("hunter2pass");
        assertThat(source.displayUrl()).isEqualTo(host.url("http") + "/r.git");
      }
    }
  }
}
