package dev.telos.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.git.CommitInfo;
import dev.telos.git.Snapshot;
import dev.telos.manifest.App;
import dev.telos.manifest.ManifestLoader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What automatic rollback goes back to: each app as it was before its spec last changed. */
class PreviousSpecsTest {
  static App app(String name, String command) {
    return new ManifestLoader()
        .parseFile(
            name + ".yaml",
            ("apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: "
                    + name
                    + "}\nspec:\n  upgrade: {autoRollback: {}}\n  command: "
                    + command
                    + "\n")
                .getBytes(StandardCharsets.UTF_8))
        .apps()
        .get(0);
  }

  static Snapshot snapshot(String sha, App... apps) {
    return new Snapshot(new CommitInfo(sha, "a", Instant.EPOCH, "m"), List.of(apps));
  }

  @Test
  void aChangedAppRemembersItsSpecBeforeAnUnchangedOneKeepsWhatItHadAndARemovedOneIsForgotten() {
    App a1 = app("a", "run 1");
    App a2 = app("a", "run 2");
    App b1 = app("b", "run 1");
    App c1 = app("c", "run 1");
    assertThat(Controller.previous(null, snapshot("r1", a1, b1), Map.of())).isEmpty();
    Map<String, App> second =
        Controller.previous(snapshot("r1", a1, b1, c1), snapshot("r2", a2, b1, c1), Map.of());
    assertThat(second).isEqualTo(Map.of(a2.key(), a1));
    App b2 = app("b", "run 2");
    Map<String, App> third =
        Controller.previous(snapshot("r2", a2, b1, c1), snapshot("r3", a2, b2), second);
    assertThat(third).isEqualTo(Map.of(a2.key(), a1, b2.key(), b1));
    App a3 = app("a", "run 3");
    assertThat(Controller.previous(snapshot("r3", a2, b2), snapshot("r4", a3, b2), third))
        .isEqualTo(Map.of(a3.key(), a2, b2.key(), b1));
  }

  @Test
  void anAppThatCannotRollBackIsNotKept() {
    App plain =
        new ManifestLoader()
            .parseFile(
                "p.yaml",
                "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: p}\nspec:\n  command: x\n"
                    .getBytes(StandardCharsets.UTF_8))
            .apps()
            .get(0);
    App changed =
        new ManifestLoader()
            .parseFile(
                "p.yaml",
                "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: p}\nspec:\n  command: y\n"
                    .getBytes(StandardCharsets.UTF_8))
            .apps()
            .get(0);
    assertThat(Controller.previous(snapshot("r1", plain), snapshot("r2", changed), Map.of()))
        .isEmpty();
  }
}
