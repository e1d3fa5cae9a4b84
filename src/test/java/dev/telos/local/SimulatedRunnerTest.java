package dev.telos.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SimulatedRunnerTest {
  @Test
  void onlyAPlainExitCommandEndsOnItsOwn() {
    assertThat(SimulatedRunner.exitCode("exit 0")).isZero();
    assertThat(SimulatedRunner.exitCode(" exit  3 ")).isEqualTo(3);
    assertThat(SimulatedRunner.exitCode("sleep 3600")).isNull();
    assertThat(SimulatedRunner.exitCode("exit 1; echo")).isNull();
    assertThat(SimulatedRunner.exitCode("exit")).isNull();
  }
}
