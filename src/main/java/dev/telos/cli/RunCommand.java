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
    description = "Run the controller against a Mesos master (real or embedded).")
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
      description = "Read the leading master from ZooKeeper (not supported yet).")
  String zk;

  @Mixin ControllerOptions options;

  @Override
  public Integer call() throws Exception {
    if (zk != null || master.startsWith("zk://")) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this),
          "--master zk://... is not supported yet: give the http(s) URL of any master; a"
              + " non-leading master redirects to the leader");
    }
    ControllerOptions.Running running =
        options.start(master, dataDir, "0.0.0.0", java.time.Duration.ofSeconds(30));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  running.close();
                  stopped.countDown();
                },
                "telos-shutdown"));
    System.out.println(
        "Telos API listening on http://"
            + (options.httpAddress == null ? "0.0.0.0" : options.httpAddress)
            + ":"
            + running.api().port());
    System.out.flush();
    stopped.await();
    return 0;
  }
}
