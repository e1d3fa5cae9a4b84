package dev.telos.reconcile;

import static dev.telos.reconcile.PlannerFixture.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.cluster.LiveTask;
import dev.telos.cluster.TaskIds;
import dev.telos.manifest.App;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.Value;
import org.junit.jupiter.api.Test;

/** Resident Services: volumes made once per instance, tasks pinned to them, released on delete. */
class ResidentPlanningTest {
  static final App DB =
      PlannerFixture.app(
          "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: db}\nspec:\n"
              + "  instances: 2\n  role: data\n  command: run db\n"
              + "  resources: {cpus: 0.5, mem: 100}\n"
              + "  container:\n    type: MESOS\n"
              + "    volumes: [{containerPath: pgdata, persistent: {size: 512}}]\n");

  final PlannerFixture f = new PlannerFixture();

  static Resource.AllocationInfo data() {
    return Resource.AllocationInfo.newBuilder().setRole("data").build();
  }

  static Resource scalar(String name, double v) {
    return Resource.newBuilder()
        .setName(name)
        .setType(Value.Type.SCALAR)
        .setScalar(Value.Scalar.newBuilder().setValue(v))
        .setAllocationInfo(data())
        .build();
  }

  static Offer offer(String agent, double disk, Resource... more) {
    return Offer.newBuilder()
        .setId(OfferID.newBuilder().setValue("o-" + agent))
        .setFrameworkId(FrameworkID.newBuilder().setValue("fw"))
        .setAgentId(AgentID.newBuilder().setValue(agent))
        .setHostname("host-" + agent)
        .setAllocationInfo(data())
        .addResources(scalar("cpus", 4))
        .addResources(scalar("mem", 4000))
        .addResources(scalar("disk", disk))
        .addAllResources(List.of(more))
        .build();
  }

  /** The volume of DB's instance {@code i}, as an offer carries it once made. */
  static Resource volume(int i) {
    List<Offer.Operation> ops = Resident.reserveAndCreate(DB, i, List.of(scalar("disk", 512)));
    return ops.get(1).getCreate().getVolumes(0);
  }

  Plan plan(Map<String, VolumeRecord> volumes) {
    return f.plan(Map.of(), volumes);
  }

  @Test
  void aNewInstanceReservesAndCreatesItsVolumesFirstAndLaunchesNothingYet() {
    f.with(DB);
    f.offers.add(offer("a1", 2000));
    Plan plan = plan(Map.of());
    assertThat(plan.launches()).isEmpty();
    assertThat(plan.reserves()).hasSize(2);
    Plan.Reserve r = plan.reserves().get(0);
    assertThat(r.instance()).isZero();
    assertThat(r.agentId()).isEqualTo("a1");
    assertThat(r.operations())
        .extracting(Offer.Operation::getType)
        .containsExactly(Offer.Operation.Type.RESERVE, Offer.Operation.Type.CREATE);
    Resource reserved = r.operations().get(0).getReserve().getResources(0);
    assertThat(reserved.getName()).isEqualTo("disk");
    assertThat(reserved.getScalar().getValue()).isEqualTo(512);
    assertThat(reserved.getReservations(0).getType())
        .isEqualTo(Resource.ReservationInfo.Type.DYNAMIC);
    assertThat(reserved.getReservations(0).getRole()).isEqualTo("data");
    assertThat(reserved.getReservations(0).getLabels().getLabelsList())
        .extracting(l -> l.getKey() + "=" + l.getValue())
        .containsExactly(
            "telos.dev/app=default/db", "telos.dev/instance=0", "telos.dev/volume=pgdata");
    Resource vol = r.operations().get(1).getCreate().getVolumes(0);
    assertThat(vol.getDisk().getPersistence().getId()).isEqualTo("telos.default.db.0.pgdata");
    assertThat(vol.getDisk().getVolume().getContainerPath()).isEqualTo("pgdata");
    assertThat(plan.reserves().get(1).instance()).isEqualTo(1);
    assertThat(plan.declines()).as("the offer is used").isEmpty();
    assertThat(plan.apps().get("default/db").message()).contains("making its persistent volumes");
    assertThat(plan.wantsOffers()).as("REVIVE: the volumes come back in an offer").isTrue();
  }

  @Test
  void anOfferWithTheVolumesLaunchesTheInstanceOnThemAndConfirmsTheRecord() {
    f.with(DB);
    f.offers.add(offer("a1", 1000, volume(0)));
    Plan plan =
        plan(Map.of("default/db#0", new VolumeRecord("a1", false, NOW.minusSeconds(1), "data")));
    Plan.Launch l =
        plan.launches().stream()
            .filter(x -> TaskIds.instanceOf(x.taskId()) == 0)
            .findFirst()
            .orElseThrow();
    assertThat(l.task().getResourcesList()).contains(volume(0));
    assertThat(l.taskId()).endsWith(".i0");
    assertThat(plan.volumesSeen()).containsEntry("default/db#0", "a1");
    // Instance 1 has no volumes yet: made on the same offer's unreserved disk.
    assertThat(plan.reserves()).extracting(Plan.Reserve::instance).containsExactly(1);
  }

