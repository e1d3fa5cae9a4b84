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
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ssh:// repositories with a private key and known_hosts, through JGit's MINA SSHD support. */
class SshSourceIT {
  @TempDir Path tmp;

  Path writeKey(KeyPair key) throws Exception {
    Path file = tmp.resolve("id_rsa");
    try (OutputStream out = Files.newOutputStream(file)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(key, "telos-test", null, out);
    }
    return file;
  }

  @Test
  void readsARepositoryOverSshWithAKeyAndKnownHosts() throws Exception {
    KeyPair client = SshGitServer.rsa();
    try (TempGitRepo repo = TempGitRepo.init(tmp.resolve("repo"));
        SshGitServer server = new SshGitServer(repo.dir(), client.getPublic())) {
      repo.write(
          "apps/a.yaml",
          "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: a}\n" + "spec: {command: run}\n");
      String sha = repo.commit("over ssh");
      Path knownHosts =
          Files.writeString(tmp.resolve("known_hosts"), server.knownHostsLine() + "\n");
      GitCredentials credentials = new GitCredentials.SshKey(writeKey(client), knownHosts);
      String url = "ssh://git@127.0.0.1:" + server.port() + "/acme/deploy.git";
      try (GitSource source =
          new GitSource(
              new GitSource.Config(
                  url,
                  "main",
                  "apps",
                  credentials,
                  tmp.resolve("data"),
                  false,
                  Duration.ofSeconds(30)),
              new ManifestLoader())) {
        PollResult r = source.poll();
        assertThat(r).isInstanceOf(PollResult.Updated.class);
        assertThat(((PollResult.Updated) r).snapshot().commit().sha()).isEqualTo(sha);
        assertThat(source.poll()).isInstanceOf(PollResult.Unchanged.class);
      }
    }
  }

  @Test
  void anUnknownHostKeyIsRefused() throws Exception {
    KeyPair client = SshGitServer.rsa();
    try (TempGitRepo repo = TempGitRepo.init(tmp.resolve("repo"));
        SshGitServer server = new SshGitServer(repo.dir(), client.getPublic())) {
      repo.write(
          "apps/a.yaml",
          "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: a}\n" + "spec: {command: run}\n");
      repo.commit("over ssh");
      Path knownHosts = Files.writeString(tmp.resolve("known_hosts"), "");
      GitCredentials credentials = new GitCredentials.SshKey(writeKey(client), knownHosts);
      try (GitSource source =
          new GitSource(
              new GitSource.Config(
                  "ssh://git@127.0.0.1:" + server.port() + "/r.git",
                  "main",
                  "apps",
                  credentials,
                  tmp.resolve("data"),
                  false,
                  Duration.ofSeconds(30)),
              new ManifestLoader())) {
        PollResult r = source.poll();
        assertThat(r).isInstanceOf(PollResult.Failed.class);
        assertThat(((PollResult.Failed) r).message())
            .contains("cannot read")
            .contains("Server key did not validate");
      }
    }
  }
}
