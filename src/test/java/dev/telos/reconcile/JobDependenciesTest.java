package dev.telos.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.manifest.App;
import dev.telos.manifest.ManifestError;
import dev.telos.manifest.ManifestLoader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A Job with dependencies runs only once they are healthy; a CronJob's job takes none. */
class JobDependenciesTest {
  static final String MIGRATE =
      "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: migrate}\nspec:\n"
          + "  command: ./migrate\n  resources: {cpus: 0.1, mem: 32}\n  dependencies: [db]\n";

  @Test
  void aJobWaitsForItsDependencyThenRuns() {
    App db = PlannerFixture.service("db", 1, "");
    App migrate = PlannerFixture.app(MIGRATE);
    assertThat(migrate.dependencies()).extracting(d -> d.key()).containsExactly("default/db");
    PlannerFixture f = new PlannerFixture().with(db).with(migrate).offer("a1", 4, 1000, 1, 0);
    Plan waiting = f.plan();
    assertThat(waiting.launches()).extracting(l -> l.appKey()).containsExactly("default/db");
    assertThat(waiting.apps().get("default/migrate").message())
        .startsWith("waiting for default/db to be healthy");
    PlannerFixture up = new PlannerFixture().with(db).with(migrate).offer("a1", 4, 1000, 1, 0);
    up.running(db, "a1", 1);
    assertThat(up.plan().launches()).extracting(l -> l.appKey()).containsExactly("default/migrate");
  }

  @Test
  void aCronJobsJobTakesNoDependencies() {
    ManifestLoader.FileResult r =
        new ManifestLoader()
            .parseFile(
                "c.yaml",
                ("apiVersion: telos.dev/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n"
                        + "  schedule: '0 * * * *'\n  job:\n    command: run\n"
                        + "    dependencies: [db]\n")
                    .getBytes(StandardCharsets.UTF_8));
    assertThat(r.errors().stream().map(ManifestError::toString))
        .singleElement()
        .asString()
        .startsWith("c.yaml:8:5: unknown field 'dependencies'");
  }
}
