package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.testing.HostileYaml;
import dev.telos.testing.TelosProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code telos validate} as a pull request's CI runs it: the packaged jar, exit codes, output. */
class ValidateCommandIT {
  @TempDir Path dir;

  @Test
  void theExampleManifestsAreValid() throws Exception {
    try (TelosProcess telos = TelosProcess.start(dir, "validate", "manifests")) {
      assertThat(telos.awaitExit(Duration.ofSeconds(60))).isZero();
      assertThat(telos.stdout()).containsExactly("valid: 6 app(s) in 6 file(s)");
    }
  }

  @Test
  void errorsArePrintedAsFileLineColumnAndExitOne() throws Exception {
    Path apps = Files.createDirectories(dir.resolve("apps"));
    Files.writeString(
        apps.resolve("web.yaml"),
        """
        apiVersion: telos.dev/v1
        kind: Service
        metadata: {name: web}
        spec:
          command: run
          instanes: 2
        """);
    Files.writeString(
        apps.resolve("dup.yml"),
        """
        apiVersion: telos.dev/v1
        kind: Job
        metadata: {name: web}
        spec: {command: run}
        """);
    Files.writeString(apps.resolve("notes.txt"), "not a manifest: [");
    try (TelosProcess telos = TelosProcess.start(dir, "validate", apps.toString())) {
      assertThat(telos.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
      assertThat(telos.stdout())
          .containsExactly(
              apps.resolve("web.yaml")
                  + ":6:3: unknown field 'instanes' in spec (did you mean 'instances'?)");
    }
  }

  @Test
  void aBillionLaughsFileIsRefusedWithATinyHeap() throws Exception {
    Path lol = Files.writeString(dir.resolve("lol.yaml"), HostileYaml.billionLaughs());
    try (TelosProcess telos =
        TelosProcess.start(dir, List.of("-Xmx16m"), "validate", lol.toString())) {
      assertThat(telos.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
      assertThat(telos.stdout())
          .singleElement()
          .asString()
          .startsWith(lol + ":5:4: YAML expands to more than 100000 nodes");
    }
  }
}
