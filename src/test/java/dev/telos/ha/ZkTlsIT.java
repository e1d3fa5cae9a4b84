package dev.telos.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to ZooKeeper: a real ZooKeeper server in its own process (its TLS settings are JVM-wide
 * system properties, which must not leak into this JVM) that serves only TLS and requires a client
 * certificate; certificates made with the JDK's keytool.
 */
class ZkTlsIT {
  @TempDir Path dir;
  Process server;
  int port;

  @BeforeEach
  void start() throws Exception {
    keyPair("server", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost");
    keyPair("telos", "CN=telos");
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path config =
        Files.writeString(
            dir.resolve("zoo.cfg"),
            String.join(
                "\n",
                "tickTime=500",
                "dataDir=" + Files.createDirectories(dir.resolve("zk-data")),
                "secureClientPort=" + port,
                "secureClientPortAddress=127.0.0.1",
                "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
                "ssl.keyStore.location=" + dir.resolve("server.p12"),
                "ssl.keyStore.password=s3cret-store",
                "ssl.trustStore.location=" + dir.resolve("telos.pem"),
                "ssl.clientAuth=need",
                "admin.enableServer=false",
                ""));
    server =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "org.apache.zookeeper.server.ZooKeeperServerMain",
                config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("zk.log").toFile())
            .start();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              assertThat(server.isAlive())
                  .as("ZooKeeper ended: %s", Files.readString(dir.resolve("zk.log")))
                  .isTrue();
              try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return true;
              } catch (IOException e) {
                return false;
              }
            });
  }

  @AfterEach
  void stop() throws Exception {
    server.destroy();
    if (!server.waitFor(20, TimeUnit.SECONDS)) {
      server.destroyForcibly().waitFor();
    }
  }

  /** NAME.p12 (a key and its self-signed certificate) and NAME.pem (the certificate). */
  private void keyPair(String name, String dname, String... extra) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "-genkeypair",
                "-alias",
                name,
                "-keyalg",
                "EC",
                "-dname",
                dname,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                name + ".p12",
                "-storepass",
                "s3cret-store"));
    args.addAll(List.of(extra));
    keytool(args.toArray(String[]::new));
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        name,
        "-keystore",
        name + ".p12",
        "-storepass",
        "s3cret-store",
        "-file",
        name + ".pem");
  }

  private void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
  }

  private HaNode.Options options(ZkTls tls) {
    return new HaNode.Options(
        ZkUrl.parse("zk://127.0.0.1:" + port + "/telos"), Duration.ofSeconds(5), null, tls);
  }

  @Test
  void withTheServersCertificateTrustedAndAClientCertificateAnInstanceLeads() throws Exception {
    Path password = Files.writeString(dir.resolve("password"), "s3cret-store\n");
    AtomicInteger claims = new AtomicInteger();
    ZkTls tls = new ZkTls(dir.resolve("server.pem"), dir.resolve("telos.p12"), password);
    try (HaNode node =
        new HaNode(
            options(tls),
            store -> {
              claims.incrementAndGet(); // the epoch was written over TLS before this is called
              throw new IOException("no controller in this test");
            })) {
      node.start("127.0.0.1:1");
      await().atMost(Duration.ofSeconds(60)).until(() -> claims.get() >= 1);
      assertThat(node.zkConnection()).isIn("CONNECTED", "RECONNECTED");
    }
    assertThat(tls.toString()).doesNotContain("s3cret");
  }

  @Test
  void withoutAClientCertificateOrWithoutTlsTheServerIsNotReached() throws Exception {
    try (CuratorFramework noCertificate =
            CuratorFrameworkFactory.builder()
                .connectString("127.0.0.1:" + port)
                .retryPolicy(new RetryOneTime(100))
                .zkClientConfig(new ZkTls(dir.resolve("server.pem"), null, null).clientConfig())
                .build();
        CuratorFramework plain =
            CuratorFrameworkFactory.newClient("127.0.0.1:" + port, new RetryOneTime(100))) {
      noCertificate.start();
      plain.start();
      assertThat(noCertificate.blockUntilConnected(5, TimeUnit.SECONDS)).isFalse();
      assertThat(plain.blockUntilConnected(1, TimeUnit.SECONDS)).isFalse();
    }
  }
}
