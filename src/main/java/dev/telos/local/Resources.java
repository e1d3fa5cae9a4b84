package dev.telos.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Value;

/**
 * An amount of agent resources: the unreserved scalars {@code cpus}, {@code mem}, {@code disk},
 * {@code gpus} and the {@code ports} ranges, plus dynamically reserved entries (RESERVE) and
 * persistent volumes (CREATE), each kept whole as its Mesos resource without {@code
 * allocation_info}. Mutable, not thread-safe: owned by the master under its lock.
 */
final class Resources {
  private static final double EPSILON = 1e-6;

  double cpus;
  double mem;
  double disk;
  double gpus;

  /** Disjoint, sorted port ranges: begin → end (inclusive). */
  final TreeMap<Long, Long> ports = new TreeMap<>();

  /**
   * Entries kept whole, without allocation_info: dynamic reservations, persistent volumes, and PATH
   * and MOUNT disks (reserved or not).
   */
  final List<Resource> reserved = new ArrayList<>();

  static Resources of(double cpus, double mem, double disk, long portBegin, long portEnd) {
    Resources r = new Resources();
    r.cpus = cpus;
    r.mem = mem;
    r.disk = disk;
    if (portEnd >= portBegin) {
      r.ports.put(portBegin, portEnd);
    }
    return r;
  }

  /**
   * Sums Mesos resources.
   *
   * @throws IllegalArgumentException on a resource this cluster does not offer, or a bad value
   */
  static Resources from(List<Resource> resources) {
    Resources r = new Resources();
    for (Resource resource : resources) {
      if (isReserved(resource)) {
        scalar(resource);
        r.keep(resource.toBuilder().clearAllocationInfo().build());
        continue;
      }
      switch (resource.getName()) {
        case "cpus" -> r.cpus += scalar(resource);
        case "mem" -> r.mem += scalar(resource);
        case "disk" -> r.disk += scalar(resource);
        case "gpus" -> r.gpus += scalar(resource);
        case "ports" -> {
          if (resource.getType() != Value.Type.RANGES) {
            throw new IllegalArgumentException("resource 'ports' must be of type RANGES");
          }
          for (Value.Range range : resource.getRanges().getRangeList()) {
            if (range.getEnd() < range.getBegin()) {
              throw new IllegalArgumentException(
                  "port range " + range.getBegin() + "-" + range.getEnd() + " is empty");
            }
            r.addPorts(range.getBegin(), range.getEnd());
          }
        }
        default ->
            throw new IllegalArgumentException(
                "resource '" + resource.getName() + "' is not offered by this cluster");
      }
    }
    return r;
  }

  /**
   * A dynamically reserved resource, a persistent volume or a PATH or MOUNT disk: kept as an entry
   * of its own (a MOUNT disk is never split; a PATH disk only by a RESERVE).
   */
  static boolean isReserved(Resource r) {
    return r.getReservationsCount() > 0
        || (r.hasDisk() && (r.getDisk().hasPersistence() || r.getDisk().hasSource()));
  }

  /**
   * Whether a kept entry may be split like a plain scalar (a static or dynamic reservation of cpus,
   * mem, disk or gpus, a PATH disk): all but persistent volumes and MOUNT disks.
   */
  static boolean splittable(Resource r) {
    return r.getType() == Value.Type.SCALAR
        && !(r.hasDisk()
            && (r.getDisk().hasPersistence()
                || (r.getDisk().hasSource()
                    && r.getDisk().getSource().getType() == Resource.DiskInfo.Source.Type.MOUNT)));
  }

  /** What identifies a kept entry: all of it but the amount, for one that may be split. */
  private static Resource keyOf(Resource r) {
    return splittable(r) ? r.toBuilder().clearScalar().build() : r;
  }

  private static double amount(Resource r) {
    return splittable(r) ? r.getScalar().getValue() : 1;
  }

  private static Resource withAmount(Resource r, double v) {
    return r.toBuilder()
        .setScalar(Value.Scalar.newBuilder().setValue(Math.round(v * 1_000_000d) / 1_000_000d))
        .build();
  }

