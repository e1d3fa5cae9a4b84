package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the loader reads at the edges of each field, and what it must never change. */
class ManifestEdgesTest {
  final ManifestLoader loader = new ManifestLoader();

  App one(String yaml) {
    ManifestLoader.FileResult r = loader.parseFile("a.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    assertThat(r.errors()).isEmpty();
    return r.apps().get(0);
  }

  static final String RICH =
      """
      apiVersion: telos.dev/v1
      kind: Service
      metadata: {name: web, namespace: shop, labels: {team: a}}
      spec:
        instances: 2
        command: exec ./web --port $PORT_HTTP
        env: {MODE: "on", QUOTE: 'a"b\\\\c'}
        resources: {cpus: 0.25, mem: 256, disk: 10}
        ports: [{name: http}, {}]
        constraints: [{field: hostname, operator: UNIQUE}, {field: rack, operator: LIKE, value: "r[12]"}]
        healthCheck: {type: HTTP, port: http, path: /health, interval: 5s}
        killGracePeriod: 45s
        role: web
        executor: telos
        fetch: [{uri: /srv/a.tgz, sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855, outputFile: a.tgz, executable: true}]
        preStart: [./migrate]
        preStop: ./drain
      """;

  @Test
  void theSpecHashOfAGivenSpecNeverChangesAcrossTelosVersions() {
    // An upgrade of Telos that changed the canonical form would replace every task it runs.
    App web = one(RICH);
    assertThat(SpecHash.canonical(web.task())).isEqualTo(GOLDEN_CANONICAL);
    assertThat(web.specHash()).isEqualTo(GOLDEN_HASH);
  }

  static final String GOLDEN_CANONICAL =
      "{\"command\":\"exec ./web --port $PORT_HTTP\",\"constraints\":[\"hostname UNIQUE"
          + "\",\"rack LIKE r[12]\",],\"cpus\":\"0.25\",\"disk\":\"10\",\"env\":{\"MODE\":\"o"
          + "n\",\"QUOTE\":\"a\\\"b\\\\\\\\c\",},\"executor\":{\"fetch\":[\"/srv/a.tgz e3b0c4"
          + "4298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 a.tgz true\",],\"kill"
          + "Signal\":\"TERM\",\"logKeep\":5,\"logMaxBytes\":10485760,\"preStart\":[\"./migra"
          + "te\",],\"preStop\":\"./drain\",},\"healthCheck\":{\"command\":null,\"delay\":0,\""
          + "gracePeriod\":30000,\"interval\":5000,\"maxConsecutiveFailures\":3,\"path\":\"/h"
          + "ealth\",\"port\":0,\"timeout\":5000,\"type\":\"HTTP\",},\"killGracePeriod\":4500"
          + "0,\"mem\":\"256\",\"ports\":[\"http\",\"\",],\"role\":\"web\",}";
  static final String GOLDEN_HASH = "48920cbacb";

  @Test
  void integersNumbersAndDurationsAtTheirEdges() {
    String head =
        "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n";
    Service s = (Service) one(head);
    assertThat(s.instances()).isEqualTo(1); // the default when absent
    assertThat(((Service) one(head + "  instances: 0\n")).instances()).isZero();
    assertThat(((Service) one(head + "  instances: 10000\n")).instances()).isEqualTo(10000);
    assertThat(((Service) one(head + "  instances: 1_000\n")).instances()).isEqualTo(1000);
    App big = one(head + "  resources: {cpus: 1024, mem: 0.5, disk: 0}\n");
    assertThat(big.task().resources().cpus()).isEqualTo(1024);
    assertThat(big.task().resources().disk()).isZero();
    assertThat(one(head + "  killGracePeriod: 24h\n").task().killGracePeriod())
        .isEqualTo(Duration.ofDays(1));
    assertThat(one(head + "  env: {A: 1, B: true, C: 'NO'}\n").task().env())
        .containsEntry("A", "1")
        .containsEntry("B", "true")
        .containsEntry("C", "NO");
    App labelled =
        one(
            "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: a, labels: {x: y}}\n"
                + "spec: {command: x, retries: 0}\n");
    assertThat(labelled.metadata().labels()).containsEntry("x", "y");
    assertThat(((Job) labelled).retries()).isZero();
  }

  @Test
  void valuesParsedIntoEnumsAndKinds() {
    CronJob c =
        (CronJob)
            one(
                "apiVersion: telos.dev/v1\nkind: CronJob\nmetadata: {name: a}\nspec:\n"
                    + "  schedule: '0 0 1 1 *'\n  concurrencyPolicy: Forbid\n  job: {command: x}\n");
    assertThat(c.concurrencyPolicy()).isEqualTo(CronJob.ConcurrencyPolicy.Forbid);
    assertThat(c.kind()).isEqualTo("CronJob");
    assertThat(one(RICH).kind()).isEqualTo("Service");
    assertThat(one(RICH).task().healthCheck().type()).isEqualTo(HealthCheckSpec.Type.HTTP);
    assertThat(
            one("apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: a}\nspec: {command: x}\n")
                .kind())
        .isEqualTo("Job");
  }

  @Test
  void cronFieldsAtBothEndsOfTheirRanges() {
    ZoneId utc = ZoneId.of("UTC");
    for (String ok :
        List.of("0 0 1 1 *", "59 23 31 12 *", "0 0 * * 0", "0 0 * * 7", "*/59 * * * *")) {
      assertThat(new CronSchedule(ok, utc)).as(ok).isNotNull();
    }
    for (String bad :
        List.of(
            "60 * * * *",
            "* 24 * * *",
            "* * 0 * *",
            "* * 32 * *",
            "* * * 0 *",
            "* * * 13 *",
            "* * * * 8")) {
      assertThatThrownBy(() -> new CronSchedule(bad, utc))
          .as(bad)
          .hasMessageContaining("is not in");
    }
  }

  @Test
  void durationsFormatInTheLargestExactUnit() {
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.format(Duration.ofMillis(999))).isEqualTo("999ms");
    assertThat(Durations.format(Duration.ofSeconds(1))).isEqualTo("1s");
    assertThat(Durations.format(Duration.ofSeconds(59))).isEqualTo("59s");
    assertThat(Durations.format(Duration.ofSeconds(60))).isEqualTo("1m");
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(Durations.format(Duration.ofHours(1))).isEqualTo("1h");
  }

