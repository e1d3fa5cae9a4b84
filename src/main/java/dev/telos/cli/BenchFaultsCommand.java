package dev.telos.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code telos bench faults}: the fault harness. Rounds of a plain change and an injected fault
 * against the real controller, an embedded cluster and a real git repository, each checked against
 * the master's own state; exit 0 only when no invariant was ever violated.
 */
@Command(
    name = "faults",
    mixinStandardHelpOptions = true,
    description = {
      "Inject faults round after round (controller crashes, master failover, stream cuts, lost"
          + " heartbeats, partitions, failing calls, lost acknowledgements, unreachable repository,"
          + " invalid and mass-deletion commits) and check the cluster converges with no"
          + " invariant broken.",
      "Prints per-kind fault counts, convergence p50/p99 and 'violations: N'; exit 0 only with"
          + " none. The same --seed replays the same run."
    })
final class BenchFaultsCommand implements Callable<Integer> {
  @Option(
      names = "--rounds",
      defaultValue = "50",
      description = "Rounds (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--seed", description = "Seed of the generator (default: a random one).")
  Long seed;

  @Option(
      names = "--agents",
      defaultValue = "5",
      description = "Simulated agents (default: ${DEFAULT-VALUE}).")
  int agents;

  @Option(
      names = "--apps",
      defaultValue = "6",
      description = "Services at the start (default: ${DEFAULT-VALUE}).")
  int apps;

  @Option(
      names = "--converge-within",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description = "How long a round may take to converge (default: ${DEFAULT-VALUE}).")
  Duration convergeWithin;

  @Option(
      names = "--ha",
      defaultValue = "0",
      paramLabel = "INSTANCES",
      description =
          "Run INSTANCES Telos instances (2 or more) electing a leader in a local three-server"
              + " ZooKeeper ensemble, and add the leader's kill -9, its ZooKeeper session's"
              + " expiry and the loss of ZooKeeper's quorum to the faults (default: one"
              + " controller, no ZooKeeper).")
  int ha;

  @Option(
      names = "--only",
      split = ",",
      paramLabel = "FAULT",
      description =
          "Inject only these faults, in turn (comma-separated, as the report names them, e.g."
              + " leader-kill,zk-quorum-loss; default: all, at random).")
  java.util.List<String> only = java.util.List.of();

  private java.util.Set<FaultHarness.Fault> faults() {
    java.util.Set<FaultHarness.Fault> set = java.util.EnumSet.noneOf(FaultHarness.Fault.class);
    for (String name : only) {
      try {
        set.add(FaultHarness.Fault.valueOf(name.strip().toUpperCase().replace('-', '_')));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--only: no fault named '"
                + name
                + "'; the faults: "
                + java.util.Arrays.stream(FaultHarness.Fault.values())
                    .map(f -> f.name().toLowerCase().replace('_', '-'))
                    .toList());
      }
    }
    return set;
  }

  @Override
  public Integer call() throws Exception {
    if (rounds < 1 || agents < 1 || apps < 1) {
      throw new IllegalArgumentException("--rounds, --agents and --apps must be at least 1");
    }
    if (ha == 1 || ha < 0) {
      throw new IllegalArgumentException("--ha takes 2 instances or more (0: no HA)");
    }
    long s = seed != null ? seed : new java.security.SecureRandom().nextLong();
    long started = System.nanoTime();
    try (FaultHarness harness =
        new FaultHarness(
            new FaultHarness.Options(rounds, s, agents, apps, convergeWithin, ha, faults()),
            System.out)) {
      int violations = harness.run();
      harness
          .checker()
          .report(System.out, s, rounds, ha, Duration.ofNanos(System.nanoTime() - started));
      return violations == 0 ? 0 : 1;
    }
  }
}
