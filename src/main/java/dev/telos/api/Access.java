package dev.telos.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Who may call the API: bearer tokens, each with a role, compared in constant time (by their
 * SHA-256, so every comparison has one length, and every configured token is compared on every
 * request). Only digests are kept; a caller is known by its token's short fingerprint.
 */
public final class Access {
  /** What a token may do: {@code read} every GET and event stream, {@code admin} also write. */
  public enum Role {
    READ,
    ADMIN;

    static Role parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "read" -> READ;
        case "admin" -> ADMIN;
        default -> throw new IllegalArgumentException("unknown role '" + s + "' (read or admin)");
      };
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** An authenticated caller: its role and its token's fingerprint (never the token). */
  public record Caller(Role role, String token) {}

  private record Entry(byte[] digest, Role role, String fingerprint) {}

  /** How long a UI session (a cookie for reads) lasts. */
  static final Duration SESSION_TTL = Duration.ofHours(12);

  private final List<Entry> tokens;
  private final boolean requireAuth;
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
  private final byte[] sessionKey;
  private final java.time.InstantSource clock;

  private Access(List<Entry> tokens, boolean requireAuth) {
    if (requireAuth && tokens.isEmpty()) {
      throw new IllegalArgumentException(
          "--require-auth needs tokens: give --api-tokens-file or --api-token-file");
    }
    this.tokens = List.copyOf(tokens);
    this.requireAuth = requireAuth;
    this.sessionKey = sessionKey(this.tokens);
    this.clock = java.time.InstantSource.system();
  }

  /** Nobody needs a token: every endpoint is open (as before tokens existed). */
  public static Access open() {
    return new Access(List.of(), false);
  }

  /**
   * @param adminToken one admin token ({@code --api-token-file}), or null
   * @param tokensFile {@code ROLE TOKEN} lines ({@code --api-tokens-file}), or null; {@code #}
   *     starts a comment
   */
  public static Access of(String adminToken, Path tokensFile, boolean requireAuth)
      throws IOException {
    List<Entry> entries = new ArrayList<>();
    if (adminToken != null) {
      entries.add(entry(adminToken, Role.ADMIN));
    }
    if (tokensFile != null) {
      int n = 0;
      for (String line : Files.readAllLines(tokensFile, StandardCharsets.UTF_8)) {
        n++;
        String s = line.strip();
        if (s.isEmpty() || s.startsWith("#")) {
          continue;
        }
        String[] parts = s.split("\\s+");
        if (parts.length != 2) {
          throw new IllegalArgumentException(
              tokensFile + ":" + n + ": want 'ROLE TOKEN' (read or admin, then the token)");
        }
        Role role;
        try {
          role = Role.parse(parts[0]);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(tokensFile + ":" + n + ": " + e.getMessage(), e);
        }
        if (parts[1].length() < 16) {
          throw new IllegalArgumentException(
              tokensFile + ":" + n + ": a token must have at least 16 characters");
        }
        entries.add(entry(parts[1], role));
      }
    }
    return new Access(entries, requireAuth);
  }

  private static Entry entry(String token, Role role) {
    byte[] digest = sha256(token);
    return new Entry(digest, role, "sha256:" + HexFormat.of().formatHex(digest, 0, 4));
  }

  /** Whether any token is configured (without one, every endpoint is open). */
  public boolean enabled() {
    return !tokens.isEmpty();
  }

  /** Whether reads need a token too ({@code --require-auth}). */
  public boolean requireAuth() {
    return requireAuth;
  }

  /** The caller a bearer token names, or null; compares with every token, whatever matches. */
  public Caller authenticate(String token) {
    if (token == null) {
      return null;
    }
    byte[] digest = sha256(token);
    Entry found = null;
    for (Entry e : tokens) {
      if (MessageDigest.isEqual(e.digest(), digest) && found == null) {
        found = e;
      }
    }
    return found == null ? null : new Caller(found.role(), found.fingerprint());
  }

  /**
   * A session for {@code caller}: a cookie value that carries its role, fingerprint and expiry,
   * signed with a key derived from every configured token. Any instance with the same tokens
   * accepts it (a standby passes it to its leader), a restart keeps it, and a change of the tokens
   * ends every session.
   */
  String openSession(Caller caller) {
    long expires = clock.instant().plus(SESSION_TTL).getEpochSecond();
    byte[] nonce = new byte[9];
    RANDOM.nextBytes(nonce);
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String payload =
        caller.role().label()
            + "|"
            + caller.token()
            + "|"
            + expires
            + "|"
            + b64.encodeToString(nonce);
    return b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(sign(payload));
  }

  /** Cookies signed out on this instance, until they expire (at most {@link #MAX_REVOKED}). */
  private final java.util.Map<String, Long> revoked =
      new java.util.concurrent.ConcurrentHashMap<>();

  static final int MAX_REVOKED = 10_000;

  /** Signs a session out here: its cookie is refused until it expires. */
  void revoke(String cookie) {
    Caller c = session(cookie);
    if (c == null) {
      return;
    }
    long now = clock.instant().getEpochSecond();
    revoked.values().removeIf(expires -> expires < now);
    if (revoked.size() < MAX_REVOKED) {
      revoked.put(cookie, now + SESSION_TTL.toSeconds());
    }
  }

  /** The caller of a session cookie that is well signed and not expired, or null. */
  Caller session(String cookie) {
    if (cookie == null || tokens.isEmpty() || revoked.containsKey(cookie)) {
      return null;
    }
    int dot = cookie.indexOf('.');
    if (dot <= 0) {
      return null;
    }
    try {
      Base64.Decoder b64 = Base64.getUrlDecoder();
      String payload = new String(b64.decode(cookie.substring(0, dot)), StandardCharsets.UTF_8);
      if (!MessageDigest.isEqual(sign(payload), b64.decode(cookie.substring(dot + 1)))) {
        return null;
      }
      String[] parts = payload.split("\\|");
      if (parts.length != 4 || Long.parseLong(parts[2]) < clock.instant().getEpochSecond()) {
        return null;
      }
      return new Caller(Role.parse(parts[0]), parts[1]);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private byte[] sign(String payload) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(sessionKey, "HmacSHA256"));
      return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The key sessions are signed with: a hash of every token's digest, in a fixed order. */
  private static byte[] sessionKey(List<Entry> tokens) {
    List<String> digests = new ArrayList<>();
    for (Entry e : tokens) {
      digests.add(HexFormat.of().formatHex(e.digest()) + e.role());
    }
    java.util.Collections.sort(digests);
    return sha256("telos session\n" + String.join("\n", digests));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
