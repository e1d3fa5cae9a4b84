package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a directory: which files count, how results are ordered, what is a duplicate. */
class ManifestTreeTest {
  @TempDir Path dir;

  static String service(String name) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: "
        + name
        + "}\nspec:\n"
        + "  command: run\n";
  }

  @Test
  void aTreeLoadsItsManifestsSortedSkippingHiddenDirectoriesAndOtherFiles() throws Exception {
    Path apps = Files.createDirectories(dir.resolve("repo/apps"));
    Files.writeString(apps.resolve("b.yaml"), service("zeta"));
    Files.writeString(apps.resolve("a.yml"), service("alpha"));
    Files.writeString(apps.resolve("notes.txt"), "kind: [");
    Files.createDirectories(apps.resolve(".hidden"));
    Files.writeString(apps.resolve(".hidden/x.yaml"), "kind: [");
    Files.createDirectories(apps.resolve("sub"));
    Files.writeString(apps.resolve("sub/c.yaml"), service("mid") + "---\n" + service("alpha"));
    Files.writeString(apps.resolve("sub/d.yaml"), "kind: [");

    ManifestLoader.LoadResult r = new ManifestLoader().loadTree(apps, dir.resolve("repo"));
    assertThat(r.apps())
        .extracting(App::key)
        .containsExactly("default/alpha", "default/mid", "default/zeta");
    assertThat(r.apps().get(0).source().file()).isEqualTo("apps/a.yml");
    assertThat(r.errors())
        .extracting(ManifestError::toString)
        .containsExactly(
            "apps/sub/c.yaml:7:1: default/alpha is defined twice: here and at apps/a.yml:1:1",
            "apps/sub/d.yaml:1:8: YAML syntax error: while parsing a flow node: expected the node"
                + " content, but found '<stream end>'");
  }

  @Test
  void combiningOrdersFilesByPathWhateverTheOrderGiven() {
    ManifestLoader loader = new ManifestLoader();
    ManifestLoader.FileResult b = loader.parseFile("b.yaml", service("web").getBytes());
    ManifestLoader.FileResult a = loader.parseFile("a.yaml", service("web").getBytes());
    ManifestLoader.LoadResult r = ManifestLoader.combine(List.of(b, a));
    // the first by path is the definition; the later one is the duplicate
    assertThat(r.apps())
        .singleElement()
        .satisfies(x -> assertThat(x.source().file()).isEqualTo("a.yaml"));
    assertThat(r.errors()).extracting(ManifestError::file).containsExactly("b.yaml");
  }

  @Test
  void anOversizedFileIsOneErrorAtItsStart() {
    ManifestLoader loader = new ManifestLoader(new YamlLimits(10, 1, 1, 1));
    assertThat(loader.maxFileBytes()).isEqualTo(10);
    assertThat(loader.oversized("big.yaml", 11).errors())
        .extracting(ManifestError::toString)
        .containsExactly("big.yaml:1:1: file is 11 bytes; manifests are limited to 10 bytes");
  }

  @Test
  void emptyDocumentsAreSkipped() {
    ManifestLoader.FileResult r =
        new ManifestLoader().parseFile("a.yaml", ("---\n" + service("web") + "---\n").getBytes());
    assertThat(r.errors()).isEmpty();
    assertThat(r.apps()).hasSize(1);
    ManifestLoader.FileResult blank = new ManifestLoader().parseFile("b.yaml", "''\n".getBytes());
    assertThat(blank.errors()).isEmpty();
    assertThat(blank.apps()).isEmpty();
  }
}
