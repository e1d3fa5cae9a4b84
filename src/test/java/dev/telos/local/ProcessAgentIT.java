package dev.telos.local;

import static dev.telos.local.ClusterFixture.accept;
import static dev.telos.local.ClusterFixture.alive;
import static dev.telos.local.ClusterFixture.fast;
import static dev.telos.local.ClusterFixture.firstOffer;
import static dev.telos.local.ClusterFixture.firstPort;
import static dev.telos.local.ClusterFixture.frameworkInfo;
import static dev.telos.local.ClusterFixture.shell;
import static dev.telos.local.ClusterFixture.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.RawScheduler;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tasks as real processes: environment, sandbox, exit states, health checks, kills, crashes. */
class ProcessAgentIT {
  @TempDir Path work;
  LocalCluster cluster;
  RawScheduler s;

  @BeforeEach
  void start() throws Exception {
    cluster = LocalCluster.start(fast(work).build());
    s =
        RawScheduler.subscribe(
            cluster.url(), frameworkInfo(60, "PARTITION_AWARE", "TASK_KILLING_STATE"));
  }

  @AfterEach
  void stop() throws Exception {
    s.close();
    cluster.close();
  }

  void launch(java.util.function.Function<JsonNode, String> task) throws Exception {
    JsonNode offer = firstOffer(s);
    assertThat(s.call(accept(s, offer, task.apply(offer))).statusCode()).isEqualTo(202);
  }

  JsonNode ackUntil(String taskId, String state) throws Exception {
    return ackUntil(taskId, status -> state.equals(status.path("state").asText()));
  }

  /** Acknowledges the task's updates until one whose status matches; returns that status. */
  JsonNode ackUntil(String taskId, java.util.function.Predicate<JsonNode> wanted) throws Exception {
    while (true) {
      JsonNode u =
          s.next(
              e ->
                  "UPDATE".equals(e.path("type").asText())
                      && taskId.equals(e.at("/update/status/task_id/value").asText()));
      JsonNode status = u.at("/update/status");
      if (status.has("uuid")) {
        s.acknowledge(u);
      }
      if (wanted.test(status)) {
        return status;
      }
    }
  }

  @Test
  void aCommandTaskGetsExactlyTheEnvironmentOfAMesosCommandExecutor() throws Exception {
    JsonNode offer = firstOffer(s);
    String command =
        "{\"shell\":false,\"value\":\"/usr/bin/env\",\"arguments\":[\"env\"],"
            + "\"environment\":{\"variables\":[{\"name\":\"GREETING\",\"value\":\"hello\"},"
            + "{\"name\":\"PORT0\",\"value\":\""
            + firstPort(offer)
            + "\"}]}}";
    s.call(accept(s, offer, task(offer, "envtask", command, "")));
    JsonNode finished = ackUntil("envtask", "TASK_FINISHED");
    assertThat(finished.get("message").asText()).isEqualTo("Command exited with status 0");

    Path stdout = ClusterFixture.stdoutOf(work, "envtask").orElseThrow();
    Map<String, String> env = new TreeMap<>();
    for (String line : Files.readAllLines(stdout)) {
      int eq = line.indexOf('=');
      env.put(line.substring(0, eq), line.substring(eq + 1));
    }
    Path sandbox = stdout.getParent();
    assertThat(env.keySet())
        .containsExactlyInAnyOrder(
            "PATH",
            "MESOS_SANDBOX",
            "MESOS_DIRECTORY",
            "MESOS_FRAMEWORK_ID",
            "MESOS_EXECUTOR_ID",
            "MESOS_SLAVE_ID",
            "MESOS_AGENT_ENDPOINT",
            "MESOS_ALLOCATION_ROLE",
            "MESOS_CHECKPOINT",
            "GREETING",
            "PORT0");
    assertThat(env.get("MESOS_SANDBOX")).isEqualTo(sandbox.toString());
    assertThat(env.get("MESOS_DIRECTORY")).isEqualTo(sandbox.toString());
    assertThat(env.get("MESOS_FRAMEWORK_ID")).isEqualTo(s.frameworkId);
    assertThat(env.get("MESOS_EXECUTOR_ID")).isEqualTo("envtask");
    assertThat(env.get("MESOS_SLAVE_ID")).isEqualTo(offer.at("/agent_id/value").asText());
    assertThat(env.get("MESOS_ALLOCATION_ROLE")).isEqualTo("*");
    assertThat(env.get("MESOS_CHECKPOINT")).isEqualTo("1");
    assertThat(env.get("PATH")).isEqualTo(ProcessRunner.DEFAULT_PATH);
    assertThat(env.get("GREETING")).isEqualTo("hello");
    assertThat(env).doesNotContainKeys("HOME", "PORT", "HOST", "JAVA_HOME", "USER");
    assertThat(Files.exists(sandbox.resolve("stderr"))).isTrue();
  }

