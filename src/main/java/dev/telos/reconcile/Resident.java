package dev.telos.reconcile;

import dev.telos.manifest.App;
import dev.telos.manifest.ContainerSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.mesos.v1.Protos.Label;
import org.apache.mesos.v1.Protos.Labels;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Value;

/**
 * Resident tasks: a Service with persistent volumes runs each instance on volumes of its own, made
 * with RESERVE and CREATE on the agent where the instance first runs and labelled with the app and
 * the instance, so that an offer says whose they are. An instance's later tasks go to that agent,
 * onto those volumes; the volumes are destroyed and unreserved only once the app is deleted.
 */
public final class Resident {
  /** Reservation labels: the app key, the instance and the volume's container path. */
  static final String APP = "telos.dev/app";

  static final String INSTANCE = "telos.dev/instance";
  static final String VOLUME = "telos.dev/volume";

  private Resident() {}

  /** Whether the app has persistent volumes (its instances are resident). */
  public static boolean resident(App app) {
    ContainerSpec c = app.task().container();
    return c != null && !c.persistentVolumes().isEmpty();
  }

  /** The key of an instance's volumes in the controller's records: {@code namespace/name#i}. */
  public static String key(String appKey, int instance) {
    return appKey + "#" + instance;
  }

  /** The persistence ID of an instance's volume at {@code containerPath}. */
  static String persistenceId(App app, int instance, String containerPath) {
    return "telos."
        + app.metadata().namespace()
        + "."
        + app.metadata().name()
        + "."
        + instance
        + "."
        + containerPath;
  }

  static List<String> persistenceIds(App app, int instance) {
    List<String> ids = new ArrayList<>();
    for (ContainerSpec.Volume v : app.task().container().persistentVolumes()) {
      ids.add(persistenceId(app, instance, v.containerPath()));
    }
    return ids;
  }

  /** The MB of the agent's own (ROOT) disk the app's volumes need on a new agent. */
  static long volumeDisk(App app) {
    long mb = 0;
    for (ContainerSpec.Volume v : app.task().container().persistentVolumes()) {
      if (v.diskType() == ContainerSpec.DiskType.ROOT) {
        mb += v.persistentSize();
      }
    }
    return mb;
  }

  /**
   * The disk each persistent volume of the app would be made of on {@code slot}, in volume order
   * (unreserved, as offered: ROOT disk of the volume's size, a part of a PATH disk, a whole MOUNT
   * disk of size..maxSize), or null when they do not all fit. Takes nothing.
   */
  static List<Resource> fit(OfferSlot slot, App app) {
    List<Resource> disks = new ArrayList<>();
    List<Resource> sourced = new ArrayList<>(slot.sourcedDisks());
    double root = slot.scalar("disk") - app.task().resources().disk();
    Resource.AllocationInfo allocation = slot.offer.getAllocationInfo();
    for (ContainerSpec.Volume v : app.task().container().persistentVolumes()) {
      double size = v.persistentSize();
      switch (v.diskType()) {
        case ROOT -> {
          if (root + 1e-9 < size) {
            return null;
          }
          root -= size;
          disks.add(
              Resource.newBuilder()
                  .setName("disk")
                  .setType(Value.Type.SCALAR)
                  .setScalar(Value.Scalar.newBuilder().setValue(size))
                  .setAllocationInfo(allocation)
                  .build());
        }
        case PATH -> {
          Resource found = null;
          for (int i = 0; i < sourced.size() && found == null; i++) {
            Resource d = sourced.get(i);
            if (d.getDisk().getSource().getType() == Resource.DiskInfo.Source.Type.PATH
                && d.getScalar().getValue() + 1e-9 >= size) {
              found = d;
              double left = d.getScalar().getValue() - size;
              sourced.set(
                  i, d.toBuilder().setScalar(Value.Scalar.newBuilder().setValue(left)).build());
            }
          }
          if (found == null) {
            return null;
          }
          disks.add(found.toBuilder().setScalar(Value.Scalar.newBuilder().setValue(size)).build());
        }
        case MOUNT -> {
          Resource found = null;
          for (Resource d : sourced) {
            double have = d.getScalar().getValue();
            if (d.getDisk().getSource().getType() == Resource.DiskInfo.Source.Type.MOUNT
                && have + 1e-9 >= size
                && (v.maxSize() == 0 || have <= v.maxSize() + 1e-9)) {
              found = d;
              break;
            }
          }
          if (found == null) {
            return null;
          }
          sourced.remove(found);
          disks.add(found); // a MOUNT disk is taken whole
        }
      }
    }
    return disks;
  }

  /** Takes {@code disks} (from {@link #fit}) out of the slot. */
  static void take(OfferSlot slot, List<Resource> disks) {
    for (Resource d : disks) {
      if (d.hasDisk() && d.getDisk().hasSource()) {
        slot.takeSourced(d.getDisk().getSource(), d.getScalar().getValue());
      } else {
        slot.takeScalar("disk", d.getScalar().getValue());
      }
    }
  }

