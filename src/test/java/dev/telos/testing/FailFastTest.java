package dev.telos.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The fail-fast switch of the planted-defect runner: off by default, then all or nothing. */
class FailFastTest {
  static ExtensionContext test(String id) {
    return NoLeakedProcessesTest.context("getUniqueId", id);
  }

  @Test
  void onItSkipsEveryTestAfterTheFirstFailureAndNamesIt() {
    FailFast f = new FailFast(true);
    assertThat(f.evaluateExecutionCondition(test("b")).isDisabled()).isFalse();
    f.testFailed(test("[class:ControllerIT]/[method:first()]"), new AssertionError());
    f.testFailed(test("[class:ControllerIT]/[method:second()]"), new AssertionError());
    assertThat(f.evaluateExecutionCondition(test("c")).isDisabled()).isTrue();
    assertThat(f.evaluateExecutionCondition(test("c")).getReason())
        .hasValue("telos.failFast: skipped after [class:ControllerIT]/[method:first()] failed");
  }

  @Test
  void offAFailureSkipsNothing() {
    FailFast f = new FailFast(false);
    f.testFailed(test("x"), new AssertionError());
    assertThat(f.evaluateExecutionCondition(test("y")).isDisabled()).isFalse();
    assertThat(new FailFast().evaluateExecutionCondition(test("y")).isDisabled()).isFalse();
  }
}
