package dev.telos.reconcile;

import java.util.ArrayList;
import java.util.List;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Value;

/**
 * An offer being filled during one pass: what is left of each of its resource entries. Taking
 * resources cuts them from the offer's own entries, so role, reservation and {@code
 * allocation_info} carry over to the task.
 */
final class OfferSlot {
  private static final double EPSILON = 1e-9;

  final Offer offer;
  private final List<Resource.Builder> remaining = new ArrayList<>();

  /**
   * What {@link #scalar} and {@link #freePorts} last found, until something is taken: a pass weighs
   * every offer for every task it places, and the offer changes only when one is placed.
   */
  private final java.util.Map<String, Double> scalars = new java.util.HashMap<>();

  private int ports = -1;

  /** Forgets the sums: called by everything that takes from {@code remaining}. */
  private void taking() {
    scalars.clear();
    ports = -1;
  }

  /** Whether the offer's agent has GPUs (even once a launch of this pass took them). */
  final boolean gpuAgent;

  OfferSlot(Offer offer) {
    this.offer = offer;
    boolean gpus = false;
    for (Resource r : offer.getResourcesList()) {
      remaining.add(r.toBuilder());
      gpus |= r.getName().equals("gpus") && r.getScalar().getValue() > 0;
    }
    this.gpuAgent = gpus;
  }

  String agentId() {
    return offer.getAgentId().getValue();
  }

  /**
   * Whether a general need may take from {@code r}: not a persistent volume, nor disk Telos
   * reserved for one (those go only to the instance they were made for).
   */
  static boolean usable(Resource.Builder r) {
    // PATH and MOUNT disks go only to persistent volumes of that type.
    return !Resident.isVolumeResource(r) && !(r.hasDisk() && r.getDisk().hasSource());
  }

  /** The unreserved PATH or MOUNT disks left in this offer, as offered. */
  List<Resource> sourcedDisks() {
    List<Resource> out = new ArrayList<>();
    for (Resource.Builder r : remaining) {
      if (r.getName().equals("disk")
          && r.hasDisk()
          && r.getDisk().hasSource()
          && !r.getDisk().hasPersistence()
          && Resident.appOf(r) == null
          && r.getReservationsCount() == 0) {
        out.add(r.build());
      }
    }
    return out;
  }

  /**
   * Cuts {@code amount} MB from the unreserved disk of {@code source} (all of a MOUNT disk);
   * returns the part taken, as offered.
   */
  Resource takeSourced(Resource.DiskInfo.Source source, double amount) {
    // PATH and MOUNT disks count in no sum (see usable): nothing to forget.
    for (Resource.Builder r : remaining) {
      if (r.hasDisk()
          && !r.getDisk().hasPersistence()
          && r.getReservationsCount() == 0
          && r.getDisk().getSource().equals(source)) {
        double have = r.getScalar().getValue();
        Resource taken =
            r.clone().setScalar(Value.Scalar.newBuilder().setValue(round(amount))).build();
        if (have - amount <= EPSILON) {
          remaining.remove(r);
        } else {
          r.setScalar(Value.Scalar.newBuilder().setValue(round(have - amount)));
        }
        return taken;
      }
    }
    throw new IllegalStateException("no disk " + source + " left in the offer");
  }

  /** Whether every volume (by persistence ID) is in what is left of this offer. */
  boolean hasVolumes(List<String> persistenceIds) {
    for (String id : persistenceIds) {
      if (volume(id) == null) {
        return false;
      }
    }
    return true;
  }

  private Resource.Builder volume(String persistenceId) {
    for (Resource.Builder r : remaining) {
      if (r.hasDisk()
          && r.getDisk().hasPersistence()
          && r.getDisk().getPersistence().getId().equals(persistenceId)) {
        return r;
      }
    }
    return null;
  }

  /** Takes the volumes (whole, as offered); they must be here ({@link #hasVolumes}). */
  List<Resource> takeVolumes(List<String> persistenceIds) {
    // Volumes count in no sum (see usable): nothing to forget.
    List<Resource> taken = new ArrayList<>();
    for (String id : persistenceIds) {
      Resource.Builder r = volume(id);
      taken.add(r.build());
      remaining.remove(r);
    }
    return taken;
  }

  double scalar(String name) {
    Double known = scalars.get(name);
    if (known != null) {
      return known;
    }
    double total = 0;
    for (Resource.Builder r : remaining) {
      if (r.getName().equals(name) && r.getType() == Value.Type.SCALAR && usable(r)) {
        total += r.getScalar().getValue();
      }
    }
    scalars.put(name, total);
    return total;
  }

  int freePorts() {
    if (ports >= 0) {
      return ports;
    }
    long n = 0;
    for (Resource.Builder r : remaining) {
      if (r.getName().equals("ports") && r.getType() == Value.Type.RANGES) {
        for (Value.Range range : r.getRanges().getRangeList()) {
          n += range.getEnd() - range.getBegin() + 1;
        }
      }
    }
    ports = (int) Math.min(Integer.MAX_VALUE, n);
    return ports;
  }

  boolean fits(double cpus, double mem, double disk, int ports) {
    return scalar("cpus") + EPSILON >= cpus
        && scalar("mem") + EPSILON >= mem
        && scalar("disk") + EPSILON >= disk
        && freePorts() >= ports;
  }

  /** Cuts a scalar amount from the entries of that name, in offer order. */
  List<Resource> takeScalar(String name, double amount) {
    taking();
    List<Resource> taken = new ArrayList<>();
    double left = amount;
    for (Resource.Builder r : remaining) {
      if (left <= EPSILON) {
        break;
      }
      if (!r.getName().equals(name) || r.getType() != Value.Type.SCALAR || !usable(r)) {
        continue;
      }
      double have = r.getScalar().getValue();
      double take = Math.min(have, left);
      if (take <= EPSILON) {
        continue;
      }
      taken.add(r.clone().setScalar(Value.Scalar.newBuilder().setValue(round(take))).build());
      r.setScalar(Value.Scalar.newBuilder().setValue(round(have - take)));
      left -= take;
    }
    return taken;
  }

  /** Takes the lowest {@code count} free ports; returns them and the entries they came from. */
  List<Long> takePorts(int count, List<Resource> into) {
    taking();
    List<Long> ports = new ArrayList<>();
    for (Resource.Builder r : remaining) {
      if (ports.size() == count) {
        break;
      }
      if (!r.getName().equals("ports") || r.getType() != Value.Type.RANGES) {
        continue;
      }
      List<Long> fromThis = new ArrayList<>();
      List<Value.Range> left = new ArrayList<>();
      for (Value.Range range : r.getRanges().getRangeList()) {
        long b = range.getBegin();
        while (b <= range.getEnd() && ports.size() + fromThis.size() < count) {
          fromThis.add(b++);
        }
        if (b <= range.getEnd()) {
          left.add(Value.Range.newBuilder().setBegin(b).setEnd(range.getEnd()).build());
        }
      }
      if (!fromThis.isEmpty()) {
        Value.Ranges.Builder ranges = Value.Ranges.newBuilder();
        for (long p : fromThis) {
          ranges.addRange(Value.Range.newBuilder().setBegin(p).setEnd(p));
        }
        into.add(r.clone().setRanges(ranges).build());
        r.setRanges(Value.Ranges.newBuilder().addAllRange(left));
        ports.addAll(fromThis);
      }
    }
    return ports;
  }

  private static double round(double v) {
    return Math.round(v * 1_000_000d) / 1_000_000d;
  }
}
