package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.RawScheduler;
import dev.telos.testing.TelosProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code telos cluster} as a user runs it: the packaged jar, a real process, real signals. */
class ClusterCommandIT {
  @TempDir Path work;

  @Test
  void servesTheSchedulerApiAndKillsItsTasksOnSigterm() throws Exception {
    try (TelosProcess telos = TelosProcess.cluster(work, "--faults")) {
      String url = telos.awaitOutput("Mesos master listening on (http://\\S+)");
      RawScheduler s =
          RawScheduler.subscribe(
              url, "{\"user\":\"" + System.getProperty("user.name") + "\",\"name\":\"cli-it\"}");
      JsonNode offer = s.next("OFFERS").at("/offers/offers/0");
      String task =
          "{\"name\":\"t\",\"task_id\":{\"value\":\"t\"},\"agent_id\":"
              + offer.get("agent_id")
              + ",\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\","
              + "\"scalar\":{\"value\":0.1}},{\"name\":\"mem\",\"type\":\"SCALAR\",\"scalar\":"
              + "{\"value\":16}}],\"command\":{\"value\":\"echo $$ > pid; exec sleep 300\"}}";
      s.call(
          "{\"framework_id\":{\"value\":\""
              + s.frameworkId
              + "\"},\"type\":\"ACCEPT\","
              + "\"accept\":{\"offer_ids\":["
              + offer.get("id")
              + "],\"operations\":[{\"type\":"
              + "\"LAUNCH\",\"launch\":{\"task_infos\":["
              + task
              + "]}}]}}");
      s.acknowledge(s.nextUpdate("t", "TASK_STARTING"));
      s.acknowledge(s.nextUpdate("t", "TASK_RUNNING"));

      HttpClient http = HttpClient.newHttpClient();
      JsonNode state =
          RawScheduler.JSON.readTree(
              http.send(
                      HttpRequest.newBuilder(URI.create(url + "/master/state")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      assertThat(state.at("/frameworks/0/tasks/0/state").asText()).isEqualTo("TASK_RUNNING");

      long pid = pidOf(work, "t");
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);

      HttpResponse<String> fault =
          http.send(
              HttpRequest.newBuilder(URI.create(url + "/faults/unknown"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(fault.statusCode()).isEqualTo(404);
      assertThat(fault.body()).contains("cut-stream");

      HttpResponse<String> crash =
          http.send(
              HttpRequest.newBuilder(URI.create(url + "/faults/crash-task?task=t"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(crash.statusCode()).isEqualTo(200);
      assertThat(s.nextUpdate("t", "TASK_FAILED").at("/update/status/message").asText())
          .contains("signal Killed");
      await().until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false);

      // A second task, to be killed by stopping the cluster.
      JsonNode next = s.next("OFFERS").at("/offers/offers/0");
      s.call(
          "{\"framework_id\":{\"value\":\""
              + s.frameworkId
              + "\"},\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":["
              + next.get("id")
              + "],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":["
              + task.replace("\"t\"", "\"t2\"")
                  .replace(offer.get("agent_id").toString(), next.get("agent_id").toString())
              + "]}}]}}");
      s.acknowledge(s.nextUpdate("t2", "TASK_STARTING"));
      s.acknowledge(s.nextUpdate("t2", "TASK_RUNNING"));
      long pid2 = pidOf(work, "t2");
      assertThat(ProcessHandle.of(pid2).map(ProcessHandle::isAlive)).contains(true);

      s.close();
      // 143 = 128 + SIGTERM: the JVM's exit status after a signal-initiated shutdown.
      assertThat(telos.terminate(Duration.ofSeconds(30))).isEqualTo(143);
      await()
          .until(() -> ProcessHandle.of(pid2).map(ProcessHandle::isAlive).orElse(false) == false);
    }
  }

  /**
   * The pid the task's shell wrote to its sandbox. TASK_RUNNING is sent as soon as the process
   * starts, before its first command ran: wait for the file (a flake seen on 2026-11-27).
   */
  static long pidOf(Path work, String taskId) {
    return await()
        .until(
            () -> {
              try (var files = java.nio.file.Files.walk(work.resolve("sandboxes"))) {
                Path pidFile =
                    files
                        .filter(p -> p.getFileName().toString().equals("pid"))
                        .filter(p -> p.toString().contains("/executors/" + taskId + "/"))
                        .findFirst()
                        .orElse(null);
                String text = pidFile == null ? "" : java.nio.file.Files.readString(pidFile).trim();
                return text.isEmpty() ? null : Long.parseLong(text);
              }
            },
            java.util.Objects::nonNull);
  }

  @Test
  void faultEndpointsAreOffByDefault() throws Exception {
    try (TelosProcess telos =
        TelosProcess.start(
            work, "cluster", "--port", "0", "--work-dir", work.resolve("sandboxes").toString())) {
      String url = telos.awaitOutput("Mesos master listening on (http://\\S+)");
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url + "/faults/failover"))
                      .POST(HttpRequest.BodyPublishers.noBody())
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(404);
    }
  }
}
