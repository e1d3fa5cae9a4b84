package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code spec.secrets}: how references are read, checked, hashed and shown. */
class SecretsManifestTest {
  final ManifestLoader loader = new ManifestLoader();

  ManifestLoader.FileResult parse(String spec) {
    String yaml =
        "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web}\nspec:\n  command: run\n"
            + spec;
    return loader.parseFile("apps/web.yaml", yaml.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void referencesAreReadInNameOrderWithTheirPlace() {
    ManifestLoader.FileResult r =
        parse(
            "  secrets:\n    TOKEN: {file: secrets/a.sops.yaml, key: api.token}\n"
                + "    DB_PASSWORD: {file: secrets/db.sops.json, key: 'db.pass word'}\n");
    assertThat(r.errors()).isEmpty();
    List<SecretRef> s = r.apps().get(0).task().secrets();
    assertThat(s).extracting(SecretRef::name).containsExactly("DB_PASSWORD", "TOKEN");
    assertThat(s.get(0).file()).isEqualTo("secrets/db.sops.json");
    assertThat(s.get(0).key()).isEqualTo("db.pass word");
    assertThat(s.get(0).resolved()).isFalse();
    assertThat(s.get(0).version()).isNull();
    assertThat(s.get(0).source().line()).isEqualTo(8);
  }

  @Test
  void badReferencesAreErrorsAtTheirLine() {
    assertThat(parse("  secrets: [a]\n").errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("spec.secrets must be a mapping of NAME"));
    assertThat(parse("  secrets:\n    1X: {file: s.yaml, key: k}\n").errors())
        .singleElement()
        .satisfies(
            e -> assertThat(e.toString()).startsWith("apps/web.yaml:7:5: spec.secrets name '1X'"));
    assertThat(parse("  secrets:\n    PORT: {file: s.yaml, key: k}\n").errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("set by Telos or Mesos"));
    assertThat(parse("  env: {A: x}\n  secrets:\n    A: {file: s.yaml, key: k}\n").errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("A is in both env and secrets"));
    assertThat(parse("  secrets:\n    A: {file: ../up.yaml, key: k}\n").errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("no '..'"));
    assertThat(parse("  secrets:\n    A: {file: /etc/s.yaml, key: k}\n").errors()).hasSize(1);
    assertThat(parse("  secrets:\n    A: {file: s.txt, key: k}\n").errors()).hasSize(1);
    assertThat(parse("  secrets:\n    A: {file: s.yaml, key: a..b}\n").errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("keys joined by dots"));
    assertThat(parse("  secrets:\n    A: {file: s.yaml}\n").errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("spec.secrets.A.key is required"));
    assertThat(parse("  secrets:\n    A: {file: s.yaml, key: k, value: x}\n").errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("unknown field 'value'"));
  }

  @Test
  void theValueEntersTheHashByItsVersionAndIsNeverShown() throws Exception {
    App app = parse("  secrets:\n    A: {file: s.yaml, key: k}\n").apps().get(0);
    App plain = parse("").apps().get(0);
    assertThat(app.specHash()).isNotEqualTo(plain.specHash());
    App one =
        app.withTasks(
            t ->
                t.withSecrets(
                    List.of(t.secrets().get(0).resolved("v1-value".getBytes(), "11111111"))));
    App two =
        app.withTasks(
            t ->
                t.withSecrets(
                    List.of(t.secrets().get(0).resolved("v2-value".getBytes(), "22222222"))));
    App again =
        app.withTasks(
            t ->
                t.withSecrets(
                    List.of(t.secrets().get(0).resolved("v1-value".getBytes(), "11111111"))));
    assertThat(one.specHash()).isNotEqualTo(two.specHash()).isEqualTo(again.specHash());
    assertThat(one).isEqualTo(again).isNotEqualTo(two);
    assertThat(one.task().secrets().get(0).reveal()).isEqualTo("v1-value");
    // Neither a record's text, nor JSON, nor the YAML of the API's spec view holds the value.
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule());
    assertThat(one.toString()).doesNotContain("v1-value").contains("***");
    assertThat(json.writeValueAsString(one.task()))
        .doesNotContain("v1-value")
        .contains("\"version\":\"11111111\"");
  }

  @Test
  void secretFilesAreSandboxPathsAndNeitherKindGoesToDockerContainers() {
    ManifestLoader.FileResult r =
        parse(
            "  secrets:\n    A: {file: s.yaml, key: k}\n"
                + "  secretFiles:\n    config/a.pem: {file: s.yaml, key: pem}\n");
    assertThat(r.errors()).isEmpty();
    assertThat(r.apps().get(0).task().secrets())
        .extracting(SecretRef::name, SecretRef::asFile)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("A", false),
            org.assertj.core.groups.Tuple.tuple("config/a.pem", true));
    assertThat(parse("  secretFiles:\n    /etc/a: {file: s.yaml, key: k}\n").errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("must be relative to the sandbox"));
    assertThat(parse("  secretFiles:\n    a/../../b: {file: s.yaml, key: k}\n").errors())
        .hasSize(1);
    assertThat(
            parse(
                    "  container: {type: DOCKER, image: nginx}\n"
                        + "  secrets:\n    A: {file: s.yaml, key: k}\n")
                .errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("Mesos containerizer only"));
    // An env secret and a file secret of one value are two references: each enters the hash.
    assertThat(parse("  secrets:\n    A: {file: s.yaml, key: k}\n").apps().get(0).specHash())
        .isNotEqualTo(
            parse("  secretFiles:\n    A: {file: s.yaml, key: k}\n").apps().get(0).specHash());
  }

  @Test
  void registryCredentialsMayComeFromASopsFile() {
    String image = "  container: {type: MESOS, image: registry.example/shop/web:1, pullConfig: ";
    ManifestLoader.FileResult r =
        parse(image + "{file: secrets/registry.sops.yaml, key: dockerconfigjson}}\n");
    assertThat(r.errors()).isEmpty();
    SecretRef pull = r.apps().get(0).task().secrets().get(0);
    assertThat(pull.kind()).isEqualTo(SecretRef.Kind.PULL_CONFIG);
    assertThat(pull.file()).isEqualTo("secrets/registry.sops.yaml");
    assertThat(r.apps().get(0).task().container().pullConfigSecret()).isNull();
    assertThat(parse(image + "{secret: reg, file: s.yaml, key: k}}\n").errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("not both"));
    assertThat(parse(image + "{file: s.yaml}}\n").errors()).isNotEmpty();
    assertThat(
            parse("  container: {type: DOCKER, image: nginx, pullConfig: {file: s.yaml, key: k}}\n")
                .errors())
        .anySatisfy(e -> assertThat(e.message()).contains("needs type MESOS"));
    assertThat(parse(image + "{secret: reg}}\n").apps().get(0).task().secrets()).isEmpty();
  }

  @Test
  void sopsFilesBesideManifestsAreNotReadAsManifests() {
    assertThat(ManifestLoader.isSourceFile("secrets/db.sops.yaml")).isFalse();
    assertThat(ManifestLoader.isSourceFile("db.sops.yml")).isFalse();
    assertThat(ManifestLoader.isSourceFile("db.yaml")).isTrue();
  }
}
