package dev.telos.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Key and trust stores from PEM files, as cert-manager, openssl and Vault write them. */
public final class Pem {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  /** The password of the in-memory stores; they never reach a disk. */
  static final char[] PASSWORD = "telos".toCharArray();

  private Pem() {}

  /**
   * A key store of one private key ({@code BEGIN PRIVATE KEY}, PKCS #8: RSA, EC or Ed25519) and its
   * certificate chain (the leaf first).
   */
  static KeyStore keyStore(Path certificateFile, Path keyFile) throws IOException {
    Certificate[] chain = certificates(certificateFile).toArray(Certificate[]::new);
    PrivateKey key = privateKey(keyFile);
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("telos", key, PASSWORD, chain);
      return store;
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "the key in " + keyFile + " does not go with " + certificateFile + ": " + e.getMessage(),
          e);
    }
  }

  /** A TLS context that trusts exactly the CAs of a PEM bundle (a client of a private-CA API). */
  public static javax.net.ssl.SSLContext trusting(Path bundle) throws IOException {
    try {
      javax.net.ssl.TrustManagerFactory trust =
          javax.net.ssl.TrustManagerFactory.getInstance(
              javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trustStore(bundle));
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot trust " + bundle + ": " + e.getMessage(), e);
    }
  }

  /**
   * The TLS context one Telos instance uses towards another (a standby asking its leader): it
   * presents its own certificate (for mutual TLS) and trusts the JVM's CAs and every certificate of
   * its own chain (instances whose certificates one CA signed, the CA in the chain file).
   */
  static javax.net.ssl.SSLContext peer(Path certificateFile, Path keyFile) throws IOException {
    try {
      javax.net.ssl.KeyManagerFactory keys =
          javax.net.ssl.KeyManagerFactory.getInstance(
              javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
      keys.init(keyStore(certificateFile, keyFile), PASSWORD);
      javax.net.ssl.X509TrustManager jvm = x509(null);
      javax.net.ssl.X509TrustManager own = x509(trustStore(certificateFile));
      javax.net.ssl.X509TrustManager both =
          new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(
                java.security.cert.X509Certificate[] chain, String authType)
                throws java.security.cert.CertificateException {
              own.checkClientTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(
                java.security.cert.X509Certificate[] chain, String authType)
                throws java.security.cert.CertificateException {
              try {
                own.checkServerTrusted(chain, authType);
              } catch (java.security.cert.CertificateException e) {
                jvm.checkServerTrusted(chain, authType);
              }
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
              return java.util.stream.Stream.concat(
                      java.util.Arrays.stream(own.getAcceptedIssuers()),
                      java.util.Arrays.stream(jvm.getAcceptedIssuers()))
                  .toArray(java.security.cert.X509Certificate[]::new);
            }
          };
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), new javax.net.ssl.TrustManager[] {both}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "cannot use " + certificateFile + " towards peers: " + e.getMessage(), e);
    }
  }

  private static javax.net.ssl.X509TrustManager x509(KeyStore store)
      throws GeneralSecurityException {
    javax.net.ssl.TrustManagerFactory f =
        javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    f.init(store);
    for (javax.net.ssl.TrustManager m : f.getTrustManagers()) {
      if (m instanceof javax.net.ssl.X509TrustManager x) {
        return x;
      }
    }
    throw new GeneralSecurityException("no X.509 trust manager");
  }

  /** A trust store of every certificate of a PEM bundle. */
  static KeyStore trustStore(Path bundle) throws IOException {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int i = 0;
      for (Certificate c : certificates(bundle)) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      return store;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot load " + bundle + ": " + e.getMessage(), e);
    }
  }

  static Collection<? extends Certificate> certificates(Path file) throws IOException {
    try {
      Collection<? extends Certificate> all =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file)));
      if (all.isEmpty()) {
        throw new IOException(file + " holds no certificate (BEGIN CERTIFICATE)");
      }
      return all;
    } catch (GeneralSecurityException e) {
      throw new IOException(file + " is not a PEM certificate: " + e.getMessage(), e);
    }
  }

  static PrivateKey privateKey(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      if (type.equals("PRIVATE KEY")) {
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
          try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
          } catch (GeneralSecurityException e) {
            // not this algorithm
          }
        }
        throw new IOException(file + ": a PKCS #8 key of an algorithm this JVM does not know");
      }
      if (type.endsWith("PRIVATE KEY")) {
        throw new IOException(
            file
                + " holds a "
                + type
                + "; give a PKCS #8 key (BEGIN PRIVATE KEY): openssl pkcs8 -topk8 -nocrypt -in "
                + file.getFileName());
      }
    }
    throw new IOException(file + " holds no private key (BEGIN PRIVATE KEY)");
  }
}
