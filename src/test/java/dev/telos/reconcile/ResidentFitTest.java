package dev.telos.reconcile;

import static dev.telos.reconcile.ResidentPlanningTest.offer;
import static dev.telos.reconcile.ResidentPlanningTest.scalar;
import static dev.telos.reconcile.ResidentPlanningTest.sourced;
import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.manifest.App;
import java.util.List;
import org.apache.mesos.v1.Protos.Resource;
import org.junit.jupiter.api.Test;

/** Where a resident instance's volumes fit on an offer, at the edges of each disk. */
class ResidentFitTest {
  static App app(String taskDisk, String... volumes) {
    StringBuilder v = new StringBuilder();
    for (int i = 0; i < volumes.length; i++) {
      v.append(i == 0 ? "" : ", ")
          .append("{containerPath: v")
          .append(i)
          .append(", persistent: ")
          .append(volumes[i])
          .append('}');
    }
    return PlannerFixture.app(
        "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: db}\nspec:\n"
            + "  role: data\n  command: run\n  resources: {cpus: 0.1, mem: 10, disk: "
            + taskDisk
            + "}\n  container:\n    type: MESOS\n    volumes: ["
            + v
            + "]\n");
  }

  static List<Resource> fit(App app, double rootDisk, Resource... sourced) {
    return Resident.fit(new OfferSlot(offer("a1", rootDisk, sourced)), app);
  }

  @Test
  void rootVolumesFitTheAgentsOwnDiskBesidesTheTasks() {
    assertThat(fit(app("0", "{size: 512}"), 512)).hasSize(1);
    assertThat(fit(app("0", "{size: 512}"), 511)).isNull();
    assertThat(fit(app("100", "{size: 512}"), 600)).as("the task's disk comes first").isNull();
    assertThat(fit(app("100", "{size: 512}"), 612)).hasSize(1);
    assertThat(fit(app("0", "{size: 300}", "{size: 300}"), 600)).hasSize(2);
    assertThat(fit(app("0", "{size: 300}", "{size: 300}"), 599)).isNull();
    assertThat(
            Resident.volumeDisk(app("0", "{size: 300}", "{size: 200}", "{size: 50, type: PATH}")))
        .as("PATH and MOUNT volumes take no ROOT disk")
        .isEqualTo(500);
  }

  @Test
  void pathVolumesShareAPathDiskUpToItsSize() {
    Resource path = sourced("PATH", "/p", 600);
    assertThat(fit(app("0", "{size: 600, type: PATH}"), 0, path)).hasSize(1);
    assertThat(fit(app("0", "{size: 601, type: PATH}"), 0, path)).isNull();
    assertThat(fit(app("0", "{size: 300, type: PATH}", "{size: 300, type: PATH}"), 0, path))
        .extracting(r -> r.getScalar().getValue())
        .containsExactly(300.0, 300.0);
    assertThat(fit(app("0", "{size: 301, type: PATH}", "{size: 300, type: PATH}"), 0, path))
        .isNull();
    assertThat(fit(app("0", "{size: 10, type: PATH}"), 0, sourced("MOUNT", "/m", 100)))
        .as("a PATH volume never takes a MOUNT disk")
        .isNull();
  }

  @Test
  void aMountVolumeTakesOneWholeDiskBetweenSizeAndMaxSize() {
    assertThat(fit(app("0", "{size: 100, type: MOUNT}"), 0, sourced("MOUNT", "/m", 100)))
        .hasSize(1);
    assertThat(fit(app("0", "{size: 101, type: MOUNT}"), 0, sourced("MOUNT", "/m", 100))).isNull();
    assertThat(
            fit(app("0", "{size: 50, type: MOUNT, maxSize: 100}"), 0, sourced("MOUNT", "/m", 100)))
        .singleElement()
        .satisfies(r -> assertThat(r.getScalar().getValue()).isEqualTo(100));
    assertThat(
            fit(app("0", "{size: 50, type: MOUNT, maxSize: 99}"), 0, sourced("MOUNT", "/m", 100)))
        .isNull();
    assertThat(fit(app("0", "{size: 50, type: MOUNT}"), 0, sourced("PATH", "/p", 100)))
        .as("a MOUNT volume never takes a PATH disk")
        .isNull();
    assertThat(
            fit(
                app("0", "{size: 50, type: MOUNT}", "{size: 50, type: MOUNT}"),
                0,
                sourced("MOUNT", "/m", 100)))
        .as("one MOUNT disk serves one volume")
        .isNull();
  }

  @Test
  void takingTheChosenDisksLeavesTheRestOfTheOffer() {
    App two = app("0", "{size: 200}", "{size: 300, type: PATH}");
    OfferSlot slot = new OfferSlot(offer("a1", 1000, sourced("PATH", "/p", 1000)));
    List<Resource> disks = Resident.fit(slot, two);
    Resident.take(slot, disks);
    assertThat(slot.scalar("disk")).isEqualTo(800);
    assertThat(slot.sourcedDisks())
        .singleElement()
        .satisfies(d -> assertThat(d.getScalar().getValue()).isEqualTo(700));
    Resource taken = slot.takeSourced(slot.sourcedDisks().get(0).getDisk().getSource(), 700);
    assertThat(taken.getScalar().getValue()).isEqualTo(700);
    assertThat(taken.getDisk().getSource().getPath().getRoot()).isEqualTo("/p");
    assertThat(slot.sourcedDisks()).as("taken whole: nothing left").isEmpty();
  }

  @Test
  void onlyTelosVolumesAndTheirDiskAreKeptFromOtherTasks() {
    Resource staticCpus =
        scalar("cpus", 2).toBuilder()
            .addReservations(
                Resource.ReservationInfo.newBuilder()
                    .setType(Resource.ReservationInfo.Type.STATIC)
                    .setRole("data"))
            .build();
    OfferSlot slot =
        new OfferSlot(
            offer("a1", 0, staticCpus, ResidentPlanningTest.volume(0), sourced("MOUNT", "/m", 5)));
    assertThat(slot.scalar("cpus")).as("4 unreserved + 2 reserved for the role").isEqualTo(6);
    assertThat(slot.scalar("disk")).as("volumes and MOUNT disks are no plain disk").isZero();
    assertThat(Resident.isVolumeResource(ResidentPlanningTest.volume(0).toBuilder())).isTrue();
    assertThat(
            Resident.isVolumeResource(
                ResidentPlanningTest.volume(0).toBuilder().clearReservations()))
        .as("a persistent volume, whoever made it")
        .isTrue();
    assertThat(Resident.isVolumeResource(ResidentPlanningTest.volume(0).toBuilder().clearDisk()))
        .as("disk Telos reserved for a volume")
        .isTrue();
    assertThat(Resident.isVolumeResource(staticCpus.toBuilder())).isFalse();
    assertThat(Resident.appOf(staticCpus.toBuilder())).isNull();
  }
}
