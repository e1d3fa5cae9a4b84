package dev.telos.reconcile;

import static dev.telos.reconcile.ResidentPlanningTest.offer;
import static dev.telos.reconcile.ResidentPlanningTest.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.manifest.App;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Placement at its edges: disk beside the task's, an agent's disk, an agent's own offer. */
class PlacementEdgesTest {
  static Placement placement(org.apache.mesos.v1.Protos.Offer... offers) {
    return new Placement(List.of(offers), Map.of());
  }

  static App app(String resources) {
    return PlannerFixture.app(
        "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: x}\nspec:\n"
            + "  role: data\n  command: run\n  resources: "
            + resources
            + "\n");
  }

  @Test
  void theExtraDiskOfVolumesComesOnTopOfTheTasksOwn() {
    App app = app("{cpus: 0.1, mem: 10, disk: 60}");
    assertThat(placement(offer("a1", 109)).choose(app, List.of(), 0, 0, 50).slot()).isNull();
    assertThat(placement(offer("a1", 110)).choose(app, List.of(), 0, 0, 50).slot()).isNotNull();
  }

  @Test
  void anAgentsOfferServesWhenItsDiskIsExactlyEnough() {
    Placement p = placement(offer("a1", 512));
    assertThat(p.ofAgent("data", "a1", 512)).isNotNull();
    assertThat(p.ofAgent("data", "a1", 513)).isNull();
    assertThat(p.ofAgent("data", "a2", 1)).isNull();
    assertThat(p.ofAgent("other", "a1", 1)).isNull();
  }

  @Test
  void placingOnAGivenOfferCountsTheExecutorAndTheGpus() {
    App app = app("{cpus: 0.1, mem: 10}");
    Placement p = placement(offer("a1", 100)); // 4 cpus, 4000 mem
    OfferSlot slot = p.ofAgent("data", "a1", 0);
    assertThat(p.placeOn(slot, app, 4, 0).placed()).as("0.1 + 4 cpus").isNull();
    assertThat(p.placeOn(slot, app, 0, 4000).placed()).as("10 + 4000 mem").isNull();
    Placement.Result refused = p.placeOn(slot, app("{cpus: 0.1, mem: 10, gpus: 1}"), 0, 0);
    assertThat(refused.placed()).isNull();
    assertThat(refused.reason()).isEqualTo("its offer has not enough resources");
    Placement gpu = placement(offer("a1", 100, scalar("gpus", 1)));
    assertThat(
            gpu.placeOn(gpu.ofAgent("data", "a1", 0), app("{cpus: 0.1, mem: 10, gpus: 1}"), 0, 0)
                .placed())
        .isNotNull();
    assertThat(p.placeOn(slot, app, 3.9, 3990).placed()).isNotNull();
  }
}