  /** The kept entries, each identity with the amount of it (1 for one kept whole). */
  private static Map<Resource, Double> amounts(List<Resource> entries) {
    Map<Resource, Double> out = new java.util.HashMap<>();
    for (Resource r : entries) {
      out.merge(keyOf(r), amount(r), Double::sum);
    }
    return out;
  }

  /** The role a reserved entry is reserved for. */
  static String roleOf(Resource r) {
    return r.getReservationsCount() == 0
        ? "*"
        : r.getReservations(r.getReservationsCount() - 1).getRole();
  }

  private static double scalar(Resource resource) {
    if (resource.getType() != Value.Type.SCALAR || !resource.hasScalar()) {
      throw new IllegalArgumentException("resource '" + resource.getName() + "' must be SCALAR");
    }
    double v = resource.getScalar().getValue();
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(
          "resource '" + resource.getName() + "' has an invalid value " + v);
    }
    return v;
  }

  Resources copy() {
    Resources r = new Resources();
    r.cpus = cpus;
    r.mem = mem;
    r.disk = disk;
    r.gpus = gpus;
    r.ports.putAll(ports);
    r.reserved.addAll(reserved);
    return r;
  }

  /** A copy whose reserved entries are only those unreserved or reserved for {@code role}. */
  Resources copyFor(String role) {
    Resources r = copy();
    r.reserved.removeIf(e -> !roleOf(e).equals(role) && !roleOf(e).equals("*"));
    return r;
  }

  boolean isEmpty() {
    return cpus < EPSILON
        && mem < EPSILON
        && disk < EPSILON
        && gpus < EPSILON
        && ports.isEmpty()
        && reserved.isEmpty();
  }

  /** Whether {@code other} fits inside this amount. */
  boolean contains(Resources other) {
    if (other.cpus > cpus + EPSILON
        || other.mem > mem + EPSILON
        || other.disk > disk + EPSILON
        || other.gpus > gpus + EPSILON) {
      return false;
    }
    for (Map.Entry<Long, Long> range : other.ports.entrySet()) {
      Map.Entry<Long, Long> holder = ports.floorEntry(range.getKey());
      if (holder == null || holder.getValue() < range.getValue()) {
        return false;
      }
    }
    Map<Resource, Double> have = amounts(reserved);
    for (Map.Entry<Resource, Double> want : amounts(other.reserved).entrySet()) {
      if (have.getOrDefault(want.getKey(), 0d) + EPSILON < want.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Adds one kept entry: merged with an entry of the same identity when it may be split. */
  void keep(Resource r) {
    if (splittable(r)) {
      Resource key = keyOf(r);
      for (int i = 0; i < reserved.size(); i++) {
        Resource e = reserved.get(i);
        if (splittable(e) && keyOf(e).equals(key)) {
          reserved.set(i, withAmount(e, e.getScalar().getValue() + r.getScalar().getValue()));
          return;
        }
      }
    }
    reserved.add(r);
  }

  /** Removes one kept entry (an amount of it, for one that may be split); it must be there. */
  private void release(Resource r) {
    if (!splittable(r)) {
      reserved.remove(r);
      return;
    }
    Resource key = keyOf(r);
    double left = r.getScalar().getValue();
    for (int i = 0; i < reserved.size() && left > EPSILON; i++) {
      Resource e = reserved.get(i);
      if (splittable(e) && keyOf(e).equals(key)) {
        double have = e.getScalar().getValue();
        double take = Math.min(have, left);
        left -= take;
        if (have - take <= EPSILON) {
          reserved.remove(i--);
        } else {
          reserved.set(i, withAmount(e, have - take));
        }
      }
    }
  }

  void add(Resources other) {
    cpus += other.cpus;
    mem += other.mem;
    disk += other.disk;
    gpus += other.gpus;
    other.ports.forEach(this::addPorts);
    other.reserved.forEach(this::keep);
  }

  /** Removes {@code other}, which must be contained. */
  void subtract(Resources other) {
    if (!contains(other)) {
      throw new IllegalStateException("subtracting resources that are not there");
    }
    cpus = clamp(cpus - other.cpus);
    mem = clamp(mem - other.mem);
    disk = clamp(disk - other.disk);
    gpus = clamp(gpus - other.gpus);
    for (Map.Entry<Long, Long> range : other.ports.entrySet()) {
      removePorts(range.getKey(), range.getValue());
    }
    other.reserved.forEach(this::release);
  }

  private static double clamp(double v) {
    return v < EPSILON ? 0 : v;
  }

  private void addPorts(long begin, long end) {
    long b = begin;
    long e = end;
    Map.Entry<Long, Long> before = ports.floorEntry(b);
    if (before != null && before.getValue() >= b - 1) {
      b = before.getKey();
      e = Math.max(e, before.getValue());
      ports.remove(before.getKey());
    }
    Map.Entry<Long, Long> next;
    while ((next = ports.ceilingEntry(b)) != null && next.getKey() <= e + 1) {
      e = Math.max(e, next.getValue());
      ports.remove(next.getKey());
    }
    ports.put(b, e);
  }

  private void removePorts(long begin, long end) {
    Map.Entry<Long, Long> holder = ports.floorEntry(begin);
    long hb = holder.getKey();
    long he = holder.getValue();
    ports.remove(hb);
    if (hb < begin) {
      ports.put(hb, begin - 1);
    }
    if (he > end) {
      ports.put(end + 1, he);
    }
  }

  /** Keeps only the ports that {@code keep} accepts. */
  void retainPorts(java.util.function.LongPredicate keep) {
    java.util.TreeMap<Long, Long> before = new java.util.TreeMap<>(ports);
    ports.clear();
    before.forEach(
        (b, e) -> {
          for (long p = b; p <= e; p++) {
            if (keep.test(p)) {
              addPorts(p, p);
            }
          }
        });
  }

  /** The amount as Mesos resources for {@code role}, with {@code allocation_info} set. */
  List<Resource> toProto(String role) {
    List<Resource> out = new ArrayList<>();
    Resource.AllocationInfo allocation = Resource.AllocationInfo.newBuilder().setRole(role).build();
    addScalar(out, "cpus", cpus, allocation);
    addScalar(out, "mem", mem, allocation);
    addScalar(out, "disk", disk, allocation);
    addScalar(out, "gpus", gpus, allocation);
    if (!ports.isEmpty()) {
      Value.Ranges.Builder ranges = Value.Ranges.newBuilder();
      ports.forEach((b, e) -> ranges.addRange(Value.Range.newBuilder().setBegin(b).setEnd(e)));
      out.add(
          Resource.newBuilder()
              .setName("ports")
              .setType(Value.Type.RANGES)
              .setRanges(ranges)
              .setAllocationInfo(allocation)
              .build());
    }
    for (Resource r : reserved) {
      out.add(r.toBuilder().setAllocationInfo(allocation).build());
    }
    return out;
  }

  /** The amount as unallocated Mesos resources (for {@code /master/state}). */
  List<Resource> toUnallocatedProto() {
    List<Resource> out = new ArrayList<>();
    for (Resource r : toProto("*")) {
      out.add(r.toBuilder().clearAllocationInfo().build());
    }
    return out;
  }

  private static void addScalar(
      List<Resource> out, String name, double value, Resource.AllocationInfo allocation) {
    if (value >= EPSILON) {
      out.add(
          Resource.newBuilder()
              .setName(name)
              .setType(Value.Type.SCALAR)
              .setScalar(Value.Scalar.newBuilder().setValue(Math.round(value * 1000) / 1000d))
              .setAllocationInfo(allocation)
              .build());
    }
  }

  @Override
  public String toString() {
    return "cpus:"
        + cpus
        + ";mem:"
        + mem
        + ";disk:"
        + disk
        + (gpus > 0 ? ";gpus:" + gpus : "")
        + ";ports:"
        + ports
        + (reserved.isEmpty() ? "" : ";reserved:" + reserved.size());
  }
}
