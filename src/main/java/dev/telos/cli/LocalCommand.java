package dev.telos.cli;

import dev.telos.local.LocalCluster;
import dev.telos.local.LocalClusterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code telos local}: the embedded cluster and the controller in one process. */
@Command(
    name = "local",
    mixinStandardHelpOptions = true,
    description = {
      "Run the embedded Mesos-compatible cluster and the controller in one process: the"
          + " quickstart. Tasks run as local processes.",
      "Ctrl-C or SIGTERM stops everything, tasks included."
    },
    footer = {
      "",
      "Examples:",
      "  telos local --repo https://github.com/ORG/apps.git --path apps",
      "  telos local --repo ./apps --data-dir ~/.telos --notifications notify.yaml"
    })
final class LocalCommand implements Callable<Integer> {
  @Option(
      names = "--data-dir",
      description = "Where state and sandboxes go (default: a new" + " temporary directory).")
  Path dataDir;

  @Option(
      names = "--agents",
      defaultValue = "1",
      description = "Process agents of the embedded cluster (default: ${DEFAULT-VALUE}).")
  int agents;

  @picocli.CommandLine.Mixin AgentGpusOption agentGpus;
  @picocli.CommandLine.Mixin AgentDisksOption agentDisks;

  @Option(
      names = "--agent-ports",
      defaultValue = "31000-32000",
      converter = PortRangeConverter.class,
      paramLabel = "BEGIN-END",
      description =
          "Port range of the embedded agents; only ports that no other program holds are"
              + " offered (default: ${DEFAULT-VALUE}).")
  PortRangeConverter.PortRange agentPorts;

  @Mixin ControllerOptions options;

  @Override
  public Integer call() throws Exception {
    Path dir =
        dataDir != null
            ? Files.createDirectories(dataDir)
            : Files.createTempDirectory("telos-local-");
    try {
      return run(dir);
    } catch (Exception | Error e) {
      if (dataDir == null) {
        // Nothing started, or what started is stopped: a temporary directory must not outlive a
        // run that failed to start (a bad flag, a port taken).
        BenchCommand.deleteTree(dir);
      }
      throw e;
    }
  }

  private Integer run(Path dir) throws Exception {
    // Locked before anything starts: a second process on this data dir must not even start a
    // cluster in it.
    dev.telos.store.FileStateStore store = dev.telos.store.FileStateStore.open(dir);
    LocalCluster cluster;
    try {
      cluster =
          LocalCluster.start(
              LocalClusterConfig.builder(dir.resolve("cluster"))
                  .port(0)
                  .agents(agents, 0)
                  .ports(agentPorts.begin(), agentPorts.end())
                  .timings(Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofSeconds(10))
                  .agentGpus(agentGpus.gpus)
                  .agentDisks(agentDisks.disks)
                  .agentAttributes(agentDisks.attributes)
                  .agentReserved(agentDisks.reserved)
                  .build());
    } catch (RuntimeException | java.io.IOException e) {
      store.close();
      throw e;
    }
    ControllerOptions.Running running;
    try {
      running =
          options.start(cluster.url(), dir, "127.0.0.1", java.time.Duration.ofSeconds(5), store);
    } catch (RuntimeException | java.io.IOException e) {
      store.close();
      cluster.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  running.close();
                  cluster.close();
                  if (dataDir == null) {
                    // A temporary directory of this run only: nothing in it outlives it.
                    BenchCommand.deleteTree(dir);
                  }
                  stopped.countDown();
                },
                "telos-shutdown"));
    String api =
        "http://"
            + (options.httpAddress == null ? "127.0.0.1" : options.httpAddress)
            + ":"
            + running.api().port();
    System.out.println("Embedded Mesos master on " + cluster.url());
    System.out.println("Telos API listening on " + api);
    System.out.println(
        "Syncing "
            + options.describeSources()
            + "; data in "
            + dir
            + (dataDir == null ? " (deleted on exit; --data-dir to keep it)" : ""));
    System.out.println("Try: curl " + api + "/api/v1/apps");
    System.out.flush();
    stopped.await();
    return 0;
  }
}
