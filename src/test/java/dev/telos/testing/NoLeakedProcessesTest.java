package dev.telos.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The suite's process guard fails a class that leaves a process behind, and kills it. */
class NoLeakedProcessesTest {
  static ExtensionContext named(String name) {
    return context("getDisplayName", name);
  }

  /** A context that answers {@code getter} with {@code value} and nothing else. */
  static ExtensionContext context(String getter, String value) {
    return (ExtensionContext)
        Proxy.newProxyInstance(
            ExtensionContext.class.getClassLoader(),
            new Class<?>[] {ExtensionContext.class},
            (proxy, method, args) -> {
              if (method.getName().equals(getter)) {
                return value;
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }

  @Test
  void aProcessLeftRunningFailsTheClassAndIsKilled() throws Exception {
    Process leaked = new ProcessBuilder("sleep", "300").start();
    try {
      assertThatThrownBy(
              () -> new NoLeakedProcesses(Duration.ofMillis(200)).afterAll(named("LeakyIT")))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("LeakyIT left 1 process(es)")
          .hasMessageContaining("pid " + leaked.pid())
          .hasMessageContaining("sleep");
      assertThat(leaked.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    } finally {
      leaked.destroyForcibly();
    }
  }

  @Test
  void aProcessThatEndsWithinTheGraceIsFine() throws Exception {
    Process ending = new ProcessBuilder("sleep", "0.1").start();
    new NoLeakedProcesses(Duration.ofSeconds(10)).afterAll(named("TidyIT"));
    // The guard returned once the OS said the process was gone; Process.isAlive() may lag
    // behind that until the JDK's reaper thread has collected its exit status.
    assertThat(ending.toHandle().isAlive()).isFalse();
    assertThat(ending.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
  }
}
