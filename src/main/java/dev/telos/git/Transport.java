package dev.telos.git;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/** Applies credentials and timeouts to every JGit transport command of a source. */
final class Transport {
  private final GitCredentials credentials;
  private final int timeoutSeconds;
  private final CredentialsProvider provider;
  private final SshdSessionFactory ssh;

  Transport(GitCredentials credentials, Duration timeout) {
    this.credentials = credentials;
    this.timeoutSeconds = (int) Math.max(1, timeout.toSeconds());
    this.provider =
        credentials instanceof GitCredentials.Basic b
            ? new UsernamePasswordCredentialsProvider(b.username(), b.password())
            : null;
    if (credentials instanceof GitCredentials.SshKey key) {
      Path home = Path.of(System.getProperty("user.home"));
      Path knownHosts =
          key.knownHosts() != null ? key.knownHosts() : home.resolve(".ssh").resolve("known_hosts");
      this.ssh =
          new SshdSessionFactoryBuilder()
              .setHomeDirectory(home.toFile())
              .setSshDirectory(home.resolve(".ssh").toFile())
              .setDefaultIdentities(dir -> List.of(key.privateKey()))
              .setDefaultKnownHostsFiles(dir -> List.of(knownHosts))
              .setPreferredAuthentications("publickey")
              .build(null);
    } else {
      this.ssh = null;
    }
  }

  <C extends TransportCommand<C, ?>> C apply(C command) {
    command.setTimeout(timeoutSeconds);
    if (provider != null) {
      command.setCredentialsProvider(provider);
    }
    if (ssh != null) {
      command.setTransportConfigCallback(
          t -> {
            if (t instanceof SshTransport s) {
              s.setSshSessionFactory(ssh);
            }
          });
    }
    return command;
  }

  @Override
  public String toString() {
    return "Transport{" + credentials + "}";
  }
}
