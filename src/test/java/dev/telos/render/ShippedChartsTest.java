package dev.telos.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.manifest.App;
import dev.telos.manifest.CronJob;
import dev.telos.manifest.ManifestError;
import dev.telos.manifest.ManifestLoader;
import dev.telos.manifest.PlainYaml;
import dev.telos.manifest.Release;
import dev.telos.manifest.Service;
import dev.telos.manifest.YamlLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every chart Telos ships: complete (README, values, schema), every value documented, and the
 * README's example renders into valid apps from inside the jar's resources.
 */
class ShippedChartsTest {
  static Stream<String> charts() throws Exception {
    try (Stream<Path> dirs = Files.list(Path.of("charts"))) {
      return dirs
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("charts")
  void isCompleteDocumentedAndItsReadmeExampleRenders(String name) throws Exception {
    Path dir = Path.of("charts", name);
    for (String file : List.of("Chart.yaml", "values.yaml", "values.schema.json", "README.md")) {
      assertThat(dir.resolve(file)).as(name + "/" + file).isRegularFile();
    }
    String readme = Files.readString(dir.resolve("README.md"));
    PlainYaml.Result values =
        PlainYaml.read(
            "values.yaml", Files.readAllBytes(dir.resolve("values.yaml")), YamlLimits.DEFAULT);
    assertThat(values.error()).isNull();
    for (Object key : ((Map<?, ?>) values.value()).keySet()) {
      assertThat(readme).as(name + " documents " + key).contains("`" + key);
    }
    Matcher example = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(example.find()).as(name + " has an example").isTrue();
    ManifestLoader loader = new ManifestLoader();
    ManifestLoader.FileResult parsed =
        loader.parseFile("README.md", example.group(1).getBytes(StandardCharsets.UTF_8));
    assertThat(parsed.errors()).isEmpty();
    List<Release> releases = parsed.releases();
    assertThat(releases)
        .singleElement()
        .satisfies(r -> assertThat(r.chart()).isEqualTo("telos/" + name));
    Releases.Result r = new Releases(loader, YamlLimits.DEFAULT).render(releases, RepoFiles.NONE);
    assertThat(r.errors()).extracting(ManifestError::toString).isEmpty();
    assertThat(r.apps())
        .isNotEmpty()
        .allSatisfy(a -> assertThat(a.metadata().labels()).containsKey(Release.LABEL));
  }

  Releases.Result render(String chart, String values) {
    ManifestLoader loader = new ManifestLoader();
    String yaml =
        "apiVersion: telos.dev/v1\nkind: Release\nmetadata: {name: r, namespace: ns}\nspec:\n"
            + "  chart: "
            + chart
            + "\n  values: "
            + values
            + "\n";
    return new Releases(loader, YamlLimits.DEFAULT)
        .render(
            loader.parseFile("r.yaml", yaml.getBytes(StandardCharsets.UTF_8)).releases(),
            RepoFiles.NONE);
  }

  @Test
  void theWorkerAndCronjobChartsFillTheirAppsFromValues() {
    Releases.Result worker =
        render("telos/worker", "{command: run, instances: 3, healthCommand: 'true'}");
    assertThat(worker.errors()).isEmpty();
    Service w = (Service) worker.apps().get(0);
    assertThat(w.instances()).isEqualTo(3);
    assertThat(w.task().ports()).isEmpty();
    assertThat(w.task().healthCheck().command()).isEqualTo("true");
    assertThat(w.restart().maxDelay()).isEqualTo(java.time.Duration.ofMinutes(5));

    Releases.Result cron =
        render("telos/cronjob", "{schedule: '0 3 * * *', command: ./report, retries: 2}");
    assertThat(cron.errors()).isEmpty();
    CronJob c = (CronJob) cron.apps().get(0);
    assertThat(c.concurrencyPolicy()).isEqualTo(CronJob.ConcurrencyPolicy.Forbid);
    assertThat(c.retries()).isEqualTo(2);
    assertThat(c.task().command()).isEqualTo("./report");

    assertThat(render("telos/cronjob", "{command: x}").errors())
        .extracting(ManifestError::toString)
        .singleElement()
        .asString()
        .contains("required: values.schedule");
    assertThat(
            render(
                    "telos/cronjob",
                    "{schedule: '0 3 * * *', command: x, concurrencyPolicy: Sometimes}")
                .errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("values.concurrencyPolicy"));
    Releases.Result telos =
        render(
            "telos/telos",
            "{master: 'zk://zk:2181/mesos', ha: 'zk://zk:2181/telos', repo: 'https://g/a.git',"
                + " jarUri: /opt/telos.jar, jarSha256: "
                + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
                + ", apiTokenFile: /etc/telos/api, tlsCertFile: /etc/telos/tls.crt,"
                + " tlsKeyFile: /etc/telos/tls.key}");
    assertThat(telos.errors()).isEmpty();
    Service t = (Service) telos.apps().get(0);
    assertThat(t.instances()).isEqualTo(3);
    assertThat(t.task().command())
        .isEqualTo(
            "exec java -Xmx1g -jar telos.jar run --master zk://zk:2181/mesos --repo"
                + " https://g/a.git --branch main --ha zk://zk:2181/telos --ha-id $HOST:$PORT_HTTP"
                + " --http-address 0.0.0.0 --http-port $PORT_HTTP --tls-cert /etc/telos/tls.crt"
                + " --tls-key /etc/telos/tls.key --data-dir telos-data"
                + " --api-token-file /etc/telos/api");
    assertThat(t.task().executor()).isNotNull();
    // Plain HTTP on the agent's address only when the values say so.
    String base =
        "{master: 'zk://zk:2181/mesos', ha: 'zk://zk:2181/telos', repo: 'https://g/a.git',"
            + " jarUri: /opt/telos.jar, jarSha256: "
            + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assertThat(render("telos/telos", base + "}").errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("insecure: true"));
    assertThat(
            ((Service) render("telos/telos", base + ", insecure: true}").apps().get(0))
                .task()
                .command())
        .contains("--http-port $PORT_HTTP --insecure --data-dir");
    assertThat(t.upgrade().maxSurge()).isZero();
    assertThat(
            render(
                    "telos/telos",
                    "{master: 'zk://zk:2181/mesos', ha: 'zk://x/telos', repo: r,"
                        + " jarUri: /j, jarSha256: bad}")
                .errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("values.jarSha256"));
    List<App> none = render("telos/worker", "{command: x, instances: 0}").apps();
    assertThat(none).singleElement().satisfies(a -> assertThat(((Service) a).instances()).isZero());
  }

  @Test
  void aChartIsReadWholeFromAJarOrADirectoryAndAnUnknownOneIsEmpty(@TempDir Path dir)
      throws Exception {
    // As built: the charts as resources in a jar (telos.jar) or a directory (target/classes).
    Path jar = dir.resolve("charts.jar");
    try (java.util.zip.ZipOutputStream z =
        new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
      for (String entry : List.of("Chart.yaml", "templates/app.yaml")) {
        z.putNextEntry(new java.util.zip.ZipEntry("telos-charts/demo/" + entry));
        z.write(("# " + entry + "\n").getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
      }
    }
    Path classes = dir.resolve("classes/telos-charts/demo/templates");
    Files.createDirectories(classes);
    Files.writeString(classes.resolve("../Chart.yaml"), "# Chart.yaml\n");
    Files.writeString(classes.resolve("app.yaml"), "# templates/app.yaml\n");
    for (java.net.URL root : List.of(jar.toUri().toURL(), dir.resolve("classes").toUri().toURL())) {
      try (java.net.URLClassLoader loader =
          new java.net.URLClassLoader(new java.net.URL[] {root}, null)) {
        Map<String, byte[]> files = ShippedCharts.load(loader, "demo");
        assertThat(files).as(root.toString()).containsOnlyKeys("Chart.yaml", "templates/app.yaml");
        assertThat(new String(files.get("templates/app.yaml"), StandardCharsets.UTF_8))
            .isEqualTo("# templates/app.yaml\n");
        assertThat(ShippedCharts.load(loader, "none")).isEmpty();
      }
    }
    ShippedCharts.CACHE.remove("service"); // read now, not from an earlier test's read
    assertThat(ShippedCharts.files("telos/service")).containsKey("Chart.yaml");
    assertThat(ShippedCharts.files("telos/../x")).isEmpty();
  }
}
