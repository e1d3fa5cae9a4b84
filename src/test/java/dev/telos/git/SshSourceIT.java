package dev.telos.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.manifest.ManifestLoader;
import dev.telos.testing.SshGitServer;
import dev.telos.testing.TempGitRepo;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ssh:// repositories with a private key and known_hosts, through JGit's MINA SSHD support. */
class SshSourceIT {
  @TempDir Path tmp;

  /** What two polls over SSH gave, and the commit the repository holds. */
  record Polled(String sha, PollResult first, PollResult second) {}

  /** Serves a one-commit repository over SSH and polls it twice, knowing the host key or not. */
  Polled pollOverSsh(boolean knownHost) throws Exception {
    KeyPair client = SshGitServer.rsa();
    try (TempGitRepo repo = TempGitRepo.init(tmp.resolve("repo"));
        SshGitServer server = new SshGitServer(repo.dir(), client.getPublic())) {
      repo.write(
          "apps/a.yaml",
          "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: a}\n" + "spec: {command: run}\n");
      String sha = repo.commit("over ssh");
      Path key = tmp.resolve("id_rsa");
      try (OutputStream out = Files.newOutputStream(key)) {
        OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(client, "telos-test", null, out);
      }
      Path knownHosts =
          Files.write(
              tmp.resolve("known_hosts"), knownHost ? List.of(server.knownHostsLine()) : List.of());
      String url = "ssh://git@127.0.0.1:" + server.port() + "/acme/deploy.git";
      try (GitSource source =
          new GitSource(
              new GitSource.Config(
                  url,
                  "main",
                  "apps",
                  new GitCredentials.SshKey(key, knownHosts),
                  tmp.resolve("data"),
                  false,
                  Duration.ofSeconds(30)),
              new ManifestLoader())) {
        return new Polled(sha, source.poll(), source.poll());
      }
    }
  }

  @Test
  void readsARepositoryOverSshWithAKeyAndKnownHosts() throws Exception {
    Polled p = pollOverSsh(true);
    assertThat(p.first()).isInstanceOf(PollResult.Updated.class);
    assertThat(((PollResult.Updated) p.first()).snapshot().commit().sha()).isEqualTo(p.sha());
    assertThat(p.second()).isInstanceOf(PollResult.Unchanged.class);
  }

  @Test
  void anUnknownHostKeyIsRefused() throws Exception {
    Polled p = pollOverSsh(false);
    assertThat(p.first()).isInstanceOf(PollResult.Failed.class);
    assertThat(((PollResult.Failed) p.first()).message())
        .contains("cannot read")
        .contains("Server key did not validate");
  }
}
