package dev.telos.local;

import static dev.telos.local.ClusterFixture.accept;
import static dev.telos.local.ClusterFixture.alive;
import static dev.telos.local.ClusterFixture.firstOffer;
import static dev.telos.local.ClusterFixture.frameworkInfo;
import static dev.telos.local.ClusterFixture.shell;
import static dev.telos.local.ClusterFixture.simple;
import static dev.telos.local.ClusterFixture.task;
import static dev.telos.local.ClusterFixture.withId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telos.testing.RawScheduler;
import org.junit.jupiter.api.Test;

/** Framework failover within and past its timeout, teardown, and agent partitions. */
class FailoverIT extends EmbeddedClusterTest {

  /** Launches one long-running task and acknowledges it to RUNNING; returns its pid. */
  long runTask(RawScheduler s, String id) throws Exception {
    JsonNode offer = firstOffer(s);
    s.call(accept(s, offer, task(offer, id, shell("exec sleep 300"), "")));
    s.acknowledge(s.nextUpdate(id, "TASK_STARTING"));
    s.acknowledge(s.nextUpdate(id, "TASK_RUNNING"));
    return cluster.taskPid(id).orElseThrow();
  }

  boolean connected(String frameworkId) throws Exception {
    for (JsonNode f : ClusterFixture.state(cluster).get("frameworks")) {
      if (f.get("id").asText().equals(frameworkId)) {
        return f.get("connected").asBoolean();
      }
    }
    return false;
  }

  boolean completed(String frameworkId) throws Exception {
    for (JsonNode f : ClusterFixture.state(cluster).get("completed_frameworks")) {
      if (f.get("id").asText().equals(frameworkId)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aFrameworkThatComesBackWithinItsFailoverTimeoutGetsItsTasksBack() throws Exception {
    String info = frameworkInfo(60, "PARTITION_AWARE");
    RawScheduler first = subscribe(info);
    long pid = runTask(first, "keep");
    first.close();
    await().until(() -> !connected(first.frameworkId));
    assertThat(alive(pid)).isTrue();

    RawScheduler again = subscribe(withId(info, first.frameworkId));
    assertThat(again.next("SUBSCRIBED").at("/subscribed/framework_id/value").asText())
        .isEqualTo(first.frameworkId);
    again.call(simple(again, "RECONCILE", "\"reconcile\":{}"));
    again.nextUpdate("keep", "TASK_RUNNING");
    assertThat(cluster.taskPid("keep")).contains(pid);
    assertThat(alive(pid)).isTrue();
  }

  @Test
  void aNewerSubscriptionClosesTheOlderStreamWithAnError() throws Exception {
    String info = frameworkInfo(60);
    RawScheduler first = subscribe(info);
    first.next("SUBSCRIBED");
    RawScheduler second = subscribe(withId(info, first.frameworkId));
    second.next("SUBSCRIBED");
    JsonNode error = first.next("ERROR");
    assertThat(error.at("/error/message").asText()).isEqualTo("Framework failed over");
    first.next("__END__");
    assertThat(connected(first.frameworkId)).isTrue();
    assertThat(cluster.openSubscriptionFailovers()).isEqualTo(1);
  }

  @Test
  void aSubscriptionRightAfterTheOldConnectionClosedIsNoFailoverFromAnOpenOne() throws Exception {
    // As libprocess notices a closed connection at once: the master must not take a stream
    // whose scheduler went away (and that it has not written to since) for one still held.
    String info = frameworkInfo(60);
    RawScheduler first = subscribe(info);
    first.next("SUBSCRIBED");
    first.close();
    RawScheduler second = subscribe(withId(info, first.frameworkId));
    second.next("SUBSCRIBED");
    assertThat(cluster.openSubscriptionFailovers()).isZero();
  }

  @Test
  void pastTheFailoverTimeoutTasksAreKilledAndTheFrameworkRemoved() throws Exception {
    String info = frameworkInfo(0.5);
    RawScheduler first = subscribe(info);
    long pid = runTask(first, "doomed");
    first.close();
    await().until(() -> completed(first.frameworkId));
    await().until(() -> !alive(pid));
    await()
        .until(
            () ->
                ClusterFixture.state(cluster).at("/slaves/0/used_resources/mem").asDouble() == 0.0);

    RawScheduler late = subscribe(withId(info, first.frameworkId));
    assertThat(late.next("ERROR").at("/error/message").asText())
        .isEqualTo("Framework has been removed");
  }

  @Test
  void teardownKillsEveryTaskAndRemovesTheFramework() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60));
    long pid = runTask(s, "gone");
    assertThat(s.call(simple(s, "TEARDOWN", null)).statusCode()).isEqualTo(202);
    await().until(() -> !alive(pid));
    assertThat(completed(s.frameworkId)).isTrue();
  }

