package dev.telos.local;

import static dev.telos.local.ClusterFixture.accept;
import static dev.telos.local.ClusterFixture.firstOffer;
import static dev.telos.local.ClusterFixture.firstPort;
import static dev.telos.local.ClusterFixture.frameworkInfo;
import static dev.telos.local.ClusterFixture.shell;
import static dev.telos.local.ClusterFixture.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.RawScheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Containers on the embedded cluster, as Mesos treats them: the master refuses what Mesos's master
 * refuses (TASK_ERROR), the agent what Mesos's Docker containerizer refuses before it starts a
 * container (TASK_FAILED), and a process agent runs a valid container task's command directly, says
 * so in its stderr, and checks a mapped container port's health on the host port.
 */
class ContainersIT extends EmbeddedClusterTest {
  static String docker(String network, String mappings, String more) {
    return ",\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"nginx:1.27\",\"network\":\""
        + network
        + "\",\"port_mappings\":["
        + mappings
        + "]"
        + more
        + "}}";
  }

  static String mapping(long host, int container) {
    return "{\"host_port\":" + host + ",\"container_port\":" + container + ",\"protocol\":\"tcp\"}";
  }

  @Test
  void theMasterRefusesAContainerInfoMesosRefuses() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60)).autoAcknowledge();
    JsonNode offer = firstOffer(s);
    String named =
        task(
            offer,
            "named",
            shell("true"),
            docker("HOST", "", ",\"parameters\":[{\"key\":\"name\",\"value\":\"x\"}]"));
    String twoSources =
        task(
                offer,
                "volume",
                shell("true"),
                ",\"container\":{\"type\":\"MESOS\",\"volumes\":[{\"container_path\":\"/d\","
                    + "\"host_path\":\"/tmp\",\"mode\":\"RW\",\"source\":{\"type\":\"SANDBOX_PATH\","
                    + "\"sandbox_path\":{\"type\":\"SELF\",\"path\":\"d\"}}}]}",
                1)
            .replace(ClusterFixture.scalar("cpus", 0.1), ClusterFixture.scalar("cpus", 0.05));
    s.call(accept(s, offer, named, twoSources));
    JsonNode refused = update(s, "named", "TASK_ERROR");
    assertThat(refused.get("reason").asText()).isEqualTo("REASON_TASK_INVALID");
    assertThat(refused.get("message").asText())
        .isEqualTo("Task's `ContainerInfo` is invalid: Parameter in DockerInfo must not be 'name'");
    assertThat(update(s, "volume", "TASK_ERROR").get("message").asText())
        .isEqualTo(
            "Task's `ContainerInfo` is invalid: Invalid volume: Only one of them should be set:"
                + " 'host_path', 'image' and 'source'");
  }

  @Test
  void theAgentRefusesPortMappingsTheDockerContainerizerRefuses() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60)).autoAcknowledge();
    JsonNode offer = firstOffer(s);
    long port = firstPort(offer);
    s.call(
        accept(
            s,
            offer,
            task(
                offer,
                "unoffered",
                shell("exec sleep 60"),
                docker("BRIDGE", mapping(port + 5, 80), "")),
            task(
                    offer,
                    "host",
                    shell("exec sleep 60"),
                    docker("HOST", mapping(port + 1, 80), ""),
                    1)
                .replace(ClusterFixture.scalar("cpus", 0.1), ClusterFixture.scalar("cpus", 0.05))));
    JsonNode unoffered = update(s, "unoffered", "TASK_FAILED");
    assertThat(unoffered.get("reason").asText()).isEqualTo("REASON_CONTAINER_LAUNCH_FAILED");
    assertThat(unoffered.get("message").asText())
        .isEqualTo(
            "Failed to launch container: Port [" + (port + 5) + "] not included in resources");
    assertThat(update(s, "host", "TASK_FAILED").get("message").asText())
        .isEqualTo(
            "Failed to launch container: Port mappings are only supported for bridge and"
                + " user-defined networks");
  }

  /**
   * The status of the first update of {@code task} in {@code state}, in whatever order they come.
   */
  static JsonNode update(RawScheduler s, String task, String state) {
    return await()
        .until(
            () ->
                s.received.stream()
                    .map(e -> e.at("/update/status"))
                    .filter(
                        u ->
                            u.at("/task_id/value").asText().equals(task)
                                && u.at("/state").asText().equals(state))
                    .findFirst(),
            java.util.Optional::isPresent)
        .orElseThrow();
  }

  @Test
  void aProcessAgentRunsTheCommandAndChecksTheMappedPortOnTheHost() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60)).autoAcknowledge();
    JsonNode offer = firstOffer(s);
    long port = firstPort(offer);
    String check =
        ",\"health_check\":{\"type\":\"HTTP\",\"http\":{\"port\":80,\"path\":\"/\"},"
            + "\"interval_seconds\":0.2,\"timeout_seconds\":2,\"grace_period_seconds\":60}";
    s.call(
        accept(
            s,
            offer,
            task(
                offer,
                "web",
                shell("exec python3 -m http.server " + port + " --bind 127.0.0.1"),
                docker("BRIDGE", mapping(port, 80), "") + check)));
    JsonNode healthy =
        s.next(
            e ->
                e.at("/update/status/task_id/value").asText().equals("web")
                    && e.at("/update/status/healthy").asBoolean(false));
    assertThat(healthy.at("/update/status/state").asText()).isEqualTo("TASK_RUNNING");
    Path stderr =
        await()
            .until(
                () -> ClusterFixture.stdoutOf(work, "web").map(p -> p.resolveSibling("stderr")),
                java.util.Optional::isPresent)
            .orElseThrow();
    assertThat(Files.readString(stderr))
        .startsWith(
            "telos embedded agent: container image 'nginx:1.27' is not run here: this agent runs"
                + " the task's command directly on the host");
  }
}