  @Test
  void errorsOfOneFileComeOutSortedByPosition() {
    ManifestLoader.FileResult r =
        loader.parseFile(
            "r.yaml",
            ("apiVersion: telos.dev/v1\nkind: Release\nmetadata: {name: web}\nspec:\n"
                    + "  chart: ../outside\n  chartz: x\n")
                .getBytes(StandardCharsets.UTF_8));
    assertThat(r.errors().get(0).line()).isEqualTo(6); // the binder's order
    assertThat(ManifestLoader.combine(List.of(r)).errors())
        .extracting(ManifestError::line)
        .containsExactly(5, 6);
  }

  List<String> errors(String yaml) {
    return loader.parseFile("a.yaml", yaml.getBytes(StandardCharsets.UTF_8)).errors().stream()
        .map(ManifestError::toString)
        .toList();
  }

  @Test
  void aReleaseWithoutASpecAndAConstraintWithoutAnOperatorAreRefused() {
    assertThat(errors("apiVersion: telos.dev/v1\nkind: Release\nmetadata: {name: r}\n"))
        .singleElement()
        .asString()
        .contains("spec is required");
    assertThat(
            errors(
                "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: w}\nspec:\n"
                    + "  command: run\n  resources: {cpus: 0.1, mem: 10}\n"
                    + "  constraints: [{field: hostname}]\n"))
        .singleElement()
        .asString()
        .contains("operator is required");
  }

  @Test
  void aFloatThatIsNoNumberIsRefusedWithWhatWasWritten() {
    assertThat(
            errors(
                "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: w}\nspec:\n"
                    + "  command: run\n  resources: {cpus: .inf, mem: 10}\n"))
        .singleElement()
        .asString()
        .contains("a.yaml:6:")
        .contains("must be a number, got '.inf'");
  }

  @Test
  void aDirectoryWhoseNameEndsInYamlIsWalkedNotRead(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path inside = java.nio.file.Files.createDirectories(dir.resolve("apps.yaml"));
    java.nio.file.Files.writeString(
        inside.resolve("web.yaml"),
        "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web}\nspec:\n"
            + "  command: run\n  resources: {cpus: 0.1, mem: 10}\n");
    ManifestLoader.LoadResult r = loader.loadTree(dir, dir);
    assertThat(r.errors()).isEmpty();
    assertThat(r.apps()).extracting(a -> a.metadata().name()).containsExactly("web");
  }

