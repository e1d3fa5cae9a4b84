package dev.telos.reconcile;

import dev.telos.manifest.App;
import dev.telos.manifest.Constraint;
import dev.telos.manifest.TaskSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.mesos.v1.Protos.Attribute;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;

/**
 * Matches tasks to the offers of one pass: resources and ports must fit what is left of the offer,
 * every constraint must hold given where the app's tasks already run (and where this pass placed
 * them), and among the offers that fit, the agent with the fewest tasks of the app wins, which
 * spreads instances. Several tasks may share an offer.
 */
final class Placement {
  /**
   * Where one task goes: the slot, the resources cut from it and the ports assigned.
   *
   * @param executorResources what its executor takes besides (empty for the command executor)
   */
  record Placed(
      OfferSlot slot,
      List<Resource> resources,
      List<Long> ports,
      List<Resource> executorResources) {}

  private final List<OfferSlot> slots = new ArrayList<>();

  /** agent ID → field values: hostname and text/scalar attributes. */
  private final Map<String, Map<String, String>> agentFields;

  Placement(List<Offer> offers, Map<String, Map<String, String>> agentFields) {
    for (Offer o : offers) {
      slots.add(new OfferSlot(o));
    }
    this.agentFields = new HashMap<>(agentFields);
    for (Offer o : offers) {
      this.agentFields.put(o.getAgentId().getValue(), fieldsOf(o));
    }
  }

  static Map<String, String> fieldsOf(Offer o) {
    Map<String, String> f = new HashMap<>();
    f.put("hostname", o.getHostname());
    for (Attribute a : o.getAttributesList()) {
      switch (a.getType()) {
        case TEXT -> f.put(a.getName(), a.getText().getValue());
        case SCALAR ->
            f.put(
                a.getName(),
                java.math.BigDecimal.valueOf(a.getScalar().getValue())
                    .stripTrailingZeros()
                    .toPlainString());
        default -> {}
      }
    }
    return f;
  }

  List<OfferSlot> slots() {
    return slots;
  }

  /**
   * Places one task of {@code app}, given the agents its tasks occupy (one entry per task).
   *
   * @return the placement, or why nothing fits
   */
  Result place(App app, List<String> occupiedAgents) {
    return place(app, occupiedAgents, 0, 0);
  }

  /**
   * As {@link #place(App, List)}, with an executor's {@code executorCpus} and {@code executorMem}
   * on top of the task's (its own resources, in {@link Placed#executorResources}).
   */
  Result place(App app, List<String> occupiedAgents, double executorCpus, double executorMem) {
    Chosen c = choose(app, occupiedAgents, executorCpus, executorMem, 0);
    if (c.slot() == null) {
      return new Result(null, c.reason());
    }
    return new Result(take(c.slot(), app.task(), executorCpus, executorMem), null);
  }

  /** An offer chosen for a task, or why there is none. */
  record Chosen(OfferSlot slot, String reason) {}

  /**
   * The offer where a task of {@code app} would go, with {@code extraDisk} MB more disk than it
   * asks for (its persistent volumes), without taking anything.
   */
  Chosen choose(
      App app,
      List<String> occupiedAgents,
      double executorCpus,
      double executorMem,
      double extraDisk) {
    return choose(app, occupiedAgents, executorCpus, executorMem, extraDisk, slot -> true);
  }

  /** As above, among the offers {@code also} accepts (say, where the app's volumes fit). */
  Chosen choose(
      App app,
      List<String> occupiedAgents,
      double executorCpus,
      double executorMem,
      double extraDisk,
      java.util.function.Predicate<OfferSlot> also) {
    TaskSpec t = app.task();
    // What the occupied agents hold is counted once per choice, not once per offer: a pass that
    // places thousands of tasks over a thousand offers would otherwise count millions of times.
    Map<String, Integer> perAgent = new HashMap<>();
    occupiedAgents.forEach(a -> perAgent.merge(a, 1, Integer::sum));
    List<Occupied> occupied = new java.util.ArrayList<>();
    for (Constraint c : t.constraints()) {
      occupied.add(occupied(c, occupiedAgents));
    }
    OfferSlot best = null;
    int bestCount = Integer.MAX_VALUE;
    String why = slots.isEmpty() ? "no offers" : "no offer has enough resources";
    for (OfferSlot slot : slots) {
      if (!slot.offer.getAllocationInfo().getRole().equals(t.role())
          && !(t.role().equals("*") && !slot.offer.hasAllocationInfo())) {
        why = "no offer for role '" + t.role() + "'";
        continue;
      }
      int gpus = t.resources().gpus();
      if (gpus == 0 && slot.gpuAgent) {
        // As Marathon's restricted GPU scheduling: agents with GPUs are kept for tasks that ask
        // for them (Telos subscribes with GPU_RESOURCES, so their offers come to it).
        why = "only agents with GPUs have room, and they are kept for tasks that ask for gpus";
        continue;
      }
      if ((gpus > 0 && slot.scalar("gpus") + 1e-9 < gpus)
          || !slot.fits(
              t.resources().cpus() + executorCpus,
              t.resources().mem() + executorMem,
              t.resources().disk() + extraDisk,
              t.ports().size())) {
        continue;
      }
      if (!also.test(slot)) {
        why = "no offer has the disks its persistent volumes need";
        continue;
      }
      Optional<String> violated = violated(t.constraints(), slot.agentId(), occupied);
      if (violated.isPresent()) {
        why = "constraint " + violated.get() + " rules out every offer";
        continue;
      }
      int count = perAgent.getOrDefault(slot.agentId(), 0);
      if (count < bestCount) {
        best = slot;
        bestCount = count;
      }
    }
    return new Chosen(best, best == null ? why : null);
  }