  @Test
  void exitCodesBecomeFinishedOrFailedWithTheStatusInTheMessage() throws Exception {
    JsonNode offer = firstOffer(s);
    String ok = task(offer, "ok", shell("echo out; echo err >&2; exit 0"), "");
    String bad = task(offer, "bad", shell("exit 3"), "", 1);
    s.call(accept(s, offer, ok, bad));
    assertThat(ackUntil("ok", "TASK_FINISHED").get("message").asText())
        .isEqualTo("Command exited with status 0");
    JsonNode failed = ackUntil("bad", "TASK_FAILED");
    assertThat(failed.get("message").asText()).isEqualTo("Command exited with status 3");
    Path stdout = ClusterFixture.stdoutOf(work, "ok").orElseThrow();
    assertThat(Files.readString(stdout)).isEqualTo("out\n");
    assertThat(Files.readString(stdout.resolveSibling("stderr"))).isEqualTo("err\n");
  }

  @Test
  void aKillTakesTheWholeProcessGroupAndSigkillsAfterTheGracePeriod() throws Exception {
    // The shell ignores SIGTERM and has a child: both must be gone after the grace period.
    launch(
        offer ->
            task(
                offer,
                "stubborn",
                shell("trap '' TERM; sleep 300 & echo $! > child.pid; wait"),
                ",\"kill_policy\":{\"grace_period\":{\"nanoseconds\":300000000}}"));
    ackUntil("stubborn", "TASK_RUNNING");
    long pid = cluster.taskPid("stubborn").orElseThrow();
    Path sandbox = cluster.taskSandbox("stubborn").orElseThrow();
    await()
        .until(
            () ->
                Files.exists(sandbox.resolve("child.pid"))
                    && !Files.readString(sandbox.resolve("child.pid")).isBlank());
    long child = Long.parseLong(Files.readString(sandbox.resolve("child.pid")).trim());
    assertThat(alive(child)).isTrue();

    s.call(ClusterFixture.simple(s, "KILL", "\"kill\":{\"task_id\":{\"value\":\"stubborn\"}}"));
    ackUntil("stubborn", "TASK_KILLING");
    JsonNode killed = ackUntil("stubborn", "TASK_KILLED");
    assertThat(killed.get("message").asText()).contains("signal Killed");
    await().until(() -> !alive(pid) && !alive(child));
  }

  @Test
  void aCrashedTaskFailsWithTheSignal() throws Exception {
    launch(offer -> task(offer, "victim", shell("exec sleep 300"), ""));
    ackUntil("victim", "TASK_RUNNING");
    long pid = cluster.taskPid("victim").orElseThrow();
    assertThat(cluster.crashTask("victim")).isTrue();
    JsonNode failed = ackUntil("victim", "TASK_FAILED");
    assertThat(failed.get("message").asText()).isEqualTo("Command terminated with signal Killed");
    await().until(() -> !alive(pid));
  }

