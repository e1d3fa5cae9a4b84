package dev.telos.testing;

import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * When a test fails, prints the last lines of stdout and stderr of every {@link TelosProcess} it
 * started: the processes are gone, and their temporary directories with them, by the time anyone
 * reads the report, and a failure that happens once in many runs is diagnosed from this or not at
 * all. Registered through {@code META-INF/services}.
 */
public final class ProcessOutputOnFailure implements BeforeEachCallback, TestWatcher {
  static final int TAIL = 200;

  private final PrintStream out;

  public ProcessOutputOnFailure() {
    this(System.out);
  }

  ProcessOutputOnFailure(PrintStream out) {
    this.out = out;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    TelosProcess.startedSinceReset();
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    List<TelosProcess.Tail> tails = TelosProcess.startedSinceReset();
    for (TelosProcess.Tail t : tails) {
      out.println(
          "---- "
              + context.getDisplayName()
              + " failed; telos process "
              + t.pid()
              + ": "
              + t.command()
              + " (last "
              + TAIL
              + " lines of each stream)");
      out.println("---- stdout");
      t.stdout(TAIL).forEach(out::println);
      out.println("---- stderr");
      t.stderr(TAIL).forEach(out::println);
    }
  }
}
