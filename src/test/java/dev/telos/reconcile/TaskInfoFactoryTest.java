package dev.telos.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telos.manifest.App;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.mesos.v1.Protos.Environment;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.junit.jupiter.api.Test;

/** The TaskInfo a launch carries: environment, health check timings, and the Telos executor. */
class TaskInfoFactoryTest {
  final PlannerFixture f = new PlannerFixture();

  static Map<String, String> env(TaskInfo t) {
    Map<String, String> m = new LinkedHashMap<>();
    for (Environment.Variable v : t.getCommand().getEnvironment().getVariablesList()) {
      m.put(v.getName(), v.getValue());
    }
    return m;
  }

  @Test
  void aContainerImageRunsUnderTheContainerizerItNames() {
    TaskInfo docker =
        new PlannerFixture()
            .with(
                PlannerFixture.service("d", 1, "  container: {type: DOCKER, image: nginx:1.27}\n"))
            .offer("a1", 4, 1000, 1, 0)
            .plan()
            .launches()
            .get(0)
            .task();
    assertThat(docker.getContainer().getType())
        .isEqualTo(org.apache.mesos.v1.Protos.ContainerInfo.Type.DOCKER);
    assertThat(docker.getContainer().getDocker().getImage()).isEqualTo("nginx:1.27");
    TaskInfo mesos =
        new PlannerFixture()
            .with(PlannerFixture.service("m", 1, "  container: {type: MESOS, image: alpine:3}\n"))
            .offer("a1", 4, 1000, 1, 0)
            .plan()
            .launches()
            .get(0)
            .task();
    assertThat(mesos.getContainer().getType())
        .isEqualTo(org.apache.mesos.v1.Protos.ContainerInfo.Type.MESOS);
    assertThat(mesos.getContainer().getMesos().getImage().getDocker().getName())
        .isEqualTo("alpine:3");
    assertThat(mesos.getContainer().hasDocker()).isFalse();
  }

  @Test
  void argsUserFetchAndLabelsReachTheCommandInfoAsMesosTakesThem() throws Exception {
    App app =
        PlannerFixture.app(
            "apiVersion: telos.dev/v1\nkind: Service\n"
                + "metadata: {name: api, labels: {team: pay, telos.dev/app: spoofed}}\n"
                + "spec:\n  args: [./api, --port, 8080, true]\n  user: svc\n"
                + "  resources: {cpus: 0.5, mem: 100}\n"
                + "  fetch:\n"
                + "    - {uri: 'https://example.com/api.tgz', extract: true, cache: true}\n"
                + "    - {uri: /opt/tools/probe, executable: true, outputFile: probe}\n");
    TaskInfo t = f.with(app).offer("a1", 4, 1000, 1, 0).plan().launches().get(0).task();
    ObjectMapper json = new ObjectMapper();
    assertThat(
            json.readTree(
                com.google.protobuf.util.JsonFormat.printer()
                    .print(t.getCommand().toBuilder().clearEnvironment())))
        .isEqualTo(
            json.readTree(
                """
            {
              "uris": [
                {"value": "https://example.com/api.tgz", "executable": false, "extract": true,
                 "cache": true},
                {"value": "/opt/tools/probe", "executable": true, "extract": false,
                 "cache": false, "outputFile": "probe"}
              ],
              "shell": false,
              "value": "./api",
              "arguments": ["./api", "--port", "8080", "true"],
              "user": "svc"
            }
            """));
    assertThat(t.getLabels().getLabelsList())
        .extracting(l -> l.getKey() + "=" + l.getValue())
        .startsWith("team=pay", "telos.dev/namespace=default", "telos.dev/app=api")
        .doesNotContain("telos.dev/app=spoofed");
  }

