package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every check of the binder and the field readers on one manifest each, with the edges of each
 * range on both sides: the exact errors with line and column (joined by "; "), or none.
 */
class ManifestErrorsTest {
  static Arguments case_(String name, String yaml, String errors) {
    return Arguments.of(name, yaml, errors);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        case_(
            "constraint value list",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  constraints: [{field: hostname, operator: LIKE, value: [a]}]\n",
            "a.yaml:6:58: spec.constraints[].value must be a string or number, got sequence; a.yaml:6:17: constraint LIKE on 'hostname' needs a value"),
        case_(
            "duration number",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  killGracePeriod: 30\n",
            "a.yaml:6:20: spec.killGracePeriod must be a duration string like 30s, got integer (add a unit: '30s')"),
        case_(
            "duration list",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  killGracePeriod: [1]\n",
            "a.yaml:6:20: spec.killGracePeriod must be a duration string like 30s, got sequence"),
        case_(
            "duration too long",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  killGracePeriod: 25h\n",
            "a.yaml:6:20: spec.killGracePeriod: '25h' is too long; at most 24h is allowed here"),
        case_(
            "enum not string",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  ports: [{name: a}]\n  healthCheck: {type: 3, port: a}\n",
            "a.yaml:7:23: spec.healthCheck.type must be one of HTTP, TCP, COMMAND, got integer"),
        case_(
            "integer float",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  instances: 1.5\n",
            "a.yaml:6:14: spec.instances must be an integer, got number"),
        case_(
            "integer huge",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  instances: 99999999999999999999\n",
            "a.yaml:6:14: spec.instances must be an integer, got '99999999999999999999'"),
        case_(
            "integer over",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  instances: 10001\n",
            "a.yaml:6:14: spec.instances must be between 0 and 10000, got 10001"),
        case_(
            "number over",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  resources: {cpus: 1024.5}\n",
            "a.yaml:6:21: spec.resources.cpus must be > 0 and <= 1024, got 1024.5"),
        case_(
            "number disk negative",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  resources: {disk: -1}\n",
            "a.yaml:6:21: spec.resources.disk must be >= 0 and <= 1073741824, got -1"),
        case_(
            "label null",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a, labels: {a: null}}\nspec:\n  command: x\n",
            "a.yaml:3:33: metadata.labels.a must be a string, got null"),
        case_(
            "label list",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a, labels: {a: [1]}}\nspec:\n  command: x\n",
            "a.yaml:3:33: metadata.labels.a must be a string, got sequence"),
        case_(
            "labels not map",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a, labels: [a]}\nspec:\n  command: x\n",
            "a.yaml:3:29: metadata.labels must be a mapping, got sequence"),
        case_("scalar document", "hello\n", "a.yaml:1:1: a manifest must be a mapping, got string"),
        case_(
            "no spec",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\n",
            "a.yaml:1:1: spec is required"),
        case_(
            "no metadata",
            "apiVersion: telos.dev/v1\nkind: Service\nspec: {command: x}\n",
            "a.yaml:1:1: metadata is required"),
        case_(
            "bad namespace",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a, namespace: Bad_NS}\nspec: {command: x}\n",
            "a.yaml:3:32: metadata.namespace 'Bad_NS' must be a DNS label: at most 63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit"),
        case_(
            "misspelled kind",
            "apiVersion: telos.dev/v1\nkind: Servce\nmetadata: {name: a}\nspec: {command: x}\n",
            "a.yaml:2:7: kind must be Service, Pod, Job, CronJob, Release or Overlay, got 'Servce' (did you mean 'Service'?)"),
        case_(
            "bad timezone",
            "apiVersion: telos.dev/v1\nkind: CronJob\nmetadata: {name: a}\nspec:\n  schedule: '0 * * * *'\n  timezone: Mars/Base\n  job: {command: x}\n",
            "a.yaml:6:13: spec.timezone 'Mars/Base' is not a time zone; use an IANA name like Europe/Paris or UTC"),
        case_(
            "cron without job",
            "apiVersion: telos.dev/v1\nkind: CronJob\nmetadata: {name: a}\nspec:\n  schedule: '0 * * * *'\n",
            "a.yaml:5:3: spec.job is required"),
        case_(
            "blank command",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: ' '\n",
            "a.yaml:5:12: spec.command must not be empty"),
        case_(
            "env name",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  env: {1A: x}\n",
            "a.yaml:6:9: spec.env name '1A' is not a valid variable name"),
        case_(
            "port name",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  ports: [{name: Http}]\n",
            "a.yaml:6:18: spec.ports[].name 'Http' must be a DNS label: at most 63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit"),
        case_(
            "port twice",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  ports: [{name: a}, {name: a}]\n",
            "a.yaml:6:29: port name 'a' is used twice"),
        case_(
            "blank role",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  role: ' '\n",
            "a.yaml:6:9: spec.role must not be empty"),
        case_(
            "container telos",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  executor: telos\n  container: {image: nginx}\n",
            "a.yaml:7:14: spec.container is not supported with executor: telos (it runs commands)"),
        case_(
            "log 4095",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  executor: telos\n  logs: {maxSize: 4095B}\n",
            "a.yaml:7:19: spec.logs.maxSize must be a size from 4KiB to 64GiB such as 10MiB, got '4095B'"),
        case_(
            "log 4096",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  executor: telos\n  logs: {maxSize: 4096B}\n",
            ""),
        case_(
            "log 64GiB",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  executor: telos\n  logs: {maxSize: 64GiB}\n",
            ""),
        case_(
            "log 65GiB",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  executor: telos\n  logs: {maxSize: 65GiB}\n",
            "a.yaml:7:19: spec.logs.maxSize must be a size from 4KiB to 64GiB such as 10MiB, got '65GiB'"),
        case_(
            "log 12 digits",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  executor: telos\n  logs: {maxSize: 000000004096B}\n",
            ""),
        case_(
            "log 13 digits",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  executor: telos\n  logs: {maxSize: 0000000004096B}\n",
            "a.yaml:7:19: spec.logs.maxSize must be a size from 4KiB to 64GiB such as 10MiB, got '0000000004096B'"),
        case_(
            "fetch output",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  executor: telos\n  fetch: [{uri: /a, sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855, outputFile: a/b, executable: 'yes'}]\n",
            "a.yaml:7:107: spec.fetch[].outputFile must be a plain file name; a.yaml:7:124: spec.fetch[].executable must be true or false"),
        case_(
            "fetch dot",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  executor: telos\n  fetch: [{uri: /a, sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855, outputFile: .x}]\n",
            "a.yaml:7:107: spec.fetch[].outputFile must be a plain file name"),
        case_(
            "prestart blank",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  executor: telos\n  preStart: ['']\n",
            "a.yaml:7:14: spec.preStart[] must be a non-empty command string"),
        case_(
            "like no value",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  constraints: [{field: hostname, operator: LIKE}]\n",
            "a.yaml:6:17: constraint LIKE on 'hostname' needs a value"),
        case_(
            "unique value",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  constraints: [{field: hostname, operator: UNIQUE, value: x}]\n",
            "a.yaml:6:60: constraint UNIQUE takes no value"),
        case_(
            "max per nan",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  constraints: [{field: hostname, operator: MAX_PER, value: x}]\n",
            "a.yaml:6:61: constraint MAX_PER value must be a positive integer, got 'x'"),
        case_(
            "like regex",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  constraints: [{field: hostname, operator: LIKE, value: '['}]\n",
            "a.yaml:6:58: constraint LIKE value is not a regular expression: Unclosed character class"),
        case_(
            "hc no ports",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  healthCheck: {type: HTTP}\n",
            "a.yaml:6:16: healthCheck of type HTTP needs a port, and spec.ports is empty"),
        case_(
            "hc index 1",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  ports: [{name: a}]\n  healthCheck: {type: HTTP, port: 1}\n",
            "a.yaml:7:35: healthCheck.port 1 does not exist: spec.ports has 1 port(s)"),
        case_(
            "hc index 0",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  ports: [{name: a}]\n  healthCheck: {type: TCP, port: 0}\n",
            ""),
        case_(
            "hc index -1",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  ports: [{name: a}]\n  healthCheck: {type: TCP, port: -1}\n",
            "a.yaml:7:34: healthCheck.port -1 does not exist: spec.ports has 1 port(s)"),
        case_(
            "hc port list",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  ports: [{name: a}]\n  healthCheck: {type: TCP, port: [a]}\n",
            "a.yaml:7:34: healthCheck.port must be a port name or index, got sequence"),
        case_(
            "hc command port",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  ports: [{name: a}]\n  healthCheck: {type: COMMAND, command: 'true', port: a}\n",
            "a.yaml:7:55: healthCheck.port is not used by a COMMAND check"),
        case_(
            "hc path",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  ports: [{name: a}]\n  healthCheck: {type: HTTP, port: a, path: health}\n",
            "a.yaml:7:44: healthCheck.path must start with '/'"),
        case_(
            "hc interval",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  ports: [{name: a}]\n  healthCheck: {type: HTTP, port: a, interval: 0s}\n",
            "a.yaml:7:48: healthCheck.interval must be > 0"),
        case_(
            "duration",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  killGracePeriod: 5 minutes\n",
            "a.yaml:6:20: spec.killGracePeriod: '5 minutes' is not a duration; write a number and a unit: 500ms, 30s, 5m, 1h (or combined: 1h30m)"),
        case_(
            "enum",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  ports: [{name: a}]\n  healthCheck: {type: HTTPS2, port: a}\n",
            "a.yaml:7:23: spec.healthCheck.type must be one of HTTP, TCP, COMMAND, got 'HTTPS2' (did you mean 'HTTP'?)"),
        case_(
            "integer low",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  instances: -1\n",
            "a.yaml:6:14: spec.instances must be between 0 and 10000, got -1"),
        case_(
            "integer text",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  instances: many\n",
            "a.yaml:6:14: spec.instances must be an integer, got string"),
        case_(
            "number text",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  resources: {cpus: lots}\n",
            "a.yaml:6:21: spec.resources.cpus must be a number, got string"),
        case_(
            "number zero",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  resources: {cpus: 0}\n",
            "a.yaml:6:21: spec.resources.cpus must be > 0 and <= 1024, got 0"),
        case_(
            "env list",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  env: {A: [1]}\n",
            "a.yaml:6:12: spec.env.A must be a string, got sequence"),
        case_(
            "env not map",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  env: [A]\n",
            "a.yaml:6:8: spec.env must be a mapping, got sequence"),
        case_(
            "ports not list",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  ports: http\n",
            "a.yaml:6:10: spec.ports must be a list, got string"),
        case_(
            "restart max<backoff",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  restart: {backoff: 2s, maxDelay: 1s}\n",
            "a.yaml:6:36: spec.restart.maxDelay (1s) must not be shorter than spec.restart.backoff (2s)"),
        case_(
            "restart equal",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  restart: {backoff: 2s, maxDelay: 2s}\n",
            ""),
        case_(
            "logs keep",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  executor: telos\n  logs: {keep: 101}\n",
            "a.yaml:7:16: spec.logs.keep must be between 0 and 100, got 101"),
        case_(
            "logs keep max",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  command: x\n  executor: telos\n  logs: {keep: 100}\n",
            ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void each(String name, String yaml, String expected) {
    ManifestLoader.FileResult r =
        new ManifestLoader().parseFile("a.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    List<String> errors = r.errors().stream().map(ManifestError::toString).toList();
    assertThat(String.join("; ", errors)).isEqualTo(expected);
    assertThat(r.apps()).hasSize(expected.isEmpty() ? 1 : 0);
  }
}
