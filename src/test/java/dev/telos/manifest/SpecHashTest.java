package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpecHashTest {
  final ManifestLoader loader = new ManifestLoader();

  static final String BASE =
      """
      apiVersion: telos.dev/v1
      kind: Service
      metadata: {name: web, labels: {team: a}}
      spec:
        instances: 2
        command: run
        env: {A: "1", B: "2"}
        resources: {cpus: 0.5, mem: 64}
        ports: [{name: http}]
        healthCheck: {type: HTTP, port: http}
        upgrade: {maxSurge: 1}
      """;

  String hash(String yaml) {
    ManifestLoader.FileResult r = loader.parseFile("a.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    assertThat(r.errors()).isEmpty();
    return r.apps().get(0).specHash();
  }

  @Test
  void isStableAcrossKeyOrderCommentsAndFormatting() {
    String reordered =
        """
        # the same app, written differently
        kind: Service
        apiVersion: telos.dev/v1
        metadata:
          labels:
            team: a
          name: web
        spec:
          upgrade: {maxSurge: 1}
          healthCheck:
            port: http
            type: HTTP
          ports:
            - name: http
          resources: {mem: 64.0, cpus: 0.50}
          env:
            B: "2"   # trailing comment
            A: "1"
          command: "run"
          instances: 2
        """;
    assertThat(hash(reordered)).isEqualTo(hash(BASE)).matches("[0-9a-f]{10}");
  }

  @Test
  void ignoresInstancesUpgradeAndLabels() {
    String scaled =
        BASE.replace("instances: 2", "instances: 7")
            .replace("maxSurge: 1", "maxSurge: 3")
            .replace("team: a", "team: b");
    assertThat(hash(scaled)).isEqualTo(hash(BASE));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "command: run|command: run2",
        "A: \"1\"|A: \"3\"",
        "cpus: 0.5|cpus: 0.6",
        "mem: 64|mem: 65",
        "name: http}]|name: web}]",
        "port: http}|port: http, path: /ready}",
        "instances: 2|instances: 2\n  killGracePeriod: 10s",
        "instances: 2|instances: 2\n  role: other",
        "instances: 2|instances: 2\n  container: {image: nginx}",
        "instances: 2|instances: 2\n  constraints: [{field: hostname, operator: UNIQUE}]",
      })
  void changesWhenAnythingThatReachesTheTaskChanges(String change) {
    String[] parts = change.split("\\|");
    String changed = BASE.replace(parts[0], parts[1].replace("web}]", "http}, {name: admin}]"));
    assertThat(changed).isNotEqualTo(BASE);
    assertThat(hash(changed)).isNotEqualTo(hash(BASE));
  }
}
