package dev.telos.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.telos.manifest.ManifestLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checked-out directory as telos validate reads it: manifests, chart files, limits. */
class DirectoryFilesTest {
  @TempDir Path root;

  static final String WEB =
      "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web}\nspec:\n"
          + "  command: run\n  resources: {cpus: 0.1, mem: 10}\n";

  void write(String path, String content) throws IOException {
    Path p = root.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  @Test
  void filesAreTheSourceFilesBelowADirectorySortedAndParsedWithThePrefix() throws Exception {
    write("apps/b.yaml", WEB.replace("web", "b"));
    write("apps/a/a.yml", WEB.replace("web", "a"));
    write("apps/.hidden/h.yaml", WEB);
    write("apps/notes.txt", "not yaml");
    write("apps/dir.yaml/c.yaml", WEB.replace("web", "c"));
    write("other/o.yaml", WEB);
    DirectoryFiles files = new DirectoryFiles(root, new ManifestLoader(), "repo/");
    assertThat(files.files("apps"))
        .extracting(Assembler.TreeFile::path)
        .containsExactly("apps/a/a.yml", "apps/b.yaml", "apps/dir.yaml/c.yaml");
    assertThat(files.files("apps").get(1).parsed().apps())
        .singleElement()
        .satisfies(a -> assertThat(a.metadata().name()).isEqualTo("b"));
    assertThat(files.files("apps").get(1).parsed().path()).isEqualTo("repo/apps/b.yaml");
    assertThat(files.files("missing")).isEmpty();
    assertThat(files.files("")).hasSize(4);
  }

  @Test
  void aFileOverTheLimitIsAnErrorNamedByItsPathAndOneAtTheLimitIsRead() throws Exception {
    write("a.yaml", WEB);
    long size = WEB.getBytes(StandardCharsets.UTF_8).length;
    assertThat(new DirectoryFiles(root, size).files("").get(0).parsed().errors()).isEmpty();
    assertThat(new DirectoryFiles(root, size - 1).files("").get(0).parsed().errors())
        .singleElement()
        .asString()
        .startsWith("a.yaml:");
    assertThatThrownBy(() -> new DirectoryFiles(root, size - 1).read("a.yaml"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("is over " + (size - 1) + " bytes");
  }

  @Test
  void readUnderAndFileGiveContentOrNothingAndNeverLeaveTheRoot() throws Exception {
    write("charts/web/Chart.yaml", "name: web\n");
    write("charts/web/templates/t.yaml", "x\n");
    DirectoryFiles files = new DirectoryFiles(root, 1 << 20);
    assertThat(new String(files.read("charts/web/Chart.yaml"), StandardCharsets.UTF_8))
        .isEqualTo("name: web\n");
    assertThat(files.file("charts/none.yaml")).isNull();
    assertThat(files.file("charts/web")).isNull();
    assertThat(files.under("charts/web")).containsOnlyKeys("Chart.yaml", "templates/t.yaml");
    assertThat(files.under("charts/none")).isEmpty();
    assertThatThrownBy(() -> files.under("../x"))
        .isInstanceOf(IOException.class)
        .hasMessage("../x is outside the repository");
    assertThat(files.commit()).isNull();
    assertThat(RepoFiles.NONE.commit()).isNull();
  }
}
