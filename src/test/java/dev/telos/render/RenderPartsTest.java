package dev.telos.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.telos.manifest.Location;
import dev.telos.manifest.ManifestError;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of rendering one at a time: files on disk, schemas, merging values. */
class RenderPartsTest {
  @TempDir Path dir;

  @Test
  void directoryFilesReadsUnderItsRootOnlyAndWithinTheSizeLimit() throws Exception {
    Files.createDirectories(dir.resolve("charts/web/templates"));
    Files.writeString(dir.resolve("charts/web/Chart.yaml"), "name: web\n");
    Files.writeString(dir.resolve("charts/web/templates/a.yaml"), "x");
    Files.writeString(dir.resolve("values.yaml"), "0123456789");
    DirectoryFiles files = new DirectoryFiles(dir, 10);
    assertThat(files.under("charts/web").keySet())
        .containsExactlyInAnyOrder("Chart.yaml", "templates/a.yaml");
    assertThat(files.under("charts/none")).isEmpty();
    assertThat(files.under("values.yaml")).as("a file is no directory").isEmpty();
    assertThat(new String(files.file("values.yaml"), StandardCharsets.UTF_8))
        .isEqualTo("0123456789");
    assertThat(files.file("charts/web")).as("a directory is no file").isNull();
    assertThat(files.file("missing.yaml")).isNull();
    assertThatThrownBy(() -> files.file("../outside.yaml"))
        .hasMessageContaining("outside the repository");
    assertThatThrownBy(() -> files.under("../")).hasMessageContaining("outside the repository");
    Files.writeString(dir.resolve("big.yaml"), "01234567890");
    assertThatThrownBy(() -> files.file("big.yaml")).hasMessageContaining("over 10 bytes");
  }

  static Chart chart(String schema) {
    return new Chart("charts/c", "c", "1", "", Map.of(), Map.of(), schema, Map.of("a.yaml", ""));
  }

  @Test
  void schemasAreCheckedOnlyWhenGivenAndOnlyWithReferencesInsideThemselves() {
    Map<String, Location> at = Map.of("/n", new Location("v.yaml", 3, 4));
    assertThat(ValuesSchema.check(chart(null), Map.of("n", 1), at)).isEmpty();
    String schema = "{\"properties\": {\"n\": {\"type\": \"string\"}}}";
    assertThat(ValuesSchema.check(chart(schema), Map.of("n", "x"), at)).isEmpty();
    List<ManifestError> wrong = ValuesSchema.check(chart(schema), Map.of("n", 1), at);
    assertThat(wrong)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.location()).isEqualTo(new Location("v.yaml", 3, 4));
              assertThat(e.message()).startsWith("values.n: ");
            });
    // a value written nowhere is reported at the schema
    assertThat(ValuesSchema.check(chart(schema), Map.of("n", 1), Map.of()))
        .singleElement()
        .satisfies(e -> assertThat(e.file()).isEqualTo("charts/c/values.schema.json"));
    assertThat(ValuesSchema.check(chart("{\n  \"type\": \n}"), Map.of(), at))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.toString()).startsWith("charts/c/values.schema.json:3:");
              assertThat(e.message()).startsWith("values.schema.json is not JSON: ");
            });
    for (String remote :
        List.of(
            "{\"$ref\": \"http://x/s.json\"}",
            "{\"properties\": {\"a\": {\"$ref\": \"file:///etc/passwd\"}}}",
            "{\"allOf\": [{\"type\": \"object\"}, {\"$ref\": \"other.json\"}]}")) {
      assertThat(ValuesSchema.check(chart(remote), Map.of(), at))
          .as(remote)
          .singleElement()
          .satisfies(e -> assertThat(e.message()).contains("only use references inside itself"));
    }
    String local =
        "{\"$defs\": {\"s\": {\"type\": \"string\"}}, \"properties\": {\"n\": {\"$ref\":"
            + " \"#/$defs/s\"}, \"list\": {\"prefixItems\": [{\"type\": \"string\"}]}}}";
    assertThat(ValuesSchema.check(chart(local), Map.of("n", "x"), at)).isEmpty();
    assertThat(ValuesSchema.check(chart("{\"items\": [1]}"), Map.of(), at))
        .singleElement()
        .satisfies(
            e -> assertThat(e.message()).startsWith("values.schema.json is not a JSON Schema"));
    // several errors come out sorted by where they were written
    String two = "{\"properties\": {\"a\": {\"type\": \"string\"}, \"b\": {\"type\": \"string\"}}}";
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("a", 1);
    values.put("b", 2);
    assertThat(
            ValuesSchema.check(
                chart(two),
                values,
                Map.of("/a", new Location("v.yaml", 9, 1), "/b", new Location("v.yaml", 2, 1))))
        .extracting(ManifestError::line)
        .containsExactly(2, 9);
  }

  @Test
  void mergingReplacesAllButMapsAndTracksWhereEachValueWasWritten() {
    Map<String, Object> into = new LinkedHashMap<>();
    Map<String, Location> at = new HashMap<>();
    Location d = new Location("values.yaml", 1, 1);
    Releases.merge(
        into,
        Map.of("res", Map.of("cpus", 1, "mem", 2), "list", List.of(1, 2), "s", "x"),
        "",
        Map.of("/res/cpus", d, "/res/mem", d, "/list", d, "/list/0", d, "/s", d),
        at);
    Location inline = new Location("r.yaml", 7, 5);
    Releases.merge(
        into,
        Map.of("res", Map.of("mem", 9), "list", List.of(3)),
        "",
        Map.of("/res/mem", inline, "/list", inline, "/list/0", inline),
        at);
    assertThat(into)
        .containsEntry("res", Map.of("cpus", 1, "mem", 9))
        .containsEntry("list", List.of(3));
    assertThat(at)
        .containsEntry("/res/cpus", d)
        .containsEntry("/res/mem", inline)
        .containsEntry("/list", inline)
        .containsEntry("/list/0", inline)
        .containsEntry("/s", d);
    // a replaced list's longer past is forgotten
    Releases.merge(into, Map.of("s", Map.of("k", 1)), "", Map.of("/s", inline), at);
    assertThat(at.get("/s")).isEqualTo(inline);
    assertThat(at).doesNotContainKey("/s/k");
  }
}
