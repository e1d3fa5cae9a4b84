package dev.telos.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.RawScheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

/** Builders and probes shared by the embedded-cluster tests. */
final class ClusterFixture {
  private ClusterFixture() {}

  static LocalClusterConfig.Builder fast(Path workDir) {
    return LocalClusterConfig.builder(workDir)
        .port(0)
        .timings(Duration.ofMillis(200), Duration.ofMillis(50), Duration.ofMillis(300));
  }

  static String frameworkInfo(double failoverTimeout, String... capabilities) {
    StringBuilder caps = new StringBuilder();
    for (String c : capabilities) {
      caps.append(caps.length() == 0 ? "" : ",").append("{\"type\":\"").append(c).append("\"}");
    }
    return "{\"user\":\""
        + System.getProperty("user.name")
        + "\",\"name\":\"raw-test\","
        + "\"failover_timeout\":"
        + failoverTimeout
        + ",\"checkpoint\":true,"
        + "\"capabilities\":["
        + caps
        + "]}";
  }

  static String withId(String frameworkInfo, String id) {
    return frameworkInfo.replaceFirst("\\{", "{\"id\":{\"value\":\"" + id + "\"},");
  }

  /** A task JSON for an offer: small resources, the offer's first port, the given command. */
  static String task(JsonNode offer, String taskId, String commandJson, String extra) {
    return task(offer, taskId, commandJson, extra, 0);
  }

  /** As {@link #task(JsonNode, String, String, String)}, on the offer's port number {@code n}. */
  static String task(JsonNode offer, String taskId, String commandJson, String extra, int n) {
    long port = firstPort(offer) + n;
    return "{\"name\":\""
        + taskId
        + "\",\"task_id\":{\"value\":\""
        + taskId
        + "\"},"
        + "\"agent_id\":"
        + offer.get("agent_id")
        + ","
        + "\"resources\":["
        + scalar("cpus", 0.1)
        + ","
        + scalar("mem", 32)
        + ","
        + "{\"name\":\"ports\",\"type\":\"RANGES\",\"ranges\":{\"range\":[{\"begin\":"
        + port
        + ",\"end\":"
        + port
        + "}]},\"allocation_info\":{\"role\":\"*\"}}],"
        + "\"command\":"
        + commandJson
        + extra
        + "}";
  }

  static long firstPort(JsonNode offer) {
    return offer.at("/resources").findValue("range").get(0).get("begin").asLong();
  }

  static String scalar(String name, double value) {
    return "{\"name\":\""
        + name
        + "\",\"type\":\"SCALAR\",\"scalar\":{\"value\":"
        + value
        + "},\"allocation_info\":{\"role\":\"*\"}}";
  }

  static String shell(String command) {
    return "{\"value\":" + RawScheduler.JSON.valueToTree(command) + "}";
  }

  static String accept(RawScheduler s, JsonNode offer, String... tasks) {
    return "{\"framework_id\":{\"value\":\""
        + s.frameworkId
        + "\"},\"type\":\"ACCEPT\","
        + "\"accept\":{\"offer_ids\":["
        + offer.get("id")
        + "],\"operations\":[{\"type\":\"LAUNCH\","
        + "\"launch\":{\"task_infos\":["
        + String.join(",", tasks)
        + "]}}],"
        + "\"filters\":{\"refuse_seconds\":0}}}";
  }

  static String simple(RawScheduler s, String type, String body) {
    return "{\"framework_id\":{\"value\":\""
        + s.frameworkId
        + "\"},\"type\":\""
        + type
        + "\""
        + (body == null ? "" : "," + body)
        + "}";
  }

  static JsonNode firstOffer(RawScheduler s) throws InterruptedException {
    return s.next("OFFERS").at("/offers/offers/0");
  }

  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** The stdout file of a task's sandbox, found under the work dir (also after it ended). */
  static Optional<Path> stdoutOf(Path workDir, String taskId) throws IOException {
    try (Stream<Path> files = Files.walk(workDir)) {
      return files
          .filter(p -> p.getFileName().toString().equals("stdout"))
          .filter(p -> p.toString().contains("/executors/" + taskId + "/"))
          .findFirst();
    }
  }

  static JsonNode state(LocalCluster cluster) throws IOException {
    return RawScheduler.JSON.readTree(cluster.stateJson());
  }
}