  @Test
  void aKnownInstanceGoesOnlyToItsAgentAndItsVolumesAreNeverMadeTwice() {
    f.with(DB);
    f.offers.add(offer("a1", 5000));
    Map<String, VolumeRecord> records =
        Map.of(
            "default/db#0", new VolumeRecord("a2", true, NOW.minusSeconds(3600), "data"),
            "default/db#1", new VolumeRecord("a2", false, NOW.minusSeconds(5), "data"));
    Plan plan = plan(records);
    assertThat(plan.launches()).isEmpty();
    assertThat(plan.reserves()).isEmpty();
    assertThat(plan.pending())
        .extracting(Plan.Pending::reason)
        .anyMatch(r -> r.contains("waiting for an offer of agent a2"));
    assertThat(plan.nextWakeup())
        .as("an unconfirmed making is looked at again after the wait")
        .isEqualTo(NOW.minusSeconds(5).plus(VolumeRecord.CONFIRM_WAIT));
  }

  @Test
  void volumesNotSeenLongAfterTheyWereMadeAreMadeAgainOnTheSameAgent() {
    f.with(DB);
    f.offers.add(offer("a1", 5000));
    f.offers.add(offer("a2", 5000));
    Map<String, VolumeRecord> records =
        Map.of(
            "default/db#0",
            new VolumeRecord(
                "a2", false, NOW.minus(VolumeRecord.CONFIRM_WAIT).minusSeconds(1), "data"),
            "default/db#1",
            new VolumeRecord("a2", true, NOW.minus(Duration.ofHours(1)), "data"));
    Plan plan = plan(records);
    assertThat(plan.reserves())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.instance()).isZero();
              assertThat(r.agentId()).isEqualTo("a2");
            });
  }

  @Test
  void aRunningInstanceKeepsItsVolumesAndTheFreeOneIsRelaunchedOnItsOwn() {
    f.with(DB);
    LiveTask t =
        new LiveTask(
            TaskIds.resident(TaskIds.of("default", "db", DB.specHash(), NOW, "x"), 1),
            DB.key(),
            DB.specHash(),
            NOW.minusSeconds(60),
            TaskState.TASK_RUNNING,
            null,
            "a2",
            "host-a2",
            List.of(),
            null,
            null,
            null,
            NOW.minusSeconds(60),
            null,
            false);
    f.tasks.add(t);
    f.offers.add(offer("a1", 5000, volume(0), volume(1)));
    Plan plan = plan(Map.of());
    assertThat(plan.launches())
        .singleElement()
        .satisfies(l -> assertThat(l.taskId()).endsWith(".i0"));
  }

  @Test
  void aScaleDownStopsTheHighestInstancesFirst() {
    App one =
        PlannerFixture.app(
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: db}\nspec:\n"
                + "  instances: 1\n  role: data\n  command: run db\n"
                + "  resources: {cpus: 0.5, mem: 100}\n"
                + "  container:\n    type: MESOS\n"
                + "    volumes: [{containerPath: pgdata, persistent: {size: 512}}]\n");
    f.with(one);
    for (int i : new int[] {1, 0}) {
      f.tasks.add(
          new LiveTask(
              TaskIds.resident(TaskIds.of("default", "db", one.specHash(), NOW, "t" + i), i),
              one.key(),
              one.specHash(),
              NOW.minusSeconds(60 + i),
              TaskState.TASK_RUNNING,
              null,
              "a1",
              "host-a1",
              List.of(),
              null,
              null,
              null,
              NOW.minusSeconds(60),
              null,
              false));
    }
    assertThat(plan(Map.of()).kills())
        .singleElement()
        .satisfies(k -> assertThat(k.taskId()).endsWith(".i1"));
  }

  @Test
  void theVolumesOfADeletedAppAreDestroyedThenUnreserved() {
    Offer o = offer("a1", 100, volume(0));
    assertThat(Resident.releases(List.of(o), key -> true)).isEmpty();
    List<Plan.Release> releases = Resident.releases(List.of(o), key -> false);
    assertThat(releases)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.appKeys()).containsExactly("default/db");
              assertThat(r.operations())
                  .extracting(Offer.Operation::getType)
                  .containsExactly(Offer.Operation.Type.DESTROY, Offer.Operation.Type.UNRESERVE);
              assertThat(r.operations().get(0).getDestroy().getVolumesList())
                  .containsExactly(volume(0));
              Resource unreserved = r.operations().get(1).getUnreserve().getResources(0);
              assertThat(unreserved.hasDisk()).isFalse();
              assertThat(unreserved.getReservationsCount()).isEqualTo(1);
            });
    assertThat(Resident.releases(List.of(offer("a1", 100)), key -> false))
        .as("nothing reserved: nothing to give back")
        .isEmpty();
  }

  static Resource sourced(String type, String root, double mb) {
    Resource.DiskInfo.Source.Builder source = Resource.DiskInfo.Source.newBuilder();
    if (type.equals("MOUNT")) {
      source
          .setType(Resource.DiskInfo.Source.Type.MOUNT)
          .setMount(Resource.DiskInfo.Source.Mount.newBuilder().setRoot(root));
    } else {
      source
          .setType(Resource.DiskInfo.Source.Type.PATH)
          .setPath(Resource.DiskInfo.Source.Path.newBuilder().setRoot(root));
    }
    return scalar("disk", mb).toBuilder()
        .setDisk(Resource.DiskInfo.newBuilder().setSource(source))
        .build();
  }

  static App withVolume(String persistent) {
    return PlannerFixture.app(
        "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: db}\nspec:\n"
            + "  role: data\n  command: run db\n  resources: {cpus: 0.5, mem: 100}\n"
            + "  container:\n    type: MESOS\n"
            + "    volumes: [{containerPath: d, persistent: "
            + persistent
            + "}]\n");
  }

  @Test
  void aMountVolumeTakesAWholeMountDiskWithinItsSizesAndAPathVolumeAPartOfAPathDisk() {
    f.with(withVolume("{size: 1024, type: MOUNT, maxSize: 4096}"));
    f.offers.add(
        offer("a1", 5000, sourced("MOUNT", "/mnt/small", 512), sourced("MOUNT", "/mnt/big", 2048)));
    Plan plan = plan(Map.of());
    Resource reserved = plan.reserves().get(0).operations().get(0).getReserve().getResources(0);
    assertThat(reserved.getScalar().getValue()).as("taken whole").isEqualTo(2048);
    assertThat(reserved.getDisk().getSource().getMount().getRoot()).isEqualTo("/mnt/big");
    Resource created = plan.reserves().get(0).operations().get(1).getCreate().getVolumes(0);
    assertThat(created.getDisk().getSource().getMount().getRoot()).isEqualTo("/mnt/big");
    assertThat(created.getDisk().getPersistence().getId()).isEqualTo("telos.default.db.0.d");

    PlannerFixture g = new PlannerFixture();
    g.with(withVolume("{size: 1024, type: MOUNT, maxSize: 1500}"));
    g.offers.add(offer("a1", 5000, sourced("MOUNT", "/mnt/big", 2048)));
    Plan none = Planner.plan(g.input(), NOW);
    assertThat(none.reserves()).as("2048 MB is above maxSize").isEmpty();
    assertThat(none.apps().get("default/db").message())
        .contains("no offer has the disks its persistent volumes need");

    PlannerFixture p = new PlannerFixture();
    p.with(withVolume("{size: 300, type: PATH}"));
    p.offers.add(offer("a1", 100, sourced("PATH", "/srv/path", 1000)));
    Resource part =
        Planner.plan(p.input(), NOW)
            .reserves()
            .get(0)
            .operations()
            .get(0)
            .getReserve()
            .getResources(0);
    assertThat(part.getScalar().getValue()).isEqualTo(300);
    assertThat(part.getDisk().getSource().getPath().getRoot()).isEqualTo("/srv/path");
  }

  @Test
  void ordinaryTasksNeverTakePathOrMountDisks() {
    App web =
        PlannerFixture.app(
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web}\nspec:\n"
                + "  role: data\n  command: run web\n"
                + "  resources: {cpus: 0.1, mem: 10, disk: 300}\n");
    f.with(web);
    f.offers.add(offer("a1", 100, sourced("MOUNT", "/mnt/big", 2048)));
    assertThat(plan(Map.of()).launches()).isEmpty();
  }

  @Test
  void ordinaryTasksNeverTakeAnotherAppsVolumeDisk() {
    App web =
        PlannerFixture.app(
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web}\nspec:\n"
                + "  role: data\n  command: run web\n"
                + "  resources: {cpus: 0.1, mem: 10, disk: 300}\n");
    f.with(web);
    f.offers.add(offer("a1", 100, volume(0)));
    Plan plan = plan(Map.of());
    assertThat(plan.launches()).as("100 MB free besides the 512 MB volume").isEmpty();
    assertThat(plan.pending()).extracting(Plan.Pending::appKey).contains(web.key());
  }
}
