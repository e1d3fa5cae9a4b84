package dev.telos.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.junit.jupiter.api.Test;

/** What the controller learns from Mesos events, one update at a time. */
class LiveStateTest {
  static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
  final LiveState live = new LiveState();
  final String id = TaskIds.of("shop", "web", "abc123", T0, "x1");

  static Offer offer(String id, String agent, String host) {
    return Offer.newBuilder()
        .setId(OfferID.newBuilder().setValue(id))
        .setFrameworkId(FrameworkID.newBuilder().setValue("fw"))
        .setAgentId(AgentID.newBuilder().setValue(agent))
        .setHostname(host)
        .build();
  }

  static TaskStatus status(String task, String agent, TaskState state) {
    TaskStatus.Builder s =
        TaskStatus.newBuilder().setTaskId(TaskID.newBuilder().setValue(task)).setState(state);
    if (agent != null) {
      s.setAgentId(AgentID.newBuilder().setValue(agent));
    }
    return s.build();
  }

  @Test
  void onlyStartingRunningAndStoppingStatesSayATaskIsThere() {
    java.util.Set<TaskState> alive = java.util.EnumSet.noneOf(TaskState.class);
    for (TaskState s : TaskState.values()) {
      if (LiveTask.isAlive(s)) {
        alive.add(s);
        assertThat(LiveTask.isTerminal(s)).as(s.name()).isFalse();
      }
    }
    assertThat(alive)
        .containsExactlyInAnyOrder(
            TaskState.TASK_STAGING,
            TaskState.TASK_STARTING,
            TaskState.TASK_RUNNING,
            TaskState.TASK_KILLING);
  }

  @Test
  void taskIdsCarryTheAppTheSpecAndTheLaunchTime() {
    TaskIds.Parsed p = TaskIds.parse(id).orElseThrow();
    assertThat(p.appKey()).isEqualTo("shop/web");
    assertThat(p.specHash()).isEqualTo("abc123");
    assertThat(p.launchedAt()).isEqualTo(T0);
    assertThat(p.unique()).isEqualTo("x1");
    String fresh = TaskIds.next("shop", "web", "abc123", T0);
    assertThat(TaskIds.parse(fresh)).hasValueSatisfying(q -> assertThat(q.unique()).hasSize(4));
    assertThat(TaskIds.parse("marathon-app.1234")).isEmpty();
    assertThat(TaskIds.parse("Shop.web.abc.kx-1")).isEmpty();
  }

  @Test
  void offersAreKeptByIdAndDroppedByIdAgentOrAll() {
    live.addOffers(
        List.of(offer("o1", "a1", "h1"), offer("o2", "a2", "h2"), offer("o3", "a1", "h1")));
    assertThat(live.offers())
        .extracting(o -> o.getId().getValue())
        .containsExactly("o1", "o2", "o3");
    assertThat(live.hostname("a2")).isEqualTo("h2");
    assertThat(live.knownAgents()).hasSize(2);
    live.removeOffer("o2");
    assertThat(live.offers()).extracting(o -> o.getId().getValue()).containsExactly("o1", "o3");
    live.removeOffersOfAgent("a1");
    assertThat(live.offers()).isEmpty();
    live.addOffers(List.of(offer("o4", "a2", "h2")));
    live.clearOffers();
    assertThat(live.offers()).isEmpty();
    assertThat(live.knownAgents()).as("agents are remembered beyond their offers").hasSize(2);
  }

  @Test
  void aLaunchedTaskIsStagingWithWhatItWasGivenUntilMesosSpeaks() {
    live.launching(id, "a1", "h1", List.of(31000L), T0.plusSeconds(5));
    LiveTask t = live.task(id);
    assertThat(t.state()).isEqualTo(TaskState.TASK_STAGING);
    assertThat(t.appKey()).isEqualTo("shop/web");
    assertThat(t.specHash()).isEqualTo("abc123");
    assertThat(t.launchedAt()).as("from the ID").isEqualTo(T0);
    assertThat(t.agentId()).isEqualTo("a1");
    assertThat(t.ports()).containsExactly(31000L);
    live.launching("foreign-task", "a1", "h1", List.of(), T0.plusSeconds(5));
    assertThat(live.task("foreign-task").appKey()).isNull();
    assertThat(live.task("foreign-task").launchedAt()).isEqualTo(T0.plusSeconds(5));
  }

  @Test
  void rememberedTasksDoNotOverwriteWhatIsKnown() {
    live.launching(id, "a1", "h1", List.of(1L), T0);
    live.update(status(id, "a1", TaskState.TASK_RUNNING), T0.plusSeconds(1));
    live.remember(id, "a9", "h9", List.of(9L));
    assertThat(live.task(id).state()).isEqualTo(TaskState.TASK_RUNNING);
    assertThat(live.task(id).agentId()).isEqualTo("a1");
    String other = TaskIds.of("shop", "web", "abc123", T0, "x2");
    live.remember(other, "a2", "h2", List.of(2L));
    assertThat(live.task(other).state()).isEqualTo(TaskState.TASK_STAGING);
    assertThat(live.tasks()).hasSize(2);
  }

