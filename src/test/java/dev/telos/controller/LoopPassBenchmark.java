package dev.telos.controller;

import dev.telos.cluster.LiveState;
import dev.telos.cluster.LiveTask;
import dev.telos.cluster.TaskIds;
import dev.telos.git.CommitInfo;
import dev.telos.git.Snapshot;
import dev.telos.manifest.App;
import dev.telos.manifest.ManifestLoader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The controller's loop pass (plan, then the status view) with 10,000 apps and 100,000 running
 * tasks: a full pass (a new snapshot), a pass with nothing to do, and a pass after one status
 * update. Run as CONTRIBUTING.md shows; add {@code -prof gc} for allocation per pass.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx4g", "-Dcom.google.protobuf.use_unsafe_pre22_gencode=true"})
public class LoopPassBenchmark {
  static final int APPS = 10_000;
  static final int TASKS_PER_APP = 10;
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  final IncrementalPlannerTest.World source = new IncrementalPlannerTest.World();
  final LiveState live = source.live;
  Snapshot snapshot;
  IncrementalPlanner incremental;
  AppViews views;
  AppViews.Source viewSource;
  String someTask;
  long seed;
  boolean healthy;

  @Setup
  public void setUp() {
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < APPS; i++) {
      yaml.append(dev.telos.reconcile.PlannerBenchmark.doc(i, "run")).append("---\n");
    }
    ManifestLoader loader =
        new ManifestLoader(new dev.telos.manifest.YamlLimits(64 << 20, APPS + 1, 32, 10_000_000));
    List<App> apps =
        loader.parseFile("all.yaml", yaml.toString().getBytes(StandardCharsets.UTF_8)).apps();
    snapshot = new Snapshot(new CommitInfo("rev1", "a", NOW, "m"), apps);
    source.desire(apps);
    for (App app : apps) {
      for (int t = 0; t < TASKS_PER_APP; t++) {
        String id =
            TaskIds.of(
                app.metadata().namespace(),
                app.metadata().name(),
                app.specHash(),
                NOW.minusSeconds(3600 + t),
                "b" + t);
        String agent = "agent-" + (t % 100);
        live.launching(id, agent, "host-" + agent, List.of(31000L + t), NOW.minusSeconds(3600));
        live.update(status(id, agent, true), NOW.minusSeconds(3600));
        someTask = id;
      }
    }
    viewSource =
        new AppViews.Source() {
          @Override
          public Snapshot desired() {
            return snapshot;
          }

          @Override
          public App app(String key) {
            return source.app(key);
          }

          @Override
          public List<LiveTask> tasksOf(String appKey) {
            return live.tasksOf(appKey);
          }

          @Override
          public Controller.TaskRecord record(String taskId) {
            return null;
          }

          @Override
          public List<RunRecord> runs(String appKey) {
            return List.of();
          }
        };
    incremental = new IncrementalPlanner();
    views = new AppViews();
    pass();
  }

  static TaskStatus status(String id, String agent, boolean healthy) {
    return TaskStatus.newBuilder()
        .setTaskId(TaskID.newBuilder().setValue(id))
        .setState(TaskState.TASK_RUNNING)
        .setHealthy(healthy)
        .setAgentId(AgentID.newBuilder().setValue(agent))
        .build();
  }

  private boolean pass() {
    IncrementalPlanner.Result r = incremental.plan(source, ++seed, NOW);
    return views.update(viewSource, r.statuses(), r.planned(), r.full());
  }

  /** A new snapshot (or a new subscription): every app is planned and shown again. */
  @Benchmark
  public boolean fullPass() {
    incremental.touchAll();
    return pass();
  }

  /** A wake-up or an input that changes no app. */
  @Benchmark
  public boolean nothingToDo() {
    return pass();
  }

  /** A health check flips on one task of one app: that app is planned and shown again. */
  @Benchmark
  public boolean oneStatusUpdate() {
    healthy = !healthy;
    LiveTask t = live.update(status(someTask, "agent-9", healthy), NOW);
    incremental.touch(t.appKey());
    return pass();
  }
}
