package dev.telos.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code telos run}: the controller against a Mesos master. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run the controller against a Mesos master (real or embedded).",
    footer = {
      "",
      "Examples:",
      "  telos run --master http://mesos:5050 --repo https://git.example.com/apps.git",
      "  telos run --master zk://zk1:2181/mesos --repo URL --ha zk://zk1:2181,zk2:2181/telos",
      "  telos run --master http://mesos:5050 --source name=payments,repo=URL1"
          + " --source name=search,repo=URL2,path=deploy,namespace=search-*"
    })
final class RunCommand implements Callable<Integer> {
  @Option(
      names = "--master",
      required = true,
      paramLabel = "URL",
      description = "http(s)://host:port of a Mesos master (a non-leader redirects).")
  String master;

  @Option(
      names = "--data-dir",
      defaultValue = "telos-data",
      description = "Framework ID, task records and sync history (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--zk",
      paramLabel = "zk://HOST:PORT/PATH",
      description =
          "Find the leading master in ZooKeeper, as Mesos publishes it (same as"
              + " --master zk://...).")
  String zk;

  @Option(
      names = "--ha",
      paramLabel = "zk://HOST:PORT[,HOST:PORT]/PATH",
      description =
          "Run as one of several instances with one leader, elected in ZooKeeper under PATH,"
              + " where the state is kept too (instead of --data-dir, which then holds only the"
              + " git clone).")
  String ha;

  @Option(
      names = "--ha-id",
      paramLabel = "HOST:PORT",
      description =
          "This instance's API address as the others and clients reach it (default: this host's"
              + " name and the API port).")
  String haId;

  @Option(
      names = "--ha-session-timeout",
      defaultValue = "15s",
      converter = DurationConverter.class,
      description =
          "ZooKeeper session timeout: a leader that died is replaced after it (default:"
              + " ${DEFAULT-VALUE}).")
  java.time.Duration haSessionTimeout;

  @Option(
      names = "--ha-credential-file",
      paramLabel = "FILE",
      description =
          "A file with USER:PASSWORD for ZooKeeper digest auth; the znodes Telos creates are then"
              + " readable and writable by that user only.")
  Path haCredentialFile;

  @Option(
      names = "--ha-tls",
      description =
          "Reach ZooKeeper over TLS (its secureClientPort), checking its certificate and host name"
              + " (implied by --ha-tls-truststore and --ha-tls-keystore).")
  boolean haTls;

  @Option(
      names = "--ha-tls-truststore",
      paramLabel = "FILE",
      description =
          "The certificates to trust for ZooKeeper's TLS (.pem, .p12 or .jks; default: the JDK's"
              + " CAs).")
  Path haTlsTrustStore;

  @Option(
      names = "--ha-tls-keystore",
      paramLabel = "FILE",
      description =
          "This instance's key and certificate for ZooKeeper's TLS (.pem, .p12 or .jks), for"
              + " servers that require client certificates.")
  Path haTlsKeyStore;

  @Option(
      names = "--ha-tls-password-file",
      paramLabel = "FILE",
      description = "The password of --ha-tls-truststore and --ha-tls-keystore, on one line.")
  Path haTlsPasswordFile;

  /** TLS to ZooKeeper as the flags ask, or null. */
  dev.telos.ha.ZkTls haTls() {
    if (!haTls && haTlsTrustStore == null && haTlsKeyStore == null) {
      return null;
    }
    return new dev.telos.ha.ZkTls(haTlsTrustStore, haTlsKeyStore, haTlsPasswordFile);
  }

  @Mixin ControllerOptions options;

  /** The API's address unless --http-address says otherwise: this host only. */
  static final String BIND = "127.0.0.1";

  @Override
  public Integer call() throws Exception {
    options.checkExposure(BIND);
    String zkUrl = zk != null ? zk : master.startsWith("zk://") ? master : null;
    dev.telos.ha.ZkMasterDetector detector = null;
    String masterUrl = master;
    if (zkUrl != null) {
      detector = dev.telos.ha.ZkMasterDetector.connect(zkUrl);
      options.leaderDetector = detector::leader;
      masterUrl = detector.leader().orElse("http://127.0.0.1:5050");
    }
    ControllerOptions.Running running =
        ha == null
            ? options.start(masterUrl, dataDir, BIND, java.time.Duration.ofSeconds(30))
            : options.startHa(
                masterUrl,
                dataDir,
                BIND,
                java.time.Duration.ofSeconds(30),
                new dev.telos.ha.HaNode.Options(
                    dev.telos.ha.ZkUrl.parse(ha), haSessionTimeout, haCredentialFile, haTls()),
                haId);
    dev.telos.ha.ZkMasterDetector zkDetector = detector;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  running.close();
                  if (zkDetector != null) {
                    zkDetector.close();
                  }
                  stopped.countDown();
                },
                "telos-shutdown"));
    System.out.println(
        "Telos API listening on "
            + (running.api().secure() ? "https://" : "http://")
            + (options.httpAddress == null ? BIND : options.httpAddress)
            + ":"
            + running.api().port());
    System.out.flush();
    stopped.await();
    return 0;
  }
}