  @Test
  void readinessIsNotedOnceForARunningTaskAndLostWhenItStopsRunning() {
    assertThat(live.ready(id, T0)).as("unknown").isNull();
    live.launching(id, "a1", "h1", List.of(), T0);
    assertThat(live.ready(id, T0)).as("staging").isNull();
    assertThat(live.task(id).readySince()).isNull();
    live.update(status(id, "a1", TaskState.TASK_RUNNING), T0.plusSeconds(1));
    LiveTask ready = live.ready(id, T0.plusSeconds(2));
    assertThat(ready.readySince()).isEqualTo(T0.plusSeconds(2));
    assertThat(live.task(id)).isEqualTo(ready);
    assertThat(live.tasksOf("shop/web")).containsExactly(ready);
    assertThat(live.ready(id, T0.plusSeconds(3))).as("ready already").isNull();
    live.update(
        status(id, "a1", TaskState.TASK_RUNNING).toBuilder().setHealthy(true).build(),
        T0.plusSeconds(4));
    assertThat(live.task(id).readySince()).as("still running").isEqualTo(T0.plusSeconds(2));
    live.update(status(id, "a1", TaskState.TASK_KILLING), T0.plusSeconds(5));
    assertThat(live.task(id).readySince()).isNull();
  }

  @Test
  void runningAndHealthyTimesStartOnceAndCarryOver() {
    live.launching(id, "a1", "h1", List.of(), T0);
    live.update(status(id, "a1", TaskState.TASK_RUNNING), T0.plusSeconds(1));
    assertThat(live.task(id).runningSince()).isEqualTo(T0.plusSeconds(1));
    assertThat(live.task(id).healthySince()).isNull();
    assertThat(live.task(id).healthy()).isNull();
    live.update(
        status(id, "a1", TaskState.TASK_RUNNING).toBuilder().setHealthy(true).build(),
        T0.plusSeconds(3));
    live.update(status(id, "a1", TaskState.TASK_RUNNING), T0.plusSeconds(4));
    LiveTask t = live.task(id);
    assertThat(t.runningSince()).isEqualTo(T0.plusSeconds(1));
    assertThat(t.healthy()).as("a RUNNING update without a result keeps the last").isTrue();
    assertThat(t.healthySince()).isEqualTo(T0.plusSeconds(3));
    assertThat(t.upSince(true)).isEqualTo(T0.plusSeconds(3));
    assertThat(t.upSince(false)).isEqualTo(T0.plusSeconds(1));
    live.update(
        status(id, "a1", TaskState.TASK_RUNNING).toBuilder().setHealthy(false).build(),
        T0.plusSeconds(5));
    assertThat(live.task(id).healthySince()).isNull();
    assertThat(live.task(id).runningSince()).isEqualTo(T0.plusSeconds(1));
  }

  @Test
  void partitionStatesAreUnreachableFromTheirFirstReportAndNotTerminal() {
    live.launching(id, "a1", "h1", List.of(), T0);
    live.update(status(id, "a1", TaskState.TASK_RUNNING), T0.plusSeconds(1));
    live.update(status(id, "a1", TaskState.TASK_UNREACHABLE), T0.plusSeconds(10));
    live.update(status(id, "a1", TaskState.TASK_UNKNOWN), T0.plusSeconds(20));
    LiveTask t = live.task(id);
    assertThat(t.state()).isEqualTo(TaskState.TASK_UNKNOWN);
    assertThat(t.terminal()).isFalse();
    assertThat(t.unreachableSince()).isEqualTo(T0.plusSeconds(10));
    assertThat(t.runningSince()).isNull();
    TaskStatus lost =
        status(id, "a1", TaskState.TASK_LOST).toBuilder()
            .setReason(TaskStatus.Reason.REASON_AGENT_REMOVED)
            .build();
    live.update(lost, T0.plusSeconds(30));
    assertThat(live.task(id).state())
        .as("a partition's TASK_LOST may come back")
        .isEqualTo(TaskState.TASK_UNREACHABLE);
    assertThat(live.task(id).unreachableSince()).isEqualTo(T0.plusSeconds(10));
    live.update(status(id, "a1", TaskState.TASK_RUNNING), T0.plusSeconds(40));
    assertThat(live.task(id).unreachableSince()).isNull();
    live.update(status(id, "a1", TaskState.TASK_LOST), T0.plusSeconds(50));
    assertThat(live.task(id).terminal()).as("any other TASK_LOST is final").isTrue();
  }

