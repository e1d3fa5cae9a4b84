package dev.telos.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.mesos.v1.Protos.Resource;

/** {@code GET /master/state} in Mesos's own field names and resource notation. */
final class StateJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StateJson() {}

  static String render(Master master, String leader) {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("version", Master.VERSION);
    state.put("id", master.masterId);
    state.put("pid", "master@" + master.address());
    state.put("hostname", master.address().split(":")[0]);
    state.put("leader", "master@" + (leader != null ? leader : master.address()));
    state.put("activated_slaves", master.agents().stream().filter(a -> a.reachable).count());
    List<Object> frameworks = new ArrayList<>();
    synchronized (master) {
      for (Master.Framework f : master.frameworksSnapshot()) {
        frameworks.add(framework(master, f, true));
      }
      List<Object> completed = new ArrayList<>();
      for (Master.Framework f : master.completedFrameworksSnapshot()) {
        completed.add(framework(master, f, false));
      }
      state.put("frameworks", frameworks);
      state.put("completed_frameworks", completed);
      Map<String, Resources> offered = master.offeredByAgent();
      // One walk over the tasks, not one per agent: what each agent's running tasks hold.
      Map<String, List<Resource>> usedBy = new java.util.HashMap<>();
      Map<String, List<Resource>> heldBy = new java.util.HashMap<>();
      for (Master.Framework f : master.frameworksSnapshot()) {
        for (Master.Task t : f.tasks.values()) {
          if (!Master.isTerminal(t.state)) {
            usedBy
                .computeIfAbsent(t.agentId, k -> new ArrayList<>())
                .addAll(t.info.getResourcesList());
            heldBy.computeIfAbsent(t.agentId, k -> new ArrayList<>()).addAll(t.resources.reserved);
          }
        }
      }
      List<Object> slaves = new ArrayList<>();
      for (Master.Agent a : master.agents()) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", a.id);
        s.put("hostname", a.hostname);
        String endpoint = a.runner == null ? null : a.runner.httpEndpoint();
        s.put("pid", "slave(1)@" + (endpoint != null ? endpoint : a.hostname));
        if (endpoint != null) {
          s.put("port", Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1)));
        }
        s.put("active", a.reachable);
        s.put("resources", resources(a.total.toUnallocatedProto()));
        Resources off = offered.getOrDefault(a.id, new Resources());
        List<Resource> held = new ArrayList<>(a.free.reserved);
        held.addAll(off.reserved);
        held.addAll(heldBy.getOrDefault(a.id, List.of()));
        s.put("used_resources", resources(usedBy.getOrDefault(a.id, List.of())));
        s.put("offered_resources", resources(off.toUnallocatedProto()));
        s.put("unreserved_resources", resources(a.total.toUnallocatedProto()));
        // As Mesos: the dynamic reservations and persistent volumes on the agent, per role, in
        // full (free, offered or used by a task).
        Map<String, List<Object>> reserved = new java.util.TreeMap<>();
        for (Resource r : held) {
          if (r.getReservationsCount() > 0) {
            reserved.computeIfAbsent(Resources.roleOf(r), k -> new ArrayList<>()).add(fullJson(r));
          }
        }
        s.put("reserved_resources_full", reserved);
        Map<String, Object> attributes = new LinkedHashMap<>();
        a.attributes.forEach(
            attr ->
                attributes.put(
                    attr.getName(),
                    attr.getType() == org.apache.mesos.v1.Protos.Value.Type.SCALAR
                        ? (Object) attr.getScalar().getValue()
                        : attr.getText().getValue()));
        s.put("attributes", attributes);
        slaves.add(s);
      }
      state.put("slaves", slaves);
    }
    try {
      return JSON.writeValueAsString(state);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> framework(Master master, Master.Framework f, boolean active) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", f.id);
    m.put("name", f.info.getName());
    m.put("user", f.info.getUser());
    m.put("roles", f.roles());
    m.put("active", active && f.connected());
    m.put("connected", active && f.connected());
    m.put("failover_timeout", f.info.getFailoverTimeout());
    m.put("checkpoint", f.info.getCheckpoint());
    m.put(
        "capabilities",
        f.info.getCapabilitiesList().stream().map(c -> c.getType().name()).toList());
    m.put("registered_time", f.registeredAt / 1000d);
    List<Object> tasks = new ArrayList<>();
    List<Object> completed = new ArrayList<>();
    List<Object> unreachable = new ArrayList<>();
    for (Master.Task t : f.tasks.values()) {
      Master.Agent agent = master.agentById(t.agentId);
      if (agent != null && !agent.registered) {
        continue; // a recovering master does not know the tasks of agents yet to re-register
      }
      if (agent != null && !agent.reachable && !Master.isTerminal(t.state)) {
        // As Mesos's master: the tasks of an agent marked unreachable are listed apart, in state
        // TASK_UNREACHABLE, until the agent re-registers and they are running tasks again.
        Map<String, Object> u = task(t);
        u.put("state", "TASK_UNREACHABLE");
        unreachable.add(u);
        continue;
      }
      (Master.isTerminal(t.state) ? completed : tasks).add(task(t));
    }
    for (Master.Task t : f.completedTasks) {
      completed.add(task(t));
    }
    m.put("tasks", tasks);
    m.put("unreachable_tasks", unreachable);
    m.put("completed_tasks", completed);
    return m;
  }

  private static Map<String, Object> task(Master.Task t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", t.id());
    m.put("name", t.info.getName());
    m.put("framework_id", t.frameworkId);
    m.put("executor_id", t.executorId.equals(t.id()) ? "" : t.executorId);
    m.put("slave_id", t.agentId);
    m.put("state", t.state.name());
    m.put("resources", resources(t.info.getResourcesList()));
    if (t.latest != null && t.latest.hasHealthy()) {
      m.put("healthy", t.latest.getHealthy());
    }
    List<Object> labels = new ArrayList<>();
    t.info
        .getLabels()
        .getLabelsList()
        .forEach(l -> labels.add(Map.of("key", l.getKey(), "value", l.getValue())));
    m.put("labels", labels);
    return m;
  }

  private static Object fullJson(Resource r) {
    try {
      return JSON.readValue(Wire.json(r), Map.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Mesos's JSON notation of resources: scalars as numbers, ranges as "[a-b, c-d]". */
  static Map<String, Object> resources(List<Resource> resources) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cpus", 0.0);
    m.put("mem", 0.0);
    m.put("disk", 0.0);
    List<String> ports = new ArrayList<>();
    for (Resource r : resources) {
      switch (r.getType()) {
        case SCALAR ->
            m.merge(r.getName(), r.getScalar().getValue(), (a, b) -> (Double) a + (Double) b);
        case RANGES ->
            r.getRanges()
                .getRangeList()
                .forEach(range -> ports.add(range.getBegin() + "-" + range.getEnd()));
        default -> {}
      }
    }
    if (!ports.isEmpty()) {
      m.put("ports", "[" + String.join(", ", ports) + "]");
    }
    return m;
  }
}
