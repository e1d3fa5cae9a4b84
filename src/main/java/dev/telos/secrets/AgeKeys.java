package dev.telos.secrets;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The age identities Telos decrypts SOPS files with, from {@code --age-key-file} (as {@code
 * age-keygen} writes it: {@code AGE-SECRET-KEY-1...} lines, {@code #} comments). Also the key of
 * secret versions: a value's version is an HMAC of it under a key derived from the first identity,
 * so every instance and {@code telos plan} with the same key file computes the same spec hash, and
 * nobody without the key can test guesses of a value against a version.
 */
public final class AgeKeys {
  private final List<RecipientStanzaReader> readers;
  private final byte[] versionKey;

  private AgeKeys(List<RecipientStanzaReader> readers, byte[] versionKey) {
    this.readers = List.copyOf(readers);
    this.versionKey = versionKey;
  }

  /** Reads a key file; refuses one without an identity, naming the line of a malformed one. */
  public static AgeKeys load(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<RecipientStanzaReader> readers = new ArrayList<>();
    String first = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (!line.startsWith("AGE-SECRET-KEY-1")) {
        throw new IllegalArgumentException(
            file + ":" + (i + 1) + ": not an age identity (AGE-SECRET-KEY-1...)");
      }
      try {
        readers.add(X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(line));
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": not a valid age identity", e);
      }
      if (first == null) {
        first = line;
      }
    }
    if (first == null) {
      throw new IllegalArgumentException(file + " holds no age identity (AGE-SECRET-KEY-1...)");
    }
    return new AgeKeys(readers, derive(first));
  }

  /** The identities, for age. */
  List<RecipientStanzaReader> readers() {
    return readers;
  }

  /** The version of a secret value: 8 hex characters of its HMAC-SHA-256 under the version key. */
  public String version(byte[] value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(versionKey, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(value), 0, 4);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] derive(String identity) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(identity.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
      return mac.doFinal("telos secret version".getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "AgeKeys[" + readers.size() + " identities]";
  }
}
