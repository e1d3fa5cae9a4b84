package dev.telos.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;

/**
 * The embedded master's allocator: outstanding offers, and which framework role gets each agent's
 * free resources next (round-robin over connected frameworks; suppressed roles and DECLINE filters
 * respected; only ports an agent can bind). Makes no call and sends no event: it returns what the
 * master sends. Not thread-safe: every method runs under the master's lock.
 */
final class Allocator {
  private static final Duration DEFAULT_REFUSE = Duration.ofSeconds(5);
  private static final double MAX_REFUSE_SECONDS = 31_536_000d;

  private final String masterId;
  private final Map<String, Master.OfferRecord> offers = new LinkedHashMap<>();
  private long offerCounter;
  private int cursor;

  Allocator(String masterId) {
    this.masterId = masterId;
  }

  Master.OfferRecord offer(String id) {
    return offers.get(id);
  }

  /** Takes an offer out (used, declined or rescinded); its resources go back to the caller. */
  void remove(String id) {
    offers.remove(id);
  }

  /** The outstanding offers, oldest first (a copy). */
  List<Master.OfferRecord> outstanding() {
    return List.copyOf(offers.values());
  }

  /** What is on offer, per agent. */
  Map<String, Resources> offeredByAgent() {
    Map<String, Resources> out = new HashMap<>();
    for (Master.OfferRecord o : offers.values()) {
      out.computeIfAbsent(o.agentId, k -> new Resources()).add(o.resources);
    }
    return out;
  }

  /**
   * Offers every reachable, registered agent's free resources to one role of one connected
   * framework that wants them; returns the offers to send, per framework.
   */
  Map<Master.Framework, List<Offer>> allocate(
      Collection<Master.Framework> frameworks, Collection<Master.Agent> agents) {
    List<Master.Framework> candidates = new ArrayList<>();
    for (Master.Framework f : frameworks) {
      if (f.connected()) {
        candidates.add(f);
      }
    }
    Map<Master.Framework, List<Offer>> batches = new LinkedHashMap<>();
    if (candidates.isEmpty()) {
      return batches;
    }
    long now = System.nanoTime();
    for (Master.Agent agent : agents) {
      if (!agent.reachable
          || !agent.registered
          || !agent.connected
          || agent.free.isEmpty()
          || !hasCpusOrMem(agent.free)) {
        continue;
      }
      for (int i = 0; i < candidates.size(); i++) {
        Master.Framework f = candidates.get((cursor + i) % candidates.size());
        if (agent.total.gpus > 0 && !f.gpuResources()) {
          continue; // as Mesos: an agent with GPUs is offered only to GPU_RESOURCES frameworks
        }
        String role = wantedRole(f, agent, now);
        if (role == null) {
          continue;
        }
        String id = masterId + "-O" + offerCounter++;
        // Resources reserved for another role are never offered to this one.
        Resources offered = agent.free.copyFor(role);
        if (agent.runner.checksPorts()) {
          // A port another program holds stays free but unoffered until it is released.
          offered.retainPorts(agent.runner::canBind);
        }
        agent.free.subtract(offered);
        offers.put(id, new Master.OfferRecord(id, f.id, agent.id, role, offered));
        batches
            .computeIfAbsent(f, k -> new ArrayList<>())
            .add(
                Offer.newBuilder()
                    .setId(OfferID.newBuilder().setValue(id))
                    .setFrameworkId(FrameworkID.newBuilder().setValue(f.id))
                    .setAgentId(AgentID.newBuilder().setValue(agent.id))
                    .setHostname(agent.hostname)
                    .setAllocationInfo(
                        org.apache.mesos.v1.Protos.Resource.AllocationInfo.newBuilder()
                            .setRole(role))
                    .addAllResources(offered.toProto(role))
                    .addAllAttributes(agent.attributes)
                    .build());
        break;
      }
      cursor++;
    }
    return batches;
  }

  /** DECLINE: the framework's offers go back to their agents, filtered for {@code filters}. */
  void decline(
      Master.Framework framework,
      List<OfferID> ids,
      Filters filters,
      Map<String, Master.Agent> agents) {
    for (OfferID id : ids) {
      Master.OfferRecord offer = offers.get(id.getValue());
      if (offer == null || !offer.frameworkId.equals(framework.id)) {
        continue;
      }
      offers.remove(offer.id);
      agents.get(offer.agentId).free.add(offer.resources);
      filter(framework, offer.agentId, offer.role, filters);
    }
  }

  /** Refuses the agent's resources to the framework role for the filter's time (5 s default). */
  static void filter(Master.Framework framework, String agentId, String role, Filters filters) {
    Duration refuse = DEFAULT_REFUSE;
    if (filters != null && filters.hasRefuseSeconds() && filters.getRefuseSeconds() >= 0) {
      refuse =
          Duration.ofMillis(
              (long) (Math.min(filters.getRefuseSeconds(), MAX_REFUSE_SECONDS) * 1000));
    }
    if (!refuse.isZero()) {
      framework.filters.put(agentId + " " + role, System.nanoTime() + refuse.toNanos());
    }
  }

  /** REVIVE: clears the filters of the roles (all when empty) and unsuppresses them. */
  static void revive(Master.Framework framework, List<String> roles) {
    if (roles.isEmpty()) {
      framework.filters.clear();
      framework.suppressedRoles.clear();
    } else {
      framework.suppressedRoles.removeAll(roles);
      framework.filters.keySet().removeIf(k -> roles.contains(k.substring(k.indexOf(' ') + 1)));
    }
  }

  /** SUPPRESS: no new offers for the roles (all when empty); outstanding ones stay. */
  static void suppress(Master.Framework framework, List<String> roles) {
    framework.suppressedRoles.addAll(roles.isEmpty() ? framework.roles() : roles);
  }

  /**
   * Takes back the framework's outstanding offers (their resources return to the agents) and
   * returns their IDs, for RESCIND events where the framework still listens.
   */
  List<String> rescindAll(Master.Framework framework, Map<String, Master.Agent> agents) {
    List<String> ids = new ArrayList<>();
    offers
        .values()
        .removeIf(
            o -> {
              if (!o.frameworkId.equals(framework.id)) {
                return false;
              }
              agents.get(o.agentId).free.add(o.resources);
              ids.add(o.id);
              return true;
            });
    return ids;
  }

  private static boolean hasCpusOrMem(Resources r) {
    for (org.apache.mesos.v1.Protos.Resource k : r.reserved) {
      if ((k.getName().equals("cpus") && k.getScalar().getValue() >= 0.01)
          || (k.getName().equals("mem") && k.getScalar().getValue() >= 1)) {
        return true; // reserved for a role
      }
    }
    return r.cpus >= 0.01 || r.mem >= 1;
  }

  private static String wantedRole(Master.Framework f, Master.Agent agent, long now) {
    for (String role : f.roles()) {
      if (f.suppressedRoles.contains(role)) {
        continue;
      }
      Long until = f.filters.get(agent.id + " " + role);
      if (until != null && until - now > 0) {
        continue;
      }
      return role;
    }
    return null;
  }
}
