package dev.telos.git;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentVerifierBuilderProvider;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Checks that a commit carries an OpenPGP signature by a key of a given keyring (the output of
 * {@code gpg --export [--armor] KEY...}). A commit that is unsigned, signed by another key, or
 * whose signature does not match its content is refused, like an invalid one.
 */
public final class SignatureVerifier {
  private final PGPPublicKeyRingCollection keys;
  private final Path source;

  private SignatureVerifier(PGPPublicKeyRingCollection keys, Path source) {
    this.keys = keys;
    this.source = source;
  }

  /** Loads a public keyring, armored or binary. */
  public static SignatureVerifier fromKeyring(Path keyring) throws IOException {
    try (InputStream in = PGPUtil.getDecoderStream(Files.newInputStream(keyring))) {
      PGPPublicKeyRingCollection keys =
          new PGPPublicKeyRingCollection(in, new JcaKeyFingerprintCalculator());
      if (keys.size() == 0) {
        throw new IOException("keyring " + keyring + " holds no public key");
      }
      return new SignatureVerifier(keys, keyring);
    } catch (PGPException e) {
      throw new IOException("cannot read keyring " + keyring + ": " + e.getMessage(), e);
    }
  }

  /** Why the commit is refused, or empty when its signature is good. */
  public Optional<String> check(RevCommit commit) {
    byte[] signature = commit.getRawGpgSignature();
    if (signature == null) {
      return Optional.of(
          "commit is not signed; --verify-signatures requires a signature by a"
              + " key of "
              + source.getFileName());
    }
    try {
      PGPSignatureList list = parse(signature);
      if (list == null || list.isEmpty()) {
        return Optional.of("commit signature is not an OpenPGP signature");
      }
      PGPSignature sig = list.get(0);
      PGPPublicKey key = keys.getPublicKey(sig.getKeyID());
      if (key == null) {
        return Optional.of(
            "commit is signed by key "
                + Long.toHexString(sig.getKeyID()).toUpperCase(java.util.Locale.ROOT)
                + ", which is not in "
                + source.getFileName());
      }
      sig.init(new JcaPGPContentVerifierBuilderProvider(), key);
      sig.update(payload(commit.getRawBuffer()));
      if (!sig.verify()) {
        return Optional.of("commit signature does not match the commit's content");
      }
      return Optional.empty();
    } catch (PGPException | IOException | RuntimeException e) {
      return Optional.of("commit signature cannot be verified: " + e.getMessage());
    }
  }

  private static PGPSignatureList parse(byte[] signature) throws IOException {
    JcaPGPObjectFactory f =
        new JcaPGPObjectFactory(PGPUtil.getDecoderStream(new ByteArrayInputStream(signature)));
    Object o = f.nextObject();
    return o instanceof PGPSignatureList l ? l : null;
  }

  /**
   * The signed content of a commit: its raw object without the {@code gpgsig} header (and that
   * header's continuation lines), as git signs it.
   */
  static byte[] payload(byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
    int i = 0;
    boolean inHeaders = true;
    boolean skipping = false;
    while (i < raw.length) {
      int end = i;
      while (end < raw.length && raw[end] != '\n') {
        end++;
      }
      int next = Math.min(raw.length, end + 1);
      if (inHeaders) {
        if (end == i) {
          inHeaders = false;
          skipping = false;
        } else if (startsWith(raw, i, "gpgsig ")) {
          skipping = true;
          i = next;
          continue;
        } else if (skipping && raw[i] == ' ') {
          i = next;
          continue;
        } else {
          skipping = false;
        }
      }
      out.write(raw, i, next - i);
      i = next;
    }
    return out.toByteArray();
  }

  private static boolean startsWith(byte[] raw, int at, String prefix) {
    if (at + prefix.length() > raw.length) {
      return false;
    }
    for (int k = 0; k < prefix.length(); k++) {
      if (raw[at + k] != prefix.charAt(k)) {
        return false;
      }
    }
    return true;
  }
}
