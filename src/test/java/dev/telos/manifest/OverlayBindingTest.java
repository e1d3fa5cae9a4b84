package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Overlay documents and chart references as the loader reads them, before any overlay applies: what
 * makes a document an overlay, and each mistake at its line.
 */
class OverlayBindingTest {
  final ManifestLoader loader = new ManifestLoader();

  ManifestLoader.FileResult parse(String file, String yaml) {
    return loader.parseFile(file, yaml.getBytes(StandardCharsets.UTF_8));
  }

  List<String> errors(String yaml) {
    return parse("o.yaml", yaml).errors().stream().map(ManifestError::toString).toList();
  }

  @Test
  void whatIsAnOverlay() {
    String spec = "spec: {namespace: prod}\n";
    assertThat(parse("telos.yaml", spec).overlays()).hasSize(1);
    assertThat(parse("env/prod/telos.yaml", spec).overlays()).hasSize(1);
    assertThat(parse("env/prod/mytelos.yaml", spec).overlays())
        .as("only a file named telos.yaml may leave out the kind")
        .isEmpty();
    assertThat(parse("x.yaml", "kind: Overlay\n" + spec).overlays()).hasSize(1);
    assertThat(parse("telos.yaml", "kind: Service\n" + spec).overlays()).isEmpty();
    assertThat(parse("telos.yaml", "- a\n").overlays()).isEmpty();
    assertThat(parse("x.yaml", "- a\n").documents())
        .as("a sequence is an app document (that is not a mapping), not an overlay")
        .hasSize(1);
    ManifestLoader.FileResult r = parse("telos.yaml", spec);
    assertThat(r.documents()).as("an overlay is no app document").isEmpty();
    assertThat(r.errors()).isEmpty();
    Overlay o = r.overlays().get(0);
    assertThat(o.source()).isEqualTo(new Location("telos.yaml", 1, 1));
    assertThat(Fields.scalarText(o.namespace())).isEqualTo("prod");
  }

  @Test
  void anOverlayIsReadWithItsBasesLabelsAndPatches() {
    Overlay o =
        parse(
                "telos.yaml",
                "apiVersion: telos.dev/v1\nkind: Overlay\nmetadata: {name: prod}\nspec:\n"
                    + "  bases: [../base, ../../shared]\n  commonLabels: {env: prod, tier: 1}\n"
                    + "  patches:\n"
                    + "    - {target: {name: web, kind: Service, namespace: shop},"
                    + " merge: {spec: {instances: 2}}}\n"
                    + "    - {target: {name: api}, json: [{op: remove, path: /spec/env}]}\n"
                    + "    - {target: {name: db}, file: patches/db.yaml}\n")
            .overlays()
            .get(0);
    assertThat(o.bases())
        .containsExactly(
            new Overlay.Base("../base", new Location("telos.yaml", 5, 11)),
            new Overlay.Base("../../shared", new Location("telos.yaml", 5, 20)));
    assertThat(o.commonLabels()).containsOnlyKeys("env", "tier");
    assertThat(o.namespace()).isNull();
    assertThat(o.patches()).hasSize(3);
    Overlay.Patch web = o.patches().get(0);
    assertThat(web.name()).isEqualTo("web");
    assertThat(web.kind()).isEqualTo("Service");
    assertThat(web.namespace()).isEqualTo("shop");
    assertThat(web.merge()).isInstanceOf(YamlNode.MapNode.class);
    assertThat(web.json()).isNull();
    assertThat(web.describe()).isEqualTo("patch of shop/web (Service)");
    assertThat(o.patches().get(1).json()).isInstanceOf(YamlNode.ListNode.class);
    assertThat(o.patches().get(1).describe()).isEqualTo("patch of api");
    assertThat(o.patches().get(2).file()).isEqualTo("patches/db.yaml");
    assertThat(o.patches().get(2).at()).isEqualTo(new Location("telos.yaml", 10, 7));
  }

