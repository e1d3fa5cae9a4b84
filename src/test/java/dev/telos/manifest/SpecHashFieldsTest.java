package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Each field that reaches the task enters the hash by its value, not by its presence. */
class SpecHashFieldsTest {
  final ManifestLoader loader = new ManifestLoader();

  String hash(String spec) {
    String yaml =
        "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web}\nspec:\n  command: run\n"
            + spec;
    ManifestLoader.FileResult r = loader.parseFile("a.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    assertThat(r.errors()).isEmpty();
    return r.apps().get(0).specHash();
  }

  @Test
  void aRenamedPortChangesTheHash() {
    assertThat(hash("  ports: [{name: a}]\n")).isNotEqualTo(hash("  ports: [{name: b}]\n"));
    assertThat(hash("  ports: [{}]\n")).isNotEqualTo(hash("  ports: [{name: a}]\n"));
  }

  @Test
  void aConstraintsValueChangesTheHash() {
    assertThat(hash("  constraints: [{field: hostname, operator: LIKE, value: a.*}]\n"))
        .isNotEqualTo(hash("  constraints: [{field: hostname, operator: LIKE, value: b.*}]\n"));
  }

  @Test
  void quotesInValuesCannotForgeAnotherSpec() {
    // unescaped, both would read {"A":"x","B":"y",}
    assertThat(hash("  env: {A: 'x\",\"B\":\"y'}\n")).isNotEqualTo(hash("  env: {A: x, B: y}\n"));
  }

  @Test
  void theTelosExecutorsFieldsEnterTheHash() {
    String plain = hash("");
    String executor = hash("  executor: telos\n");
    assertThat(executor).isNotEqualTo(plain);
    String fetch =
        "  executor: telos\n  fetch: [{uri: /srv/a.tgz, sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855, outputFile: %s}]\n";
    assertThat(hash(fetch.formatted("x"))).isNotEqualTo(hash(fetch.formatted("y")));
    assertThat(
            hash(
                "  executor: telos\n  fetch: [{uri: /srv/a.tgz, sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855}]\n"))
        .isNotEqualTo(hash(fetch.formatted("a.tgz")));
    assertThat(hash("  executor: telos\n  preStart: [a]\n"))
        .isNotEqualTo(hash("  executor: telos\n  preStart: [b]\n"));
  }
}