  /** A persistent volume, or disk reserved by Telos for one. */
  static boolean isVolumeResource(Resource.Builder r) {
    return (r.hasDisk() && r.getDisk().hasPersistence()) || appOf(r) != null;
  }

  /** The app key a resource was reserved for by Telos, or null. */
  static String appOf(Resource.Builder r) {
    int n = r.getReservationsCount();
    if (n == 0) {
      return null;
    }
    for (Label l : r.getReservations(n - 1).getLabels().getLabelsList()) {
      if (l.getKey().equals(APP)) {
        return l.getValue();
      }
    }
    return null;
  }

  /**
   * RESERVE then CREATE of the instance's volumes, each made of the disk {@link #fit} chose for it
   * (in volume order).
   */
  static List<Offer.Operation> reserveAndCreate(App app, int instance, List<Resource> disks) {
    String role = app.task().role();
    List<Resource> reserved = new ArrayList<>();
    List<Resource> volumes = new ArrayList<>();
    List<ContainerSpec.Volume> wanted = app.task().container().persistentVolumes();
    for (int k = 0; k < wanted.size(); k++) {
      ContainerSpec.Volume v = wanted.get(k);
      Resource disk =
          disks.get(k).toBuilder()
              .clearReservations()
              .addReservations(
                  Resource.ReservationInfo.newBuilder()
                      .setType(Resource.ReservationInfo.Type.DYNAMIC)
                      .setRole(role)
                      .setLabels(
                          Labels.newBuilder()
                              .addLabels(label(APP, app.key()))
                              .addLabels(label(INSTANCE, Integer.toString(instance)))
                              .addLabels(label(VOLUME, v.containerPath()))))
              .setAllocationInfo(Resource.AllocationInfo.newBuilder().setRole(role))
              .build();
      reserved.add(disk);
      Resource.DiskInfo.Builder info =
          disk.hasDisk() ? disk.getDisk().toBuilder() : Resource.DiskInfo.newBuilder();
      volumes.add(
          disk.toBuilder()
              .setDisk(
                  info.setPersistence(
                          Resource.DiskInfo.Persistence.newBuilder()
                              .setId(persistenceId(app, instance, v.containerPath())))
                      .setVolume(
                          org.apache.mesos.v1.Protos.Volume.newBuilder()
                              .setContainerPath(v.containerPath())
                              .setMode(org.apache.mesos.v1.Protos.Volume.Mode.RW)))
              .build());
    }
    return List.of(
        Offer.Operation.newBuilder()
            .setType(Offer.Operation.Type.RESERVE)
            .setReserve(Offer.Operation.Reserve.newBuilder().addAllResources(reserved))
            .build(),
        Offer.Operation.newBuilder()
            .setType(Offer.Operation.Type.CREATE)
            .setCreate(Offer.Operation.Create.newBuilder().addAllVolumes(volumes))
            .build());
  }

  /**
   * What to give back of the offers: the volumes and reservations Telos made for apps that {@code
   * keep} says are gone (deleted from git, not suspended, pruning not held), each offer's as one
   * DESTROY then one UNRESERVE.
   */
  public static List<Plan.Release> releases(List<Offer> offers, Predicate<String> keep) {
    List<Plan.Release> out = new ArrayList<>();
    for (Offer o : offers) {
      List<Resource> destroy = new ArrayList<>();
      List<Resource> unreserve = new ArrayList<>();
      Set<String> apps = new LinkedHashSet<>();
      for (Resource r : o.getResourcesList()) {
        String app = appOf(r.toBuilder());
        if (app == null || keep.test(app)) {
          continue;
        }
        apps.add(app);
        if (r.hasDisk() && r.getDisk().hasPersistence()) {
          destroy.add(r);
          Resource.DiskInfo rest = r.getDisk().toBuilder().clearPersistence().clearVolume().build();
          unreserve.add(
              rest.equals(Resource.DiskInfo.getDefaultInstance())
                  ? r.toBuilder().clearDisk().build()
                  : r.toBuilder().setDisk(rest).build());
        } else {
          unreserve.add(r);
        }
      }
      if (unreserve.isEmpty()) {
        continue;
      }
      List<Offer.Operation> ops = new ArrayList<>();
      if (!destroy.isEmpty()) {
        ops.add(
            Offer.Operation.newBuilder()
                .setType(Offer.Operation.Type.DESTROY)
                .setDestroy(Offer.Operation.Destroy.newBuilder().addAllVolumes(destroy))
                .build());
      }
      ops.add(
          Offer.Operation.newBuilder()
              .setType(Offer.Operation.Type.UNRESERVE)
              .setUnreserve(Offer.Operation.Unreserve.newBuilder().addAllResources(unreserve))
              .build());
      out.add(
          new Plan.Release(
              o.getId().getValue(), o.getAgentId().getValue(), List.copyOf(apps), ops));
    }
    return out;
  }

  private static Label label(String key, String value) {
    return Label.newBuilder().setKey(key).setValue(value).build();
  }
}
