package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ManifestLoaderTest {
  final ManifestLoader loader = new ManifestLoader();

  ManifestLoader.FileResult parse(String yaml) {
    return loader.parseFile("apps/a.yaml", yaml.getBytes(StandardCharsets.UTF_8));
  }

  static final String SERVICE_HEAD =
      "apiVersion: telos.dev/v1\nkind: Service\nmetadata:\n  name: web\nspec:\n";

  @Test
  void aFullServiceBindsEveryField() {
    ManifestLoader.FileResult r =
        parse(
            """
        apiVersion: telos.dev/v1
        kind: Service
        metadata:
          name: web
          namespace: payments
          labels: {team: payments}
        spec:
          instances: 2
          command: exec python3 -m http.server $PORT0
          env: {GREETING: hello, COUNTRY: NO, PORTLESS: 8080}
          resources: {cpus: 0.25, mem: 64, disk: 10}
          ports: [{name: http}, {name: admin-api}]
          container: {type: DOCKER, image: nginx:1.27}
          constraints:
            - {field: hostname, operator: UNIQUE}
            - {field: rack, operator: GROUP_BY, value: 2}
            - {field: zone, operator: LIKE, value: "eu-.*"}
          healthCheck: {type: HTTP, port: admin-api, path: /health, interval: 5s, timeout: 2s, gracePeriod: 30s, maxConsecutiveFailures: 4}
          upgrade: {maxSurge: 2, maxUnavailable: 1}
          killGracePeriod: 1m30s
          role: web
        """);
    assertThat(r.errors()).isEmpty();
    Service s = (Service) r.apps().get(0);
    assertThat(s.key()).isEqualTo("payments/web");
    assertThat(s.metadata().labels()).containsEntry("team", "payments");
    assertThat(s.instances()).isEqualTo(2);
    TaskSpec t = s.task();
    assertThat(t.env()).containsEntry("COUNTRY", "NO").containsEntry("PORTLESS", "8080");
    assertThat(t.resources()).isEqualTo(new TaskResources(0.25, 64, 10));
    assertThat(t.ports())
        .extracting(PortSpec::variable)
        .containsExactly("PORT_HTTP", "PORT_ADMIN_API");
    assertThat(t.container()).isEqualTo(new ContainerSpec(ContainerSpec.Type.DOCKER, "nginx:1.27"));
    assertThat(t.constraints())
        .containsExactly(
            new Constraint("hostname", Constraint.Operator.UNIQUE, null),
            new Constraint("rack", Constraint.Operator.GROUP_BY, "2"),
            new Constraint("zone", Constraint.Operator.LIKE, "eu-.*"));
    assertThat(t.healthCheck().port()).isEqualTo(1);
    assertThat(t.healthCheck().path()).isEqualTo("/health");
    assertThat(t.healthCheck().maxConsecutiveFailures()).isEqualTo(4);
    assertThat(s.upgrade()).isEqualTo(new UpgradeStrategy(2, 1));
    assertThat(t.killGracePeriod()).isEqualTo(Duration.ofSeconds(90));
    assertThat(t.role()).isEqualTo("web");
    assertThat(s.source()).isEqualTo(new Location("apps/a.yaml", 1, 1));
  }

  @Test
  void aRestartPolicyBindsWithDefaultsForWhatItLeavesOut() {
    ManifestLoader.FileResult r =
        parse(SERVICE_HEAD + "  command: x\n  restart: {backoff: 2s, factor: 3}\n");
    assertThat(r.errors()).isEmpty();
    Service s = (Service) r.apps().get(0);
    assertThat(s.restart())
        .isEqualTo(
            new RestartPolicy(
                Duration.ofSeconds(2), 3, Duration.ofMinutes(5), Duration.ofMinutes(5)));
    assertThat(s.specHash())
        .as("the restart policy never replaces tasks")
        .isEqualTo(((Service) parse(SERVICE_HEAD + "  command: x\n").apps().get(0)).specHash());
  }

  @Test
  void defaultsAreDocumentedValues() {
    ManifestLoader.FileResult r = parse(SERVICE_HEAD + "  command: sleep 1\n");
    Service s = (Service) r.apps().get(0);
    assertThat(s.metadata().namespace()).isEqualTo("default");
    assertThat(s.instances()).isEqualTo(1);
    assertThat(s.task().resources()).isEqualTo(TaskResources.DEFAULT);
    assertThat(s.task().killGracePeriod()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.task().role()).isEqualTo("*");
    assertThat(s.upgrade()).isEqualTo(UpgradeStrategy.DEFAULT);
    assertThat(s.task().healthCheck()).isNull();
    assertThat(s.restart()).as("the controller's default applies").isNull();
  }

  @Test
  void jobsAndCronJobsBindTheirOwnFields() {
    ManifestLoader.FileResult r =
        parse(
            """
        apiVersion: telos.dev/v1
        kind: Job
        metadata: {name: migrate}
        spec: {command: ./migrate, retries: 5, backoff: 2s}
        ---
        apiVersion: telos.dev/v1
        kind: CronJob
        metadata: {name: report}
        spec:
          schedule: "30 2 * * 1-5"
          timezone: Europe/Paris
          concurrencyPolicy: Replace
          startingDeadline: 5m
          job: {command: ./report, retries: 0}
        ---
        """);
    assertThat(r.errors()).isEmpty();
    Job job = (Job) r.apps().get(0);
    assertThat(job.retries()).isEqualTo(5);
    assertThat(job.backoff()).isEqualTo(Duration.ofSeconds(2));
    CronJob cron = (CronJob) r.apps().get(1);
    assertThat(cron.timezone()).isEqualTo(ZoneId.of("Europe/Paris"));
    assertThat(cron.concurrencyPolicy()).isEqualTo(CronJob.ConcurrencyPolicy.Replace);
    assertThat(cron.startingDeadline()).isEqualTo(Duration.ofMinutes(5));
    assertThat(cron.source().line()).isEqualTo(6);
  }

  @Test
  void theTelosExecutorsSettingsBindAndChangeTheSpecHash() {
    String sha = "a".repeat(64);
    ManifestLoader.FileResult r =
        parse(
            SERVICE_HEAD
                + "  command: ./server\n  executor: telos\n  logs: {maxSize: 64KiB, keep: 2}\n"
                + "  fetch:\n    - {uri: 'https://example.com/server', sha256: "
                + sha
                + ", executable: true}\n"
                + "  preStart: [./migrate]\n  preStop: ./drain\n  killSignal: INT\n");
    assertThat(r.errors()).isEmpty();
    ExecutorSpec e = r.apps().get(0).task().executor();
    assertThat(e)
        .isEqualTo(
            new ExecutorSpec(
                64 << 10,
                2,
                List.of(new ExecutorSpec.Artifact("https://example.com/server", sha, null, true)),
                List.of("./migrate"),
                "./drain",
                "INT"));
    Service plain = (Service) parse(SERVICE_HEAD + "  command: ./server\n").apps().get(0);
    assertThat(plain.task().executor()).as("the command executor is the default").isNull();
    assertThat(r.apps().get(0).specHash()).isNotEqualTo(plain.specHash());
    Service defaults =
        (Service) parse(SERVICE_HEAD + "  command: ./server\n  executor: telos\n").apps().get(0);
    assertThat(defaults.task().executor())
        .isEqualTo(new ExecutorSpec(10 << 20, 5, List.of(), List.of(), null, "TERM"));
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of(
            "executor settings without the Telos executor",
            SERVICE_HEAD + "  command: x\n  preStop: ./drain\n",
            "apps/a.yaml:7:12: spec.preStop needs executor: telos (Mesos's command executor"
                + " cannot do it)"),
        Arguments.of(
            "an artifact without a valid sha256",
            SERVICE_HEAD
                + "  command: x\n  executor: telos\n  fetch: [{uri: a.tgz, sha256: abc}]\n",
            "apps/a.yaml:8:32: spec.fetch[].sha256 must be 64 lowercase hex digits"),
        Arguments.of(
            "a log size out of bounds",
            SERVICE_HEAD + "  command: x\n  executor: telos\n  logs: {maxSize: 1KiB}\n",
            "apps/a.yaml:8:19: spec.logs.maxSize must be a size from 4KiB to 64GiB such as 10MiB,"
                + " got '1KiB'"),
        Arguments.of(
            "an unknown kill signal",
            SERVICE_HEAD + "  command: x\n  executor: telos\n  killSignal: 'TERM; rm -rf /'\n",
            "apps/a.yaml:8:15: spec.killSignal must be one of [TERM, INT, QUIT, HUP, USR1, USR2],"
                + " got 'TERM; rm -rf /'"),
        Arguments.of(
            "an unknown executor",
            SERVICE_HEAD + "  command: x\n  executor: thermos\n",
            "apps/a.yaml:7:13: spec.executor must be command or telos, got 'thermos'"),
        Arguments.of(
            "yaml syntax",
            "a: b: c\n",
            "apps/a.yaml:1:5: YAML syntax error: mapping values are not allowed here"),
        Arguments.of(
            "unknown field with suggestion",
            SERVICE_HEAD + "  command: x\n  instanes: 2\n",
            "apps/a.yaml:7:3: unknown field 'instanes' in spec (did you mean 'instances'?)"),
        Arguments.of(
            "unknown top-level field",
            "apiVersion: telos.dev/v1\nkind: Job\nmetdata: {name: a}\nspec: {command: x}\n",
            "apps/a.yaml:3:1: unknown field 'metdata' (did you mean 'metadata'?)"),
        Arguments.of(
            "wrong type",
            SERVICE_HEAD + "  command: x\n  instances: two\n",
            "apps/a.yaml:7:14: spec.instances must be an integer, got string"),
        Arguments.of(
            "out of range",
            SERVICE_HEAD + "  command: x\n  instances: -1\n",
            "apps/a.yaml:7:14: spec.instances must be between 0 and 10000, got -1"),
        Arguments.of(
            "cpus must be positive",
            SERVICE_HEAD + "  command: x\n  resources: {cpus: 0}\n",
            "apps/a.yaml:7:21: spec.resources.cpus must be > 0 and <= 1024, got 0"),
        Arguments.of(
            "bad name",
            "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: My_App}\nspec: {command: x}\n",
            "apps/a.yaml:3:18: metadata.name 'My_App' must be a DNS label: at most 63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit"),
        Arguments.of(
            "bad duration",
            SERVICE_HEAD + "  command: x\n  killGracePeriod: 10 seconds\n",
            "apps/a.yaml:7:20: spec.killGracePeriod: '10 seconds' is not a duration; write a number and a unit: 500ms, 30s, 5m, 1h (or combined: 1h30m)"),
        Arguments.of(
            "a grace period that would overflow every placement (regression)",
            SERVICE_HEAD + "  command: x\n  killGracePeriod: 2562048h\n",
            "apps/a.yaml:7:20: spec.killGracePeriod: '2562048h' is too long; at most 24h is allowed"
                + " here"),
        Arguments.of(
            "a duration past long overflow names its place (regression)",
            SERVICE_HEAD + "  command: x\n  killGracePeriod: 99999999999999999999h\n",
            "apps/a.yaml:7:20: spec.killGracePeriod: '99999999999999999999h' is too long; the"
                + " longest duration is 8784h (366 days)"),
        Arguments.of(
            "health check interval bounded",
            SERVICE_HEAD
                + "  command: x\n  healthCheck: {type: COMMAND, command: 'true', interval: 25h}\n",
            "apps/a.yaml:7:59: spec.healthCheck.interval: '25h' is too long; at most 24h is allowed here"),
        Arguments.of(
            "job backoff bounded",
            "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: a}\nspec: {command: x, backoff: 48h}\n",
            "apps/a.yaml:4:29: spec.backoff: '48h' is too long; at most 24h is allowed here"),
        Arguments.of(
            "restart factor bounded",
            SERVICE_HEAD + "  command: x\n  restart: {factor: 0.5}\n",
            "apps/a.yaml:7:21: spec.restart.factor must be >= 1 and <= 100, got 0.5"),
        Arguments.of(
            "restart maxDelay below backoff",
            SERVICE_HEAD + "  command: x\n  restart: {backoff: 10s, maxDelay: 5s}\n",
            "apps/a.yaml:7:37: spec.restart.maxDelay (5s) must not be shorter than"
                + " spec.restart.backoff (10s)"),
        Arguments.of(
            "bad cron",
            "apiVersion: telos.dev/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '* * *'\n  job: {command: x}\n",
            "apps/a.yaml:5:13: spec.schedule: cron expression must have 5 fields (minute hour day-of-month month day-of-week), got 3"),
        Arguments.of(
            "bad cron value",
            "apiVersion: telos.dev/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '61 * * * *'\n  job: {command: x}\n",
            "apps/a.yaml:5:13: spec.schedule: cron: minute 61 is not in 0-59"),
        Arguments.of(
            "health check port missing",
            SERVICE_HEAD
                + "  command: x\n  ports: [{name: http}]\n  healthCheck: {type: TCP, port: admin}\n",
            "apps/a.yaml:8:34: healthCheck.port 'admin' names no port in spec.ports (ports: http)"),
        Arguments.of(
            "constraint unknown operator",
            SERVICE_HEAD + "  command: x\n  constraints: [{field: hostname, operator: UNIQ}]\n",
            "apps/a.yaml:7:45: spec.constraints[].operator must be one of UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER, got 'UNIQ'"),
        Arguments.of(
            "constraint missing value",
            SERVICE_HEAD
                + "  command: x\n  constraints:\n    - field: rack\n      operator: MAX_PER\n",
            "apps/a.yaml:8:7: constraint MAX_PER on 'rack' needs a value"),
        Arguments.of(
            "missing command",
            SERVICE_HEAD + "  instances: 1\n",
            "apps/a.yaml:6:3: spec.command is required"),
        Arguments.of(
            "wrong apiVersion",
            "apiVersion: v1\nkind: Job\nmetadata: {name: a}\nspec: {command: x}\n",
            "apps/a.yaml:1:13: apiVersion must be telos.dev/v1, got 'v1'"),
        Arguments.of(
            "reserved env",
            SERVICE_HEAD + "  command: x\n  env: {PORT0: '1'}\n",
            "apps/a.yaml:7:9: spec.env.PORT0 is set by Telos or Mesos (PORT*, HOST, TELOS_*, MESOS_*); choose another name"),
        Arguments.of(
            "rollout that cannot progress",
            SERVICE_HEAD + "  command: x\n  upgrade: {maxSurge: 0, maxUnavailable: 0}\n",
            "apps/a.yaml:7:12: spec.upgrade: maxSurge and maxUnavailable cannot both be 0 (a rollout could never make progress)"),
        Arguments.of(
            "not a mapping",
            "- just\n- a list\n",
            "apps/a.yaml:1:1: a manifest must be a mapping, got sequence"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errors")
  void eachKindOfErrorIsReportedAtItsLineAndColumn(String name, String yaml, String expected) {
    ManifestLoader.FileResult r = parse(yaml);
    assertThat(r.apps()).isEmpty();
    assertThat(r.errors()).extracting(ManifestError::toString).contains(expected);
  }

  @Test
  void everyErrorOfADocumentIsReportedInOnePass() {
    ManifestLoader.FileResult r =
        parse(SERVICE_HEAD + "  instances: x\n  command: 3\n  resources: {mem: -1}\n  bogus: 1\n");
    assertThat(r.errors()).hasSize(4);
  }

  @Test
  void aNameDefinedTwiceNamesBothPlaces() {
    ManifestLoader.FileResult a =
        loader.parseFile(
            "apps/a.yaml", (SERVICE_HEAD + "  command: x\n").getBytes(StandardCharsets.UTF_8));
    ManifestLoader.FileResult b =
        loader.parseFile(
            "apps/b.yaml",
            ("# comment\n" + SERVICE_HEAD + "  command: y\n").getBytes(StandardCharsets.UTF_8));
    ManifestLoader.LoadResult r = ManifestLoader.combine(List.of(b, a));
    assertThat(r.valid()).isFalse();
    assertThat(r.errors())
        .extracting(ManifestError::toString)
        .containsExactly(
            "apps/b.yaml:2:1: default/web is defined twice: here and at apps/a.yaml:1:1");
  }

  @Test
  void onlyVisibleYamlFilesAreSourceFiles() {
    assertThat(ManifestLoader.isSourceFile("apps/web.yaml")).isTrue();
    assertThat(ManifestLoader.isSourceFile("web.yml")).isTrue();
    assertThat(ManifestLoader.isSourceFile("apps/README.md")).isFalse();
    assertThat(ManifestLoader.isSourceFile(".github/workflows/ci.yaml")).isFalse();
    assertThat(ManifestLoader.isSourceFile("apps/.draft.yaml")).isFalse();
  }

  @Test
  void theSameNameInTwoNamespacesIsFine() {
    ManifestLoader.FileResult r =
        parse(
            SERVICE_HEAD
                + "  command: x\n---\n"
                + SERVICE_HEAD.replace("name: web\n", "name: web\n  namespace: other\n")
                + "  command: x\n");
    assertThat(ManifestLoader.combine(List.of(r)).valid()).isTrue();
  }
}
