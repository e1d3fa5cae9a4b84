package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The reader's limits at their edges, on both sides, and which check fires. */
class YamlReaderTest {
  static YamlReader.Result read(YamlLimits limits, String yaml) {
    return new YamlReader(limits).read("a.yaml", yaml.getBytes(StandardCharsets.UTF_8));
  }

  static String error(YamlReader.Result r) {
    return r.error() == null ? null : r.error().toString();
  }

  /** {@code depth} nested flow sequences around a scalar: [[[1]]] is depth 4. */
  static String nested(int depth) {
    return "[".repeat(depth - 1) + "1" + "]".repeat(depth - 1) + "\n";
  }

  @Test
  void nestingUpToTheLimitIsReadAndOneLevelMoreIsRefusedByTelossOwnCheck() {
    YamlLimits limits = new YamlLimits(1 << 20, 10, 5, 1000);
    assertThat(error(read(limits, nested(5)))).isNull();
    assertThat(error(read(limits, nested(6))))
        .isEqualTo("a.yaml:1:6: YAML nesting deeper than 5 levels");
  }

  @Test
  void nestedMappingsCountTheirDepthToo() {
    // the document, two mappings in it and the scalar: depth 4
    YamlLimits limits = new YamlLimits(1 << 20, 10, 4, 1000);
    assertThat(error(read(limits, "a: {b: {c: 1}}\n"))).isNull();
    assertThat(error(read(limits, "a: {b: {c: {d: 1}}}\n")))
        .isEqualTo("a.yaml:1:16: YAML nesting deeper than 4 levels");
  }

  @Test
  void aFileOfExactlyTheLimitIsReadAndOneByteMoreIsNot() {
    String doc = "a: " + "x".repeat(96) + "\n"; // 100 bytes
    assertThat(doc).hasSize(100);
    assertThat(error(read(new YamlLimits(100, 10, 5, 1000), doc))).isNull();
    assertThat(error(read(new YamlLimits(99, 10, 5, 1000), doc)))
        .isEqualTo("a.yaml:1:1: file is 100 bytes; manifests are limited to 99 bytes");
  }

  @Test
  void nodesUpToTheBudgetAreReadAndOneMoreIsRefused() {
    String doc = "{a: 1, b: 2}\n"; // the mapping and its two values: 3 nodes
    assertThat(error(read(new YamlLimits(1 << 20, 10, 5, 3), doc))).isNull();
    assertThat(error(read(new YamlLimits(1 << 20, 10, 5, 2), doc)))
        .contains("YAML expands to more than 2 nodes");
  }

  @Test
  void hundredsOfAliasesToSmallCollectionsAreFine() {
    // SnakeYAML's default refuses more than 50 aliases to collections; the node budget is the
    // limit that matters, so Telos raises it to 1000.
    StringBuilder doc = new StringBuilder("base: &b {x: 1}\nitems:\n");
    for (int i = 0; i < 200; i++) {
      doc.append("  - *b\n");
    }
    YamlReader.Result r = read(YamlLimits.DEFAULT, doc.toString());
    assertThat(error(r)).isNull();
    assertThat(r.documents()).hasSize(1);
  }

  @Test
  void anAnchorBelongsToItsOwnDocument() {
    YamlReader.Result r = read(YamlLimits.DEFAULT, "a: &x {k: 1}\n---\nb: *x\n");
    assertThat(error(r)).contains("*x");
  }

  @Test
  void aDuplicateKeyIsNamedWithItsPosition() {
    assertThat(error(read(YamlLimits.DEFAULT, "a: 1\nb: 2\na: 3\n")))
        .isEqualTo("a.yaml:3:2: YAML syntax error: Duplicate field 'a'");
  }
}
