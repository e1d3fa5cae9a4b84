package dev.telos.testing;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The suite's guard against leaked processes: after every test class, no process started by this
 * JVM (a task of an embedded cluster, a {@code telos} child process) may still be alive. Waits up
 * to 15 s for processes that are being stopped, then kills what is left and fails the class, naming
 * each process by its command line. Registered for every test class through {@code
 * META-INF/services} and {@code junit.jupiter.extensions.autodetection.enabled}.
 */
public final class NoLeakedProcesses implements AfterAllCallback {
  private final Duration grace;

  /** The guard as registered for the suite: 15 s for processes that are being stopped. */
  public NoLeakedProcesses() {
    this(Duration.ofSeconds(15));
  }

  NoLeakedProcesses(Duration grace) {
    this.grace = grace;
  }

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    long deadline = System.nanoTime() + grace.toNanos();
    List<ProcessHandle> alive = alive();
    while (!alive.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      alive = alive();
    }
    if (alive.isEmpty()) {
      return;
    }
    String described =
        alive.stream().map(NoLeakedProcesses::describe).collect(Collectors.joining("\n  "));
    alive.forEach(ProcessHandle::destroyForcibly);
    throw new AssertionError(
        context.getDisplayName()
            + " left "
            + alive.size()
            + " process(es) of its own running (killed now):\n  "
            + described);
  }

  private static List<ProcessHandle> alive() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
  }

  private static String describe(ProcessHandle p) {
    return "pid "
        + p.pid()
        + ": "
        + p.info().commandLine().orElse(p.info().command().orElse("(command unknown)"));
  }
}
