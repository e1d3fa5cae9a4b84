package dev.telos.cli;

import dev.telos.local.LocalCluster;
import dev.telos.local.LocalClusterConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code telos cluster}: the embedded Mesos-compatible cluster alone, on 127.0.0.1. */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = {
      "Run the embedded Mesos-compatible cluster: a master speaking the Mesos v1 scheduler HTTP"
          + " API on 127.0.0.1 and agents that run tasks as local processes.",
      "Stop it with Ctrl-C or SIGTERM: every task process it started is killed."
    },
    footer = {
      "",
      "Examples:",
      "  telos cluster --port 5050 --agents 2",
      "  telos cluster --simulated-agents 200 --faults"
    })
final class ClusterCommand implements Callable<Integer> {
  @Option(
      names = "--port",
      defaultValue = "5050",
      description = "Master port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--agents",
      defaultValue = "1",
      description = "Agents that run tasks as local processes (default: ${DEFAULT-VALUE}).")
  int agents;

  @picocli.CommandLine.Mixin AgentGpusOption agentGpus;
  @picocli.CommandLine.Mixin AgentDisksOption agentDisks;

  @Option(
      names = "--simulated-agents",
      defaultValue = "0",
      description =
          "Agents whose tasks run without processes, for scale (default: ${DEFAULT-VALUE}).")
  int simulatedAgents;

  @Option(
      names = "--agent-cpus",
      defaultValue = "4",
      description = "CPUs per agent (default: ${DEFAULT-VALUE}).")
  double agentCpus;

  @Option(
      names = "--agent-mem",
      defaultValue = "8192",
      description = "Memory per agent in MiB (default: ${DEFAULT-VALUE}).")
  double agentMem;

  @Option(
      names = "--agent-ports",
      defaultValue = "31000-32000",
      converter = PortRangeConverter.class,
      paramLabel = "BEGIN-END",
      description =
          "Port range offered by the agents; process agents split it and offer only the ports"
              + " they can bind (default: ${DEFAULT-VALUE}).")
  PortRangeConverter.PortRange agentPorts;

  @Option(
      names = "--work-dir",
      description = "Where task sandboxes live (default: a new temporary directory).")
  Path workDir;

  @Option(
      names = "--heartbeat-interval",
      defaultValue = "15s",
      converter = DurationConverter.class,
      description = "Heartbeat interval announced to frameworks (default: ${DEFAULT-VALUE}).")
  Duration heartbeat;

  @Option(
      names = "--simulated-task-delay",
      defaultValue = "100ms",
      converter = DurationConverter.class,
      description = "Time a simulated task takes to reach RUNNING (default: ${DEFAULT-VALUE}).")
  Duration simulatedDelay;

  @Option(
      names = "--simulated-failure-rate",
      defaultValue = "0",
      description =
          "Fraction of simulated tasks that fail after starting (default: ${DEFAULT-VALUE}).")
  double simulatedFailureRate;

  @Option(
      names = "--faults",
      description = "Serve the fault-injection endpoints under /faults/ (off by default).")
  boolean faults;

  @Override
  public Integer call() throws IOException, InterruptedException {
    Path dir = workDir != null ? workDir : Files.createTempDirectory("telos-cluster-");
    LocalClusterConfig config =
        LocalClusterConfig.builder(dir)
            .port(port)
            .agents(agents, simulatedAgents)
            .agentResources(agentCpus, agentMem)
            .ports(agentPorts.begin(), agentPorts.end())
            .timings(heartbeat, Duration.ofSeconds(1), Duration.ofSeconds(10))
            .simulation(simulatedDelay, simulatedFailureRate)
            .faults(faults)
            .agentGpus(agentGpus.gpus)
            .agentDisks(agentDisks.disks)
            .agentAttributes(agentDisks.attributes)
            .agentReserved(agentDisks.reserved)
            .build();
    LocalCluster cluster = LocalCluster.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  cluster.close();
                  stopped.countDown();
                },
                "telos-cluster-shutdown"));
    System.out.println("Mesos master listening on " + cluster.url());
    System.out.println("Agents: " + cluster.agentIds().size() + "; sandboxes under " + dir);
    System.out.println("State: " + cluster.url() + "/master/state");
    System.out.flush();
    stopped.await();
    return 0;
  }
}
