package dev.telos.ha;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;

/**
 * TLS to ZooKeeper, as ZooKeeper's own client does it (its Netty connection and its X509 stores):
 * the server's certificate is checked against {@code trustStore} (or the JDK's CAs) and its host
 * name; with {@code keyStore}, this instance presents a client certificate (for servers with {@code
 * ssl.clientAuth=need}). Stores are PEM, PKCS12 or JKS, told apart by their file extension ({@code
 * .pem}, {@code .p12}/{@code .pfx}, {@code .jks}).
 *
 * @param trustStore the certificates to trust, or null for the JDK's
 * @param keyStore this instance's key and certificate, or null: no client certificate
 * @param passwordFile the stores' password on one line, or null (PEM stores need none)
 */
public record ZkTls(Path trustStore, Path keyStore, Path passwordFile) {

  /** The client configuration that turns TLS on; ZooKeeper reads the password file itself. */
  public ZKClientConfig clientConfig() throws IOException {
    ZKClientConfig config = new ZKClientConfig();
    config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
    config.setProperty(
        ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
    String password = passwordFile == null ? null : readable(passwordFile);
    try (ClientX509Util x509 = new ClientX509Util()) {
      if (trustStore != null) {
        config.setProperty(x509.getSslTruststoreLocationProperty(), readable(trustStore));
        if (password != null) {
          config.setProperty(x509.getSslTruststorePasswdPathProperty(), password);
        }
      }
      if (keyStore != null) {
        config.setProperty(x509.getSslKeystoreLocationProperty(), readable(keyStore));
        if (password != null) {
          config.setProperty(x509.getSslKeystorePasswdPathProperty(), password);
        }
      }
      config.setProperty(x509.getSslHostnameVerificationEnabledProperty(), "true");
    }
    return config;
  }

  private static String readable(Path file) throws IOException {
    if (!Files.isReadable(file)) {
      throw new IOException("cannot read " + file);
    }
    return file.toAbsolutePath().toString();
  }

  @Override
  public String toString() {
    return "ZkTls[trustStore=" + trustStore + ", keyStore=" + keyStore + "]";
  }
}
