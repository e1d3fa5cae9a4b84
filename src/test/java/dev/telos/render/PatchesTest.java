package dev.telos.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.telos.manifest.Location;
import dev.telos.manifest.PlainYaml;
import dev.telos.manifest.YamlLimits;
import dev.telos.manifest.YamlNode;
import dev.telos.manifest.YamlReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PatchesTest {
  private static YamlNode yaml(String file, String text) {
    YamlReader.Result r =
        new YamlReader(YamlLimits.DEFAULT).read(file, text.getBytes(StandardCharsets.UTF_8));
    assertThat(r.error()).isNull();
    return r.documents().get(0);
  }

  private static Object plain(YamlNode node) {
    return PlainYaml.plain(node, "", new HashMap<>());
  }

  private static final String DOC = "a: 1\nb: {c: 2, d: [x, y]}\n";

  @Test
  void mergePatchMergesMapsRemovesNullsAndReplacesTheRest() {
    YamlNode out =
        Patches.merge(yaml("base.yaml", DOC), yaml("p.yaml", "a: null\nb: {c: 3, d: [z]}\ne: 4\n"));
    assertThat(plain(out)).isEqualTo(Map.of("b", Map.of("c", 3L, "d", List.of("z")), "e", 4L));
    assertThat(out.size()).isEqualTo(1 + 1 + 1 + 2 + 1);
  }

  @Test
  void mergePatchKeepsBaseLocationsForUntouchedValuesAndThePatchsForNewOnes() {
    YamlNode.MapNode out =
        (YamlNode.MapNode) Patches.merge(yaml("base.yaml", DOC), yaml("p.yaml", "b:\n  c: 3\n"));
    assertThat(out.entries().get("a").value().location())
        .isEqualTo(new Location("base.yaml", 1, 4));
    YamlNode.MapNode b = (YamlNode.MapNode) out.entries().get("b").value();
    assertThat(b.entries().get("c").value().location()).isEqualTo(new Location("p.yaml", 2, 6));
    assertThat(b.entries().get("d").value().location().file()).isEqualTo("base.yaml");
  }

  @Test
  void mergePatchOverAScalarStartsFromAnEmptyMapAndDropsNestedNulls() {
    YamlNode out = Patches.merge(yaml("b.yaml", "a: 1\n"), yaml("p.yaml", "a: {x: 1, y: null}\n"));
    assertThat(plain(out)).isEqualTo(Map.of("a", Map.of("x", 1L)));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "[{op: add, path: /e, value: 5}]|{a=1, b={c=2, d=[x, y]}, e=5}",
        "[{op: add, path: /b/d/1, value: q}]|{a=1, b={c=2, d=[x, q, y]}}",
        "[{op: add, path: /b/d/-, value: q}]|{a=1, b={c=2, d=[x, y, q]}}",
        "[{op: add, path: /b/d/2, value: q}]|{a=1, b={c=2, d=[x, y, q]}}",
        "[{op: add, path: /a, value: 9}]|{a=9, b={c=2, d=[x, y]}}",
        "[{op: remove, path: /b/c}]|{a=1, b={d=[x, y]}}",
        "[{op: remove, path: /b/d/0}]|{a=1, b={c=2, d=[y]}}",
        "[{op: replace, path: /a, value: [1]}]|{a=[1], b={c=2, d=[x, y]}}",
        "[{op: move, from: /b/c, path: /c}]|{a=1, b={d=[x, y]}, c=2}",
        "[{op: copy, from: /b/d, path: /d}]|{a=1, b={c=2, d=[x, y]}, d=[x, y]}",
        "[{op: test, path: /b/c, value: 2}, {op: remove, path: /a}]|{b={c=2, d=[x, y]}}",
        "[{op: add, path: /b~1x, value: 1}]|{a=1, b={c=2, d=[x, y]}, b/x=1}",
        "[{op: replace, path: '', value: {z: 1}}]|{z=1}",
        "[{op: add, path: /b/d/0, value: q}]|{a=1, b={c=2, d=[q, x, y]}}",
        "[{op: add, path: '', value: {z: 1}}]|{z=1}",
        "[{op: replace, path: /b/d/1, value: q}]|{a=1, b={c=2, d=[x, q]}}",
      })
  void jsonPatchAppliesEachOperationInOrder(String ops, String expected) throws Exception {
    assertThat(plain(Patches.json(yaml("base.yaml", DOC), yaml("p.yaml", ops))).toString())
        .isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "[{op: remove, path: /x}]|/x does not exist",
        "[{op: replace, path: /b/x/y, value: 1}]|/b/x does not exist",
        "[{op: add, path: /b/d/3, value: 1}]|/b/d/3: index out of range (the sequence has 2)",
        "[{op: add, path: /a/x, value: 1}]|/a must be a mapping or sequence to add to, got integer",
        "[{op: test, path: /a, value: 2}]|test failed: /a is not the given value",
        "[{op: move, from: /b, path: /b/c}]|cannot move a value into itself",
        "[{op: delete, path: /a}]|op must be add, remove, replace, move, copy or test, got 'delete'",
        "[{op: add, path: a, value: 1}]|path 'a' must be empty or start with '/'",
        "[{op: add, path: /a}]|a JSON patch operation needs 'value'",
        "[{path: /a}]|a JSON patch operation needs 'op'",
        "[{op: add, path: /a, value: 1, to: 2}]|unknown field 'to' in a JSON patch",
        "[{op: remove, path: ''}]|cannot remove the whole document",
        "[{op: remove, path: /b/d/01}]|/b/d/01 does not exist",
        "[a]|a JSON patch operation must be a mapping, got string",
        "{op: add}|a JSON patch must be a sequence of operations, got mapping",
      })
  void jsonPatchErrorsSayWhyAndPointAtTheOperation(String ops, String message) {
    YamlNode patch = yaml("p.yaml", ops);
    assertThatThrownBy(() -> Patches.json(yaml("base.yaml", DOC), patch))
        .isInstanceOf(Patches.PatchException.class)
        .hasMessage(message)
        .satisfies(e -> assertThat(((Patches.PatchException) e).at.file()).isEqualTo("p.yaml"));
  }

  @Test
  void aFailedOperationLeavesTheInputUnchanged() {
    YamlNode base = yaml("base.yaml", DOC);
    Object before = plain(base);
    assertThatThrownBy(
            () ->
                Patches.json(
                    base, yaml("p.yaml", "[{op: remove, path: /a}, {op: remove, path: /a}]")))
        .hasMessage("/a does not exist");
    assertThat(plain(base)).isEqualTo(before);
  }

  @Test
  void sizesAreRecountedSoLimitsStillHold() throws Exception {
    YamlNode out =
        Patches.json(yaml("b.yaml", DOC), yaml("p.yaml", "[{op: copy, from: /b, path: /c}]"));
    assertThat(out.size()).isEqualTo(yaml("b.yaml", DOC).size() + 5);
  }

  @Test
  void movingAValueOntoItselfChangesNothingAndListSizesAreRecountedToo() throws Exception {
    YamlNode base = yaml("b.yaml", DOC);
    assertThat(plain(Patches.json(base, yaml("p.yaml", "[{op: move, from: /b, path: /b}]"))))
        .isEqualTo(plain(base));
    YamlNode grown = Patches.json(base, yaml("p.yaml", "[{op: add, path: /b/d/-, value: [1, 2]}]"));
    assertThat(grown.size()).isEqualTo(base.size() + 3);
    YamlNode shrunk = Patches.json(base, yaml("p.yaml", "[{op: remove, path: /b/d/1}]"));
    assertThat(shrunk.size()).isEqualTo(base.size() - 1);
  }

  @Test
  void aReplaceInsideASequencesItemKeepsTheOtherItems() throws Exception {
    YamlNode out =
        Patches.json(
            yaml("b.yaml", "l: [{k: 1}, {k: 2}]\n"),
            yaml("p.yaml", "[{op: replace, path: /l/1/k, value: 9}]"));
    assertThat(plain(out).toString()).isEqualTo("{l=[{k=1}, {k=9}]}");
  }
}
