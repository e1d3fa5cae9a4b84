package dev.telos.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.manifest.App;
import dev.telos.manifest.ManifestLoader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SpecYamlTest {
  @Test
  void showsTheAppAsTheModelHoldsIt() {
    ManifestLoader.FileResult r =
        new ManifestLoader()
            .parseFile(
                "web.yaml",
                ("apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web, namespace: shop,"
                        + " labels: {team: a}}\nspec:\n  instances: 3\n  command: ./serve\n"
                        + "  resources: {cpus: 0.5, mem: 128}\n  killGracePeriod: 7s\n"
                        + "  env: {MODE: prod}\n")
                    .getBytes(StandardCharsets.UTF_8));
    assertThat(r.errors()).isEmpty();
    App app = r.apps().get(0);
    String yaml = SpecYaml.of(app);
    assertThat(yaml)
        .contains("name: web")
        .contains("namespace: shop")
        .contains("instances: 3")
        .contains("./serve")
        .contains("MODE: prod")
        .contains("PT7S")
        .contains(app.specHash());
  }
}