  @Test
  void eachMistakeOfAnOverlayIsReported() {
    assertThat(errors("kind: Overlay\napiVersion: v2\nspec: {}\n"))
        .containsExactly("o.yaml:2:13: apiVersion must be telos.dev/v1, got 'v2'");
    assertThat(errors("kind: Overlay\n")).containsExactly("o.yaml:1:1: spec is required");
    assertThat(errors("kind: Overlay\nspec: [1]\n"))
        .containsExactly("o.yaml:2:7: spec must be a mapping, got sequence");
    assertThat(errors("kind: Overlay\nmetadata: {name: Bad}\nspec: {}\n"))
        .singleElement()
        .asString()
        .startsWith("o.yaml:2:18: metadata.name 'Bad' must be a DNS label");
    assertThat(errors("kind: Overlay\nspec: {bases: ['', /abs, ok]}\n"))
        .containsExactly(
            "o.yaml:2:16: spec.bases[] must be a directory relative to the overlay's (../base),"
                + " got ''",
            "o.yaml:2:20: spec.bases[] must be a directory relative to the overlay's (../base),"
                + " got '/abs'");
    assertThat(errors("kind: Overlay\nspec: {namespace: Prod_1}\n"))
        .singleElement()
        .asString()
        .startsWith("o.yaml:2:19: spec.namespace 'Prod_1' must be a DNS label");
    assertThat(errors("kind: Overlay\nspec: {namespace: 3}\n"))
        .containsExactly("o.yaml:2:19: spec.namespace must be a string, got integer");
    assertThat(errors("kind: Overlay\nspec: {commonLabels: {a: [1]}}\n"))
        .containsExactly("o.yaml:2:26: spec.commonLabels.a must be a string, got sequence");
    assertThat(errors("kind: Overlay\nspec:\n  patches:\n    - {merge: {}}\n    - x\n"))
        .containsExactly(
            "o.yaml:4:7: spec.patches[].target is required",
            "o.yaml:5:7: spec.patches[] must be a mapping, got string");
    assertThat(
            errors(
                "kind: Overlay\nspec:\n  patches:\n    - {target: {kind: Service}, merge: {}}\n"))
        .containsExactly("o.yaml:4:16: spec.patches[].target.name is required");
    assertThat(
            errors(
                "kind: Overlay\nspec:\n  patches:\n"
                    + "    - {target: {name: a}, merge: [1]}\n"
                    + "    - {target: {name: a}, json: {op: add}}\n"
                    + "    - {target: {name: a}}\n"
                    + "    - {target: {name: a}, merge: {}, file: x.yaml}\n"))
        .containsExactly(
            "o.yaml:4:34: spec.patches[].merge must be a mapping, got sequence",
            "o.yaml:5:33: spec.patches[].json must be a sequence, got mapping",
            "o.yaml:6:7: a patch needs exactly one of merge, json or file",
            "o.yaml:7:7: a patch needs exactly one of merge, json or file");
  }

