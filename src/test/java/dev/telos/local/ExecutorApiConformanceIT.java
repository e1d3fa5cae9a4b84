package dev.telos.local;

import static dev.telos.local.ClusterFixture.accept;
import static dev.telos.local.ClusterFixture.firstOffer;
import static dev.telos.local.ClusterFixture.frameworkInfo;
import static dev.telos.local.ClusterFixture.scalar;
import static dev.telos.local.ClusterFixture.simple;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.RawScheduler;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The process agent's {@code /api/v1/executor}, driven with the JSON exchange of the Mesos
 * documentation (docs/executor-http-api.md): an executor written from the docs, not Telos's.
 */
class ExecutorApiConformanceIT extends EmbeddedClusterTest {
  final HttpClient http = HttpClient.newHttpClient();

  HttpResponse<String> post(String endpoint, String json) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://" + endpoint + "/api/v1/executor"))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Reads one RecordIO record: its decimal length, a newline, then that many bytes. */
  static JsonNode next(InputStream in) throws Exception {
    StringBuilder length = new StringBuilder();
    for (int c; (c = in.read()) != '\n'; ) {
      assertThat(c).as("stream ended").isNotNegative();
      length.append((char) c);
    }
    byte[] record = in.readNBytes(Integer.parseInt(length.toString()));
    return RawScheduler.JSON.readTree(record);
  }

  @Test
  void anExecutorWrittenFromTheDocsSubscribesGetsItsTaskAndHasItsUpdatesAcknowledgedOnce()
      throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60, "PARTITION_AWARE"));
    JsonNode offer = firstOffer(s);
    // The "executor" the agent starts only sleeps: this test plays it over HTTP.
    String task =
        "{\"name\":\"doc\",\"task_id\":{\"value\":\"doc-task\"},\"agent_id\":"
            + offer.get("agent_id")
            + ",\"resources\":["
            + scalar("cpus", 0.1)
            + ","
            + scalar("mem", 32)
            + "],\"executor\":{\"executor_id\":{\"value\":\"doc-executor\"},\"type\":\"CUSTOM\","
            + "\"command\":{\"value\":\"exec sleep 300\"}}}";
    s.call(accept(s, offer, task));
    await().until(() -> cluster.taskPid("doc-task").isPresent());
    long pid = cluster.taskPid("doc-task").orElseThrow();
    Path environFile = Path.of("/proc", Long.toString(pid), "environ");
    // A process just started may not have exec'd yet: its environment is not there until then.
    await()
        .until(
            () ->
                Files.readString(environFile, StandardCharsets.ISO_8859_1)
                    .contains("MESOS_AGENT_ENDPOINT="));
    String environ = Files.readString(environFile, StandardCharsets.ISO_8859_1);
    String endpoint = environ.replaceAll("(?s).*MESOS_AGENT_ENDPOINT=([^\\u0000]+).*", "$1");
    assertThat(environ).contains("MESOS_EXECUTOR_ID=doc-executor\u0000");
    assertThat(environ).contains("MESOS_FRAMEWORK_ID=" + s.frameworkId + "\u0000");
    assertThat(environ)
        .contains("MESOS_CHECKPOINT=1\u0000")
        .contains("MESOS_RECOVERY_TIMEOUT=15mins\u0000");

    String ids =
        "\"executor_id\":{\"value\":\"doc-executor\"},\"framework_id\":{\"value\":\""
            + s.frameworkId
            + "\"}";
    HttpResponse<InputStream> stream =
        http.send(
            HttpRequest.newBuilder(URI.create("http://" + endpoint + "/api/v1/executor"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"type\":\"SUBSCRIBE\"," + ids + ",\"subscribe\":{}}"))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().firstValue("Content-Type")).contains("application/json");
    try (InputStream in = stream.body()) {
      JsonNode subscribed = next(in);
      assertThat(subscribed.get("type").asText()).isEqualTo("SUBSCRIBED");
      assertThat(subscribed.at("/subscribed/executor_info/executor_id/value").asText())
          .isEqualTo("doc-executor");
      assertThat(subscribed.at("/subscribed/framework_info/name").asText()).isEqualTo("raw-test");
      assertThat(subscribed.at("/subscribed/agent_info/id/value").asText())
          .isEqualTo(offer.at("/agent_id/value").asText());
      JsonNode launch = next(in);
      assertThat(launch.get("type").asText()).isEqualTo("LAUNCH");
      assertThat(launch.at("/launch/task/task_id/value").asText()).isEqualTo("doc-task");

      String update =
          "{\"type\":\"UPDATE\","
              + ids
              + ",\"update\":{\"status\":{\"executor_id\":{\"value\":\"doc-executor\"},"
              + "\"source\":\"SOURCE_EXECUTOR\",\"state\":\"TASK_RUNNING\","
              + "\"task_id\":{\"value\":\"doc-task\"},"
              + "\"uuid\":\"ZDQwZjNmM2UtYmJlMy00NA==\"}}}";
      assertThat(post(endpoint, update).statusCode()).isEqualTo(202);
      JsonNode ack = next(in);
      assertThat(ack.get("type").asText()).isEqualTo("ACKNOWLEDGED");
      assertThat(ack.at("/acknowledged/task_id/value").asText()).isEqualTo("doc-task");
      assertThat(ack.at("/acknowledged/uuid").asText()).isEqualTo("ZDQwZjNmM2UtYmJlMy00NA==");
      JsonNode running = s.nextUpdate("doc-task", "TASK_RUNNING");
      assertThat(running.at("/update/status/source").asText()).isEqualTo("SOURCE_EXECUTOR");
      s.acknowledge(running);

      // Sent again (no ACK seen, say): acknowledged again, not forwarded twice.
      assertThat(post(endpoint, update).statusCode()).isEqualTo(202);
      assertThat(next(in).get("type").asText()).isEqualTo("ACKNOWLEDGED");

      String message =
          "{\"type\":\"MESSAGE\"," + ids + ",\"message\":{\"data\":\"t+Wonz5fRFKMzCnEptlv5A==\"}}";
      assertThat(post(endpoint, message).statusCode()).isEqualTo(202);
      assertThat(
              post(endpoint, update.replace("doc-executor\"},\"framework", "nobody\"},\"framework"))
                  .statusCode())
          .as("an unknown executor")
          .isEqualTo(400);
      String noUuid = update.replace(",\"uuid\":\"ZDQwZjNmM2UtYmJlMy00NA==\"", "");
      assertThat(post(endpoint, noUuid).statusCode()).as("an update needs a uuid").isEqualTo(400);

      s.call(simple(s, "KILL", "\"kill\":{\"task_id\":{\"value\":\"doc-task\"}}"));
      JsonNode kill = next(in);
      assertThat(kill.get("type").asText()).isEqualTo("KILL");
      assertThat(kill.at("/kill/task_id/value").asText()).isEqualTo("doc-task");
    }
  }
}
