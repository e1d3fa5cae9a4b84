package dev.telos.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to authenticate to a remote: nothing, a token or a user and password over HTTPS, or an SSH
 * key. Secrets are held here only; {@link #toString()} never shows them.
 */
public sealed interface GitCredentials {
  /** Environment variable read by {@link #token(String, Path)} when no file is given. */
  String TOKEN_ENV = "TELOS_GIT_TOKEN";

  /** No credentials: public repositories, local paths. */
  record None() implements GitCredentials {}

  /** An HTTPS user name and password (or token as password). */
  final class Basic implements GitCredentials {
    private final String username;
    private final String password;

    public Basic(String username, String password) {
      this.username = Objects.requireNonNull(username, "username");
      this.password = Objects.requireNonNull(password, "password");
    }

    public String username() {
      return username;
    }

    String password() {
      return password;
    }

    @Override
    public String toString() {
      return "Basic{username=" + username + ", password=****}";
    }
  }

  /** An SSH private key file, and an optional known_hosts file (default: ~/.ssh/known_hosts). */
  record SshKey(Path privateKey, Path knownHosts) implements GitCredentials {
    public SshKey {
      Objects.requireNonNull(privateKey, "privateKey");
    }
  }

  /**
   * A token for HTTPS, read from {@code tokenFile} (never from the environment: {@value #TOKEN_ENV}
   * set is refused). GitHub takes any user name with a token; GitLab wants {@code oauth2}.
   *
   * @return the credentials, or {@link None} when neither is set
   */
  static GitCredentials token(String username, Path tokenFile) throws IOException {
    if (tokenFile == null) {
      String env = System.getenv(TOKEN_ENV);
      if (env != null && !env.isBlank()) {
        throw new IllegalArgumentException(
            TOKEN_ENV
                + " is set, but git tokens are read from a file only: write the token to a file"
                + " readable by Telos alone and give --git-token-file");
      }
      return new None();
    }
    String token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
    if (token == null || token.isEmpty()) {
      if (tokenFile != null) {
        throw new IllegalArgumentException("git token file " + tokenFile + " is empty");
      }
      return new None();
    }
    return new Basic(username == null ? "x-access-token" : username, token);
  }
}