  @Test
  void aChartOfAnotherRepositoryIsPinnedAndChecked() {
    Release r =
        parse(
                "r.yaml",
                "apiVersion: telos.dev/v1\nkind: Release\nmetadata: {name: web}\n"
                    + "spec:\n  chart: {repo: 'https://git.example.com/c.git', ref: v1.2.0,"
                    + " path: charts/web}\n")
            .releases()
            .get(0);
    assertThat(r.remote()).isEqualTo(new Release.Remote("https://git.example.com/c.git", "v1.2.0"));
    assertThat(r.chart()).isEqualTo("charts/web");
    assertThat(r.chartKey()).isEqualTo("https://git.example.com/c.git@v1.2.0//charts/web");
    Release root =
        parse(
                "r.yaml",
                "apiVersion: telos.dev/v1\nkind: Release\nmetadata: {name: web}\n"
                    + "spec: {chart: {repo: r, ref: "
                    + "a".repeat(40)
                    + "}}\n")
            .releases()
            .get(0);
    assertThat(root.chart()).as("the repository's root").isEmpty();
    assertThat(root.chartKey()).isEqualTo("r@" + "a".repeat(40) + "//");
    Release local =
        parse(
                "r.yaml",
                "apiVersion: telos.dev/v1\nkind: Release\nmetadata: {name: web}\n"
                    + "spec: {chart: charts/web}\n")
            .releases()
            .get(0);
    assertThat(local.remote()).isNull();
    assertThat(local.chartKey()).isEqualTo("charts/web");

    String head = "apiVersion: telos.dev/v1\nkind: Release\nmetadata: {name: web}\nspec:\n";
    assertThat(
            parse("r.yaml", head + "  chart: {repo: r, ref: '', path: ../x}\n").errors().stream()
                .map(ManifestError::toString))
        .containsExactly(
            "r.yaml:5:25: spec.chart.ref must be a tag or a commit SHA, got ''",
            "r.yaml:5:35: spec.chart.path must be a directory of that repository (charts/web),"
                + " got '../x'");
    assertThat(
            parse("r.yaml", head + "  chart: {ref: v1, path: /x, extra: 1}\n").errors().stream()
                .map(ManifestError::toString))
        .containsExactly(
            "r.yaml:5:30: unknown field 'extra' in spec.chart",
            "r.yaml:5:10: spec.chart.repo is required",
            "r.yaml:5:26: spec.chart.path must be a directory of that repository (charts/web),"
                + " got '/x'");
    assertThat(
            parse("r.yaml", head + "  chart: {repo: r, ref: -x}\n").errors().stream()
                .map(ManifestError::toString))
        .containsExactly("r.yaml:5:25: spec.chart.ref must be a tag or a commit SHA, got '-x'");
    assertThat(
            parse("r.yaml", head + "  chart: {repo: r, ref: a..b}\n").errors().stream()
                .map(ManifestError::toString))
        .containsExactly("r.yaml:5:25: spec.chart.ref must be a tag or a commit SHA, got 'a..b'");
    assertThat(
            parse("r.yaml", head + "  chart: ''\n").errors().stream().map(ManifestError::toString))
        .singleElement()
        .asString()
        .startsWith("r.yaml:5:10: spec.chart must be a directory of the repository");
  }

  @Test
  void documentsAreKeptForRenderAndBoundLater() {
    ManifestLoader.FileResult r =
        parse(
            "a.yaml",
            "apiVersion: telos.dev/v1\nkind: Release\nmetadata: {name: web}\n"
                + "spec: {chart: telos/service}\n---\n"
                + "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: j}\n"
                + "spec: {command: run}\n");
    assertThat(r.documents()).hasSize(2);
    assertThat(r.documents().get(0).isRelease()).isTrue();
    assertThat(r.documents().get(1).isRelease()).isFalse();
    assertThat(r.documents().get(1).source()).isEqualTo(new Location("a.yaml", 6, 1));
    assertThat(r.documents().get(1).plain().toString())
        .isEqualTo("{apiVersion=telos.dev/v1, kind=Job, metadata={name=j}, spec={command=run}}");
    ManifestLoader.FileResult bound = ManifestLoader.bind("(x)", r.documents());
    assertThat(bound.apps()).extracting(App::key).containsExactly("default/j");
    assertThat(bound.releases()).extracting(Release::key).containsExactly("default/web");
    assertThat(bound.documents()).hasSize(2);

    ManifestLoader.LoadResult load = ManifestLoader.combine(List.of(r));
    ManifestLoader.LoadResult joined =
        ManifestLoader.withRendered(
            load,
            bound.apps().stream()
                .map(a -> a.withMetadata(new Metadata("k", "default", java.util.Map.of())))
                .toList(),
            List.of(new ManifestError(new Location("t", 1, 1), "x")));
    assertThat(joined.apps()).extracting(App::key).containsExactly("default/j", "default/k");
    assertThat(joined.errors()).extracting(ManifestError::toString).containsExactly("t:1:1: x");
    assertThat(joined.releases()).hasSize(1);
    assertThat(joined.documents()).hasSize(2);
    assertThat(joined.valid()).isFalse();
  }
}
