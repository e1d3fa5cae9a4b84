package dev.telos.mesos;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Trust material for HTTPS to a master whose certificate is signed by a private CA. */
final class Tls {
  final SSLContext context;
  final X509TrustManager trustManager;

  private Tls(SSLContext context, X509TrustManager trustManager) {
    this.context = context;
    this.trustManager = trustManager;
  }

  /**
   * Trusts exactly the certificates of a PEM bundle (one or more {@code BEGIN CERTIFICATE} blocks).
   */
  static Tls trusting(Path caBundle) throws IOException {
    try (InputStream in = Files.newInputStream(caBundle)) {
      Collection<? extends Certificate> certificates =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certificates.isEmpty()) {
        throw new IOException("CA bundle " + caBundle + " holds no certificate");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate certificate : certificates) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      X509TrustManager trustManager = null;
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509TrustManager x509) {
          trustManager = x509;
        }
      }
      if (trustManager == null) {
        throw new IOException("no X.509 trust manager available");
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trustManager}, null);
      return new Tls(context, trustManager);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot load CA bundle " + caBundle + ": " + e.getMessage(), e);
    }
  }
}
