package dev.telos.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed test prints what its processes wrote; a passing one prints nothing. */
class ProcessOutputOnFailureTest {
  @TempDir Path dir;

  TelosProcess script(String sh) throws Exception {
    TelosProcess p = TelosProcess.run(dir, List.of("sh", "-c", sh), Map.of(), "script " + sh);
    p.awaitExit(Duration.ofSeconds(30));
    p.close();
    return p;
  }

  @Test
  void aFailurePrintsTheTailOfEachStreamOfEveryProcessItStarted() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProcessOutputOnFailure report =
        new ProcessOutputOnFailure(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    report.beforeEach(null);
    TelosProcess p =
        script("i=0; while [ $i -lt 250 ]; do echo out$i; i=$((i+1)); done; echo err >&2");
    report.testFailed(NoLeakedProcessesTest.context("getDisplayName", "t()"), new AssertionError());
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertThat(printed)
        .contains("t() failed; telos process " + p.pid() + ": script ")
        .contains("out249\n")
        .contains("out50\n")
        .doesNotContain("out49\n")
        .contains("---- stderr\nerr\n");
  }

  @Test
  void aPassingTestPrintsNothingAndTheNextFailureOnlyItsOwn() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProcessOutputOnFailure report =
        new ProcessOutputOnFailure(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    report.beforeEach(null);
    script("echo first");
    report.testSuccessful(null);
    report.beforeEach(null);
    script("echo second");
    report.testFailed(NoLeakedProcessesTest.context("getDisplayName", "u()"), new AssertionError());
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("second").doesNotContain("first");
  }
}
