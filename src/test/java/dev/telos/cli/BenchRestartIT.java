package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.testing.TelosProcess;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code telos bench restart} kills a real controller process with -9 and starts it again, checks
 * that no task was relaunched, and prints the figures (never judged here).
 */
class BenchRestartIT {
  @TempDir Path dir;

  @Test
  void restartsAControllerWithAndWithoutAClassDataSharingArchiveAndRelaunchesNothing()
      throws Exception {
    try (TelosProcess bench =
        TelosProcess.start(
            dir,
            "bench",
            "restart",
            "--apps",
            "3",
            "--instances",
            "2",
            "--rounds",
            "1",
            "--cds",
            "--idle",
            "2s",
            "--agents",
            "2",
            "--controller-heap",
            "256m")) {
      assertThat(bench.awaitExit(Duration.ofSeconds(300))).as(bench.stderr()).isZero();
      String out = String.join("\n", bench.stdout());
      assertThat(out)
          .containsPattern("first start \\(cold\\): API after [0-9]+ ms, Synced with 6 tasks")
          .containsPattern("quiet [0-9.]+ s after Synced")
          .containsPattern(
              "idle [0-9]+ s after it: controller CPU [0-9.]+ % of a core; [0-9]+ loop passes,"
                  + " mean [0-9.]+ ms; [0-9]+ offers, [0-9]+ updates; the longest pass in the last"
                  + " minutes: full [0-9.]+ ms, incremental [0-9.]+ ms")
          // A commit of no manifest plans no app again: no full pass.
          .containsPattern(
              "a commit that changes no manifest: Synced after [0-9]+ ms;"
                  + " (no loop pass|[0-9]+ incremental passes, mean [0-9.]+ ms)\n")
          .containsPattern(
              "suspend and resume \\(every app planned, nothing to do\\): [0-9]+ full passes,"
                  + " mean [0-9.]+ ms")
          .containsPattern(
              "restart after kill -9 \\(1 rounds, nothing relaunched\\): API answering p50 [0-9]+"
                  + " ms; Synced p50 [0-9]+ ms")
          .containsPattern("restart after kill -9, with a CDS archive \\([0-9]+ MiB\\) \\(1 rounds")
          .contains("apps 3, tasks 6 on 2 simulated agents");
    }
  }
}