  @Test
  void aLostAgentMakesTasksUnreachableAndTheyComeBackWhenItReturns() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60, "PARTITION_AWARE"));
    long pid = runTask(s, "partitioned");
    String agent = cluster.agentIds().get(0);
    assertThat(cluster.loseAgent(agent)).isTrue();
    JsonNode unreachable = s.nextUpdate("partitioned", "TASK_UNREACHABLE").at("/update/status");
    assertThat(unreachable.get("reason").asText()).isEqualTo("REASON_AGENT_REMOVED");
    assertThat(unreachable.has("uuid")).isFalse();
    assertThat(s.next("FAILURE").at("/failure/agent_id/value").asText()).isEqualTo(agent);
    assertThat(alive(pid)).as("a partitioned task may still run").isTrue();
    // the master's /state lists it apart, as Mesos does, until its agent is back
    JsonNode framework = new ObjectMapper().readTree(cluster.stateJson()).at("/frameworks/0");
    assertThat(framework.path("tasks")).isEmpty();
    assertThat(framework.at("/unreachable_tasks/0/state").asText()).isEqualTo("TASK_UNREACHABLE");

    s.call(simple(s, "RECONCILE", "\"reconcile\":{}"));
    s.nextUpdate("partitioned", "TASK_UNREACHABLE");

    assertThat(cluster.restoreAgent(agent)).isTrue();
    JsonNode back = s.nextUpdate("partitioned", "TASK_RUNNING").at("/update/status");
    assertThat(back.get("reason").asText()).isEqualTo("REASON_AGENT_REREGISTERED");
    framework = new ObjectMapper().readTree(cluster.stateJson()).at("/frameworks/0");
    assertThat(framework.at("/tasks/0/state").asText()).isEqualTo("TASK_RUNNING");
    assertThat(framework.path("unreachable_tasks")).isEmpty();
  }

  @Test
  void aFrameworkThatIsNotPartitionAwareSeesTaskLost() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60));
    runTask(s, "lost");
    cluster.loseAgent(cluster.agentIds().get(0));
    s.nextUpdate("lost", "TASK_LOST");
  }

  @Test
  void updatesOfAnUnreachableAgentAreDeliveredWhenItReturns() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60, "PARTITION_AWARE"));
    runTask(s, "dies-alone");
    String agent = cluster.agentIds().get(0);
    cluster.loseAgent(agent);
    s.nextUpdate("dies-alone", "TASK_UNREACHABLE");
    cluster.crashTask("dies-alone");
    cluster.restoreAgent(agent);
    s.acknowledge(s.nextUpdate("dies-alone", "TASK_FAILED"));
  }

  @Test
  void aRestartingAgentKeepsItsTasksAndSendsKillsAndUpdatesOnlyOnceBack() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60, "PARTITION_AWARE"));
    JsonNode offer = firstOffer(s);
    s.call(
        accept(
            s,
            offer,
            task(offer, "checkpointed", shell("exec sleep 300"), ""),
            task(offer, "to-kill", shell("exec sleep 300"), "", 1)));
    java.util.Set<String> running = new java.util.HashSet<>();
    while (running.size() < 2) {
      JsonNode update = s.next("UPDATE");
      s.acknowledge(update);
      if (update.at("/update/status/state").asText().equals("TASK_RUNNING")) {
        running.add(update.at("/update/status/task_id/value").asText());
      }
    }
    long pid = cluster.taskPid("checkpointed").orElseThrow();
    long other = cluster.taskPid("to-kill").orElseThrow();
    String agent = cluster.agentIds().get(0);
    assertThat(cluster.restartAgent(agent, java.time.Duration.ofDays(1))).isTrue();
    assertThat(cluster.restartAgent(agent, java.time.Duration.ofDays(1)))
        .as("already restarting")
        .isFalse();

    // Disconnected, not lost: no UNREACHABLE, and the master still answers from what it knows.
    s.call(simple(s, "RECONCILE", "\"reconcile\":{}"));
    s.nextUpdate("checkpointed", "TASK_RUNNING");
    assertThat(ClusterFixture.state(cluster).at("/slaves/0/offered_resources/cpus").asDouble())
        .as("no offers of a disconnected agent")
        .isZero();

    // A kill waits for the agent, as "Kill will be retried if the agent reregisters" says.
    s.call(simple(s, "KILL", "\"kill\":{\"task_id\":{\"value\":\"to-kill\"}}"));
    cluster.crashTask("checkpointed");
    assertThat(alive(other)).as("the kill is not delivered yet").isTrue();

    cluster.master().reconnectAgent(agent);
    s.acknowledge(s.nextUpdate("checkpointed", "TASK_FAILED"));
    s.acknowledge(s.nextUpdate("to-kill", "TASK_KILLED"));
    await().until(() -> !alive(other));
    assertThat(alive(pid)).isFalse();
  }

  @Test
  void anUnknownTaskOfNoAgentIsNotAnsweredWhileAgentsReregisterAfterAMasterFailover()
      throws Exception {
    // As Mesos: the task may be on an agent the new master has not heard from yet, so no answer
    // (Telos then waits its second before acting); once they are back, TASK_UNKNOWN.
    String info = frameworkInfo(60, "PARTITION_AWARE");
    RawScheduler s = subscribe(info);
    runTask(s, "known");
    cluster.failover(java.time.Duration.ofSeconds(2));
    RawScheduler again = subscribe(withId(info, s.frameworkId));
    again.next("SUBSCRIBED");
    String never = "\"reconcile\":{\"tasks\":[{\"task_id\":{\"value\":\"never\"}}]}";
    assertThat(again.call(simple(again, "RECONCILE", never)).statusCode()).isEqualTo(202);
    await()
        .until(
            () ->
                new ObjectMapper()
                    .readTree(cluster.stateJson())
                    .at("/frameworks/0/tasks")
                    .toString()
                    .contains("known"));
    assertThat(again.call(simple(again, "RECONCILE", never)).statusCode()).isEqualTo(202);
    again.nextUpdate("never", "TASK_UNKNOWN");
    assertThat(
            again.received.stream()
                .filter(e -> e.at("/update/status/task_id/value").asText().equals("never")))
        .as("only the question asked once the agents were back is answered")
        .hasSize(1);
  }
}
