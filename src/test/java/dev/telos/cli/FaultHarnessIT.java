package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
        new FaultHarness(new FaultHarness.Options(16, seed, 4, 5, Duration.ofSeconds(60)), out)) {
      violations = harness.run();
      harness.checker().report(out, seed, 16, Duration.ZERO);
    }
    String report = buffer.toString(StandardCharsets.UTF_8);
    System.out.println(report);
    assertThat(report).contains("violations: 0").contains("faults injected:");
    assertThat(violations).as(report).isZero();
  }
}