  @Test
  void namedPortsAndHealthCheckTimingsReachTheTaskInfo() {
    App web =
        PlannerFixture.service(
            "web",
            1,
            "  ports: [{name: http}, {name: admin}]\n"
                + "  healthCheck: {type: HTTP, port: admin, path: /ready, delay: 500ms,"
                + " interval: 2s, timeout: 1500ms, gracePeriod: 1m}\n");
    TaskInfo t = f.with(web).offer("a1", 4, 1000, 31000, 31010).plan().launches().get(0).task();
    assertThat(env(t))
        .containsEntry("PORT0", "31000")
        .containsEntry("PORT1", "31001")
        .containsEntry("PORT_HTTP", "31000")
        .containsEntry("PORT_ADMIN", "31001")
        .containsEntry("PORTS", "31000,31001");
    assertThat(t.getHealthCheck().getDelaySeconds()).isEqualTo(0.5);
    assertThat(t.getHealthCheck().getIntervalSeconds()).isEqualTo(2.0);
    assertThat(t.getHealthCheck().getTimeoutSeconds()).isEqualTo(1.5);
    assertThat(t.getHealthCheck().getGracePeriodSeconds()).isEqualTo(60.0);
    assertThat(t.getHealthCheck().getHttp().getPort()).isEqualTo(31001);
  }

  @Test
  void theTelosExecutorGetsTheCommandAndItsSettingsAndTakesItsOwnResources() throws Exception {
    App web =
        PlannerFixture.service(
            "web",
            1,
            "  executor: telos\n  logs: {maxSize: 1MiB, keep: 3}\n  preStart: [./migrate]\n"
                + "  preStop: ./drain\n  killSignal: INT\n  env: {MODE: \"a \\\"quoted\\\" value\"}\n"
                + "  fetch:\n    - {uri: 'https://example.com/a.tgz', sha256: '"
                + "a".repeat(64)
                + "', outputFile: tool, executable: true}\n    - {uri: /srv/b.jar, sha256: '"
                + "b".repeat(64)
                + "'}\n");
    f.settings =
        f.settings.withExecutor(
            new ExecutorLaunch("http://t:1/executor/telos.jar", "java", 0.05, 64));
    // Exactly the task's 0.5 cpus and 100 MiB plus the executor's: it fits.
    TaskInfo t = f.with(web).offer("a1", 0.55, 164, 1, 0).plan().launches().get(0).task();
    assertThat(t.hasCommand()).as("a task with an executor has no CommandInfo").isFalse();
    ExecutorInfo e = t.getExecutor();
    assertThat(e.getType()).isEqualTo(ExecutorInfo.Type.CUSTOM);
    assertThat(e.getExecutorId().getValue()).isEqualTo("telos-" + t.getTaskId().getValue());
    assertThat(e.getCommand().getValue())
        .startsWith("java ")
        .endsWith(" -cp telos.jar dev.telos.executor.TelosExecutor");
    assertThat(e.getCommand().getUris(0).getValue()).isEqualTo("http://t:1/executor/telos.jar");
    assertThat(e.getCommand().getUris(0).getCache()).isTrue();
    assertThat(e.getCommand().getUris(0).getOutputFile()).isEqualTo("telos.jar");
    assertThat(sum(e, "cpus")).isEqualTo(0.05);
    assertThat(sum(e, "mem")).isEqualTo(64.0);
    JsonNode data = new ObjectMapper().readTree(t.getData().toStringUtf8());
    assertThat(data.get("command").asText()).isEqualTo("run web");
    assertThat(data.at("/environment/MODE").asText()).isEqualTo("a \"quoted\" value");
    assertThat(data.at("/environment/TELOS_APP").asText()).isEqualTo("web");
    assertThat(data.get("logMaxBytes").asLong()).isEqualTo(1 << 20);
    assertThat(data.get("logKeep").asInt()).isEqualTo(3);
    assertThat(data.get("preStart").get(0).asText()).isEqualTo("./migrate");
    assertThat(data.get("preStop").asText()).isEqualTo("./drain");
    assertThat(data.get("killSignal").asText()).isEqualTo("INT");
    assertThat(data.get("revision").asText()).isEqualTo("abc123");
    assertThat(data.at("/fetch/0/outputFile").asText()).isEqualTo("tool");
    assertThat(data.at("/fetch/0/executable").asBoolean()).isTrue();
    assertThat(data.at("/fetch/1/sha256").asText()).isEqualTo("b".repeat(64));
    assertThat(data.at("/fetch/1").has("outputFile")).as("none given, none sent").isFalse();
    assertThat(t.getLabels().getLabelsList())
        .anySatisfy(
            l -> {
              assertThat(l.getKey()).isEqualTo("telos.dev/revision");
              assertThat(l.getValue()).isEqualTo("abc123");
            });

    PlannerFixture tight = new PlannerFixture();
    tight.settings = f.settings;
    Plan none = tight.with(web).offer("a1", 0.54, 164, 1, 0).plan();
    assertThat(none.launches()).as("the executor's cpus do not fit").isEmpty();
  }