  /** The offer of {@code role} that holds all these volumes, or null. */
  OfferSlot withVolumes(String role, List<String> persistenceIds) {
    for (OfferSlot slot : slots) {
      if (slot.offer.getAllocationInfo().getRole().equals(role)
          && slot.hasVolumes(persistenceIds)) {
        return slot;
      }
    }
    return null;
  }

  /** An offer of {@code role} from {@code agentId} with {@code disk} MB of usable disk, or null. */
  OfferSlot ofAgent(String role, String agentId, double disk) {
    for (OfferSlot slot : slots) {
      if (slot.offer.getAllocationInfo().getRole().equals(role)
          && slot.agentId().equals(agentId)
          && slot.scalar("disk") + 1e-9 >= disk) {
        return slot;
      }
    }
    return null;
  }

  /**
   * Places a task of {@code app} on {@code slot} if it fits there (constraints are not weighed: a
   * resident instance goes where its volumes are).
   */
  Result placeOn(OfferSlot slot, App app, double executorCpus, double executorMem) {
    TaskSpec t = app.task();
    int gpus = t.resources().gpus();
    if ((gpus > 0 && slot.scalar("gpus") + 1e-9 < gpus)
        || !slot.fits(
            t.resources().cpus() + executorCpus,
            t.resources().mem() + executorMem,
            t.resources().disk(),
            t.ports().size())) {
      return new Result(null, "its offer has not enough resources");
    }
    return new Result(take(slot, t, executorCpus, executorMem), null);
  }

  private static Placed take(OfferSlot best, TaskSpec t, double executorCpus, double executorMem) {
    List<Resource> resources = new ArrayList<>();
    resources.addAll(best.takeScalar("cpus", t.resources().cpus()));
    resources.addAll(best.takeScalar("mem", t.resources().mem()));
    resources.addAll(best.takeScalar("disk", t.resources().disk())); // none taken for 0
    resources.addAll(best.takeScalar("gpus", t.resources().gpus()));
    List<Long> ports = best.takePorts(t.ports().size(), resources);
    List<Resource> executor = new ArrayList<>(best.takeScalar("cpus", executorCpus));
    executor.addAll(best.takeScalar("mem", executorMem));
    return new Placed(best, resources, ports, executor);
  }

  /** A placement, or the reason there is none. */
  record Result(Placed placed, String reason) {}

  /**
   * For one constraint, how many occupied agents have each value of its field, and for GROUP_BY the
   * fewest tasks any value present has (the share a value may not exceed).
   */
  private record Occupied(Map<String, Integer> counts, int groupMin) {}

  private Occupied occupied(Constraint c, List<String> occupied) {
    Map<String, Integer> counts = new HashMap<>();
    for (String a : occupied) {
      String v = agentFields.getOrDefault(a, Map.of()).get(c.field());
      if (v != null) {
        counts.merge(v, 1, Integer::sum);
      }
    }
    int min = c.operator() == Constraint.Operator.GROUP_BY ? groupMin(c, counts, occupied) : 0;
    return new Occupied(counts, min);
  }

  private Optional<String> violated(
      List<Constraint> constraints, String agent, List<Occupied> occupied) {
    Map<String, String> fields = agentFields.getOrDefault(agent, Map.of());
    for (int i = 0; i < constraints.size(); i++) {
      Constraint c = constraints.get(i);
      Map<String, Integer> counts = occupied.get(i).counts();
      String value = fields.get(c.field());
      String label = c.field() + " " + c.operator() + (c.value() == null ? "" : " " + c.value());
      int here = value == null ? 0 : counts.getOrDefault(value, 0);
      boolean ok =
          switch (c.operator()) {
            case UNIQUE -> value != null && here == 0;
            case CLUSTER -> c.value().equals(value);
            case LIKE -> value != null && Pattern.matches(c.value(), value);
            case UNLIKE -> value == null || !Pattern.matches(c.value(), value);
            case MAX_PER -> value != null && here < Integer.parseInt(c.value());
            case GROUP_BY -> value != null && groupBy(c, here, counts, occupied.get(i).groupMin());
          };
      if (!ok) {
        return Optional.of(label);
      }
    }
    return Optional.empty();
  }

  /**
   * GROUP_BY [n]: tasks spread evenly over the field's values, over at most {@code n} of them when
   * n is given. The values counted are those of agents present now (an offer this pass, or a task
   * of the app): an agent that left must not hold a share forever.
   */
  private static boolean groupBy(Constraint c, int here, Map<String, Integer> counts, int min) {
    Integer limit = c.value() == null ? null : Integer.valueOf(c.value());
    if (limit != null && here == 0 && counts.size() >= limit) {
      return false; // n values are in use already
    }
    return here <= min;
  }

  /** The fewest tasks a value in play holds: of the n in use, or of every agent present now. */
  private int groupMin(Constraint c, Map<String, Integer> counts, List<String> occupied) {
    Integer limit = c.value() == null ? null : Integer.valueOf(c.value());
    int min = Integer.MAX_VALUE;
    if (limit != null && counts.size() >= limit) {
      for (int n : counts.values()) {
        min = Math.min(min, n);
      }
    } else {
      java.util.Set<String> present = new java.util.HashSet<>(occupied);
      for (OfferSlot slot : slots) {
        present.add(slot.agentId());
      }
      for (String agent : present) {
        String v = agentFields.getOrDefault(agent, Map.of()).get(c.field());
        if (v != null) {
          min = Math.min(min, counts.getOrDefault(v, 0));
        }
      }
    }
    return min == Integer.MAX_VALUE ? 0 : min;
  }
}
