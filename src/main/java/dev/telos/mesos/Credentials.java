package dev.telos.mesos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/**
 * A framework principal and its secret for HTTP basic authentication against the Mesos master.
 *
 * <p>The secret never leaves this class except as the {@code Authorization} header value: {@link
 * #toString()} names the principal only, and no exception message carries the secret.
 */
public final class Credentials {
  /** Environment variable holding the principal, for {@link #fromEnvironment(Map)}. */
  public static final String PRINCIPAL_ENV = "TELOS_MESOS_PRINCIPAL";

  /** Environment variable holding the secret, for {@link #fromEnvironment(Map)}. */
  public static final String SECRET_ENV = "TELOS_MESOS_SECRET";

  private final String principal;
  private final String secret;

  private Credentials(String principal, String secret) {
    this.principal = Objects.requireNonNull(principal, "principal");
    this.secret = Objects.requireNonNull(secret, "secret");
    if (principal.isBlank()) {
      throw new IllegalArgumentException("Mesos principal must not be blank");
    }
    if (principal.indexOf(':') >= 0) {
      throw new IllegalArgumentException("Mesos principal must not contain ':'");
    }
  }

  /** Credentials from values already in hand. */
  public static Credentials of(String principal, String secret) {
    return new Credentials(principal, secret);
  }

  /**
   * Reads a Mesos credential file: either {@code principal secret} on the first non-empty line
   * (whitespace separated, the format of {@code mesos-master --credentials}), or {@code
   * principal\nsecret} on two lines.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when the file has no principal and secret; the message names
   *     the file and never its content
   */
  public static Credentials fromFile(Path file) throws IOException {
    String content = Files.readString(file, StandardCharsets.UTF_8).strip();
    String[] lines = content.split("\\R");
    String[] first = lines[0].strip().split("\\s+", 2);
    if (first.length == 2 && !first[0].isEmpty()) {
      return new Credentials(first[0], first[1].strip());
    }
    if (lines.length >= 2 && !first[0].isEmpty()) {
      return new Credentials(first[0], lines[1].strip());
    }
    throw new IllegalArgumentException(
        "credential file " + file + " must hold a principal and a secret ('principal secret')");
  }

  /**
   * Credentials are read from files only: the environment of a process can be read by others
   * ({@code ps e}, {@code /proc}). Refuses {@value #PRINCIPAL_ENV} or {@value #SECRET_ENV} when
   * set, saying what to do instead.
   *
   * @return null (no credentials from the environment)
   */
  public static Credentials refuseEnvironment(Map<String, String> env) {
    for (String name : new String[] {PRINCIPAL_ENV, SECRET_ENV}) {
      String v = env.get(name);
      if (v != null && !v.isBlank()) {
        throw new IllegalArgumentException(
            name
                + " is set, but Mesos credentials are read from a file only: write 'principal"
                + " secret' to a file readable by Telos alone and give --mesos-credential-file");
      }
    }
    return null;
  }

  /** The principal, which is not secret and is also sent in {@code FrameworkInfo.principal}. */
  public String principal() {
    return principal;
  }

  String authorizationHeader() {
    String token = principal + ":" + secret;
    return "Basic " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "Credentials{principal=" + principal + ", secret=****}";
  }
}
