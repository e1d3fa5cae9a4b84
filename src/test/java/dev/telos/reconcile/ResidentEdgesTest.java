package dev.telos.reconcile;

import static dev.telos.reconcile.PlannerFixture.NOW;
import static dev.telos.reconcile.ResidentPlanningTest.DB;
import static dev.telos.reconcile.ResidentPlanningTest.offer;
import static dev.telos.reconcile.ResidentPlanningTest.scalar;
import static dev.telos.reconcile.ResidentPlanningTest.volume;
import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.cluster.TaskIds;
import dev.telos.manifest.App;
import java.util.List;
import java.util.Map;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.TaskState;
import org.junit.jupiter.api.Test;

/** Resident instances at the edges: no room on their agent, records, counts, shared disks. */
class ResidentEdgesTest {
  final PlannerFixture f = new PlannerFixture();

  Plan plan(Map<String, VolumeRecord> volumes) {
    return f.plan(Map.of(), volumes);
  }

  static VolumeRecord confirmed(String agent) {
    return new VolumeRecord(agent, true, NOW.minusSeconds(3600), "data");
  }

  @Test
  void aConfirmedRecordOfTheAgentThatOffersTheVolumesNeedsNoUpdate() {
    f.with(DB);
    f.offers.add(offer("a1", 1000, volume(0), volume(1)));
    Plan plan = plan(Map.of("default/db#0", confirmed("a1"), "default/db#1", confirmed("a1")));
    assertThat(plan.launches()).hasSize(2);
    assertThat(plan.volumesSeen()).isEmpty();
  }

  @Test
  void anAgentHoldingTheVolumesWithoutRoomForTheTaskIsWaitedFor() {
    f.with(DB);
    // The volumes are offered, but with less cpus than the task asks for (0.5).
    Offer small =
        offer("a1", 1000, volume(0), volume(1)).toBuilder()
            .clearResources()
            .addResources(scalar("cpus", 0.4))
            .addResources(scalar("mem", 4000))
            .addResources(volume(0))
            .addResources(volume(1))
            .build();
    f.offers.add(small);
    Plan plan = plan(Map.of("default/db#0", confirmed("a1"), "default/db#1", confirmed("a1")));
    assertThat(plan.launches()).isEmpty();
    assertThat(plan.apps().get("default/db").message())
        .contains(
            "instance 1: the agent with its volumes has no room: its offer has not enough"
                + " resources");
  }

  @Test
  void volumesNeverConfirmedAreMadeAgainOnlyOnTheirOwnAgent() {
    f.with(DB);
    f.offers.add(offer("a1", 5000));
    VolumeRecord stale = new VolumeRecord("a2", false, NOW.minusSeconds(60), "data");
    Plan plan = plan(Map.of("default/db#0", stale, "default/db#1", stale));
    assertThat(plan.reserves()).isEmpty();
    assertThat(plan.apps().get("default/db").message())
        .contains(
            "instance 1: its persistent volumes were not made on agent a2; waiting for an offer"
                + " of it to make them again");
  }

  @Test
  void twoInstancesNeverMakeTheirVolumesOnTheSameDisk() {
    f.with(DB);
    f.offers.add(offer("a1", 600)); // room for one 512 MB volume
    Plan plan = plan(Map.of());
    assertThat(plan.reserves()).extracting(Plan.Reserve::instance).containsExactly(0);
  }

  @Test
  void noMoreInstancesLaunchThanTheCountAllows() {
    f.with(DB);
    f.offers.add(offer("a1", 1000, volume(0), volume(1)));
    // A task of an older spec is still stopping: with maxSurge 0, one instance may start.
    f.task(DB, "0ld0ld0ld0", TaskState.TASK_KILLING, null, "a9", 5);
    Plan plan = plan(Map.of("default/db#0", confirmed("a1"), "default/db#1", confirmed("a1")));
    assertThat(plan.launches()).extracting(l -> TaskIds.instanceOf(l.taskId())).containsExactly(0);
  }

  @Test
  void theVolumesAnAppDecidedToMakeAreDroppedWhenItsPlanningFails() {
    // A spec no validation lets through: its kill grace period overflows when the TaskInfo of
    // instance 1 is built, after instance 0's volumes were planned.
    dev.telos.manifest.Service db = (dev.telos.manifest.Service) DB;
    dev.telos.manifest.Service broken =
        RestartAndIsolationTest.overflowingGracePeriod(db, db.task().env(), 2);
    f.with(broken);
    f.offers.add(offer("a1", 2000, volume(1)));
    Plan plan = plan(Map.of("default/db#1", confirmed("a1")));
    assertThat(plan.apps().get("default/db").message()).startsWith("planning failed: ");
    assertThat(plan.reserves()).isEmpty();
    assertThat(plan.launches()).isEmpty();
  }

  @Test
  void aFullyRunningResidentAppOfAnUnsubscribedRoleAddsNoPending() {
    App db = DB;
    f.with(db);
    f.settings = f.settings.withRoles(List.of("*"));
    f.running(db, "a1", 10);
    f.running(db, "a1", 10);
    Plan plan = plan(Map.of());
    assertThat(plan.pending()).noneMatch(p -> p.appKey().equals("default/db"));
  }
}
