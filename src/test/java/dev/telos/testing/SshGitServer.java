package dev.telos.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.UploadPack;

/**
 * A git host over SSH for tests: Apache MINA SSHD on 127.0.0.1, public-key authentication for one
 * key, and {@code git-upload-pack} served by JGit for one repository (whatever path is asked).
 */
public final class SshGitServer implements AutoCloseable {
  private final SshServer sshd;
  private final KeyPair hostKey;

  public SshGitServer(Path repository, PublicKey authorized) throws IOException {
    this.hostKey = rsa();
    this.sshd = SshServer.setUpDefaultServer();
    sshd.setHost("127.0.0.1");
    sshd.setPort(0);
    sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
    sshd.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(key, authorized));
    sshd.setCommandFactory((channel, command) -> new UploadPackCommand(repository, command));
    sshd.start();
  }

  /** A new 2048-bit RSA key pair. */
  public static KeyPair rsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return sshd.getPort();
  }

  /** The known_hosts line for this server. */
  public String knownHostsLine() {
    return "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(hostKey.getPublic());
  }

  @Override
  public void close() throws IOException {
    sshd.stop(true);
  }

  /** Runs JGit's upload-pack on the channel's streams. */
  private static final class UploadPackCommand implements Command {
    private final Path repository;
    private final String command;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;

    UploadPackCommand(Path repository, String command) {
      this.repository = repository;
      this.command = command;
    }

    @Override
    public void setInputStream(InputStream in) {
      this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
      this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
      this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
      Thread t =
          new Thread(
              () -> {
                if (!command.startsWith("git-upload-pack")) {
                  exit.onExit(1, "only git-upload-pack is served");
                  return;
                }
                try (Repository repo =
                    new FileRepositoryBuilder().setWorkTree(repository.toFile()).build()) {
                  new UploadPack(repo).upload(in, out, err);
                  out.flush();
                  exit.onExit(0);
                } catch (IOException | RuntimeException e) {
                  exit.onExit(1, String.valueOf(e.getMessage()));
                }
              },
              "ssh-git-upload-pack");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void destroy(ChannelSession channel) {}
  }
}
