package dev.telos.reconcile;

import dev.telos.cluster.LiveTask;
import dev.telos.cluster.TaskIds;
import dev.telos.manifest.App;
import dev.telos.manifest.ManifestLoader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.Protos.TaskState;
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
 * Plan time for 10,000 apps with 100,000 running tasks: a pass with nothing to do, and a pass where
 * one app's spec changed (a rollout starts). Run as CONTRIBUTING.md shows; add {@code -prof gc} for
 * allocation per pass.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx4g", "-Dcom.google.protobuf.use_unsafe_pre22_gencode=true"})
public class PlannerBenchmark {
  static final int APPS = 10_000;
  static final int TASKS_PER_APP = 10;
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  Planner.Input steady;
  Planner.Input oneChanged;

  @Setup
  public void setUp() {
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < APPS; i++) {
      yaml.append(doc(i, "run")).append("---\n");
    }
    ManifestLoader loader =
        new ManifestLoader(new dev.telos.manifest.YamlLimits(64 << 20, APPS + 1, 32, 10_000_000));
    List<App> apps =
        loader.parseFile("all.yaml", yaml.toString().getBytes(StandardCharsets.UTF_8)).apps();
    List<LiveTask> tasks = new ArrayList<>(APPS * TASKS_PER_APP);
    for (App app : apps) {
      for (int t = 0; t < TASKS_PER_APP; t++) {
        String id =
            TaskIds.of(
                app.metadata().namespace(),
                app.metadata().name(),
                app.specHash(),
                NOW.minusSeconds(3600 + t),
                "b" + t);
        tasks.add(
            new LiveTask(
                id,
                app.key(),
                app.specHash(),
                NOW.minusSeconds(3600 + t),
                TaskState.TASK_RUNNING,
                Boolean.TRUE,
                "agent-" + (t % 100),
                "host-" + (t % 100),
                List.of(31000L + t),
                null,
                null,
                null));
      }
    }
    steady =
        new Planner.Input(
            "rev1", apps, tasks, List.of(), Map.of(), Map.of(), PlannerSettings.DEFAULT, 1);
    List<App> changed = new ArrayList<>(apps);
    changed.set(
        APPS / 2,
        loader
            .parseFile("one.yaml", doc(APPS / 2, "run-v2").getBytes(StandardCharsets.UTF_8))
            .apps()
            .get(0));
    oneChanged =
        new Planner.Input(
            "rev2", changed, tasks, List.of(), Map.of(), Map.of(), PlannerSettings.DEFAULT, 2);
  }

  public static String doc(int i, String command) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: app-"
        + i
        + ", namespace: team-"
        + (i % 100)
        + "}\nspec:\n  instances: "
        + TASKS_PER_APP
        + "\n  command: "
        + command
        + " "
        + i
        + "\n  resources: {cpus: 0.1, mem: 32}\n"
        + "  ports: [{name: http}]\n  healthCheck: {type: TCP, port: http}\n";
  }

  @Benchmark
  public Plan noChange() {
    return Planner.plan(steady, NOW);
  }

  @Benchmark
  public Plan oneAppChanged() {
    return Planner.plan(oneChanged, NOW);
  }
}
