package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A small run of the fault harness in every build: rounds of changes and injected faults against
 * the real controller and an embedded cluster, with every invariant checked against the master's
 * own state. {@code telos bench faults --rounds 200} is the long run.
 */
class FaultHarnessIT {
  @Test
  void aSeededRunOfFaultsBreaksNoInvariant() throws Exception {
    long seed = 20261127L;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    int violations;
    try (FaultHarness harness =
        new FaultHarness(
            new FaultHarness.Options(16, seed, 4, 5, Duration.ofSeconds(60), 0, Set.of()), out)) {
      violations = harness.run();
      harness.checker().report(out, seed, 16, 0, Duration.ZERO);
    }
    String report = buffer.toString(StandardCharsets.UTF_8);
    System.out.println(report);
    assertThat(report).contains("violations: 0").contains("faults injected:");
    assertThat(violations).as(report).isZero();
  }

  @Test
  void theLeadersDeathItsSessionsExpiryAndALostQuorumBreakNoInvariant() throws Exception {
    long seed = 20261128L;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    Set<FaultHarness.Fault> ha =
        EnumSet.of(
            FaultHarness.Fault.LEADER_KILL,
            FaultHarness.Fault.LEADER_ZK_EXPIRY,
            FaultHarness.Fault.ZK_QUORUM_LOSS);
    int violations;
    try (FaultHarness harness =
        new FaultHarness(
            new FaultHarness.Options(6, seed, 3, 4, Duration.ofSeconds(90), 2, ha), out)) {
      violations = harness.run();
      harness.checker().report(out, seed, 6, 2, Duration.ZERO);
    }
    String report = buffer.toString(StandardCharsets.UTF_8);
    System.out.println(report);
    assertThat(report)
        .contains("violations: 0")
        .containsPattern("leader-kill +2")
        .containsPattern("leader-zk-expiry +2")
        .containsPattern("zk-quorum-loss +2")
        .containsPattern("controller-crash +0")
        .containsPattern("leader take-overs .* over [1-9]");
    assertThat(violations).as(report).isZero();
  }
}
