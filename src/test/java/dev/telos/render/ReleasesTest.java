package dev.telos.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.manifest.App;
import dev.telos.manifest.ManifestError;
import dev.telos.manifest.ManifestLoader;
import dev.telos.manifest.Release;
import dev.telos.manifest.Service;
import dev.telos.manifest.YamlLimits;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Releases rendered from shipped and repository charts: values, errors, the sandbox. */
class ReleasesTest {
  final ManifestLoader loader = new ManifestLoader();
  final Map<String, String> repo = new HashMap<>();

  /** The repository's files: a chart under charts/NAME, values files anywhere. */
  final RepoFiles files = filesOf(repo);

  /** A repository's files as {@code repo} holds them when asked (path to text). */
  static RepoFiles filesOf(Map<String, String> repo) {
    return new RepoFiles() {
      @Override
      public Map<String, byte[]> under(String dir) {
        Map<String, byte[]> out = new HashMap<>();
        repo.forEach(
            (path, text) -> {
              if (path.startsWith(dir + "/")) {
                out.put(path.substring(dir.length() + 1), text.getBytes(StandardCharsets.UTF_8));
              }
            });
        return out;
      }

      @Override
      public byte[] file(String path) {
        String text = repo.get(path);
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
      }
    };
  }

  /** A chart at charts/NAME with one template, templates/app.yaml. */
  void chart(String name, String template) {
    repo.put("charts/" + name + "/Chart.yaml", "name: " + name + "\nversion: 0.1.0\n");
    repo.put("charts/" + name + "/templates/app.yaml", template);
  }

