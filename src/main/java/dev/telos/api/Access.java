package dev.telos.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

  static final int MAX_SESSIONS = 10_000;

  private final List<Entry> tokens;
  private final boolean requireAuth;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  private record Session(Caller caller, long expiresAtNanos) {}

  private Access(List<Entry> tokens, boolean requireAuth) {
    if (requireAuth && tokens.isEmpty()) {
      throw new IllegalArgumentException(
          "--require-auth needs tokens: give --api-tokens-file or --api-token-file");
    }
    this.tokens = List.copyOf(tokens);
    this.requireAuth = requireAuth;
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

  /** A new session for {@code caller}: an unguessable id for a cookie. */
  String openSession(Caller caller) {
    long now = System.nanoTime();
    if (sessions.size() >= MAX_SESSIONS) {
      sessions.values().removeIf(s -> s.expiresAtNanos() - now < 0);
      if (sessions.size() >= MAX_SESSIONS) {
        sessions.clear(); // every browser signs in again rather than memory growing
      }
    }
    byte[] id = new byte[32];
    random.nextBytes(id);
    String key = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    sessions.put(key, new Session(caller, now + SESSION_TTL.toNanos()));
    return key;
  }

  /** The caller of a live session, or null. */
  Caller session(String id) {
    if (id == null) {
      return null;
    }
    Session s = sessions.get(id);
    if (s == null) {
      return null;
    }
    if (s.expiresAtNanos() - System.nanoTime() < 0) {
      sessions.remove(id);
      return null;
    }
    return s.caller();
  }

  void closeSession(String id) {
    if (id != null) {
      sessions.remove(id);
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