  static String capacities(int instances, String upgrade) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: w}\nspec:\n"
        + "  instances: "
        + instances
        + "\n  command: run\n  resources: {cpus: 0.1, mem: 10}\n  upgrade: "
        + upgrade
        + "\n";
  }

  @Test
  void marathonsCapacitiesBecomeASurgeAndAnUnavailableCount() {
    String[][] cases = {
      {"10", "{minimumHealthCapacity: 0.8, maximumOverCapacity: 0.2}", "2", "2"},
      {"10", "{minimumHealthCapacity: 0.7, maximumOverCapacity: 0}", "0", "3"},
      {"100", "{maximumOverCapacity: 0.29}", "29", "0"},
      {"3", "{minimumHealthCapacity: 0.5, maximumOverCapacity: 0}", "0", "1"},
      {"3", "{minimumHealthCapacity: 1}", "3", "0"},
      {"4", "{minimumHealthCapacity: 0, maximumOverCapacity: 0.5}", "2", "4"},
      {"0", "{minimumHealthCapacity: 1, maximumOverCapacity: 0}", "1", "0"},
    };
    for (String[] c : cases) {
      Service s = (Service) one(capacities(Integer.parseInt(c[0]), c[1]));
      assertThat(s.upgrade())
          .as(c[0] + " " + c[1])
          .isEqualTo(new UpgradeStrategy(Integer.parseInt(c[2]), Integer.parseInt(c[3])));
    }
  }

  @Test
  void capacitiesThatAllowNoProgressOrMixedWithCountsAreRefused() {
    assertThat(errors(capacities(1, "{minimumHealthCapacity: 1, maximumOverCapacity: 0}")))
        .singleElement()
        .asString()
        .isEqualTo(
            "a.yaml:8:12: spec.upgrade: minimumHealthCapacity and maximumOverCapacity allow, with 1"
                + " instance(s), neither a task above the count nor one below it (a rollout could"
                + " never make progress)");
    assertThat(errors(capacities(3, "{maxSurge: 1, minimumHealthCapacity: 0.5}")))
        .singleElement()
        .asString()
        .contains("give maxSurge and maxUnavailable, or minimumHealthCapacity and");
    assertThat(errors(capacities(3, "{maximumOverCapacity: 1.5}")))
        .singleElement()
        .asString()
        .contains("maximumOverCapacity must be >= 0 and <= 1");
  }

  static String withDependencies(String name, String dependencies) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: "
        + name
        + ", namespace: shop}\nspec:\n  command: run\n  resources: {cpus: 0.1, mem: 10}\n"
        + "  dependencies: "
        + dependencies
        + "\n";
  }

  @Test
  void dependenciesAreKeysInTheAppsNamespaceUnlessNamedAndLeaveTheSpecHash() {
    App web = one(withDependencies("web", "[db, search/index]"));
    assertThat(web.dependencies())
        .extracting(Dependency::key)
        .containsExactly("shop/db", "search/index");
    assertThat(web.dependencies().get(1).at()).isEqualTo(new Location("a.yaml", 7, 22));
    App bare = one(withDependencies("web", "[]"));
    assertThat(bare.dependencies()).isEmpty();
    assertThat(web.specHash()).isEqualTo(bare.specHash());
    assertThat(errors(withDependencies("web", "[web, 'a/b/c', 3, Db, db, shop/db]")))
        .containsExactly(
            "a.yaml:7:18: spec.dependencies[]: an app cannot depend on itself",
            "a.yaml:7:23: spec.dependencies[] must be an app's name or namespace/name, got 'a/b/c'",
            "a.yaml:7:32: spec.dependencies[] must be an app's name or namespace/name, got integer",
            "a.yaml:7:35: spec.dependencies[] must be an app's name or namespace/name, got 'Db'",
            "a.yaml:7:43: spec.dependencies[]: shop/db is listed twice");
  }

  @Test
  void aDependencyCycleIsReportedAtTheEntryThatClosesIt() {
    ManifestLoader.FileResult a =
        loader.parseFile("a.yaml", withDependencies("a", "[b]").getBytes(StandardCharsets.UTF_8));
    ManifestLoader.FileResult b =
        loader.parseFile(
            "b.yaml", withDependencies("b", "[c, x]").getBytes(StandardCharsets.UTF_8));
    ManifestLoader.FileResult c =
        loader.parseFile("c.yaml", withDependencies("c", "[a]").getBytes(StandardCharsets.UTF_8));
    ManifestLoader.LoadResult r = ManifestLoader.combine(List.of(c, b, a));
    assertThat(r.errors())
        .extracting(ManifestError::toString)
        .containsExactly("c.yaml:7:18: dependency cycle: shop/a -> shop/b -> shop/c -> shop/a");
    // joined again (with rendered apps), said once
    assertThat(ManifestLoader.withRendered(r, List.of(), List.of()).errors()).hasSize(1);
    assertThat(ManifestLoader.combine(List.of(a, b)).errors()).isEmpty();
  }

  @Test
  void gpusAreAResourceThatEntersTheSpecHashOnlyWhenAsked() {
    String base =
        "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: w}\nspec:\n"
            + "  command: run\n  resources: {cpus: 0.1, mem: 10%s}\n";
    App none = one(base.formatted(""));
    App zero = one(base.formatted(", gpus: 0"));
    App two = one(base.formatted(", gpus: 2"));
    assertThat(two.task().resources().gpus()).isEqualTo(2);
    assertThat(zero.specHash()).isEqualTo(none.specHash());
    assertThat(two.specHash()).isNotEqualTo(none.specHash());
    assertThat(SpecHash.canonical(two.task())).contains("\"gpus\":2,");
    assertThat(errors(base.formatted(", gpus: 65")))
        .singleElement()
        .asString()
        .contains("gpus must be between 0 and 64, got 65");
  }
}
