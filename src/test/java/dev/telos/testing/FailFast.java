package dev.telos.testing;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * With {@code -Dtelos.failFast=true}, every test after the first one that fails in this JVM is
 * skipped. The planted-defect runner ({@code src/test/mutants/plant.py}) sets it: one failing test
 * is enough to call a defect caught, and a defect that breaks the controller broadly would
 * otherwise cost every integration test its full timeout. Surefire's own {@code
 * skipAfterFailureCount} does not reach JUnit Jupiter tests before JUnit Platform 6. Registered
 * through {@code META-INF/services}; off by default.
 */
public final class FailFast implements ExecutionCondition, TestWatcher {
  static final String PROPERTY = "telos.failFast";

  /** The first failure of the run: autodetected, this extension is one instance for the run. */
  private final AtomicReference<String> firstFailure = new AtomicReference<>();

  private final boolean on;

  public FailFast() {
    this(Boolean.getBoolean(PROPERTY));
  }

  FailFast(boolean on) {
    this.on = on;
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    String failed = firstFailure.get();
    if (on && failed != null) {
      return ConditionEvaluationResult.disabled(PROPERTY + ": skipped after " + failed + " failed");
    }
    return ConditionEvaluationResult.enabled("no failure yet");
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    firstFailure.compareAndSet(null, context.getUniqueId());
  }
}