  @Test
  void anUpdateNamesTheAgentAndItsHostWhenTheLaunchDidNot() {
    live.addOffers(List.of(offer("o1", "a7", "h7")));
    live.update(status(id, "a7", TaskState.TASK_RUNNING), T0);
    assertThat(live.task(id).agentId()).isEqualTo("a7");
    assertThat(live.task(id).host()).isEqualTo("h7");
    live.update(status(id, null, TaskState.TASK_RUNNING), T0.plusSeconds(1));
    assertThat(live.task(id).agentId()).as("an update without agent keeps it").isEqualTo("a7");
    live.update(
        status(id, "a7", TaskState.TASK_RUNNING).toBuilder().setMessage("hello").build(), T0);
    live.update(status(id, "a7", TaskState.TASK_RUNNING), T0);
    assertThat(live.task(id).message()).isEqualTo("hello");
  }

  @Test
  void killsAreNotedTerminalTasksForgottenAndFailedUpdatesUndone() {
    live.launching(id, "a1", "h1", List.of(), T0);
    live.killRequested(id, T0.plusSeconds(2));
    live.killRequested("unknown", T0);
    assertThat(live.task(id).killRequestedAt()).isEqualTo(T0.plusSeconds(2));
    assertThat(live.task("unknown")).isNull();
    LiveTask before = live.task(id);
    LiveTask after = live.update(status(id, "a1", TaskState.TASK_KILLED), T0.plusSeconds(3));
    assertThat(after.terminal()).isTrue();
    live.restore(id, before);
    assertThat(live.task(id)).isEqualTo(before);
    live.update(status(id, "a1", TaskState.TASK_FAILED), T0.plusSeconds(4));
    live.forgetTerminal();
    assertThat(live.task(id)).isNull();
    assertThat(live.tasks()).isEmpty();
    String never = TaskIds.of("shop", "web", "abc123", T0, "x9");
    live.update(status(never, "a1", TaskState.TASK_RUNNING), T0);
    live.restore(never, null);
    assertThat(live.task(never)).as("unknown before: unknown again").isNull();
  }

  @Test
  void tasksUnknownToTheMasterForLongAreForgotten() {
    String a = TaskIds.of("shop", "web", "abc123", T0, "a1");
    String b = TaskIds.of("shop", "web", "abc123", T0, "b1");
    live.update(status(a, "a1", TaskState.TASK_UNKNOWN), T0);
    live.update(status(b, "a1", TaskState.TASK_UNKNOWN), T0.plusSeconds(3600));
    live.update(status(id, "a1", TaskState.TASK_UNREACHABLE), T0);
    assertThat(live.forgetUnknownSince(T0.plusSeconds(60))).containsExactly(a);
    assertThat(live.task(a)).isNull();
    assertThat(live.task(b)).isNotNull();
    assertThat(live.task(id)).as("unreachable: its agent may come back").isNotNull();
  }

  @Test
  void offerAndAgentVersionsChangeExactlyWhenOffersOrAgentsDo() {
    long v0 = live.offersVersion();
    long a0 = live.agentsVersion();
    live.addOffers(List.of(offer("o1", "a1", "h1")));
    assertThat(live.offersVersion()).isGreaterThan(v0);
    assertThat(live.agentsVersion()).as("a new agent").isGreaterThan(a0);

    long v1 = live.offersVersion();
    long a1 = live.agentsVersion();
    live.addOffers(List.of(offer("o2", "a1", "h1")));
    assertThat(live.offersVersion()).isGreaterThan(v1);
    assertThat(live.agentsVersion()).as("the same agent, unchanged").isEqualTo(a1);
    live.addOffers(List.of(offer("o3", "a1", "h1-renamed")));
    assertThat(live.agentsVersion()).as("a changed hostname").isGreaterThan(a1);
    long a2 = live.agentsVersion();
    live.addOffers(
        List.of(
            offer("o4", "a1", "h1-renamed").toBuilder()
                .addAttributes(
                    org.apache.mesos.v1.Protos.Attribute.newBuilder()
                        .setName("rack")
                        .setType(org.apache.mesos.v1.Protos.Value.Type.TEXT)
                        .setText(org.apache.mesos.v1.Protos.Value.Text.newBuilder().setValue("r1")))
                .build()));
    assertThat(live.agentsVersion()).as("changed attributes").isGreaterThan(a2);

    long v2 = live.offersVersion();
    live.removeOffer("nope");
    assertThat(live.offersVersion()).as("nothing removed").isEqualTo(v2);
    live.removeOffer("o1");
    assertThat(live.offersVersion()).isGreaterThan(v2);
    long v3 = live.offersVersion();
    live.removeOffersOfAgent("a9");
    assertThat(live.offersVersion()).as("no offer of that agent").isEqualTo(v3);
    live.removeOffersOfAgent("a1");
    assertThat(live.offersVersion()).isGreaterThan(v3);
    assertThat(live.offers()).isEmpty();
    long v4 = live.offersVersion();
    live.clearOffers();
    assertThat(live.offersVersion()).as("nothing to clear").isEqualTo(v4);
    live.addOffers(List.of(offer("o5", "a2", "h2")));
    long v5 = live.offersVersion();
    live.clearOffers();
    assertThat(live.offersVersion()).isGreaterThan(v5);
  }

