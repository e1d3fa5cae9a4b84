package dev.telos.reconcile;

import static dev.telos.reconcile.PlannerFixture.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.cluster.LiveTask;
import dev.telos.cluster.TaskIds;
import dev.telos.manifest.App;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.junit.jupiter.api.Test;

/** Pods: each instance a task group, launched, scaled, rolled and replaced as a unit. */
class PodPlanningTest {
  static App pod(int instances, String shipperCommand) {
    return PlannerFixture.app(
        "apiVersion: telos.dev/v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
            + "  instances: "
            + instances
            + "\n  containers:\n"
            + "    - name: app\n      command: exec serve\n"
            + "      resources: {cpus: 0.5, mem: 100}\n      ports: [{name: http}]\n"
            + "      healthCheck: {type: TCP, port: http}\n"
            + "    - name: shipper\n      command: "
            + shipperCommand
            + "\n      resources: {cpus: 0.25, mem: 50}\n");
  }

  final PlannerFixture f = new PlannerFixture();

  /** The running tasks of one group of {@code app}, one per container. */
  List<LiveTask> group(App app, String unique, Boolean healthy, String... containers) {
    String groupId = TaskIds.of("default", "web", app.specHash(), NOW.minusSeconds(600), unique);
    List<LiveTask> out =
        java.util.Arrays.stream(containers)
            .map(
                c ->
                    new LiveTask(
                        TaskIds.member(groupId, c),
                        app.key(),
                        app.specHash(),
                        NOW.minusSeconds(600),
                        TaskState.TASK_RUNNING,
                        c.equals("app") ? healthy : null,
                        "a1",
                        "host-a1",
                        List.of(31000L),
                        null,
                        null,
                        null,
                        NOW.minusSeconds(590),
                        Boolean.TRUE.equals(healthy) && c.equals("app")
                            ? NOW.minusSeconds(580)
                            : null,
                        false))
            .toList();
    f.tasks.addAll(out);
    return out;
  }

  @Test
  void eachInstanceIsOneTaskGroupUnderADefaultExecutor() {
    App web = pod(2, "exec ship");
    f.with(web).offer("a1", 4, 2000, 31000, 31010);
    Plan plan = f.plan();
    assertThat(plan.launches()).hasSize(4);
    Set<String> executors =
        plan.launches().stream()
            .map(l -> l.group().getExecutorId().getValue())
            .collect(Collectors.toSet());
    assertThat(executors).hasSize(2);
    Plan.Launch first = plan.launches().get(0);
    ExecutorInfo executor = first.group();
    assertThat(executor.getType()).isEqualTo(ExecutorInfo.Type.DEFAULT);
    assertThat(executor.getFrameworkId().getValue()).isEqualTo("fw");
    assertThat(executor.getResourcesList())
        .extracting(r -> r.getName() + "=" + r.getScalar().getValue())
        .containsExactly("cpus=0.1", "mem=32.0");
    assertThat(first.taskId()).isEqualTo(executor.getExecutorId().getValue() + ".capp");
    assertThat(first.task().getName()).isEqualTo("default.web.app");
    assertThat(first.task().hasExecutor()).isFalse();
    assertThat(first.task().getHealthCheck().getTcp().getPort()).isEqualTo(31000);
    assertThat(first.task().getResourcesList())
        .extracting(org.apache.mesos.v1.Protos.Resource::getName)
        .containsExactly("cpus", "mem", "ports");
    Plan.Launch shipper = plan.launches().get(1);
    assertThat(shipper.taskId()).endsWith(".cshipper");
    assertThat(shipper.task().getResourcesList())
        .extracting(r -> r.getName() + "=" + r.getScalar().getValue())
        .containsExactly("cpus=0.25", "mem=50.0");
    assertThat(shipper.task().getCommand().getEnvironment().getVariablesList())
        .anyMatch(v -> v.getName().equals("PORT_HTTP") && v.getValue().equals("31000"));
    assertThat(shipper.task().getLabels().getLabelsList())
        .anyMatch(l -> l.getKey().equals("telos.dev/container") && l.getValue().equals("shipper"))
        .anyMatch(l -> l.getKey().equals("telos.dev/kind") && l.getValue().equals("Pod"));
  }

  @Test
  void aPodIsAvailableOnlyWhenEveryContainerRunsAndTheCheckedOnesAreHealthy() {
    App web = pod(1, "exec ship");
    f.with(web);
    group(web, "g1", null, "app", "shipper");
    Plan unknown = f.plan();
    assertThat(unknown.apps().get(web.key()).status()).isEqualTo("Progressing");
    assertThat(unknown.apps().get(web.key()).healthy()).isZero();
    f.tasks.clear();
    group(web, "g1", true, "app", "shipper");
    Plan healthy = f.plan();
    assertThat(healthy.apps().get(web.key()).status()).isEqualTo("Synced");
    assertThat(healthy.apps().get(web.key()).running()).isEqualTo(1);
    assertThat(healthy.kills()).isEmpty();
    assertThat(healthy.launches()).isEmpty();
  }

  @Test
  void aPodThatLostAContainerIsKilledWholeAndReplaced() {
    App web = pod(1, "exec ship");
    f.with(web).offer("a1", 4, 2000, 31000, 31010);
    List<LiveTask> left = group(web, "g1", true, "app"); // shipper ended
    Plan plan = f.plan();
    assertThat(plan.kills())
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.taskId()).isEqualTo(left.get(0).id());
              assertThat(k.reason()).contains("a container of the pod ended");
            });
    assertThat(plan.launches()).as("a new pod, both containers").hasSize(2);
  }

  @Test
  void scaleDownAndRolloutKillWholePods() {
    App web = pod(1, "exec ship");
    f.with(web);
    group(web, "g1", true, "app", "shipper");
    group(web, "g2", true, "app", "shipper");
    List<String> killed = f.plan().kills().stream().map(Plan.Kill::taskId).toList();
    assertThat(killed).as("one pod goes, with both its containers").hasSize(2);
    assertThat(killed.stream().map(TaskIds::groupOf).distinct()).hasSize(1);
    assertThat(killed.stream().map(TaskIds::containerOf))
        .containsExactlyInAnyOrder("app", "shipper");

    PlannerFixture g = new PlannerFixture();
    App v1 = pod(1, "exec ship");
    App v2 = pod(1, "exec ship --v2");
    g.with(v2).offer("a1", 4, 2000, 31000, 31010);
    String groupId = TaskIds.of("default", "web", v1.specHash(), NOW.minusSeconds(600), "old");
    for (String c : List.of("app", "shipper")) {
      g.tasks.add(
          new LiveTask(
              TaskIds.member(groupId, c),
              v1.key(),
              v1.specHash(),
              NOW.minusSeconds(600),
              TaskState.TASK_RUNNING,
              c.equals("app") ? Boolean.TRUE : null,
              "a1",
              "host-a1",
              List.of(31000L),
              null,
              null,
              null,
              NOW.minusSeconds(590),
              NOW.minusSeconds(580),
              false));
    }
    Plan rollout = Planner.plan(g.input(), NOW);
    assertThat(rollout.launches()).as("maxSurge 1: a whole new pod first").hasSize(2);
    assertThat(rollout.kills()).as("the old pod stays until the new one is available").isEmpty();
  }
}
