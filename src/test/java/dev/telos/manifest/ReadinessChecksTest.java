package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code readinessChecks}: read with their defaults, refused at their line, not in the hash. */
class ReadinessChecksTest {
  final ManifestLoader loader = new ManifestLoader();

  ManifestLoader.FileResult parse(String spec) {
    return loader.parseFile(
        "a.yaml",
        ("apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web}\nspec:\n"
                + "  command: run\n  ports: [{name: http}, {name: admin}]\n"
                + spec)
            .getBytes(StandardCharsets.UTF_8));
  }

  List<String> errors(String spec) {
    return parse(spec).errors().stream().map(ManifestError::toString).toList();
  }

  Service service(String spec) {
    ManifestLoader.FileResult r = parse(spec);
    assertThat(r.errors()).isEmpty();
    return (Service) r.apps().get(0);
  }

  @Test
  void defaultsAndEveryField() {
    assertThat(service("").readinessChecks()).isEmpty();
    assertThat(service("  readinessChecks: [{}]\n").readinessChecks())
        .containsExactly(
            new ReadinessCheck(
                ReadinessCheck.Scheme.HTTP,
                "/",
                0,
                java.util.Set.of(200),
                Duration.ofSeconds(30),
                Duration.ofSeconds(10)));
    assertThat(
            service(
                    "  readinessChecks:\n    - {scheme: HTTPS, path: /ready, port: admin,"
                        + " statusCodes: [200, 204], interval: 2s, timeout: 500ms}\n"
                        + "    - {port: 1, interval: 1s, timeout: 1s}\n")
                .readinessChecks())
        .containsExactly(
            new ReadinessCheck(
                ReadinessCheck.Scheme.HTTPS,
                "/ready",
                1,
                java.util.Set.of(200, 204),
                Duration.ofSeconds(2),
                Duration.ofMillis(500)),
            new ReadinessCheck(
                ReadinessCheck.Scheme.HTTP,
                "/",
                1,
                java.util.Set.of(200),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1)));
  }

  @Test
  void aReadinessCheckIsNotPartOfTheTaskSoChangingItRollsNothing() {
    assertThat(service("  readinessChecks: [{path: /a}]\n").specHash())
        .isEqualTo(service("  readinessChecks: [{path: /b}]\n").specHash())
        .isEqualTo(service("").specHash());
  }

  @Test
  void mistakesAreReportedAtTheirLine() {
    assertThat(errors("  readinessChecks: [{port: web}]\n"))
        .containsExactly(
            "a.yaml:7:28: spec.readinessChecks[].port 'web' names no port in spec.ports (ports:"
                + " http, admin)");
    assertThat(errors("  readinessChecks: [{port: 2}]\n"))
        .containsExactly(
            "a.yaml:7:28: spec.readinessChecks[].port 2 does not exist: spec.ports has 2 port(s)");
    assertThat(errors("  readinessChecks: [{path: ready}]\n"))
        .containsExactly("a.yaml:7:28: spec.readinessChecks[].path must start with '/'");
    assertThat(errors("  readinessChecks: [{statusCodes: [200, 99, x]}]\n"))
        .containsExactly(
            "a.yaml:7:41: spec.readinessChecks[].statusCodes[] must be an HTTP status code (100 to"
                + " 599)",
            "a.yaml:7:45: spec.readinessChecks[].statusCodes[] must be an HTTP status code (100 to"
                + " 599)");
    assertThat(errors("  readinessChecks: [{statusCodes: []}]\n"))
        .containsExactly(
            "a.yaml:7:35: spec.readinessChecks[].statusCodes must name at least one status code");
    assertThat(errors("  readinessChecks: [{interval: 1s, timeout: 2s}]\n"))
        .containsExactly(
            "a.yaml:7:45: spec.readinessChecks[].timeout must be > 0 and not longer than"
                + " spec.readinessChecks[].interval");
    assertThat(errors("  readinessChecks: [{interval: 0s}]\n"))
        .containsExactly("a.yaml:7:32: spec.readinessChecks[].interval must be > 0");
    assertThat(errors("  readinessChecks: [{scheme: TCP}]\n")).hasSize(1);
    assertThat(errors("  readinessChecks: [{method: GET}]\n").get(0))
        .isEqualTo("a.yaml:7:22: unknown field 'method' in spec.readinessChecks[]");
    assertThat(errors("  readinessChecks: {path: /}\n"))
        .containsExactly("a.yaml:7:20: spec.readinessChecks must be a list, got mapping");
  }

  @Test
  void aReadinessCheckNeedsAPort() {
    ManifestLoader.FileResult r =
        loader.parseFile(
            "a.yaml",
            ("apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web}\nspec:\n"
                    + "  command: run\n  readinessChecks: [{path: /}]\n")
                .getBytes(StandardCharsets.UTF_8));
    assertThat(r.errors().stream().map(ManifestError::toString))
        .containsExactly("a.yaml:6:21: a readiness check needs a port, and spec.ports is empty");
  }
}
