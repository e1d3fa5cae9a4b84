package dev.telos.reconcile;

import dev.telos.cluster.LiveTask;
import dev.telos.cluster.TaskIds;
import dev.telos.manifest.App;
import dev.telos.manifest.ManifestLoader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.Attribute;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.Value;

/** Builders of planner inputs: apps from YAML, offers, live tasks, and one-call planning. */
final class PlannerFixture {
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  final List<App> apps = new ArrayList<>();
  final List<Offer> offers = new ArrayList<>();
  final List<LiveTask> tasks = new ArrayList<>();
  final Map<String, AppHistory> history = new HashMap<>();
  PlannerSettings settings = PlannerSettings.DEFAULT;
  boolean noSnapshot;

  static App app(String yaml) {
    ManifestLoader.FileResult r =
        new ManifestLoader().parseFile("t.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    if (!r.errors().isEmpty()) {
      throw new AssertionError(r.errors().toString());
    }
    return r.apps().get(0);
  }

  static App service(String name, int instances, String extra) {
    return app(
        "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: "
            + name
            + "}\nspec:\n"
            + "  instances: "
            + instances
            + "\n  command: run "
            + name
            + "\n"
            + "  resources: {cpus: 0.5, mem: 100}\n"
            + extra);
  }

  PlannerFixture with(App app) {
    apps.add(app);
    return this;
  }

  PlannerFixture offer(
      String agent, double cpus, double mem, long portBegin, long portEnd, String... attributes) {
    Offer.Builder o =
        Offer.newBuilder()
            .setId(OfferID.newBuilder().setValue("offer-" + agent + "-" + offers.size()))
            .setFrameworkId(FrameworkID.newBuilder().setValue("fw"))
            .setAgentId(AgentID.newBuilder().setValue(agent))
            .setHostname("host-" + agent)
            .setAllocationInfo(Resource.AllocationInfo.newBuilder().setRole("*"))
            .addResources(scalar("cpus", cpus))
            .addResources(scalar("mem", mem));
    if (portEnd >= portBegin) {
      o.addResources(
          Resource.newBuilder()
              .setName("ports")
              .setType(Value.Type.RANGES)
              .setRanges(
                  Value.Ranges.newBuilder()
                      .addRange(Value.Range.newBuilder().setBegin(portBegin).setEnd(portEnd)))
              .setAllocationInfo(Resource.AllocationInfo.newBuilder().setRole("*")));
    }
    for (int i = 0; i + 1 < attributes.length; i += 2) {
      o.addAttributes(
          Attribute.newBuilder()
              .setName(attributes[i])
              .setType(Value.Type.TEXT)
              .setText(Value.Text.newBuilder().setValue(attributes[i + 1])));
    }
    offers.add(o.build());
    return this;
  }

  static Resource scalar(String name, double v) {
    return Resource.newBuilder()
        .setName(name)
        .setType(Value.Type.SCALAR)
        .setScalar(Value.Scalar.newBuilder().setValue(v))
        .setAllocationInfo(Resource.AllocationInfo.newBuilder().setRole("*"))
        .build();
  }

  /** A live task of {@code app} at {@code hash}, launched {@code minutesAgo} before NOW. */
  LiveTask task(
      App app, String hash, TaskState state, Boolean healthy, String agent, int minutesAgo) {
    String id =
        TaskIds.of(
            app.metadata().namespace(),
            app.metadata().name(),
            hash,
            NOW.minusSeconds(60L * minutesAgo),
            "t" + tasks.size());
    LiveTask t =
        new LiveTask(
            id,
            app.key(),
            hash,
            NOW.minusSeconds(60L * minutesAgo),
            state,
            healthy,
            agent,
            "host-" + agent,
            List.of(),
            null,
            null,
            null,
            state == TaskState.TASK_RUNNING ? NOW.minusSeconds(60L * minutesAgo) : null,
            state == TaskState.TASK_RUNNING && Boolean.TRUE.equals(healthy)
                ? NOW.minusSeconds(60L * minutesAgo)
                : null,
            false);
    tasks.add(t);
    return t;
  }

  /** A running task whose ID names no app of Telos's (an orphan of this framework). */
  LiveTask orphan(String id) {
    LiveTask t =
        new LiveTask(
            id,
            null,
            null,
            NOW,
            TaskState.TASK_RUNNING,
            null,
            "a1",
            "h",
            List.of(),
            null,
            null,
            null,
            null,
            null,
            false);
    tasks.add(t);
    return t;
  }

  LiveTask running(App app, String agent, int minutesAgo) {
    return task(app, app.specHash(), TaskState.TASK_RUNNING, null, agent, minutesAgo);
  }

  Planner.Input input() {
    Map<String, Map<String, String>> fields = new HashMap<>();
    for (Offer o : offers) {
      fields.put(o.getAgentId().getValue(), Placement.fieldsOf(o));
    }
    return new Planner.Input(
        "abc123", noSnapshot ? null : apps, tasks, offers, fields, history, settings, 7);
  }

  Plan plan() {
    return Planner.plan(input(), NOW);
  }

  /** A plan with the specs apps ran before and the records of resident instances' volumes. */
  Plan plan(Map<String, App> previous, Map<String, VolumeRecord> volumes) {
    Planner.Input in = input();
    return Planner.plan(
        new Planner.Input(
            in.revision(),
            in.desired(),
            in.tasks(),
            in.offers(),
            in.agentFields(),
            in.history(),
            in.settings(),
            in.seed(),
            previous,
            volumes),
        NOW);
  }
}
