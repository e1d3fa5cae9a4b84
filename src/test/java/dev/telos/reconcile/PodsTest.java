package dev.telos.reconcile;

import static dev.telos.reconcile.PlannerFixture.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.cluster.LiveTask;
import dev.telos.cluster.TaskIds;
import dev.telos.manifest.Service;
import java.time.Instant;
import java.util.List;
import org.apache.mesos.v1.Protos.TaskState;
import org.junit.jupiter.api.Test;

/** A pod's task group seen as one task: its state, health, times and ports. */
class PodsTest {
  static final Service POD =
      (Service)
          PlannerFixture.app(
              "apiVersion: telos.dev/v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
                  + "  containers:\n"
                  + "    - {name: app, command: x, healthCheck: {type: COMMAND, command: 'true'}}\n"
                  + "    - {name: side, command: y}\n");
  static final Service UNCHECKED =
      (Service)
          PlannerFixture.app(
              "apiVersion: telos.dev/v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
                  + "  containers:\n    - {name: app, command: x}\n    - {name: side, command: y}\n");
  static final String GROUP = TaskIds.of("default", "web", "h", NOW, "g");

  static LiveTask member(
      String container,
      TaskState state,
      Boolean healthy,
      int launchedAgo,
      Instant runningSince,
      Instant healthySince,
      List<Long> ports) {
    return new LiveTask(
        TaskIds.member(GROUP, container),
        "default/web",
        "h",
        NOW.minusSeconds(launchedAgo),
        state,
        healthy,
        "a1",
        "host-a1",
        ports,
        state == TaskState.TASK_UNREACHABLE ? NOW.minusSeconds(launchedAgo) : null,
        null,
        container + " says hi",
        runningSince,
        healthySince,
        false,
        null);
  }

  @Test
  void aRunningHealthyPodIsOneRunningHealthyTask() {
    LiveTask app =
        member(
            "app",
            TaskState.TASK_RUNNING,
            true,
            60,
            NOW.minusSeconds(50),
            NOW.minusSeconds(40),
            List.of(1L, 2L));
    LiveTask side =
        member(
            "side", TaskState.TASK_RUNNING, null, 90, NOW.minusSeconds(30), null, List.of(2L, 3L));
    LiveTask v = Pods.view(POD, GROUP, List.of(app, side));
    assertThat(v.id()).isEqualTo(GROUP);
    assertThat(v.state()).isEqualTo(TaskState.TASK_RUNNING);
    assertThat(v.healthy()).as("only the checked container counts").isTrue();
    assertThat(v.launchedAt()).isEqualTo(NOW.minusSeconds(90));
    assertThat(v.runningSince())
        .as("up once the last container is")
        .isEqualTo(NOW.minusSeconds(30));
    assertThat(v.healthySince()).isEqualTo(NOW.minusSeconds(40));
    assertThat(v.ports()).containsExactly(1L, 2L, 3L);
    assertThat(v.message()).isEqualTo("app says hi");
    assertThat(v.unreachableSince()).isNull();
    assertThat(v.killRequestedAt()).isNull();
    assertThat(v.recovering()).isFalse();
    assertThat(Pods.checked(POD)).isTrue();
    assertThat(Pods.checked(UNCHECKED)).isFalse();

    LiveTask u = Pods.view(UNCHECKED, GROUP, List.of(app, side));
    assertThat(u.healthy()).as("nothing checked: no health").isNull();
    assertThat(u.healthySince()).isNull();
  }