  @Test
  void anHttpHealthCheckReportsHealthyOnARealPort() throws Exception {
    JsonNode offer = firstOffer(s);
    long port = firstPort(offer);
    String health =
        ",\"health_check\":{\"type\":\"HTTP\",\"http\":{\"port\":"
            + port
            + ",\"path\":\"/\"},\"delay_seconds\":0,\"interval_seconds\":0.2,"
            + "\"timeout_seconds\":1,\"grace_period_seconds\":30,\"consecutive_failures\":3}";
    s.call(
        accept(
            s,
            offer,
            task(
                offer,
                "web",
                shell("exec python3 -m http.server " + port + " --bind 127.0.0.1"),
                health)));
    JsonNode healthy = ackUntil("web", st -> st.path("healthy").asBoolean(false));
    assertThat(healthy.path("state").asText()).isEqualTo("TASK_RUNNING");
    assertThat(healthy.path("reason").asText())
        .isEqualTo("REASON_TASK_HEALTH_CHECK_STATUS_UPDATED");
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", (int) port), 5000);
    }
  }

  @Test
  void tooManyFailedHealthChecksKillTheTask() throws Exception {
    String health =
        ",\"health_check\":{\"type\":\"COMMAND\",\"command\":{\"value\":\"exit 1\"},"
            + "\"delay_seconds\":0,\"interval_seconds\":0.1,\"timeout_seconds\":1,"
            + "\"grace_period_seconds\":0,\"consecutive_failures\":2}";
    launch(offer -> task(offer, "sick", shell("exec sleep 300"), health));
    JsonNode killed = ackUntil("sick", "TASK_KILLED");
    assertThat(killed.get("healthy").asBoolean(true)).isFalse();
    assertThat(killed.get("message").asText()).contains("health check failed");
  }

  @Test
  void aTcpHealthCheckFailureWithinTheGracePeriodIsIgnored() throws Exception {
    JsonNode offer = firstOffer(s);
    long port = firstPort(offer);
    // Nothing listens for the first second; the grace period covers it.
    String health =
        ",\"health_check\":{\"type\":\"TCP\",\"tcp\":{\"port\":"
            + port
            + "},"
            + "\"delay_seconds\":0,\"interval_seconds\":0.1,\"timeout_seconds\":1,"
            + "\"grace_period_seconds\":30,\"consecutive_failures\":1}";
    s.call(
        accept(
            s,
            offer,
            task(
                offer,
                "slow",
                shell("sleep 1; exec python3 -m http.server " + port + " --bind 127.0.0.1"),
                health)));
    JsonNode reported = ackUntil("slow", st -> st.has("healthy"));
    assertThat(reported.path("healthy").asBoolean()).isTrue();
  }

  @Test
  void aTaskGroupRunsTogetherAndIsKilledTogether() throws Exception {
    JsonNode offer = firstOffer(s);
    String t1 = task(offer, "g-1", shell("exec sleep 300"), "", 0);
    String t2 = task(offer, "g-2", shell("exec sleep 300"), "", 1);
    String op =
        "{\"framework_id\":{\"value\":\""
            + s.frameworkId
            + "\"},\"type\":\"ACCEPT\","
            + "\"accept\":{\"offer_ids\":["
            + offer.get("id")
            + "],\"operations\":[{\"type\":"
            + "\"LAUNCH_GROUP\",\"launch_group\":{\"executor\":{\"type\":\"DEFAULT\","
            + "\"executor_id\":{\"value\":\"group-exec\"},\"framework_id\":{\"value\":\""
            + s.frameworkId
            + "\"},\"resources\":["
            + ClusterFixture.scalar("cpus", 0.1)
            + ","
            + ClusterFixture.scalar("mem", 32)
            + "]},\"task_group\":{\"tasks\":["
            + t1
            + ","
            + t2
            + "]}}}]}}";
    assertThat(s.call(op).statusCode()).isEqualTo(202);
    ackUntil("g-1", "TASK_RUNNING");
    ackUntil("g-2", "TASK_RUNNING");
    long pid2 = cluster.taskPid("g-2").orElseThrow();
    cluster.crashTask("g-1");
    ackUntil("g-1", "TASK_FAILED");
    ackUntil("g-2", "TASK_KILLED");
    await().until(() -> !alive(pid2));
  }

  @Test
  void closingTheClusterLeavesNoProcessBehind() throws Exception {
    JsonNode offer = firstOffer(s);
    String a = task(offer, "a", shell("sleep 300 & exec sleep 300"), "");
    String b = task(offer, "b", shell("exec sleep 300"), "", 1);
    s.call(accept(s, offer, a, b));
    ackUntil("a", "TASK_RUNNING");
    ackUntil("b", "TASK_RUNNING");
    List<Long> pids = new ArrayList<>();
    pids.add(cluster.taskPid("a").orElseThrow());
    pids.add(cluster.taskPid("b").orElseThrow());
    List<ProcessHandle> all = new ArrayList<>();
    for (long pid : pids) {
      ProcessHandle.of(pid)
          .ifPresent(
              h -> {
                all.add(h);
                h.descendants().forEach(all::add);
              });
    }
    assertThat(all).hasSizeGreaterThanOrEqualTo(3);
    cluster.close();
    await().until(() -> all.stream().noneMatch(ProcessHandle::isAlive));
  }
}
