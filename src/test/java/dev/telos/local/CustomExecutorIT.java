package dev.telos.local;

import static dev.telos.local.ClusterFixture.accept;
import static dev.telos.local.ClusterFixture.alive;
import static dev.telos.local.ClusterFixture.firstOffer;
import static dev.telos.local.ClusterFixture.frameworkInfo;
import static dev.telos.local.ClusterFixture.scalar;
import static dev.telos.local.ClusterFixture.simple;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telos.testing.RawScheduler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Telos executor ({@code telos executor} from the packaged jar) started by a process agent of
 * the embedded cluster as a CUSTOM executor, end to end over the v1 executor API.
 */
class CustomExecutorIT extends EmbeddedClusterTest {
  static final Path JAR = Path.of("target", "telos.jar").toAbsolutePath();

  /** A task run by the Telos executor; {@code spec} is the executor's JSON (TaskInfo.data). */
  static String executorTask(JsonNode offer, String taskId, Map<String, Object> spec)
      throws Exception {
    return executorTask(offer, taskId, spec, "");
  }

  /** As above, with more TaskInfo JSON fields ({@code ,"health_check":{...}}). */
  static String executorTask(JsonNode offer, String taskId, Map<String, Object> spec, String extra)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String command =
        java
            + " -Xmx48m -XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1 -jar "
            + JAR
            + " executor";
    ObjectNode executor = RawScheduler.JSON.createObjectNode();
    executor.putObject("executor_id").put("value", "telos-" + taskId);
    executor.put("type", "CUSTOM");
    executor.putObject("command").put("value", command);
    executor.set(
        "resources",
        RawScheduler.JSON.readTree("[" + scalar("cpus", 0.05) + "," + scalar("mem", 64) + "]"));
    String data = Base64.getEncoder().encodeToString(RawScheduler.JSON.writeValueAsBytes(spec));
    return "{\"name\":\""
        + taskId
        + "\",\"task_id\":{\"value\":\""
        + taskId
        + "\"},\"agent_id\":"
        + offer.get("agent_id")
        + ",\"resources\":["
        + scalar("cpus", 0.1)
        + ","
        + scalar("mem", 32)
        + "],\"executor\":"
        + executor
        + ",\"data\":\""
        + data
        + "\""
        + extra
        + "}";
  }

  RawScheduler launch(String taskId, Map<String, Object> spec) throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60, "PARTITION_AWARE", "TASK_KILLING_STATE"));
    JsonNode offer = firstOffer(s);
    s.call(accept(s, offer, executorTask(offer, taskId, spec)));
    return s;
  }

  /** Acknowledges every update of a task until one in {@code state}; returns them all. */
  static List<JsonNode> until(RawScheduler s, String taskId, String state) throws Exception {
    List<JsonNode> seen = new ArrayList<>();
    while (true) {
      JsonNode u =
          s.next(
              e ->
                  "UPDATE".equals(e.path("type").asText())
                      && taskId.equals(e.at("/update/status/task_id/value").asText()));
      s.acknowledge(u);
      seen.add(u.at("/update/status"));
      if (u.at("/update/status/state").asText().equals(state)) {
        return seen;
      }
    }
  }

  static String label(JsonNode status, String key) {
    for (JsonNode l : status.at("/labels/labels")) {
      if (l.path("key").asText().equals(key)) {
        return l.path("value").asText();
      }
    }
    return null;
  }

  Path sandbox(String taskId) {
    return cluster.taskSandbox(taskId).orElseThrow();
  }

  static boolean reached(RawScheduler s, String taskId, String state) {
    return s.received.stream()
        .anyMatch(
            e ->
                "UPDATE".equals(e.path("type").asText())
                    && taskId.equals(e.at("/update/status/task_id/value").asText())
                    && state.equals(e.at("/update/status/state").asText()));
  }

  static List<JsonNode> statuses(RawScheduler s, String taskId) {
    return s.received.stream()
        .filter(
            e ->
                "UPDATE".equals(e.path("type").asText())
                    && taskId.equals(e.at("/update/status/task_id/value").asText()))
        .map(e -> e.at("/update/status"))
        .toList();
  }

  @Test
  void aGeneralCheckIsReportedAsMesosDoesEachTimeItsResultChanges() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60, "PARTITION_AWARE")).autoAcknowledge();
    JsonNode offer = firstOffer(s);
    s.call(
        accept(
            s,
            offer,
            executorTask(
                offer,
                "chk",
                Map.of("command", "sleep 1; touch ready; exec sleep 300"),
                ",\"check\":{\"type\":\"COMMAND\",\"command\":{\"command\":{\"value\":"
                    + "\"test -f ready\"}},\"delay_seconds\":0.1,\"interval_seconds\":0.2,"
                    + "\"timeout_seconds\":5}")));
    await()
        .until(
            () ->
                statuses(s, "chk").stream()
                    .anyMatch(st -> st.at("/check_status/command/exit_code").asInt(-1) == 0));
    List<JsonNode> running =
        statuses(s, "chk").stream()
            .filter(st -> st.path("state").asText().equals("TASK_RUNNING"))
            .toList();
    assertThat(running.get(0).at("/check_status/type").asText())
        .as("RUNNING names the check, with no result yet")
        .isEqualTo("COMMAND");
    assertThat(running.get(0).at("/check_status/command").has("exit_code")).isFalse();
    JsonNode notYet =
        running.stream()
            .filter(st -> st.at("/check_status/command/exit_code").asInt(-1) == 1)
            .findFirst()
            .orElseThrow();
    assertThat(notYet.path("reason").asText()).isEqualTo("REASON_TASK_CHECK_STATUS_UPDATED");
    assertThat(
            running.stream()
                .filter(st -> st.at("/check_status/command/exit_code").asInt(-1) == 0)
                .count())
        .as("a result is reported when it changes, not on every attempt")
        .isEqualTo(1);
    s.call(simple(s, "KILL", "\"kill\":{\"task_id\":{\"value\":\"chk\"}}"));
    await().until(() -> reached(s, "chk", "TASK_KILLED"));
  }

  @Test
  void aTaskGroupRunsUnderOneExecutorEachTaskInItsOwnDirectoryAndIsKilledTaskByTask()
      throws Exception {
    RawScheduler s =
        subscribe(frameworkInfo(60, "PARTITION_AWARE", "TASK_KILLING_STATE")).autoAcknowledge();
    JsonNode offer = firstOffer(s);
    // The executor as for one task, then the group: one task described by Telos's JSON, one
    // by a plain CommandInfo.
    JsonNode single =
        RawScheduler.JSON.readTree(executorTask(offer, "g", Map.of("command", "true")));
    String one =
        "{\"name\":\"g-1\",\"task_id\":{\"value\":\"g-1\"},\"agent_id\":"
            + offer.get("agent_id")
            + ",\"resources\":["
            + scalar("cpus", 0.1)
            + ","
            + scalar("mem", 32)
            + "],\"data\":\""
            + Base64.getEncoder()
                .encodeToString(
                    "{\"command\":\"echo one > out; exec sleep 300\"}"
                        .getBytes(StandardCharsets.UTF_8))
            + "\"}";
    String two =
        "{\"name\":\"g-2\",\"task_id\":{\"value\":\"g-2\"},\"agent_id\":"
            + offer.get("agent_id")
            + ",\"resources\":["
            + scalar("cpus", 0.1)
            + ","
            + scalar("mem", 32)
            + "],\"command\":{\"value\":\"echo two > out; exec sleep 300\"}}";
    // As Mesos: a LAUNCH_GROUP's executor names its framework (the master fills it in only for
    // LAUNCH).
    ((ObjectNode) single.get("executor")).putObject("framework_id").put("value", s.frameworkId);
    s.call(
        "{\"framework_id\":{\"value\":\""
            + s.frameworkId
            + "\"},\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":["
            + offer.get("id")
            + "],\"operations\":[{\"type\":\"LAUNCH_GROUP\",\"launch_group\":{\"executor\":"
            + single.get("executor")
            + ",\"task_group\":{\"tasks\":["
            + one
            + ","
            + two
            + "]}}}]}}");
    await().until(() -> reached(s, "g-1", "TASK_RUNNING") && reached(s, "g-2", "TASK_RUNNING"));
    long executor = cluster.taskPid("g-1").orElseThrow();
    assertThat(cluster.taskPid("g-2")).as("one executor for the group").contains(executor);
    Path dir1 = sandbox("g-1");
    Path dir2 = sandbox("g-2");
    assertThat(dir1.getParent()).isEqualTo(dir2.getParent());
    assertThat(dir1.getParent().getFileName().toString()).isEqualTo("tasks");
    await()
        .until(
            () ->
                Files.isRegularFile(dir1.resolve("out"))
                    && Files.isRegularFile(dir2.resolve("out")));
    await().until(() -> Files.readString(dir1.resolve("out")).strip().equals("one"));
    await().until(() -> Files.readString(dir2.resolve("out")).strip().equals("two"));

    s.call(simple(s, "KILL", "\"kill\":{\"task_id\":{\"value\":\"g-1\"}}"));
    await().until(() -> reached(s, "g-1", "TASK_KILLED"));
    assertThat(reached(s, "g-2", "TASK_KILLED")).as("the other task runs on").isFalse();
    assertThat(alive(executor)).isTrue();
    s.call(simple(s, "KILL", "\"kill\":{\"task_id\":{\"value\":\"g-2\"}}"));
    await().until(() -> reached(s, "g-2", "TASK_KILLED"));
    await().atMost(Duration.ofSeconds(30)).until(() -> !alive(executor));
  }

  static List<JsonNode> usageMessages(RawScheduler s) {
    return s.received.stream().filter(e -> "MESSAGE".equals(e.path("type").asText())).toList();
  }

  @Test
  void theExecutorReportsWhatItsTaskUsesAndAnswersAUsageRequestAtOnce() throws Exception {
    RawScheduler s = launch("use", Map.of("command", "exec sleep 300"));
    until(s, "use", "TASK_RUNNING");
    await().until(() -> !usageMessages(s).isEmpty());
    JsonNode m = usageMessages(s).get(0);
    assertThat(m.at("/message/executor_id/value").asText()).isEqualTo("telos-use");
    JsonNode report =
        RawScheduler.JSON.readTree(Base64.getDecoder().decode(m.at("/message/data").asText()));
    assertThat(report.path("telos").asText()).isEqualTo("usage");
    assertThat(report.at("/tasks/0/taskId").asText()).isEqualTo("use");
    assertThat(report.at("/tasks/0/rssBytes").asLong()).isBetween(64L << 10, 64L << 20);

    // Asked now (the next periodic report is 30 s away), it answers within seconds.
    int before = usageMessages(s).size();
    String request =
        Base64.getEncoder()
            .encodeToString(
                dev.telos.executor.TelosExecutor.USAGE_REQUEST.getBytes(StandardCharsets.UTF_8));
    s.call(
        simple(
            s,
            "MESSAGE",
            "\"message\":{\"agent_id\":"
                + m.at("/message/agent_id")
                + ",\"executor_id\":{\"value\":\"telos-use\"},\"data\":\""
                + request
                + "\"}"));
    await().atMost(Duration.ofSeconds(10)).until(() -> usageMessages(s).size() > before);

    s.call(simple(s, "KILL", "\"kill\":{\"task_id\":{\"value\":\"use\"}}"));
    until(s, "use", "TASK_KILLED");
  }

  @Test
  void runsATaskReportsItsRevisionAndKillsItWithinItsGrace() throws Exception {
    RawScheduler s =
        launch("svc", Map.of("command", "echo started; exec sleep 300", "revision", "abc123"));
    List<JsonNode> updates = until(s, "svc", "TASK_RUNNING");
    assertThat(updates.get(0).at("/state").asText()).isEqualTo("TASK_STARTING");
    assertThat(updates)
        .allSatisfy(u -> assertThat(u.at("/source").asText()).isEqualTo("SOURCE_EXECUTOR"));
    assertThat(label(updates.get(updates.size() - 1), "revision")).isEqualTo("abc123");
    long executor = cluster.taskPid("svc").orElseThrow();
    await().until(() -> Files.readString(sandbox("svc").resolve("stdout")).contains("started"));

    s.call(simple(s, "KILL", "\"kill\":{\"task_id\":{\"value\":\"svc\"}}"));
    List<JsonNode> end = until(s, "svc", "TASK_KILLED");
    assertThat(end).extracting(u -> u.at("/state").asText()).contains("TASK_KILLING");
    await().atMost(Duration.ofSeconds(30)).until(() -> !alive(executor));
  }

  @Test
  void aFailingCommandSaysItsExitCodeAndLastStderrLines() throws Exception {
    RawScheduler s = launch("boom", Map.of("command", "echo 'config missing' >&2; exit 3"));
    List<JsonNode> updates = until(s, "boom", "TASK_FAILED");
    JsonNode failed = updates.get(updates.size() - 1);
    assertThat(label(failed, "exit_code")).isEqualTo("3");
    assertThat(label(failed, "stderr_tail")).contains("config missing");
    assertThat(failed.at("/message").asText()).contains("exited with status 3");
  }

  @Test
  void anArtifactWhoseSha256DiffersIsRefusedAndNamed() throws Exception {
    Path artifact = work.resolve("tool.sh");
    Files.writeString(artifact, "echo tampered\n");
    RawScheduler s =
        launch(
            "fetcher",
            Map.of(
                "command",
                "sh tool.sh",
                "fetch",
                List.of(Map.of("uri", artifact.toString(), "sha256", "0".repeat(64)))));
    List<JsonNode> updates = until(s, "fetcher", "TASK_FAILED");
    String message = updates.get(updates.size() - 1).at("/message").asText();
    assertThat(message).contains(artifact.toString()).contains("sha256 mismatch");
  }

  @Test
  void aFailingPreStartHookFailsTheTaskBeforeItRuns() throws Exception {
    RawScheduler s =
        launch(
            "hooked",
            Map.of(
                "command",
                "touch ran; exec sleep 300",
                "preStart",
                List.of("echo migrating", "echo 'migration failed' >&2; exit 1")));
    List<JsonNode> updates = until(s, "hooked", "TASK_FAILED");
    assertThat(updates).extracting(u -> u.at("/state").asText()).doesNotContain("TASK_RUNNING");
    assertThat(updates.get(updates.size() - 1).at("/message").asText())
        .contains("preStart")
        .contains("migration failed");
    assertThat(sandbox("hooked").resolve("ran")).doesNotExist();
  }

  @Test
  void aChattyTaskNeverOutgrowsItsLogRotation() throws Exception {
    RawScheduler s =
        launch(
            "chatty",
            Map.of(
                "command",
                "i=0; while [ $i -lt 4000 ]; do echo \"line $i of a chatty task\"; i=$((i+1)); done",
                "logMaxBytes",
                16384,
                "logKeep",
                2));
    until(s, "chatty", "TASK_FINISHED");
    Path box = sandbox("chatty");
    try (Stream<Path> files = Files.list(box)) {
      List<String> names = files.map(p -> p.getFileName().toString()).toList();
      assertThat(names).contains("stdout", "stdout.1", "stdout.2").doesNotContain("stdout.3");
    }
    for (String f : List.of("stdout.1", "stdout.2")) {
      assertThat(Files.size(box.resolve(f))).isLessThanOrEqualTo(16384);
    }
    assertThat(Files.readString(box.resolve("stdout"), StandardCharsets.UTF_8))
        .contains("line 3999 of a chatty task");
  }

  @Test
  void anAgentRestartLeavesTheTaskRunningAndLosesOrRepeatsNoUpdate() throws Exception {
    RawScheduler s = launch("durable", Map.of("command", "exec sleep 300"));
    until(s, "durable", "TASK_RUNNING");
    long executor = cluster.taskPid("durable").orElseThrow();
    String agent = cluster.agentIds().get(0);

    assertThat(cluster.restartAgent(agent, Duration.ofSeconds(2))).isTrue();
    // The executor re-subscribes when the agent is back; the kill reaches it then.
    s.call(simple(s, "KILL", "\"kill\":{\"task_id\":{\"value\":\"durable\"}}"));
    List<JsonNode> end = until(s, "durable", "TASK_KILLED");
    assertThat(end).extracting(u -> u.at("/state").asText()).doesNotContain("TASK_RUNNING");
    assertThat(end.stream().filter(u -> u.at("/state").asText().equals("TASK_KILLED"))).hasSize(1);
    await().atMost(Duration.ofSeconds(30)).until(() -> !alive(executor));
  }

  @Test
  void anExecutorKilledHardFailsItsTaskAndTakesItsProcessesWithIt() throws Exception {
    RawScheduler s = launch("orphan", Map.of("command", "echo $$ > task.pid; exec sleep 300"));
    until(s, "orphan", "TASK_RUNNING");
    Path pidFile = sandbox("orphan").resolve("task.pid");
    await().until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
    long task = Long.parseLong(Files.readString(pidFile).strip());

    assertThat(cluster.crashTask("orphan")).isTrue();
    List<JsonNode> updates = until(s, "orphan", "TASK_FAILED");
    assertThat(updates.get(updates.size() - 1).at("/reason").asText())
        .isEqualTo("REASON_EXECUTOR_TERMINATED");
    await().atMost(Duration.ofSeconds(30)).until(() -> !alive(task));
  }

  @Test
  void theExecutorRunsHealthChecksAndKillsATaskThatFailsThemTooOften() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60, "PARTITION_AWARE"));
    JsonNode offer = firstOffer(s);
    String check =
        ",\"health_check\":{\"type\":\"COMMAND\",\"command\":{\"value\":\"test -f ready\"},"
            + "\"delay_seconds\":0.1,\"interval_seconds\":0.2,\"timeout_seconds\":2,"
            + "\"grace_period_seconds\":0,\"consecutive_failures\":3}";
    s.call(
        accept(
            s,
            offer,
            executorTask(
                offer, "checked", Map.of("command", "touch ready; exec sleep 300"), check)));
    List<JsonNode> healthy = until(s, "checked", "TASK_RUNNING");
    while (!healthy.get(healthy.size() - 1).path("healthy").asBoolean(false)) {
      healthy = until(s, "checked", "TASK_RUNNING");
    }
    assertThat(healthy.get(healthy.size() - 1).at("/reason").asText())
        .isEqualTo("REASON_TASK_HEALTH_CHECK_STATUS_UPDATED");

    // The check starts failing: reported unhealthy, then the task is killed.
    Files.delete(sandbox("checked").resolve("ready"));
    List<JsonNode> end = until(s, "checked", "TASK_KILLED");
    assertThat(end)
        .anySatisfy(
            u -> {
              assertThat(u.at("/state").asText()).isEqualTo("TASK_RUNNING");
              assertThat(u.at("/healthy").asBoolean(true)).isFalse();
            });
    JsonNode killed = end.get(end.size() - 1);
    assertThat(killed.at("/reason").asText()).isEqualTo("REASON_TASK_HEALTH_CHECK_STATUS_UPDATED");
    assertThat(killed.at("/message").asText()).contains("health check failed");
  }
}
