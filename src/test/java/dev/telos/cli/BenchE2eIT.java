package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.testing.TelosProcess;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code telos bench e2e} runs the whole path and prints its figures (never judged here). */
class BenchE2eIT {
  @TempDir Path dir;

  @Test
  void printsTheEndToEndFigureBesideItsFloor() throws Exception {
    try (TelosProcess bench =
        TelosProcess.start(dir, "bench", "e2e", "--rounds", "2", "--scale-out", "20:4")) {
      assertThat(bench.awaitExit(Duration.ofSeconds(120))).as(bench.stderr()).isZero();
      String out = String.join("\n", bench.stdout());
      assertThat(out)
          .containsPattern(
              "sync request after a commit -> RUNNING \\(2 rounds, one process agent\\): p50"
                  + " [0-9.]+ ms")
          .containsPattern(
              "stages, p50: fetch and snapshot [0-9.]+ ms; plan, offers and ACCEPT [0-9.]+ ms"
                  + " \\(the offers [0-9.]+ ms (before the snapshot|after it)\\); agent, process,"
                  + " TASK_RUNNING and view [0-9.]+ ms")
          .containsPattern("floor \\(fetch one commit \\+ run a trivial process\\), same run: p50")
          .containsPattern("ratio p50: [0-9.]+")
          .containsPattern(
              "scale-out stages: fetch and snapshot [0-9]+ ms; the first offers ([0-9.]+ ms"
                  + " (before the snapshot|after it)|n/a); the first ACCEPT ([0-9]+|n/a) ms after"
                  + " them; the last RUNNING in the view ([0-9]+|n/a) ms")
          .containsPattern(
              "1 -> 20 instances RUNNING, 4 simulated agents \\(sync request to the last in the"
                  + " view\\): [0-9.]+ s; floor \\(a bare scheduler launching 20 tasks on the same"
                  + " cluster, first offer to last TASK_RUNNING\\): [0-9.]+ s; ratio [0-9.]+")
          .contains("machine: ");
    }
  }
}
