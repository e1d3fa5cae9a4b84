package dev.telos.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.manifest.ManifestError;
import dev.telos.manifest.ManifestLoader;
import dev.telos.manifest.Release;
import dev.telos.manifest.Service;
import dev.telos.testing.TempGitRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Releases of charts kept in a second Git repository ({@code chart: {repo, ref, path}}), with real
 * repositories: pinned by tag or SHA, the resolved commit on every app, branches refused, and an
 * unreachable chart repository an outage (nothing changes) rather than an invalid commit.
 */
class ChartReposIT {
  @TempDir Path tmp;
  TempGitRepo apps;
  TempGitRepo charts;
  GitSource source;

  static final String TEMPLATE =
      "apiVersion: telos.dev/v1\nkind: Service\n"
          + "metadata: {name: '{{ release.name }}', namespace: '{{ release.namespace }}'}\n"
          + "spec:\n  command: run {{ chart.version }}\n  instances: {{ values.instances }}\n";

  static String release(String ref) {
    return "apiVersion: telos.dev/v1\nkind: Release\nmetadata: {name: web, namespace: shop}\n"
        + "spec:\n  chart: {repo: '%s', ref: "
        + ref
        + ", path: charts/web}\n  values: {instances: 2}\n";
  }

  String release(String ref, String url) {
    return release(ref).formatted(url);
  }

  String chartVersion(String version) throws Exception {
    charts
        .write("charts/web/Chart.yaml", "name: web\nversion: " + version + "\n")
        .write("charts/web/values.yaml", "instances: 1\n")
        .write("charts/web/templates/web.yaml", TEMPLATE);
    String sha = charts.commit("web " + version);
    charts.tag("web-" + version);
    return sha;
  }

  @BeforeEach
  void setUp() throws Exception {
    apps = TempGitRepo.init(tmp.resolve("apps"));
    charts = TempGitRepo.init(tmp.resolve("charts"));
    source =
        new GitSource(
            new GitSource.Config(
                apps.url(), "main", "", null, tmp.resolve("data"), false, Duration.ofSeconds(30)),
            new ManifestLoader());
  }

  @AfterEach
  void tearDown() {
    source.close();
    apps.close();
    if (charts != null) {
      charts.close();
    }
  }

  static Service web(PollResult r) {
    assertThat(r).isInstanceOf(PollResult.Updated.class);
    return (Service)
        ((PollResult.Updated) r)
            .snapshot().apps().stream()
                .filter(a -> a.key().equals("shop/web"))
                .findFirst()
                .orElseThrow();
  }

  @Test
  void aTagOrAShaPinsTheChartAndEveryAppNamesTheCommit() throws Exception {
    String v1 = chartVersion("1.0.0");
    String v2 = chartVersion("2.0.0");
    apps.write("web.yaml", release("web-1.0.0", charts.url())).commit("web on chart 1.0.0");
    Service web = web(source.poll());
    assertThat(web.task().command()).isEqualTo("run 1.0.0");
    assertThat(web.instances()).isEqualTo(2);
    assertThat(web.metadata().labels())
        .containsEntry(Release.CHART_LABEL, "web-1.0.0")
        .containsEntry(Release.CHART_COMMIT_LABEL, v1)
        .containsEntry(Release.LABEL, "web");

    apps.write("web.yaml", release(v2, charts.url())).commit("web on chart 2.0.0 by SHA");
    web = web(source.poll());
    assertThat(web.task().command()).isEqualTo("run 2.0.0");
    assertThat(web.metadata().labels()).containsEntry(Release.CHART_COMMIT_LABEL, v2);
  }

  @Test
  void aBranchOrAMissingTagIsAnInvalidCommitNamingTheRelease() throws Exception {
    chartVersion("1.0.0");
    apps.write("web.yaml", release("main", charts.url())).commit("a branch");
    PollResult r = source.poll();
    assertThat(r).isInstanceOf(PollResult.Invalid.class);
    assertThat(((PollResult.Invalid) r).errors())
        .extracting(ManifestError::toString)
        .singleElement()
        .asString()
        .startsWith("web.yaml:1:1: release shop/web: cannot read chart ")
        .contains("'main' is no tag or commit of ")
        .contains("branches are refused");
  }

  @Test
  void aChartAlreadyHeldNeedsNoNetworkAndAnUnreachableRepositoryChangesNothing() throws Exception {
    chartVersion("1.0.0");
    String url = charts.url();
    apps.write("web.yaml", release("web-1.0.0", url)).commit("web");
    web(source.poll());
    chartVersion("2.0.0");
    // The chart repository goes away.
    Path gone = charts.dir();
    charts.close();
    charts = null;
    try (Stream<Path> walk = Files.walk(gone)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    // A commit that keeps the pinned chart renders from the mirror.
    apps.write("web.yaml", release("web-1.0.0", url).replace("instances: 2", "instances: 3"))
        .commit("three");
    assertThat(web(source.poll()).instances()).isEqualTo(3);
    // One that needs a tag the mirror does not hold cannot be read: an outage, tried again.
    apps.write("web.yaml", release("web-2.0.0", url)).commit("chart 2.0.0");
    for (int i = 0; i < 2; i++) {
      PollResult r = source.poll();
      assertThat(r).isInstanceOf(PollResult.Failed.class);
      assertThat(((PollResult.Failed) r).message())
          .contains("cannot fetch chart repository")
          .contains("nothing changes until it can be read");
    }
  }
}
