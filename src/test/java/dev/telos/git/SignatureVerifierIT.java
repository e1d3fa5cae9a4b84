package dev.telos.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.manifest.ManifestLoader;
import dev.telos.testing.TempGitRepo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.time.Duration;
import java.util.Date;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPKeyPair;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --verify-signatures: only commits signed by a key of the keyring are synced. */
class SignatureVerifierIT {
  @TempDir Path tmp;

  @BeforeAll
  static void provider() {
    if (Security.getProvider("BC") == null) {
      Security.addProvider(new BouncyCastleProvider());
    }
  }

  /** A signing key, its one-key public ring, and a signer of commit payloads. */
  record Key(PGPKeyPair pair) {
    static Key generate() throws Exception {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return new Key(
          new JcaPGPKeyPair(PublicKeyAlgorithmTags.RSA_GENERAL, g.generateKeyPair(), new Date()));
    }

    byte[] sign(byte[] payload) {
      try {
        PGPSignatureGenerator gen =
            new PGPSignatureGenerator(
                new JcaPGPContentSignerBuilder(
                    pair.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256),
                pair.getPublicKey());
        gen.init(PGPSignature.BINARY_DOCUMENT, pair.getPrivateKey());
        gen.update(payload);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArmoredOutputStream armored = new ArmoredOutputStream(out)) {
          gen.generate().encode(armored);
        }
        return out.toByteArray();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    Path export(Path file) throws IOException {
      PGPPublicKeyRing ring = new PGPPublicKeyRing(java.util.List.of(pair.getPublicKey()));
      try (OutputStream out = new ArmoredOutputStream(Files.newOutputStream(file))) {
        ring.encode(out);
      }
      return file;
    }
  }

  static String service(String name) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: "
        + name
        + "}\nspec:\n"
        + "  command: run\n";
  }

  @Test
  void onlyCommitsSignedByATrustedKeyAreSynced() throws Exception {
    Key trusted = Key.generate();
    Key stranger = Key.generate();
    Path keyring = trusted.export(tmp.resolve("trusted.asc"));
    try (TempGitRepo repo = TempGitRepo.init(tmp.resolve("repo"))) {
      repo.write("apps/a.yaml", service("a"));
      String signed = repo.commitSigned("signed by trusted", trusted::sign);
      try (GitSource source =
          new GitSource(
              new GitSource.Config(
                  repo.url(),
                  "main",
                  "apps",
                  null,
                  tmp.resolve("data"),
                  false,
                  Duration.ofSeconds(30)),
              new ManifestLoader())) {
        source.verifySignatures(SignatureVerifier.fromKeyring(keyring));
        PollResult ok = source.poll();
        assertThat(ok).isInstanceOf(PollResult.Updated.class);
        assertThat(((PollResult.Updated) ok).snapshot().commit().sha()).isEqualTo(signed);

        repo.write("apps/b.yaml", service("b"));
        String unsigned = repo.commit("unsigned");
        PollResult r1 = source.poll();
        assertThat(r1).isInstanceOf(PollResult.Invalid.class);
        assertThat(((PollResult.Invalid) r1).errors().get(0).toString())
            .startsWith("commit " + unsigned.substring(0, 12) + ":1:1: commit is not signed");

        repo.write("apps/c.yaml", service("c"));
        repo.commitSigned("signed by a stranger", stranger::sign);
        PollResult r2 = source.poll();
        assertThat(r2).isInstanceOf(PollResult.Invalid.class);
        assertThat(((PollResult.Invalid) r2).errors().get(0).message())
            .contains("which is not in trusted.asc");

        repo.write("apps/d.yaml", service("d"));
        repo.commitSigned(
            "signature over other content", payload -> trusted.sign("something else".getBytes()));
        PollResult r3 = source.poll();
        assertThat(((PollResult.Invalid) r3).errors().get(0).message()).contains("does not match");
        assertThat(source.lastGood().orElseThrow().commit().sha()).isEqualTo(signed);
      }
    }
  }
}