  List<Release> releases(String yaml) {
    ManifestLoader.FileResult r =
        loader.parseFile("apps/r.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    assertThat(r.errors()).isEmpty();
    return r.releases();
  }

  static String release(String chart, String values) {
    return "apiVersion: telos.dev/v1\nkind: Release\nmetadata: {name: web, namespace: shop}\n"
        + "spec:\n  chart: "
        + chart
        + "\n"
        + values;
  }

  Releases.Result render(String yaml) {
    return new Releases(loader, YamlLimits.DEFAULT).render(releases(yaml), files);
  }

  static List<String> errors(Releases.Result r) {
    return r.errors().stream().map(ManifestError::toString).toList();
  }

  static final String JOB =
      "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: {{ release.name }}, namespace:"
          + " {{ release.namespace }}}\nspec:\n  command: %s\n";

  @Test
  void theShippedServiceChartRendersAServiceLabelledWithItsRelease() {
    Releases.Result r =
        render(
            release(
                "telos/service",
                "  values:\n    instances: 3\n    command: exec ./web --port $PORT_HTTP\n"
                    + "    resources: {mem: 256}\n"));
    assertThat(errors(r)).isEmpty();
    assertThat(r.apps()).singleElement().isInstanceOf(Service.class);
    Service s = (Service) r.apps().get(0);
    assertThat(s.key()).isEqualTo("shop/web");
    assertThat(s.instances()).isEqualTo(3);
    assertThat(s.task().command()).isEqualTo("exec ./web --port $PORT_HTTP");
    assertThat(s.task().resources().mem()).isEqualTo(256); // merged over the default
    assertThat(s.task().resources().cpus()).isEqualTo(0.1); // the chart's default kept
    assertThat(s.task().healthCheck().path()).isEqualTo("/health");
    assertThat(s.metadata().labels()).containsEntry(Release.LABEL, "web");
    assertThat(r.rendered().get("shop/web")).containsKey("telos/service/templates/service.yaml");
  }

  @Test
  void aRequiredValueMissingFailsAtItsTemplateLine() {
    Releases.Result r = render(release("telos/service", "  values: {instances: 1}\n"));
    assertThat(r.apps()).isEmpty();
    assertThat(errors(r))
        .containsExactly(
            "telos/service/templates/service.yaml:9:1: release shop/web: required: values.command:"
                + " the command the service runs");
  }

  @Test
  void aValueTheSchemaRefusesIsReportedWhereItWasWritten() {
    Releases.Result r =
        render(release("telos/service", "  values:\n    command: run\n    instance: 3\n"));
    assertThat(errors(r))
        .singleElement()
        .asString()
        .startsWith("apps/r.yaml:8:15: release shop/web: values.instance: ");
    assertThat(errors(r).get(0)).contains("instance");
    Releases.Result typed =
        render(release("telos/service", "  values:\n    command: run\n    instances: many\n"));
    assertThat(errors(typed))
        .singleElement()
        .asString()
        .startsWith("apps/r.yaml:8:16: release shop/web: values.instances: ")
        .contains("integer");
  }

  @Test
  void valuesFilesMergeInOrderThenTheInlineValues() {
    repo.put("values/base.yaml", "instances: 2\nresources: {cpus: 0.5}\n");
    repo.put("values/prod.yaml", "instances: 5\n");
    Releases.Result r =
        render(
            release(
                "telos/service",
                "  valuesFiles: [values/base.yaml, values/prod.yaml]\n  values: {command: run}\n"));
    assertThat(errors(r)).isEmpty();
    Service s = (Service) r.apps().get(0);
    assertThat(s.instances()).isEqualTo(5);
    assertThat(s.task().resources().cpus()).isEqualTo(0.5);
    assertThat(s.task().resources().mem()).isEqualTo(128);
    Releases.Result missing =
        render(release("telos/service", "  valuesFiles: [values/none.yaml]\n"));
    assertThat(errors(missing))
        .containsExactly(
            "apps/r.yaml:1:1: release shop/web: values file values/none.yaml does not exist");
    repo.put("values/bad.yaml", "instances: [\n");
    assertThat(errors(render(release("telos/service", "  valuesFiles: [values/bad.yaml]\n"))))
        .singleElement()
        .asString()
        .startsWith("values/bad.yaml:1:13: release shop/web: YAML syntax error");
  }

  @Test
  void aRepositoryChartWithDefaultsFiltersAndPartials() {
    repo.put("charts/job/Chart.yaml", "name: job\nversion: 2.0.0\n");
    repo.put("charts/job/values.yaml", "args: [a, b]\nextra: {k: v}\n");
    repo.put("charts/job/templates/_cmd.yaml", "echo {{ values.args | join(' ') }}");
    repo.put(
        "charts/job/templates/job.yaml",
        "apiVersion: telos.dev/v1\nkind: Job\nmetadata:\n  name: {{ release.name }}\n"
            + "  namespace: {{ release.namespace }}\n  labels: {chart: {{ chart.name }}-{{"
            + " chart.version }}}\nspec:\n  command: {% include '_cmd.yaml' %}\n"
            + "  env:\n    MISSING: {{ values.nothing | default('fallback') | quote }}\n"
            + "    B64: {{ 'hi' | b64enc }}\n    SHA: {{ 'hi' | sha256 }}\n"
            + "    JSON: {{ values.extra | toJson | quote }}\n"
            + "    YAML: {{ values.extra | toYaml | quote }}\n"
            + "    INDENTED: {{ 'a\nb' | indent(2) | quote }}\n"
            + "    NINDENTED: {{ 'a' | nindent(1) | quote }}\n");
    Releases.Result r = render(release("charts/job", "  values: {args: [x, y]}\n"));
    assertThat(errors(r)).isEmpty();
    App job = r.apps().get(0);
    assertThat(job.task().command()).isEqualTo("echo x y");
    assertThat(job.metadata().labels()).containsEntry("chart", "job-2.0.0");
    assertThat(job.task().env())
        .containsEntry("MISSING", "fallback")
        .containsEntry("B64", "aGk=")
        .containsEntry("SHA", "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4")
        .containsEntry("JSON", "{\"k\":\"v\"}")
        .containsEntry("YAML", "k: v")
        .containsEntry("INDENTED", "  a\n  b")
        .containsEntry("NINDENTED", "\n a");
  }

  @Test
  void whatATemplateCannotDo() {
    String[][] cases = {
      {"{{ values.getClass() }}", "getClass"},
      {"{{ release.name.length() }}", "length"},
      {"{{ nothing }}", "nothing"},
      {"{{ i18n('x', 'y') }}", "i18n"},
      {"{% for i in range(0, 100000000) %}{% endfor %}x", "over 10000 elements"},
      {"{% for i in 0..99999999 %}{% endfor %}x", "over 10000 elements"},
      {
        "{% for i in range(0, 9999) %}{% for j in range(0, 9999) %}{% for k in range(0, 9999)"
            + " %}{% endfor %}{% endfor %}{% endfor %}x",
        "render took longer than 2s"
      },
      {
        "{% for i in range(0, 9999) %}{% for j in range(0, 9999) %}xxxxxxxxxxxxxxxxxxxx{% endfor"
            + " %}{% endfor %}",
        "4194304"
      },
      {"{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "recursion"},
      {"{% include 'app.yaml' %}", "more than 1000 templates included"},
      {"{% include '../../secret.yaml' %}", "no template '../../secret.yaml'"},
    };
    for (String[] c : cases) {
      repo.clear();
      chart("bad", c[0]);
      Releases.Result r = render(release("charts/bad", ""));
      assertThat(r.apps()).as(c[0]).isEmpty();
      assertThat(errors(r))
          .as(c[0])
          .singleElement()
          .asString()
          .startsWith("charts/bad/templates/app.yaml:")
          .contains("release shop/web: ")
          .contains(c[1]);
    }
  }

  @Test
  void renderedAppsStayInTheReleasesNamespaceAndAreManifestsLikeAnyOther() {
    chart(
        "other",
        "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: x, namespace: prod}\n"
            + "spec:\n  command: run\n");
    assertThat(errors(render(release("charts/other", ""))))
        .singleElement()
        .asString()
        .contains("renders prod/x, outside the release's namespace shop");
    repo.clear();
    chart("typo", JOB.formatted("run") + "  retires: 3\n");
    assertThat(errors(render(release("charts/typo", ""))))
        .singleElement()
        .asString()
        .startsWith("charts/typo/templates/app.yaml (rendered for shop/web):6:3: release shop/web:")
        .contains("unknown field 'retires'");
  }

  @Test
  void chartsThatAreNotCharts() {
    assertThat(errors(render(release("charts/none", ""))))
        .containsExactly(
            "apps/r.yaml:1:1: release shop/web: charts/none:1:1: no chart here:"
                + " charts/none/Chart.yaml is missing");
    assertThat(errors(render(release("telos/nothing", ""))))
        .containsExactly(
            "apps/r.yaml:1:1: release shop/web: telos/nothing:1:1: Telos ships no chart"
                + " telos/nothing");
    repo.put("charts/x/Chart.yaml", "name: x\nversion: 1\nicon: y\n");
    repo.put("charts/x/templates/a.yaml", "");
    assertThat(errors(render(release("charts/x", ""))))
        .singleElement()
        .asString()
        .contains("charts/x/Chart.yaml:3:7: unknown field 'icon'");
    repo.put("charts/y/Chart.yaml", "name: y\nversion: 1\n");
    repo.put("charts/y/templates/a.yaml", "{{ values.a }}");
    repo.put("charts/y/values.schema.json", "{\"$ref\": \"https://example.com/s.json\"}");
    assertThat(errors(render(release("charts/y", ""))))
        .singleElement()
        .asString()
        .contains("only use references inside itself");
  }

  @Test
  void aReleaseIsCheckedLikeAnyManifest() {
    ManifestLoader.FileResult r =
        loader.parseFile(
            "r.yaml",
            ("apiVersion: telos.dev/v1\nkind: Release\nmetadata: {name: web}\nspec:\n"
                    + "  chart: ../outside\n  values: [1]\n  valuesFiles: [{a: 1}]\n  chartz: x\n")
                .getBytes(StandardCharsets.UTF_8));
    assertThat(r.errors())
        .extracting(ManifestError::toString)
        .containsExactly(
            "r.yaml:8:3: unknown field 'chartz' in spec (did you mean 'chart'?)",
            "r.yaml:5:10: spec.chart must be a directory of the repository (charts/web),"
                + " telos/NAME or {repo, ref, path}, got '../outside'",
            "r.yaml:6:11: spec.values must be a mapping, got sequence",
            "r.yaml:7:17: spec.valuesFiles[] must be a path of the repository, got mapping");
  }

  @Test
  void filterAndRangeLimitsOnBothSides() {
    String[][] ok = {
      {"{{ 'a' | indent(0) }}", "a"},
      {"{{ 'a' | indent(100) | trim }}", "a"},
      {"{{ range(0, 19998, 2) | length }}", "10000"}, // inclusive of its end: 10,000 at most
      {"{{ range(0, 9999) | length }}", "10000"},
      {"{{ values.v | required('m') }}", "x"},
    };
    for (String[] c : ok) {
      repo.clear();
      chart("ok", JOB.formatted("\"" + c[0] + "\""));
      Releases.Result r = render(release("charts/ok", "  values: {v: x}\n"));
      assertThat(errors(r)).as(c[0]).isEmpty();
      assertThat(r.apps().get(0).task().command()).as(c[0]).isEqualTo(c[1]);
    }
    String[][] bad = {
      {"{{ 'a' | indent(101) }}", "indent takes 0 to 100 spaces"},
      {"{{ 'a' | indent(-1) }}", "indent takes 0 to 100 spaces"},
      {"{{ range(0, 20000, 2) | length }}", "over 10000 elements"},
      {"{{ range(0, 10, 0) | length }}", "over 10000 elements"},
      {"{{ values.empty | required('give it') }}", "required: give it"},
      {"{{ values.none | required }}", "required: a value is missing"},
    };
    for (String[] c : bad) {
      repo.clear();
      chart("bad", JOB.formatted("\"" + c[0] + "\""));
      Releases.Result r = render(release("charts/bad", "  values: {empty: ''}\n"));
      assertThat(errors(r)).as(c[0]).singleElement().asString().contains(c[1]);
    }
  }

  @Test
  void onlyReleasesWhoseInputsChangedRenderAgain() {
    Releases renderer = new Releases(loader, YamlLimits.DEFAULT);
    chart("job", JOB.formatted("{{ values.cmd }}"));
    String two =
        release("charts/job", "  values: {cmd: a}\n")
            + "---\n"
            + release("charts/job", "  values: {cmd: b}\n").replace("name: web", "name: api");
    assertThat(renderer.render(releases(two), files).errors()).isEmpty();
    assertThat(renderer.renderedReleases()).isEqualTo(2);
    assertThat(renderer.render(releases(two), files).apps()).hasSize(2);
    assertThat(renderer.renderedReleases()).as("nothing changed").isEqualTo(2);
    Releases.Result r = renderer.render(releases(two.replace("cmd: b", "cmd: c")), files);
    assertThat(renderer.renderedReleases()).as("one release's values").isEqualTo(3);
    assertThat(r.apps()).extracting(a -> a.task().command()).containsExactlyInAnyOrder("a", "c");
    chart("job", JOB.formatted("{{ values.cmd }}-2"));
    r = renderer.render(releases(two.replace("cmd: b", "cmd: c")), files);
    assertThat(renderer.renderedReleases()).as("the chart changed: both").isEqualTo(5);
    assertThat(r.apps())
        .extracting(a -> a.task().command())
        .containsExactlyInAnyOrder("a-2", "c-2");
    // The same length, other content: still a different chart.
    chart("job", JOB.formatted("{{ values.cmd }}-3"));
    r = renderer.render(releases(two.replace("cmd: b", "cmd: c")), files);
    assertThat(renderer.renderedReleases()).as("content, not size, decides").isEqualTo(7);
    assertThat(r.apps())
        .extracting(a -> a.task().command())
        .containsExactlyInAnyOrder("a-3", "c-3");
    chart("job", JOB.formatted("{{ values.missing }}"));
    assertThat(renderer.render(releases(two), files).errors()).hasSize(2);
    assertThat(renderer.render(releases(two), files).errors())
        .as("a failure is not kept: it renders again and fails again")
        .hasSize(2);
    assertThat(renderer.renderedReleases()).isEqualTo(11);
  }

  @Test
  void aTemplateRenamedIsAnotherChart() {
    Releases renderer = new Releases(loader, YamlLimits.DEFAULT);
    chart("job", JOB.formatted("run"));
    String one = release("charts/job", "");
    assertThat(renderer.render(releases(one), files).apps().get(0).source().toString())
        .contains("charts/job/templates/app.yaml");
    // The same bytes, in the same order, under another name: the chart's content is its paths
    // too, and the rendered app says which template wrote it.
    repo.put("charts/job/templates/b.yaml", repo.remove("charts/job/templates/app.yaml"));
    Releases.Result renamed = renderer.render(releases(one), files);
    assertThat(renderer.renderedReleases()).isEqualTo(2);
    assertThat(renamed.apps().get(0).source().toString()).contains("charts/job/templates/b.yaml");
    // and moved out of templates/, it is no template at all
    repo.put("charts/job/untemplated/b.yaml", repo.remove("charts/job/templates/b.yaml"));
    assertThat(errors(renderer.render(releases(one), files)))
        .containsExactly(
            "apps/r.yaml:1:1: release shop/web: charts/job:1:1: chart charts/job has no"
                + " templates/");
  }

  @Test
  void aReleasesLabelsReachItsAppsAndATemplatesOwnLabelWins() {
    chart(
        "job",
        "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: {{ release.name }}, namespace:"
            + " {{ release.namespace }}, labels: {tier: batch}}\nspec:\n  command: run\n");
    Releases.Result r =
        render(
            release("charts/job", "")
                .replace("namespace: shop}", "namespace: shop, labels: {team: a, tier: web}}"));
    assertThat(errors(r)).isEmpty();
    assertThat(r.apps().get(0).metadata().labels())
        .containsEntry("team", "a")
        .containsEntry("tier", "batch");
  }

  @Test
  void aRangeIsBoundedByItsLengthNotByWhereItStarts() {
    chart("ok", JOB.formatted("\"{{ range(1000000, 1000010) | length }}\""));
    Releases.Result r = render(release("charts/ok", ""));
    assertThat(errors(r)).isEmpty();
    assertThat(r.apps().get(0).task().command()).isEqualTo("11");
  }

  @Test
  void aRenderMayIncludeUpToTheLimitOfTemplates() {
    // The template itself is the first read; each include one more.
    for (int includes : new int[] {TemplateEngine.MAX_INCLUDES - 1, TemplateEngine.MAX_INCLUDES}) {
      repo.clear();
      chart(
          "inc",
          JOB.formatted(
              "\"run{% for i in range(1, "
                  + includes
                  + ") %}{% include '_p.yaml' %}{% endfor %}\""));
      repo.put("charts/inc/templates/_p.yaml", "");
      Releases.Result r = render(release("charts/inc", ""));
      if (includes < TemplateEngine.MAX_INCLUDES) {
        assertThat(errors(r)).as(includes + " includes").isEmpty();
      } else {
        assertThat(errors(r))
            .as(includes + " includes")
            .singleElement()
            .asString()
            .contains("more than 1000 templates included");
      }
    }
  }

  @Test
  void iteratingValuesCountsAgainstTheRendersTime() {
    StringBuilder m = new StringBuilder("  values:\n    m: {");
    for (int i = 0; i < 2000; i++) {
      m.append(i == 0 ? "" : ", ").append("k").append(i).append(": 1");
    }
    m.append("}\n");
    chart(
        "slow",
        "{% for a in values.m %}{% for b in values.m %}{% for c in values.m %}{% endfor %}"
            + "{% endfor %}{% endfor %}x");
    Releases.Result r = render(release("charts/slow", m.toString()));
    assertThat(errors(r))
        .singleElement()
        .asString()
        .startsWith("charts/slow/templates/app.yaml:")
        .contains("render took longer than 2s; stopped");
  }

  @Test
  void aChartOfAnotherRepositoryRendersFromThePinnedCommitAndIsLabelledWithIt() {
    Map<String, String> remote = new HashMap<>();
    remote.put("charts/job/Chart.yaml", "name: job\nversion: 1.0.0\n");
    remote.put("charts/job/templates/app.yaml", JOB.formatted("remote"));
    String sha = "0123456789abcdef0123456789abcdef01234567";
    ChartRepositories remotes =
        (url, ref) -> {
          assertThat(url).isEqualTo("https://git.example.com/c.git");
          assertThat(ref).isEqualTo("v1");
          return new ChartRepositories.Fetched(sha, filesOf(remote));
        };
    Releases.Result r =
        new Releases(loader, YamlLimits.DEFAULT)
            .render(
                releases(
                    release(
                        "{repo: 'https://git.example.com/c.git', ref: v1, path: charts/job}", "")),
                files,
                remotes);
    assertThat(errors(r)).isEmpty();
    assertThat(r.apps())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.task().command()).isEqualTo("remote");
              assertThat(a.metadata().labels())
                  .containsEntry(dev.telos.manifest.Release.CHART_COMMIT_LABEL, sha);
            });
  }
}
