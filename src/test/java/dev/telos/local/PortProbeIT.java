package dev.telos.local;

import static dev.telos.local.ClusterFixture.fast;
import static dev.telos.local.ClusterFixture.firstOffer;
import static dev.telos.local.ClusterFixture.frameworkInfo;
import static dev.telos.local.ClusterFixture.simple;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.RawScheduler;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process agent offers only ports it can bind. Regression: two {@code telos local} on one machine
 * both offered 31000, and a health check then reached the other instance's server.
 */
class PortProbeIT {
  @TempDir Path work;

  static List<Long> offeredPorts(JsonNode offer) {
    List<Long> ports = new ArrayList<>();
    for (JsonNode r : offer.path("resources")) {
      if (r.path("name").asText().equals("ports")) {
        for (JsonNode range : r.at("/ranges/range")) {
          for (long p = range.get("begin").asLong(); p <= range.get("end").asLong(); p++) {
            ports.add(p);
          }
        }
      }
    }
    return ports;
  }

  @Test
  void aPortHeldByAnotherProgramIsNotOfferedUntilItIsReleased() throws Exception {
    ServerSocket other = new ServerSocket();
    other.bind(new InetSocketAddress(0));
    int held = other.getLocalPort();
    try (LocalCluster cluster =
            LocalCluster.start(fast(work).agents(1, 0).ports(held, held).build());
        RawScheduler s = RawScheduler.subscribe(cluster.url(), frameworkInfo(60))) {
      JsonNode offer = firstOffer(s);
      assertThat(offeredPorts(offer)).doesNotContain((long) held);

      other.close();
      assertThat(
              s.call(
                      simple(
                          s,
                          "DECLINE",
                          "\"decline\":{\"offer_ids\":["
                              + offer.get("id")
                              + "],\"filters\":{\"refuse_seconds\":0}}"))
                  .statusCode())
          .isEqualTo(202);
      assertThat(offeredPorts(firstOffer(s))).containsExactly((long) held);
    } finally {
      other.close();
    }
  }
}