  @Test
  void aPodIsAsFarAsItsLeastAdvancedContainer() {
    LiveTask running =
        member(
            "app",
            TaskState.TASK_RUNNING,
            true,
            60,
            NOW.minusSeconds(50),
            NOW.minusSeconds(40),
            List.of());
    LiveTask staging = member("side", TaskState.TASK_STAGING, null, 60, null, null, List.of());
    LiveTask v = Pods.view(POD, GROUP, List.of(running, staging));
    assertThat(v.state()).isEqualTo(TaskState.TASK_STAGING);
    assertThat(v.runningSince()).isNull();
    assertThat(v.healthySince()).isNull();

    LiveTask killing = member("side", TaskState.TASK_KILLING, null, 60, null, null, List.of());
    assertThat(Pods.view(POD, GROUP, List.of(staging, killing)).state())
        .isEqualTo(TaskState.TASK_KILLING);
    assertThat(Pods.view(POD, GROUP, List.of(killing, staging)).state())
        .isEqualTo(TaskState.TASK_KILLING);

    LiveTask away = member("side", TaskState.TASK_UNREACHABLE, null, 70, null, null, List.of());
    LiveTask lost = Pods.view(POD, GROUP, List.of(running, away));
    assertThat(lost.state()).isEqualTo(TaskState.TASK_UNREACHABLE);
    assertThat(lost.unreachableSince()).isEqualTo(NOW.minusSeconds(70));
    assertThat(Pods.view(POD, GROUP, List.of(away, staging)).state())
        .isEqualTo(TaskState.TASK_UNREACHABLE);

    LiveTask half = Pods.view(POD, GROUP, List.of(running));
    assertThat(half.runningSince()).as("a container is missing").isNull();
    assertThat(Pods.broken(POD, List.of(running))).isTrue();
    assertThat(Pods.broken(POD, List.of(running, staging))).isFalse();
  }

  @Test
  void healthIsUnknownUntilEveryCheckedContainerReportsAndFalseOnceOneFails() {
    LiveTask side =
        member("side", TaskState.TASK_RUNNING, null, 60, NOW.minusSeconds(50), null, List.of());
    LiveTask unknown =
        member("app", TaskState.TASK_RUNNING, null, 60, NOW.minusSeconds(50), null, List.of());
    assertThat(Pods.view(POD, GROUP, List.of(unknown, side)).healthy()).isNull();
    LiveTask sick =
        member("app", TaskState.TASK_RUNNING, false, 60, NOW.minusSeconds(50), null, List.of());
    assertThat(Pods.view(POD, GROUP, List.of(sick, side)).healthy()).isFalse();
    assertThat(Pods.view(POD, GROUP, List.of(side, sick)).healthy()).isFalse();
  }

  @Test
  void theEarliestKillAndAnyRecoveringMemberCount() {
    LiveTask a =
        member(
                "app",
                TaskState.TASK_RUNNING,
                true,
                60,
                NOW.minusSeconds(50),
                NOW.minusSeconds(40),
                List.of())
            .withKillRequestedAt(NOW.minusSeconds(5));
    LiveTask b =
        member("side", TaskState.TASK_RUNNING, null, 60, NOW.minusSeconds(50), null, List.of())
            .withKillRequestedAt(NOW.minusSeconds(9))
            .asRecovering();
    LiveTask v = Pods.view(POD, GROUP, List.of(a, b));
    assertThat(v.killRequestedAt()).isEqualTo(NOW.minusSeconds(9));
    assertThat(v.recovering()).isTrue();
    LiveTask w = Pods.view(POD, GROUP, List.of(b, a));
    assertThat(w.killRequestedAt()).isEqualTo(NOW.minusSeconds(9));
    assertThat(w.message()).isEqualTo("side says hi");
  }

  @Test
  void aPodIsHealthySinceEveryCheckedContainerIsAndIgnoresTasksOfOtherContainers() {
    Service two =
        (Service)
            PlannerFixture.app(
                "apiVersion: telos.dev/v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
                    + "  containers:\n"
                    + "    - {name: app, command: x, healthCheck: {type: COMMAND, command: 'true'}}\n"
                    + "    - {name: side, command: y, healthCheck: {type: COMMAND, command: 'true'}}\n");
    LiveTask app =
        member(
            "app",
            TaskState.TASK_RUNNING,
            true,
            60,
            NOW.minusSeconds(50),
            NOW.minusSeconds(40),
            List.of());
    LiveTask side =
        member("side", TaskState.TASK_RUNNING, null, 60, NOW.minusSeconds(50), null, List.of());
    LiveTask v = Pods.view(two, GROUP, List.of(app, side));
    assertThat(v.healthy()).isNull();
    assertThat(v.healthySince()).as("one checked container has not reported").isNull();

    // A task of a container the pod no longer has: its health is not the pod's.
    LiveTask old =
        new LiveTask(
            TaskIds.member(GROUP, "old"),
            "default/web",
            "h",
            NOW.minusSeconds(60),
            TaskState.TASK_RUNNING,
            false,
            "a1",
            "host-a1",
            List.of(),
            null,
            null,
            null,
            NOW.minusSeconds(50),
            null,
            false,
            null);
    assertThat(Pods.view(POD, GROUP, List.of(app, old)).healthy()).isTrue();
  }
}
