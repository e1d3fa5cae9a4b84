package dev.telos.local;

import java.util.ArrayList;
import java.util.List;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;

/**
 * The embedded master's RESERVE, UNRESERVE, CREATE and DESTROY: each applied to what is left of the
 * accepted offers, in the ACCEPT's order, as Mesos applies them; an invalid one is refused whole
 * (the caller drops it, as Mesos does) and changes nothing. Dynamic reservations and volumes are
 * kept whole: a reservation is unreserved, and a volume destroyed, as it was made.
 */
final class Volumes {
  private Volumes() {}

  /**
   * Applies one operation to {@code pool} (the accepted offers' resources, offered to {@code
   * role}); returns why it was refused, or null.
   */
  static String apply(
      Offer.Operation op, Master.Agent agent, List<String> roles, String role, Resources pool) {
    return switch (op.getType()) {
      case RESERVE -> reserve(op.getReserve().getResourcesList(), roles, role, pool);
      case UNRESERVE -> unreserve(op.getUnreserve().getResourcesList(), pool);
      case CREATE -> create(op.getCreate().getVolumesList(), agent, pool);
      case DESTROY -> destroy(op.getDestroy().getVolumesList(), agent, pool);
      default -> "not a volume operation: " + op.getType();
    };
  }

  private static String reserve(
      List<Resource> resources, List<String> roles, String role, Resources pool) {
    if (resources.isEmpty()) {
      return "Invalid reservation resources: no resources";
    }
    Resources unreserved = new Resources();
    List<Resource> made = new ArrayList<>();
    for (Resource r : resources) {
      if (r.getReservationsCount() == 0
          || r.getReservations(r.getReservationsCount() - 1).getType()
              != Resource.ReservationInfo.Type.DYNAMIC) {
        return "Invalid reservation resources: " + r.getName() + " has no dynamic reservation";
      }
      String to = Resources.roleOf(r);
      if (!roles.contains(to)) {
        return "A reserve operation was attempted for a resource with role '"
            + to
            + "', but the framework can only reserve resources with roles "
            + roles;
      }
      if (!to.equals(role)) {
        return "Invalid reservation resources: reserved for role '"
            + to
            + "' from an offer for role '"
            + role
            + "'";
      }
      if (r.hasDisk() && r.getDisk().hasPersistence()) {
        return "Invalid reservation resources: a persistent volume cannot be reserved";
      }
      if (r.getType() != org.apache.mesos.v1.Protos.Value.Type.SCALAR) {
        return "Invalid reservation resources: only scalar resources can be reserved here";
      }
      // A PATH disk is cut as any scalar, a MOUNT disk only whole (Resources keeps it so).
      Resource plain = r.toBuilder().clearReservations().clearAllocationInfo().build();
      try {
        unreserved.add(Resources.from(List.of(plain)));
      } catch (IllegalArgumentException e) {
        return "Invalid reservation resources: " + e.getMessage();
      }
      made.add(r.toBuilder().clearAllocationInfo().build());
    }
    if (!pool.contains(unreserved)) {
      return "Invalid reservation resources: " + unreserved + " are not in the offer " + pool;
    }
    pool.subtract(unreserved);
    made.forEach(pool::keep);
    return null;
  }

  private static String unreserve(List<Resource> resources, Resources pool) {
    List<Resource> gone = new ArrayList<>();
    Resources freed = new Resources();
    for (Resource r : resources) {
      Resource entry = r.toBuilder().clearAllocationInfo().build();
      if (entry.hasDisk() && entry.getDisk().hasPersistence()) {
        return "Invalid resources: a persistent volume must be destroyed before it is unreserved";
      }
      gone.add(entry);
      if (entry.getReservationsCount() == 0) {
        return "Invalid resources: " + entry.getName() + " is not reserved";
      }
      Resource.Builder popped =
          entry.toBuilder().removeReservations(entry.getReservationsCount() - 1);
      if (popped.getReservationsCount() > 0) {
        return "Invalid resources: refined reservations are not supported here";
      }
      freed.add(Resources.from(List.of(popped.build())));
    }
    Resources asked = new Resources();
    gone.forEach(asked::keep);
    if (!pool.contains(asked)) {
      return "Invalid resources: the reserved resources are not in the offer";
    }
    pool.subtract(asked);
    pool.add(freed);
    return null;
  }

  private static String create(List<Resource> volumes, Master.Agent agent, Resources pool) {
    List<Resource> from = new ArrayList<>();
    List<Resource> made = new ArrayList<>();
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (Resource v : volumes) {
      if (!v.hasDisk() || !v.getDisk().hasPersistence()) {
        return "Not a persistent volume: 'persistence' is not set in DiskInfo";
      }
      if (!v.getDisk().hasVolume()) {
        return "Expecting 'volume' to be set for persistent volume";
      }
      if (v.getDisk().getVolume().hasHostPath()) {
        return "Expecting 'host_path' to be unset for persistent volume";
      }
      if (v.getDisk().getVolume().getMode() != org.apache.mesos.v1.Protos.Volume.Mode.RW) {
        return "Read-only persistent volume not supported";
      }
      String id = v.getDisk().getPersistence().getId();
      if (id.isEmpty() || id.contains("/") || id.equals(".") || id.equals("..")) {
        return "Invalid persistence ID for persistent volume: '" + id + "'";
      }
      String key = Resources.roleOf(v) + "/" + id;
      if (agent.volumes.contains(key) || !ids.add(key)) {
        return "Persistence ID '" + id + "' is not unique";
      }
      if (v.getReservationsCount() == 0) {
        return "Invalid resources: a persistent volume needs reserved disk here";
      }
      Resource entry = v.toBuilder().clearAllocationInfo().build();
      from.add(stripped(entry));
      made.add(entry);
    }
    Resources asked = new Resources();
    from.forEach(asked::keep);
    if (!pool.contains(asked)) {
      return "Invalid volume resources: the reserved disk is not in the offer";
    }
    pool.subtract(asked);
    made.forEach(pool::keep);
    for (Resource v : made) {
      agent.volumes.add(Resources.roleOf(v) + "/" + v.getDisk().getPersistence().getId());
      agent.runner.createVolume(v);
    }
    return null;
  }

  private static String destroy(List<Resource> volumes, Master.Agent agent, Resources pool) {
    List<Resource> gone = new ArrayList<>();
    for (Resource v : volumes) {
      if (!v.hasDisk() || !v.getDisk().hasPersistence()) {
        return "Not a persistent volume: 'persistence' is not set in DiskInfo";
      }
      gone.add(v.toBuilder().clearAllocationInfo().build());
    }
    Resources asked = new Resources();
    gone.forEach(asked::keep);
    if (!pool.contains(asked)) {
      // A volume a task uses is not in any offer.
      return "Persistent volumes not found";
    }
    pool.subtract(asked);
    for (Resource v : gone) {
      pool.keep(stripped(v));
      agent.volumes.remove(Resources.roleOf(v) + "/" + v.getDisk().getPersistence().getId());
      agent.runner.destroyVolume(v);
    }
    return null;
  }

  /** The reserved disk a volume was made of. */
  private static Resource stripped(Resource volume) {
    Resource.Builder b = volume.toBuilder();
    Resource.DiskInfo disk = volume.getDisk().toBuilder().clearPersistence().clearVolume().build();
    if (disk.equals(Resource.DiskInfo.getDefaultInstance())) {
      b.clearDisk();
    } else {
      b.setDisk(disk);
    }
    return b.build();
  }
}
