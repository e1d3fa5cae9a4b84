package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.testing.HostileYaml;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Hostile input is refused with a clear error, without reading it in full. */
class YamlLimitsTest {
  final ManifestLoader loader = new ManifestLoader();

  @Test
  void aBillionLaughsFileFailsAtTheFirstLevelOverTheLimit() {
    ManifestLoader.FileResult r =
        loader.parseFile("lol.yaml", HostileYaml.billionLaughs().getBytes(StandardCharsets.UTF_8));
    assertThat(r.apps()).isEmpty();
    assertThat(r.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.message()).contains("expands to more than 100000 nodes");
              assertThat(e.line()).isEqualTo(5);
            });
  }

  @Test
  void aliasesWithinTheBudgetWork() {
    String yaml =
        "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: a}\n"
            + "spec:\n  env: &env {A: '1', B: '2'}\n  command: x\n---\n"
            + "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: b}\n"
            + "spec:\n  command: y\n  env: {C: '3'}\n";
    ManifestLoader.FileResult r = loader.parseFile("a.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    assertThat(r.errors()).isEmpty();
    String shared = "x: &r {cpus: 0.5, mem: 10}\n";
    String doc =
        "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: c}\nspec:\n  command: z\n  resources: *r\n";
    ManifestLoader.FileResult unknownField =
        loader.parseFile(
            "b.yaml",
            (shared + doc.replace("apiVersion", "apiVersion")).getBytes(StandardCharsets.UTF_8));
    assertThat(unknownField.errors())
        .extracting(ManifestError::message)
        .contains("unknown field 'x'");
  }

  @Test
  void anUnknownAliasIsAnError() {
    ManifestLoader.FileResult r =
        loader.parseFile("a.yaml", "a: *nope\n".getBytes(StandardCharsets.UTF_8));
    assertThat(r.errors())
        .extracting(ManifestError::toString)
        .anyMatch(s -> s.startsWith("a.yaml:1:4:") && s.contains("nope"));
  }

  @Test
  void deepNestingIsRefused() {
    String deep = "a: " + "[".repeat(100) + "]".repeat(100) + "\n";
    ManifestLoader.FileResult r =
        loader.parseFile("deep.yaml", deep.getBytes(StandardCharsets.UTF_8));
    assertThat(r.errors())
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.message())
                    .containsAnyOf("nesting deeper than 32 levels", "nesting depth"));
  }

  @Test
  void aFileOverTheSizeLimitIsNotParsed() {
    ManifestLoader small = new ManifestLoader(new YamlLimits(100, 10, 10, 1000));
    ManifestLoader.FileResult r = small.parseFile("big.yaml", new byte[101]);
    assertThat(r.errors())
        .extracting(ManifestError::toString)
        .containsExactly("big.yaml:1:1: file is 101 bytes; manifests are limited to 100 bytes");
  }

  @Test
  void tooManyDocumentsAreRefused() {
    ManifestLoader few = new ManifestLoader(new YamlLimits(1 << 20, 3, 10, 1000));
    ManifestLoader.FileResult r =
        few.parseFile(
            "many.yaml",
            "a: 1\n---\nb: 1\n---\nc: 1\n---\nd: 1\n".getBytes(StandardCharsets.UTF_8));
    assertThat(r.errors())
        .extracting(ManifestError::message)
        .contains("more than 3 YAML documents in one file");
  }
}
