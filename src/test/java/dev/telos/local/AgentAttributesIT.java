package dev.telos.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.RawScheduler;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --agent-attributes} and {@code --agent-disk}: what the offers of each agent carry. */
class AgentAttributesIT {
  @TempDir Path work;

  @Test
  void offersCarryEachAgentsAttributesAndItsPathAndMountDisks() throws Exception {
    try (LocalCluster cluster =
        LocalCluster.start(
            ClusterFixture.fast(work)
                .agents(2, 0)
                .agentAttributes(List.of("rack:r1;cores:8", "rack:r2"))
                .agentDisks(List.of("MOUNT:512", "PATH:1024"))
                .build())) {
      try (RawScheduler s =
          RawScheduler.subscribe(cluster.url(), ClusterFixture.frameworkInfo(60))) {
        Map<String, JsonNode> byAgent = new HashMap<>();
        while (byAgent.size() < 2) {
          for (JsonNode o : s.next("OFFERS").at("/offers/offers")) {
            byAgent.put(o.at("/agent_id/value").asText(), o);
          }
        }
        JsonNode first = byAgent.get(cluster.agentIds().get(0));
        Map<String, String> attributes = new HashMap<>();
        for (JsonNode a : first.path("attributes")) {
          attributes.put(
              a.path("name").asText(),
              a.path("type").asText()
                  + " "
                  + (a.has("text")
                      ? a.at("/text/value").asText()
                      : a.at("/scalar/value").asText()));
        }
        assertThat(attributes)
            .containsEntry("rack", "TEXT r1")
            .containsEntry("cores", "SCALAR 8.0")
            .containsEntry("kind", "TEXT process");
        JsonNode second = byAgent.get(cluster.agentIds().get(1));
        assertThat(second.toString()).contains("\"r2\"").doesNotContain("cores");
        List<String> disks = new java.util.ArrayList<>();
        for (JsonNode r : first.path("resources")) {
          if (r.has("disk")) {
            disks.add(r.at("/disk/source/type").asText() + " " + r.at("/scalar/value").asDouble());
          }
        }
        assertThat(disks).containsExactlyInAnyOrder("MOUNT 512.0", "PATH 1024.0");
      }
    }
  }

  @Test
  void staticallyReservedResourcesGoOnlyToTheirRoleAndAreUsedInPart() throws Exception {
    try (LocalCluster cluster =
        LocalCluster.start(
            ClusterFixture.fast(work)
                .agents(1, 0)
                .agentResources(0.02, 16)
                .agentReserved("cpus(ops):1;mem(ops):512")
                .build())) {
      try (RawScheduler other =
          RawScheduler.subscribe(cluster.url(), ClusterFixture.frameworkInfo(60))) {
        JsonNode offer = other.next("OFFERS").at("/offers/offers/0");
        assertThat(offer.toString()).as("role * sees no reservation of ops").doesNotContain("ops");
      }
      try (RawScheduler ops =
          RawScheduler.subscribe(
              cluster.url(),
              ClusterFixture.frameworkInfo(60, "MULTI_ROLE")
                  .replaceFirst("\\{", "{\"roles\":[\"ops\"],"))) {
        JsonNode offer = ops.next("OFFERS").at("/offers/offers/0");
        double reservedCpus = 0;
        for (JsonNode r : offer.path("resources")) {
          if (r.path("name").asText().equals("cpus") && r.has("reservations")) {
            assertThat(r.at("/reservations/0/type").asText()).isEqualTo("STATIC");
            assertThat(r.at("/reservations/0/role").asText()).isEqualTo("ops");
            reservedCpus += r.at("/scalar/value").asDouble();
          }
        }
        assertThat(reservedCpus).isEqualTo(1.0);
      }
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> LocalClusterConfig.reservedResources("cpus(*):1"))
        .hasMessageContaining("NAME(ROLE):AMOUNT");
  }

  @Test
  void malformedAttributesAndDisksAreRefused() {
    assertThat(LocalClusterConfig.attributes("rack:r1; zone:eu-1a"))
        .containsExactly(Map.entry("rack", "r1"), Map.entry("zone", "eu-1a"));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> LocalClusterConfig.attributes("rack=r1"))
        .hasMessageContaining("NAME:VALUE");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> LocalClusterConfig.attributes("kind:gpu"))
        .hasMessageContaining("set by the cluster itself");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ClusterFixture.fast(work).agentDisks(List.of("MOUNT:big")).build())
        .hasMessageContaining("PATH:MB or MOUNT:MB");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                ClusterFixture.fast(work)
                    .agents(1, 0)
                    .agentAttributes(List.of("a:1", "a:2"))
                    .build())
        .hasMessageContaining("each of the 1 process agent(s)");
  }
}
