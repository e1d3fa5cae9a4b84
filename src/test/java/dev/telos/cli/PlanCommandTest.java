package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.manifest.App;
import dev.telos.manifest.ManifestLoader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a plan says about one app, without a repository. */
class PlanCommandTest {
  static App app(String extra) {
    var r =
        new ManifestLoader()
            .parseFile(
                "a.yaml",
                ("apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\nspec:\n"
                        + "  command: run\n  resources: {cpus: 0.25, mem: 100}\n"
                        + extra)
                    .getBytes(StandardCharsets.UTF_8));
    assertThat(r.errors()).isEmpty();
    return r.apps().get(0);
  }

  @Test
  void aTaskUnderTheTelosExecutorShowsTheExecutorsResourcesOnTopOfItsOwn() {
    assertThat(PlanCommand.footprint(app(""))).isEqualTo("0.25 cpus, 100 MiB per task");
    assertThat(PlanCommand.footprint(app("  executor: telos\n")))
        .isEqualTo("0.25 cpus, 100 MiB + 0.05 cpus, 64 MiB for the Telos executor per task");
  }

  @Test
  void aRenderedAppNamesItsReleaseAndChart() {
    App plain = app("");
    assertThat(PlanCommand.kindOf(plain)).isEqualTo("Service");
    App rendered =
        plain.withMetadata(
            plain
                .metadata()
                .withLabel(dev.telos.manifest.Release.LABEL, "web")
                .withLabel(dev.telos.manifest.Release.CHART_LABEL, "service-1.0.0"));
    assertThat(PlanCommand.kindOf(rendered)).isEqualTo("Service, release web (service-1.0.0)");
  }
}