  @Test
  void tasksAreIndexedByAppThroughEveryChange() {
    String web2 = TaskIds.of("shop", "web", "abc123", T0, "x2");
    String db = TaskIds.of("shop", "db", "def456", T0, "y1");
    live.launching(id, "a1", "h1", List.of(), T0);
    live.launching(web2, "a1", "h1", List.of(), T0);
    live.remember(db, "a2", "h2", List.of());
    live.update(status("marathon.foreign", "a1", TaskState.TASK_RUNNING), T0);
    assertThat(live.size()).isEqualTo(4);
    assertThat(live.tasksOf("shop/web")).extracting(LiveTask::id).containsExactly(id, web2);
    assertThat(live.tasksOf("shop/db")).extracting(LiveTask::id).containsExactly(db);
    assertThat(live.tasksOf(null)).extracting(LiveTask::id).containsExactly("marathon.foreign");
    assertThat(live.appKeys()).containsExactlyInAnyOrder("shop/web", "shop/db", null);

    live.update(status(id, "a1", TaskState.TASK_RUNNING), T0);
    assertThat(live.tasksOf("shop/web").get(0).state()).isEqualTo(TaskState.TASK_RUNNING);
    live.update(status(web2, "a1", TaskState.TASK_FAILED), T0);
    live.forgetTerminal();
    assertThat(live.tasksOf("shop/web")).extracting(LiveTask::id).containsExactly(id);
    assertThat(live.size()).isEqualTo(3);

    live.restore(db, null);
    assertThat(live.tasksOf("shop/db")).isEmpty();
    assertThat(live.appKeys()).as("an app without tasks is not listed").doesNotContain("shop/db");
    assertThat(live.task(db)).isNull();

    live.update(status(id, "a1", TaskState.TASK_UNKNOWN), T0);
    assertThat(live.forgetUnknownSince(T0.plusSeconds(1))).containsExactly(id);
    assertThat(live.appKeys()).containsExactly((String) null);
    assertThat(live.size()).isEqualTo(1);
  }

  @Test
  void anUpdateKeepsWhatItDoesNotSayAndMovesATaskOnlyWhenItNamesAnotherAgent() {
    live.launching(id, "a1", "h1", List.of(31000L), T0);
    // No offer named a1 yet: its hostname is only what the launch recorded.
    LiveTask same = live.update(status(id, "a1", TaskState.TASK_RUNNING), T0);
    assertThat(same.agentId()).isEqualTo("a1");
    assertThat(same.host()).as("the same agent keeps its host").isEqualTo("h1");
    LiveTask silent = live.update(status(id, null, TaskState.TASK_RUNNING), T0);
    assertThat(silent.agentId()).as("an update naming no agent keeps it").isEqualTo("a1");
    assertThat(silent.host()).isEqualTo("h1");

    live.addOffers(List.of(offer("o1", "a2", "h2")));
    String other = TaskIds.of("shop", "web", "abc123", T0, "x9");
    live.launching(other, null, null, List.of(), T0);
    LiveTask moved = live.update(status(other, "a2", TaskState.TASK_RUNNING), T0);
    assertThat(moved.agentId()).isEqualTo("a2");
    assertThat(moved.host()).isEqualTo("h2");
  }

  @Test
  void aRememberedTaskIsRecoveringUntilMesosSpeaks() {
    live.remember(id, "a1", "h1", List.of());
    assertThat(live.task(id).recovering()).isTrue();
    assertThat(live.tasksOf("shop/web")).extracting(LiveTask::id).containsExactly(id);
    assertThat(live.update(status(id, "a1", TaskState.TASK_RUNNING), T0).recovering()).isFalse();
  }

  @Test
  void anUpdateOfAnUnknownTaskNamingNoAgentIsKeptWithoutOne() {
    String unknown = TaskIds.of("shop", "web", "abc123", T0, "x7");
    LiveTask t = live.update(status(unknown, null, TaskState.TASK_RUNNING), T0);
    assertThat(t.agentId()).isNull();
    assertThat(t.host()).isNull();
    assertThat(live.tasksOf("shop/web")).containsExactly(t);
  }
}
