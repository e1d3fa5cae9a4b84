package dev.telos.git;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Push webhooks of GitHub, GitLab and Gitea: which host sent it, whether it is authentic, and which
 * ref moved to which commit. Secrets are compared in constant time and never echoed.
 */
public final class Webhooks {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The Git hosts whose push events are understood. */
  public enum Provider {
    GITHUB,
    GITLAB,
    GITEA
  }

  /** A push: {@code ref} (e.g. {@code refs/heads/main}) now points at {@code after}. */
  public record Push(Provider provider, String ref, String after) {
    /** The branch or tag name without its {@code refs/heads/} or {@code refs/tags/} prefix. */
    public String shortRef() {
      return ref.replaceFirst("^refs/(heads|tags)/", "");
    }
  }

  /** Why a webhook was refused; the message is safe to return to the caller. */
  public static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    Rejected(int status, String message) {
      super(message);
      this.status = status;
    }

    /** The HTTP status to answer: 400 malformed, 401 bad or missing signature, 202 ignored. */
    public int status() {
      return status;
    }
  }

  private Webhooks() {}

  /**
   * Verifies and parses a push event.
   *
   * @param headers request headers (any case)
   * @param body the raw body, exactly as received (signatures cover these bytes)
   * @param secret the shared secret, or null when webhooks are not verified
   * @throws Rejected for an unknown sender, a bad or missing signature, a non-push event or a
   *     malformed payload
   */
  public static Push parse(Map<String, String> headers, byte[] body, String secret)
      throws Rejected {
    Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    h.putAll(headers);
    Provider provider;
    String event;
    // Gitea also sends X-GitHub-Event for compatibility, so it is recognised first.
    if (h.containsKey("X-Gitea-Event")) {
      provider = Provider.GITEA;
      event = h.get("X-Gitea-Event");
    } else if (h.containsKey("X-GitHub-Event")) {
      provider = Provider.GITHUB;
      event = h.get("X-GitHub-Event");
    } else if (h.containsKey("X-Gitlab-Event")) {
      provider = Provider.GITLAB;
      event = h.get("X-Gitlab-Event");
    } else {
      throw new Rejected(
          400,
          "not a GitHub, GitLab or Gitea webhook (no X-GitHub-Event,"
              + " X-Gitlab-Event or X-Gitea-Event header)");
    }
    if (secret != null) {
      verify(provider, h, body, secret);
    }
    boolean push =
        switch (provider) {
          case GITHUB, GITEA -> "push".equals(event);
          case GITLAB -> "Push Hook".equals(event) || "Tag Push Hook".equals(event);
        };
    if (!push) {
      throw new Rejected(202, "ignored: event '" + event + "' is not a push");
    }
    JsonNode payload;
    try {
      payload = JSON.readTree(body);
    } catch (IOException e) {
      throw new Rejected(400, "payload is not JSON");
    }
    String ref = payload == null ? "" : payload.path("ref").asText("");
    String after = payload == null ? "" : payload.path("after").asText("");
    if (!ref.startsWith("refs/") || !after.matches("[0-9a-f]{40}")) {
      throw new Rejected(400, "push payload needs 'ref' (refs/...) and 'after' (a commit SHA)");
    }
    return new Push(provider, ref, after);
  }

  private static void verify(Provider provider, Map<String, String> h, byte[] body, String secret)
      throws Rejected {
    switch (provider) {
      case GITHUB -> {
        String sig = h.get("X-Hub-Signature-256");
        if (sig == null || !sig.startsWith("sha256=")) {
          throw new Rejected(401, "missing X-Hub-Signature-256 signature");
        }
        if (!constantTimeEquals(sig.substring(7).toLowerCase(Locale.ROOT), hmac(secret, body))) {
          throw new Rejected(401, "X-Hub-Signature-256 does not match the payload");
        }
      }
      case GITEA -> {
        String sig = h.get("X-Gitea-Signature");
        if (sig == null) {
          throw new Rejected(401, "missing X-Gitea-Signature signature");
        }
        if (!constantTimeEquals(sig.toLowerCase(Locale.ROOT), hmac(secret, body))) {
          throw new Rejected(401, "X-Gitea-Signature does not match the payload");
        }
      }
      case GITLAB -> {
        String token = h.get("X-Gitlab-Token");
        if (token == null) {
          throw new Rejected(401, "missing X-Gitlab-Token");
        }
        if (!constantTimeEquals(token, secret)) {
          throw new Rejected(401, "X-Gitlab-Token does not match");
        }
      }
      default -> throw new IllegalStateException();
    }
  }

  /** HMAC-SHA256 of {@code body} with {@code secret}, lower-case hex. */
  public static String hmac(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
