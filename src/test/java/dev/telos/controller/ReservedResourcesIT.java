package dev.telos.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resources statically reserved for a role: an app of that role launches on them (its agent has too
 * little unreserved for it), and they are offered to no other role.
 */
class ReservedResourcesIT {
  @TempDir Path dir;
  Harness h;

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void anAppOfTheRoleRunsOnItsReservedResources() throws Exception {
    h =
        new Harness(
            dir, 1, b -> b.agentResources(0.05, 32).agentReserved("cpus(ops):1;mem(ops):512"));
    h.roles = List.of("ops", "*");
    String v =
        h.commit(
            "big.yaml",
            Harness.service("big", 2, "  role: ops\n  command: exec sleep 600\n")
                .replace("resources: {cpus: 0.01, mem: 8}", "resources: {cpus: 0.4, mem: 200}"),
            "two tasks only the reservation of ops can hold");
    h.start();
    h.awaitSynced(v);
    assertThat(h.running("big")).hasSize(2);
    assertThat(h.cluster.stateJson()).contains("\"reserved_resources_full\":{\"ops\":");
  }
}
