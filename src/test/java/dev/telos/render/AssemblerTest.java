package dev.telos.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.manifest.App;
import dev.telos.manifest.ManifestError;
import dev.telos.manifest.ManifestLoader;
import dev.telos.manifest.Release;
import dev.telos.manifest.Service;
import dev.telos.manifest.YamlLimits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AssemblerTest {
  private final ManifestLoader loader = new ManifestLoader();
  private final Map<String, String> files = new TreeMap<>();
  private int parsed;

  private final Assembler.Tree tree =
      new Assembler.Tree() {
        @Override
        public List<Assembler.TreeFile> files(String dir) {
          List<Assembler.TreeFile> out = new ArrayList<>();
          files.forEach(
              (path, text) -> {
                if (dir.isEmpty() || path.startsWith(dir + "/")) {
                  String relative = dir.isEmpty() ? path : path.substring(dir.length() + 1);
                  if (ManifestLoader.isSourceFile(relative)) {
                    parsed++;
                    out.add(
                        new Assembler.TreeFile(
                            path, loader.parseFile(path, text.getBytes(StandardCharsets.UTF_8))));
                  }
                }
              });
          return out;
        }

        @Override
        public byte[] read(String path) {
          String text = files.get(path);
          return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
        }
      };

  private ManifestLoader.LoadResult build(String root) throws Exception {
    return new Assembler(YamlLimits.DEFAULT).assemble(tree, root);
  }

  private static String service(String name, String extra) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata:\n  name: "
        + name
        + "\nspec:\n  command: sleep 100\n  instances: 1\n  resources: {cpus: 0.1, mem: 32}\n"
        + extra;
  }

  private void base() {
    files.put("base/web.yaml", service("web", ""));
    files.put("base/worker.yaml", service("worker", ""));
  }

  private static Service app(ManifestLoader.LoadResult r, String key) {
    return (Service) r.apps().stream().filter(a -> a.key().equals(key)).findFirst().orElseThrow();
  }

  private static List<String> keys(ManifestLoader.LoadResult r) {
    return r.apps().stream().map(App::key).toList();
  }

  private static List<String> errors(ManifestLoader.LoadResult r) {
    return r.errors().stream().map(ManifestError::toString).toList();
  }

  @Test
  void withoutAnOverlayEveryFileIsReadAsItIs() throws Exception {
    base();
    ManifestLoader.LoadResult r = build("");
    assertThat(errors(r)).isEmpty();
    assertThat(keys(r)).containsExactly("default/web", "default/worker");
  }

  @Test
  void anOverlayPatchesItsBasesMovesThemToItsNamespaceAndLabelsThem() throws Exception {
    base();
    files.put(
        "overlays/prod/telos.yaml",
        """
        spec:
          bases: [../../base]
          namespace: prod
          commonLabels: {env: prod}
          patches:
            - target: {name: web}
              merge:
                spec: {instances: 5}
            - target: {name: worker, kind: Service}
              json:
                - {op: replace, path: /spec/resources/mem, value: 256}
        """);
    files.put("overlays/prod/extra.yaml", service("cache", ""));
    ManifestLoader.LoadResult r = build("overlays/prod");
    assertThat(errors(r)).isEmpty();
    assertThat(keys(r)).containsExactly("prod/cache", "prod/web", "prod/worker");
    assertThat(app(r, "prod/web").instances()).isEqualTo(5);
    assertThat(app(r, "prod/worker").task().resources().mem()).isEqualTo(256.0);
    assertThat(app(r, "prod/cache").metadata().labels()).containsEntry("env", "prod");
    assertThat(app(r, "prod/web").source().file()).isEqualTo("base/web.yaml");
    // The documents render shows are the patched ones.
    assertThat(r.documents()).hasSize(3);
    assertThat(r.documents().stream().map(d -> d.plain().toString()))
        .anySatisfy(d -> assertThat(d).contains("name=web", "instances=5", "namespace=prod"));
  }

  @Test
  void aBaseIsReadOnlyThroughItsOverlaysAndEachEnvironmentBuildsItsOwn() throws Exception {
    base();
    files.put("overlays/prod/telos.yaml", "spec: {bases: [../../base], namespace: prod}\n");
    files.put("overlays/staging/telos.yaml", "spec: {bases: [../../base], namespace: staging}\n");
    assertThat(keys(build("")))
        .containsExactly("prod/web", "prod/worker", "staging/web", "staging/worker");
    assertThat(keys(build("overlays/staging"))).containsExactly("staging/web", "staging/worker");
  }

  @Test
  void overlaysStackAndTheOuterOnesPatchesApplyLast() throws Exception {
    base();
    files.put(
        "common/telos.yaml",
        "spec:\n  bases: [../base]\n  commonLabels: {team: a}\n  patches:\n"
            + "    - {target: {name: web}, merge: {spec: {instances: 2}}}\n");
    files.put(
        "prod/telos.yaml",
        "spec:\n  bases: [../common]\n  namespace: prod\n  patches:\n"
            + "    - {target: {name: web}, json: [{op: test, path: /spec/instances, value: 2},"
            + " {op: replace, path: /spec/instances, value: 7}]}\n");
    ManifestLoader.LoadResult r = build("prod");
    assertThat(errors(r)).isEmpty();
    assertThat(app(r, "prod/web").instances()).isEqualTo(7);
    assertThat(app(r, "prod/web").metadata().labels()).containsEntry("team", "a");
  }

  @Test
  void aPatchThatWritesABadValueIsReportedWhereThePatchWroteIt() throws Exception {
    base();
    files.put(
        "prod/telos.yaml",
        "spec:\n  bases: [../base]\n  patches:\n"
            + "    - target: {name: web}\n      merge:\n        spec:\n          instances: many\n");
    ManifestLoader.LoadResult r = build("prod");
    assertThat(errors(r))
        .containsExactly("prod/telos.yaml:7:22: spec.instances must be an integer, got string");
  }

  @Test
  void aJsonPatchThatCannotApplyNamesThePatchAndTheBaseFile() throws Exception {
    base();
    files.put(
        "prod/telos.yaml",
        "spec:\n  bases: [../base]\n  patches:\n"
            + "    - target: {name: web}\n      json:\n        - {op: remove, path: /spec/nope}\n");
    assertThat(errors(build("prod")))
        .containsExactly(
            "prod/telos.yaml:6:11: patch of web (from base/web.yaml:1:1): /spec/nope does not"
                + " exist");
  }

  @Test
  void aPatchThatMatchesNothingIsAnErrorListingWhatThereIs() throws Exception {
    base();
    files.put(
        "prod/telos.yaml",
        "spec:\n  bases: [../base]\n  patches:\n"
            + "    - {target: {name: wbe}, merge: {spec: {instances: 2}}}\n"
            + "    - {target: {name: web, namespace: prod}, merge: {spec: {instances: 2}}}\n");
    assertThat(errors(build("prod")))
        .containsExactly(
            "prod/telos.yaml:4:7: patch of wbe matches no document of the overlay or its bases"
                + " (it has web, worker)",
            "prod/telos.yaml:5:7: patch of prod/web matches no document of the overlay or its"
                + " bases (it has web, worker)");
  }

  @Test
  void patchesFromFilesAreMergePatchesOrJsonPatchesByShape() throws Exception {
    base();
    files.put(
        "prod/telos.yaml",
        "spec:\n  bases: [../base]\n  patches:\n"
            + "    - {target: {name: web}, file: patches/web.yaml}\n"
            + "    - {target: {name: worker}, file: patches/worker.yaml}\n");
    files.put("prod/patches/web.yaml", "spec: {instances: 3}\n");
    files.put("prod/patches/worker.yaml", "- {op: replace, path: /spec/instances, value: 4}\n");
    ManifestLoader.LoadResult r = build("prod");
    assertThat(errors(r)).isEmpty();
    assertThat(app(r, "default/web").instances()).isEqualTo(3);
    assertThat(app(r, "default/worker").instances()).isEqualTo(4);
  }

  @Test
  void aMissingPatchFileIsAnError() throws Exception {
    base();
    files.put(
        "prod/telos.yaml",
        "spec:\n  bases: [../base]\n  patches:\n    - {target: {name: web}, file: nope.yaml}\n");
    assertThat(errors(build("prod")))
        .containsExactly("prod/telos.yaml:4:7: patch of web: file 'nope.yaml' does not exist");
  }

  @Test
  void cyclesAndBasesOutsideTheRepositoryOrAroundTheOverlayAreErrors() throws Exception {
    files.put("a/telos.yaml", "spec: {bases: [../b]}\n");
    files.put("b/telos.yaml", "spec: {bases: [../a]}\n");
    assertThat(errors(build("a"))).containsExactly("b/telos.yaml:1:16: overlay cycle: a -> b -> a");
    files.clear();
    files.put("a/telos.yaml", "spec: {bases: [../../x, ., ..]}\n");
    assertThat(errors(build("a")))
        .containsExactly(
            "a/telos.yaml:1:16: base '../../x' is outside the repository",
            "a/telos.yaml:1:25: base '.' contains the overlay's own directory",
            "a/telos.yaml:1:28: base '..' contains the overlay's own directory");
  }

  @Test
  void anEmptyBaseTwoOverlaysInOneDirectoryAndABadOverlayAreErrors() throws Exception {
    files.put("a/telos.yaml", "spec: {bases: [../none]}\n");
    files.put("c/telos.yaml", "spec: {bases: [../none]}\n");
    files.put("a/more.yaml", "kind: Overlay\nspec: {namespace: x}\n");
    files.put(
        "b/o.yaml",
        "kind: Overlay\nspec: {bases: [1], nmespace: x, patches: [{target: {name: a}}]}\n");
    assertThat(errors(build("")))
        .containsExactly(
            "a/telos.yaml:1:1: a directory has one overlay; this one's is already at"
                + " a/more.yaml:1:1",
            "b/o.yaml:2:16: spec.bases[] must be a directory relative to the overlay's (../base),"
                + " got integer",
            "b/o.yaml:2:20: unknown field 'nmespace' in spec (did you mean 'namespace'?)",
            "b/o.yaml:2:43: a patch needs exactly one of merge, json or file",
            "c/telos.yaml:1:16: base 'none' has no manifests");
  }

  @Test
  void aBrokenBaseFileIsReportedEvenThoughItsDocumentsAreRebound() throws Exception {
    base();
    files.put("base/bad.yaml", "a: [\n");
    files.put("prod/telos.yaml", "spec: {bases: [../base]}\n");
    assertThat(errors(build("prod"))).hasSize(1).first().asString().startsWith("base/bad.yaml:");
  }

  @Test
  void anErrorInABaseThatThePatchFixesIsNoError() throws Exception {
    files.put("base/web.yaml", service("web", "  instances: 0\n").replace("  instances: 1\n", ""));
    files.put("base/web.yaml", service("web", "").replace("command: sleep 100", "comand: x"));
    files.put(
        "prod/telos.yaml",
        "spec:\n  bases: [../base]\n  patches:\n"
            + "    - target: {name: web}\n      merge: {spec: {comand: null, command: sleep 5}}\n");
    assertThat(errors(build("prod"))).isEmpty();
    assertThat(errors(build("base"))).isNotEmpty();
  }

  @Test
  void releasesMoveToTheOverlaysNamespaceAndCarryItsLabels() throws Exception {
    files.put(
        "base/web.yaml",
        "apiVersion: telos.dev/v1\nkind: Release\nmetadata: {name: web}\n"
            + "spec: {chart: telos/service, values: {command: sleep 1}}\n");
    files.put(
        "prod/telos.yaml",
        "spec:\n  bases: [../base]\n  namespace: prod\n  commonLabels: {env: prod}\n  patches:\n"
            + "    - {target: {name: web, kind: Release}, merge: {spec: {values: {instances: 3}}}}\n");
    ManifestLoader.LoadResult r = build("prod");
    assertThat(errors(r)).isEmpty();
    Release release = r.releases().get(0);
    assertThat(release.key()).isEqualTo("prod/web");
    assertThat(release.metadata().labels()).containsEntry("env", "prod");
    assertThat(release.values()).containsEntry("instances", 3L).containsEntry("command", "sleep 1");
  }

  @Test
  void duplicatesAcrossAnOverlayAndPlainFilesAreErrors() throws Exception {
    base();
    files.put("prod/telos.yaml", "spec: {bases: [../base]}\n");
    files.put("other/web.yaml", service("web", ""));
    assertThat(errors(build("")))
        .hasSize(1)
        .first()
        .asString()
        .contains("default/web is defined twice");
  }

  @Test
  void hiddenDirectoriesAreSkippedAndOverlaysWithoutBasesTransformTheirOwnFiles() throws Exception {
    files.put("env/.git/x.yaml", "not: [valid\n");
    files.put("env/web.yaml", service("web", ""));
    files.put("env/telos.yaml", "spec: {namespace: env}\n");
    ManifestLoader.LoadResult r = build("env");
    assertThat(errors(r)).isEmpty();
    assertThat(keys(r)).containsExactly("env/web");
  }

  @Test
  void chartsAndValuesFilesInTheTreeAreNotManifests() throws Exception {
    files.put("charts/web/Chart.yaml", "name: web\nversion: 1.0.0\n");
    files.put("charts/web/values.yaml", "instances: 1\n");
    files.put("charts/web/templates/web.yaml", "kind: Service\n{{ values.x }}: [\n");
    files.put("values/prod.yaml", "instances: 3\n");
    files.put(
        "apps/web.yaml",
        "apiVersion: telos.dev/v1\nkind: Release\nmetadata: {name: web}\n"
            + "spec: {chart: charts/web, valuesFiles: [values/prod.yaml]}\n");
    files.put("apps/keeper.yaml", service("keeper", ""));
    ManifestLoader.LoadResult r = build("");
    assertThat(errors(r)).isEmpty();
    assertThat(keys(r)).containsExactly("default/keeper");
    assertThat(r.releases()).extracting(Release::key).containsExactly("default/web");
    files.put("other/prod.yaml", "instances: 3\n");
    assertThat(errors(build(""))).allMatch(e -> e.startsWith("other/prod.yaml:1:1: "));
  }

  @Test
  void aValuesFileInsideAnOverlayIsTheReleasesInputAndDefaultIsANamespaceToTarget()
      throws Exception {
    files.put(
        "base/web.yaml",
        "apiVersion: telos.dev/v1\nkind: Release\nmetadata: {name: web}\n"
            + "spec: {chart: telos/service, valuesFiles: [prod/values.yaml]}\n");
    files.put("base/api.yaml", service("api", ""));
    files.put("prod/values.yaml", "instances: 3\n");
    files.put(
        "prod/telos.yaml",
        "spec:\n  bases: [../base]\n  patches:\n"
            + "    - {target: {name: api, namespace: default}, merge: {spec: {instances: 4}}}\n");
    ManifestLoader.LoadResult r = build("prod");
    assertThat(errors(r)).isEmpty();
    assertThat(app(r, "default/api").instances()).isEqualTo(4);
    assertThat(r.releases()).extracting(Release::key).containsExactly("default/web");
  }

  @Test
  void aValuesFileAPatchNamesInTheOverlaysDirectoryIsThatReleasesInputToo() throws Exception {
    files.put(
        "base/web.yaml",
        "apiVersion: telos.dev/v1\nkind: Release\nmetadata: {name: web}\n"
            + "spec: {chart: telos/service}\n");
    files.put("prod/extra.yaml", "instances: 3\n");
    files.put(
        "prod/telos.yaml",
        "spec:\n  bases: [../base]\n  patches:\n    - target: {name: web, kind: Release}\n"
            + "      json: [{op: add, path: /spec/valuesFiles, value: [prod/extra.yaml]}]\n");
    ManifestLoader.LoadResult r = build("prod");
    assertThat(errors(r)).isEmpty();
    assertThat(r.releases())
        .singleElement()
        .satisfies(rel -> assertThat(rel.valuesFiles()).containsExactly("prod/extra.yaml"));
    // A file of the overlay's that no release names is read, and its syntax errors reported.
    files.put("prod/broken.yaml", "kind: [\n");
    assertThat(errors(build("prod"))).singleElement().asString().startsWith("prod/broken.yaml:");
    files.remove("prod/broken.yaml");
    // Without the patch the same file is a manifest of the overlay, and not a valid one.
    files.put("prod/telos.yaml", "spec:\n  bases: [../base]\n");
    assertThat(errors(build("prod"))).isNotEmpty().allMatch(e -> e.startsWith("prod/extra.yaml:"));
  }

  @Test
  void aRootOutsideTheTreeIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> build("../x"))
        .hasMessage("path '../x' is outside the repository");
  }

  @Test
  void anOverlayThatIsAnothersBaseIsReadOnlyThroughIt() throws Exception {
    files.put("base/web.yaml", service("web", ""));
    files.put("staging/telos.yaml", "spec: {bases: [../base], namespace: staging}\n");
    files.put("prod/telos.yaml", "spec: {bases: [../staging], namespace: prod}\n");
    ManifestLoader.LoadResult r = build("");
    assertThat(errors(r)).isEmpty();
    assertThat(keys(r)).containsExactly("prod/web");
  }

  @Test
  void anOverlayInsideAnotherOwnsTheFilesBelowIt() throws Exception {
    files.put("base/web.yaml", service("web", ""));
    files.put("env/telos.yaml", "spec: {bases: [../base], namespace: env}\n");
    files.put("env/extra.yaml", service("extra", ""));
    files.put("env/eu/telos.yaml", "spec: {bases: [../../base], namespace: eu}\n");
    files.put("env/eu/local.yaml", service("local", ""));
    ManifestLoader.LoadResult r = build("");
    assertThat(errors(r)).isEmpty();
    assertThat(keys(r)).containsExactlyInAnyOrder("env/web", "env/extra", "eu/web", "eu/local");
  }

  @Test
  void aPatchTargetsOnlyManifestsAndNeverADocumentWithoutMetadata() throws Exception {
    files.put("base/web.yaml", service("web", ""));
    files.put("base/list.yaml", "- name: web\n");
    files.put("base/bare.yaml", "kind: Service\nmetadata: web\n");
    files.put(
        "prod/telos.yaml",
        "spec:\n  bases: [../base]\n  patches:\n"
            + "    - {target: {name: web}, merge: {spec: {instances: 2}}}\n");
    ManifestLoader.LoadResult r = build("prod");
    // The binder's errors for both, and no patch applied to either.
    assertThat(errors(r))
        .containsExactly(
            "base/bare.yaml:1:1: apiVersion is required",
            "base/bare.yaml:1:1: spec is required",
            "base/bare.yaml:2:11: metadata must be a mapping, got string",
            "base/list.yaml:1:1: a manifest must be a mapping, got sequence");
  }
}
