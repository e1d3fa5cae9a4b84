package dev.telos.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.RawScheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RESERVE, CREATE, DESTROY and UNRESERVE through the raw scheduler API, as Mesos applies them: the
 * volume comes back in offers of its role, a task naming a volume its offer does not hold is
 * refused with Mesos's reason, and DESTROY deletes the volume's data.
 */
class VolumeOperationsIT {
  @TempDir Path work;

  static final String RESERVED =
      "\"name\":\"disk\",\"type\":\"SCALAR\",\"scalar\":{\"value\":64},"
          + "\"reservations\":[{\"type\":\"DYNAMIC\",\"role\":\"data\"}],"
          + "\"allocation_info\":{\"role\":\"data\"}";

  static String volume(String id) {
    return "{"
        + RESERVED
        + ",\"disk\":{\"persistence\":{\"id\":\""
        + id
        + "\"},\"volume\":{\"container_path\":\"d\",\"mode\":\"RW\"}}}";
  }

  static String accept(RawScheduler s, JsonNode offer, String operations) {
    return "{\"framework_id\":{\"value\":\""
        + s.frameworkId
        + "\"},\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":["
        + offer.get("id")
        + "],\"operations\":["
        + operations
        + "],\"filters\":{\"refuse_seconds\":0}}}";
  }

  static JsonNode volumeIn(JsonNode offer, String id) {
    for (JsonNode r : offer.path("resources")) {
      if (r.at("/disk/persistence/id").asText().equals(id)) {
        return r;
      }
    }
    return null;
  }

  @Test
  void volumesAreMadeOfferedRefusedWhenNotOfferedAndDestroyed() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(ClusterFixture.fast(work).agents(1, 0).build());
        RawScheduler s =
            RawScheduler.subscribe(
                cluster.url(),
                ClusterFixture.frameworkInfo(60, "MULTI_ROLE", "RESERVATION_REFINEMENT")
                    .replaceFirst("\\{", "{\"roles\":[\"data\"],"))) {
      s.autoAcknowledge();
      JsonNode offer = s.next("OFFERS").at("/offers/offers/0");
      s.call(
          accept(
              s,
              offer,
              "{\"type\":\"RESERVE\",\"reserve\":{\"resources\":[{"
                  + RESERVED
                  + "}]}},{\"type\":\"CREATE\",\"create\":{\"volumes\":["
                  + volume("v1")
                  + "]}}"));
      JsonNode withVolume = s.next("OFFERS").at("/offers/offers/0");
      assertThat(volumeIn(withVolume, "v1")).as("the volume is offered to its role").isNotNull();
      Path dir = work.resolve("volumes/roles/data/v1");
      assertThat(dir).isDirectory();
      Files.writeString(dir.resolve("kept"), "data");

      // A task that names a volume its offer does not hold: refused as Mesos refuses it.
      s.call(
          accept(
              s,
              withVolume,
              "{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{\"name\":\"t\","
                  + "\"task_id\":{\"value\":\"t\"},\"agent_id\":"
                  + withVolume.get("agent_id")
                  + ",\"resources\":["
                  + ClusterFixture.scalar("cpus", 0.1).replace("\"*\"", "\"data\"")
                  + ","
                  + volume("v2")
                  + "],\"command\":{\"value\":\"exec sleep 60\"}}]}}"));
      JsonNode refused = s.nextUpdate("t", "TASK_ERROR");
      assertThat(refused.at("/update/status/message").asText())
          .startsWith("Task uses more resources");

      JsonNode again = s.next("OFFERS").at("/offers/offers/0");
      JsonNode v1 = volumeIn(again, "v1");
      assertThat(v1).isNotNull();
      s.call(
          accept(
              s,
              again,
              "{\"type\":\"DESTROY\",\"destroy\":{\"volumes\":["
                  + v1
                  + "]}},{\"type\":\"UNRESERVE\",\"unreserve\":{\"resources\":[{"
                  + RESERVED
                  + "}]}}"));
      JsonNode after = s.next("OFFERS").at("/offers/offers/0");
      assertThat(after.toString()).doesNotContain("reservations").doesNotContain("persistence");
      assertThat(dir).doesNotExist();
    }
  }
}
