package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code args}, {@code user} and {@code fetch} under Mesos's command executor. */
class CommandFieldsTest {
  final ManifestLoader loader = new ManifestLoader();

  ManifestLoader.FileResult parse(String spec) {
    return loader.parseFile(
        "a.yaml",
        ("apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web}\nspec:\n" + spec)
            .getBytes(StandardCharsets.UTF_8));
  }

  List<String> errors(String spec) {
    return parse(spec).errors().stream().map(ManifestError::toString).toList();
  }

  TaskSpec task(String spec) {
    ManifestLoader.FileResult r = parse(spec);
    assertThat(r.errors()).isEmpty();
    return r.apps().get(0).task();
  }

  @Test
  void argsUserAndFetchAreRead() {
    TaskSpec t =
        task(
            "  args: [python3, -m, http.server, 8080]\n  user: www-data\n"
                + "  fetch:\n    - {uri: 'https://x/y.tgz', extract: true, cache: true}\n"
                + "    - {uri: /opt/p, executable: true, outputFile: p}\n");
    assertThat(t.args()).containsExactly("python3", "-m", "http.server", "8080");
    assertThat(t.command()).isEmpty();
    assertThat(t.commandLine()).isEqualTo("python3 -m http.server 8080");
    assertThat(t.user()).isEqualTo("www-data");
    assertThat(t.fetch())
        .containsExactly(
            new FetchSpec("https://x/y.tgz", true, false, true, null),
            new FetchSpec("/opt/p", false, true, false, "p"));
    assertThat(
            task("  command: run\n  fetch: [{uri: a.tgz, extract: false, cache: true}]\n").fetch())
        .containsExactly(new FetchSpec("a.tgz", false, false, true, null));
    assertThat(task("  command: run\n  fetch: [{uri: a.tgz}]\n").fetch())
        .as("extracted unless said otherwise, as Mesos and Marathon do")
        .containsExactly(new FetchSpec("a.tgz", true, false, false, null));
  }

  @Test
  void mistakesAreReportedWhereTheyAre() {
    assertThat(errors("  command: run\n  args: [run]\n"))
        .containsExactly("a.yaml:6:9: spec.args and spec.command exclude each other: give one");
    assertThat(errors("  args: []\n")).containsExactly("a.yaml:5:9: spec.args must not be empty");
    assertThat(errors("  args: [a, {b: 1}, null]\n"))
        .containsExactly(
            "a.yaml:5:13: spec.args[] must be a string, got mapping",
            "a.yaml:5:21: spec.args[] must be a string, got null");
    assertThat(errors("  args: [a]\n  executor: telos\n"))
        .containsExactly(
            "a.yaml:5:9: spec.args is for the command executor; executor: telos runs a command");
    assertThat(errors("  command: run\n  fetch: [{uri: ''}]\n"))
        .containsExactly("a.yaml:6:17: spec.fetch[].uri must not be empty");
    assertThat(errors("  command: run\n  unreachableStrategy: {inactiveAfter: 500ms}\n"))
        .containsExactly("a.yaml:6:40: spec.unreachableStrategy.inactiveAfter must be at least 1s");
    assertThat(errors("  command: run\n  unreachableStrategy: {inactiveAfter: 1s}\n")).isEmpty();
    assertThat(
            errors(
                "  command: run\n  unreachableStrategy: {inactiveAfter: 2m, expungeAfter: 1m}\n"))
        .containsExactly(
            "a.yaml:6:58: spec.unreachableStrategy.expungeAfter must be at least inactiveAfter (2m)");
    assertThat(errors("  command: run\n  unreachableStrategy: {expungeAfter: 10ms}\n"))
        .containsExactly("a.yaml:6:39: spec.unreachableStrategy.expungeAfter must be at least 1s");
    assertThat(
            errors(
                "  command: run\n  unreachableStrategy: {inactiveAfter: 1m, expungeAfter: 1m}\n"))
        .isEmpty();
    assertThat(errors("  command: run\n  user: 'Bad User'\n"))
        .containsExactly("a.yaml:6:9: spec.user must be a user name, got 'Bad User'");
    assertThat(errors("  command: run\n  fetch: [{uri: x, sha256: abc}]\n"))
        .containsExactly(
            "a.yaml:6:28: spec.fetch[].sha256 needs executor: telos (Mesos's fetcher does not check"
                + " digests)");
    assertThat(errors("  command: run\n  fetch: [{uri: x.tgz, extract: true, executable: true}]\n"))
        .containsExactly(
            "a.yaml:6:33: spec.fetch[].extract and spec.fetch[].executable exclude each other");
    assertThat(errors("  command: run\n  fetch: [{uri: x, extract: nope, outputFile: ../x}]\n"))
        .containsExactly(
            "a.yaml:6:47: spec.fetch[].outputFile must be a plain file name",
            "a.yaml:6:29: spec.fetch[].extract must be true or false");
    assertThat(
            errors(
                "  command: run\n  executor: telos\n"
                    + "  fetch: [{uri: x, sha256: '"
                    + "0".repeat(64)
                    + "', cache: true}]\n"))
        .containsExactly(
            "a.yaml:7:103: spec.fetch[].cache is for Mesos's fetcher (the command executor), not"
                + " executor: telos");
  }

  @Test
  void theSpecHashOfAnAppWithoutTheNewFieldsIsWhatItWas() {
    App plain = parse("  command: run\n").apps().get(0);
    assertThat(plain.specHash()).isEqualTo(SpecHash.of("Service", plain.task()));
    TaskSpec t = plain.task();
    TaskSpec same =
        new TaskSpec(
            t.command(),
            t.env(),
            t.resources(),
            t.ports(),
            t.container(),
            t.constraints(),
            t.healthCheck(),
            t.killGracePeriod(),
            t.role(),
            t.executor());
    assertThat(SpecHash.canonical(same)).isEqualTo(SpecHash.canonical(t));
    assertThat(SpecHash.canonical(t)).doesNotContain("args", "user", "fetch");
    String withUser = parse("  command: run\n  user: svc\n").apps().get(0).specHash();
    String withFetch = parse("  command: run\n  fetch: [{uri: x}]\n").apps().get(0).specHash();
    String withArgs = parse("  args: [run]\n").apps().get(0).specHash();
    String withOutput =
        parse("  command: run\n  fetch: [{uri: x, outputFile: y}]\n").apps().get(0).specHash();
    String withTwo =
        parse("  command: run\n  fetch: [{uri: x}, {uri: z}]\n").apps().get(0).specHash();
    String kept =
        parse("  command: run\n  fetch: [{uri: x, extract: false}]\n").apps().get(0).specHash();
    assertThat(List.of(withUser, withFetch, withArgs, withOutput, withTwo, kept))
        .doesNotHaveDuplicates()
        .doesNotContain(plain.specHash());
  }

  @Test
  void aFetchedUrisFieldsAreWrittenIntoTheCanonicalFormInOrder() {
    TaskSpec bare = parse("  command: run\n  fetch: [{uri: x}]\n").apps().get(0).task();
    assertThat(SpecHash.canonical(bare)).contains("\"fetch\":[\"x true false false \",]");
    TaskSpec full =
        parse(
                "  command: run\n  fetch: [{uri: x, extract: false, executable: true, cache: true,"
                    + " outputFile: y}]\n")
            .apps()
            .get(0)
            .task();
    assertThat(SpecHash.canonical(full)).contains("\"fetch\":[\"x false true true y\",]");
  }
}
