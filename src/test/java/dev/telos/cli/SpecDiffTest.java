package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.manifest.App;
import dev.telos.manifest.ManifestLoader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SpecDiffTest {
  final ManifestLoader loader = new ManifestLoader();

  static final String BASE =
      """
      apiVersion: telos.dev/v1
      kind: Service
      metadata: {name: web}
      spec:
        instances: 2
        command: run
        env: {A: "1", B: "2", X_Y: "3"}
        resources: {cpus: 0.5, mem: 64}
        ports: [{name: http}]
        healthCheck: {type: HTTP, port: http, path: /health}
        killGracePeriod: 30s
      """;

  App app(String yaml) {
    ManifestLoader.FileResult r = loader.parseFile("a.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    assertThat(r.errors()).isEmpty();
    return r.apps().get(0);
  }

  @Test
  void changedAddedAndRemovedFieldsAreYamlPathsWithOldAndNewValues() {
    String changed =
        BASE.replace("cpus: 0.5", "cpus: 0.25")
            .replace("A: \"1\", B: \"2\"", "A: \"1\", C: \"true\"")
            .replace("X_Y: \"3\"", "X_Y: \"4\"")
            .replace("path: /health", "path: /ready")
            .replace("killGracePeriod: 30s", "killGracePeriod: 1m");
    assertThat(SpecDiff.changes("spec", app(BASE).task(), app(changed).task()))
        .containsExactly(
            "spec.env.B: '2' → (none)",
            "spec.env.C: (none) → 'true'",
            "spec.env.X_Y: '3' → '4'",
            "spec.healthCheck.path: /health → /ready",
            "spec.killGracePeriod: 30s → 1m",
            "spec.resources.cpus: 0.5 → 0.25");
  }

  @Test
  void theSameSpecHasNoChangesAndValuesAreQuotedOnlyWhereYamlWouldMisreadThem() {
    assertThat(SpecDiff.changes("spec", app(BASE).task(), app(BASE).task())).isEmpty();
    String spaced = BASE.replace("command: run", "command: ' run it '");
    assertThat(SpecDiff.changes("spec.job", app(BASE).task(), app(spaced).task()))
        .containsExactly("spec.job.command: run → ' run it '");
  }

  @Test
  void listsAreIndexedAndNumbersAndEnumsReadAsInTheManifest() {
    String base =
        BASE.replace(
            "killGracePeriod: 30s",
            "killGracePeriod: 30s\n  constraints: [{field: zone, operator: LIKE, value: a}]\n"
                + "  executor: telos\n"
                + "  fetch: [{uri: 'https://x/tool', sha256: '"
                + "a".repeat(64)
                + "', executable: false}]");
    String changed =
        base.replace("value: a}", "value: b}")
            .replace("mem: 64", "mem: 128")
            .replace("type: HTTP, port: http, path: /health", "type: TCP, port: http")
            .replace("executable: false", "executable: true");
    assertThat(SpecDiff.changes("spec", app(base).task(), app(changed).task()))
        .containsExactly(
            "spec.constraints[0].value: a → b",
            "spec.fetch[0].executable: false → true",
            "spec.healthCheck.path: /health → (none)",
            "spec.healthCheck.type: HTTP → TCP",
            "spec.resources.mem: 64 → 128");
  }

  @Test
  void theTelosExecutorsOptionsAndAHealthChecksPortAreNamedAsTheManifestNamesThem() {
    String two = BASE.replace("ports: [{name: http}]", "ports: [{name: http}, {name: admin}]");
    String telos =
        two.replace("port: http", "port: admin")
            .replace(
                "killGracePeriod: 30s",
                "killGracePeriod: 30s\n  executor: telos\n  logs: {keep: 2}");
    assertThat(SpecDiff.changes("spec", app(two).task(), app(telos).task()))
        .contains(
            "spec.executor: (none) → telos",
            "spec.logs.keep: (none) → 2",
            "spec.healthCheck.port: http → admin")
        .noneMatch(c -> c.startsWith("spec.executor."));
  }

  @Test
  void aReleasesValueChangesShowBeforeTheSpecFieldsOfEachOfItsApps() {
    String release =
        "apiVersion: telos.dev/v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\n"
            + "  labels: {telos.dev/release: web}\nspec:\n  command: %s\n  instances: 2\n";
    App before = app(release.formatted("run 1"));
    App after = app(release.formatted("run 2"));
    dev.telos.git.CommitInfo c =
        new dev.telos.git.CommitInfo("a", "x", java.time.Instant.EPOCH, "m");
    dev.telos.git.Snapshot current =
        new dev.telos.git.Snapshot(
            c,
            java.util.List.of(before),
            java.util.Map.of(
                "shop/web",
                java.util.Map.of("version", 1L, "env", java.util.Map.of("A", "x", "B", "y"))));
    dev.telos.git.Snapshot next =
        new dev.telos.git.Snapshot(
            c,
            java.util.List.of(after),
            java.util.Map.of(
                "shop/web", java.util.Map.of("version", 2L, "env", java.util.Map.of("A", "x"))));
    java.util.List<PlanCommand.Change> changes =
        PlanCommand.changes(
            next,
            current,
            java.util.List.of(),
            new dev.telos.reconcile.Plan(
                java.util.List.of(),
                java.util.List.of(),
                java.util.List.of(),
                java.util.List.of(),
                java.util.Map.of(),
                java.util.List.of(),
                null,
                null,
                java.util.List.of()),
            java.time.Instant.EPOCH);
    assertThat(changes)
        .singleElement()
        .satisfies(
            ch ->
                assertThat(ch.fields())
                    .containsExactly(
                        "values.env.B: y → (none)",
                        "values.version: 1 → 2",
                        "spec.command: run 1 → run 2"));
  }
}