  @Test
  void withoutAWayToFetchTheExecutorTheAppWaitsAndSaysWhy() {
    App web = PlannerFixture.service("web", 1, "  executor: telos\n");
    Plan plan = f.with(web).offer("a1", 4, 1000, 1, 0).plan();
    assertThat(plan.launches()).isEmpty();
    assertThat(plan.pending())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.placeable()).isFalse();
              assertThat(p.reason()).contains("--executor-uri");
            });
  }

  static double sum(ExecutorInfo e, String name) {
    double total = 0;
    for (Resource r : e.getResourcesList()) {
      if (r.getName().equals(name)) {
        total += r.getScalar().getValue();
      }
    }
    return total;
  }

  @Test
  void secretsGoAsMesosSecretValuesToTheTaskOrToTheTelosExecutorsEnvironment() throws Exception {
    App web =
        PlannerFixture.service(
                "web", 1, "  secrets:\n    DB_PASSWORD: {file: s.sops.yaml, key: db.password}\n")
            .withTasks(
                t ->
                    t.withSecrets(
                        List.of(t.secrets().get(0).resolved("pa55".getBytes(), "abcd1234"))));
    TaskInfo t =
        new PlannerFixture().with(web).offer("a1", 4, 1000, 1, 0).plan().launches().get(0).task();
    Environment.Variable v =
        t.getCommand().getEnvironment().getVariablesList().stream()
            .filter(x -> x.getName().equals("DB_PASSWORD"))
            .findFirst()
            .orElseThrow();
    assertThat(v.getType()).isEqualTo(Environment.Variable.Type.SECRET);
    assertThat(v.hasValue()).as("Mesos refuses a SECRET variable with a value").isFalse();
    assertThat(v.getSecret().getType()).isEqualTo(org.apache.mesos.v1.Protos.Secret.Type.VALUE);
    assertThat(v.getSecret().getValue().getData().toStringUtf8()).isEqualTo("pa55");

    App ex =
        PlannerFixture.service(
                "ex",
                1,
                "  executor: telos\n  secrets:\n    DB_PASSWORD: {file: s.sops.yaml, key: db.password}\n")
            .withTasks(
                s ->
                    s.withSecrets(
                        List.of(s.secrets().get(0).resolved("pa55".getBytes(), "abcd1234"))));
    f.settings =
        f.settings.withExecutor(
            new ExecutorLaunch("http://t:1/executor/telos.jar", "java", 0.05, 64));
    TaskInfo e = f.with(ex).offer("a1", 4, 1000, 1, 0).plan().launches().get(0).task();
    Environment.Variable ev = e.getExecutor().getCommand().getEnvironment().getVariables(0);
    assertThat(ev.getName()).isEqualTo("DB_PASSWORD");
    assertThat(ev.getSecret().getValue().getData().toStringUtf8()).isEqualTo("pa55");
    assertThat(secretVolumeOf(e.getExecutor().getContainer())).isNull();
    String data = e.getData().toStringUtf8();
    assertThat(data).contains("\"secretEnvironment\":[\"DB_PASSWORD\"]").doesNotContain("pa55");
  }

  static String secretVolumeOf(org.apache.mesos.v1.Protos.ContainerInfo c) {
    for (org.apache.mesos.v1.Protos.Volume v : c.getVolumesList()) {
      if (v.getSource().getType() == org.apache.mesos.v1.Protos.Volume.Source.Type.SECRET) {
        return v.getContainerPath()
            + "="
            + v.getSource().getSecret().getValue().getData().toStringUtf8();
      }
    }
    return null;
  }

  @Test
  void secretFilesAreReadOnlySecretVolumesOfTheTaskOrOfTheTelosExecutor() {
    java.util.function.UnaryOperator<dev.telos.manifest.TaskSpec> resolve =
        t ->
            t.withSecrets(
                List.of(t.secrets().get(0).resolved("-----BEGIN KEY-----".getBytes(), "abcd1234")));
    App web =
        PlannerFixture.service(
                "web", 1, "  secretFiles:\n    tls/key.pem: {file: s.sops.yaml, key: k}\n")
            .withTasks(resolve);
    TaskInfo t =
        new PlannerFixture().with(web).offer("a1", 4, 1000, 1, 0).plan().launches().get(0).task();
    assertThat(t.getContainer().getType())
        .isEqualTo(org.apache.mesos.v1.Protos.ContainerInfo.Type.MESOS);
    assertThat(secretVolumeOf(t.getContainer())).isEqualTo("tls/key.pem=-----BEGIN KEY-----");
    assertThat(t.getContainer().getVolumes(0).getMode())
        .isEqualTo(org.apache.mesos.v1.Protos.Volume.Mode.RO);
    assertThat(t.getCommand().getEnvironment().getVariablesList())
        .noneMatch(v -> v.getType() == Environment.Variable.Type.SECRET);

    App ex =
        PlannerFixture.service(
                "ex",
                1,
                "  executor: telos\n  secretFiles:\n    tls/key.pem: {file: s.sops.yaml, key: k}\n")
            .withTasks(resolve);
    f.settings =
        f.settings.withExecutor(
            new ExecutorLaunch("http://t:1/executor/telos.jar", "java", 0.05, 64));
    TaskInfo e = f.with(ex).offer("a1", 4, 1000, 1, 0).plan().launches().get(0).task();
    assertThat(secretVolumeOf(e.getExecutor().getContainer()))
        .isEqualTo("tls/key.pem=-----BEGIN KEY-----");
    assertThat(e.getData().toStringUtf8())
        .doesNotContain("secretEnvironment")
        .doesNotContain("BEGIN KEY");
  }

  @Test
  void registryCredentialsFromASopsFileAreTheImagesDockerConfig() {
    App web =
        PlannerFixture.service(
                "web",
                1,
                "  container: {type: MESOS, image: registry.example/web:1, pullConfig: {file: r.sops.yaml, key: cfg}}\n")
            .withTasks(
                t ->
                    t.withSecrets(
                        List.of(
                            t.secrets().get(0).resolved("{\"auths\":{}}".getBytes(), "abcd1234"))));
    TaskInfo t =
        new PlannerFixture().with(web).offer("a1", 4, 1000, 1, 0).plan().launches().get(0).task();
    org.apache.mesos.v1.Protos.Secret config =
        t.getContainer().getMesos().getImage().getDocker().getConfig();
    assertThat(config.getType()).isEqualTo(org.apache.mesos.v1.Protos.Secret.Type.VALUE);
    assertThat(config.getValue().getData().toStringUtf8()).isEqualTo("{\"auths\":{}}");
    assertThat(t.getCommand().getEnvironment().getVariablesList())
        .noneMatch(v -> v.getName().equals("pullConfig"));
    assertThat(t.getContainer().getVolumesList()).isEmpty();
  }
}
