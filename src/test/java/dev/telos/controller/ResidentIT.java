package dev.telos.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Service with a persistent volume on the embedded cluster: the volume is made once (RESERVE,
 * CREATE) on the agent of its first task, linked into each task's sandbox, survives a crash and a
 * rollout (the task comes back to its agent and its data), and is destroyed and unreserved when the
 * app is deleted.
 */
class ResidentIT {
  @TempDir Path dir;
  Harness h;

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void aMountVolumeTakesAWholeMountDiskAndIsEmptiedWhenTheAppIsDeleted() throws Exception {
    h = new Harness(dir, 1, b -> b.agentDisks(List.of("MOUNT:256")));
    h.roles = List.of("data");
    h.repo.write(
        "apps/keep.yaml", Harness.sleeper("keep", 1).replace("spec:\n", "spec:\n  role: data\n"));
    String v1 =
        h.commit(
            "db.yaml",
            Harness.service(
                "db",
                1,
                "  role: data\n  command: echo x > big/data && exec sleep 600\n"
                    + "  container:\n    type: MESOS\n    volumes: [{containerPath: big,"
                    + " persistent: {size: 100, type: MOUNT, maxSize: 512}}]\n"),
            "db on a mount disk");
    h.start();
    h.awaitSynced(v1);
    String task = task();
    Path mount = Files.readSymbolicLink(h.cluster.taskSandbox(task).orElseThrow().resolve("big"));
    assertThat(mount.toString()).endsWith("disks/agent-0/mount0");
    await().until(() -> Files.exists(mount.resolve("data")));
    assertThat(h.cluster.stateJson()).contains("telos.it.db.0.big");

    h.repo.delete("apps/db.yaml");
    String gone = h.repo.commit("delete db");
    h.awaitSynced(gone);
    await().atMost(Duration.ofSeconds(60)).until(() -> !Files.exists(mount.resolve("data")));
    assertThat(mount).as("the disk stays, emptied").isDirectory();
  }

  static String db(String version) {
    return Harness.service(
        "db",
        1,
        "  role: data\n"
            + "  command: echo "
            + version
            + " >> pgdata/log && exec sleep 600\n"
            + "  container:\n    type: MESOS\n"
            + "    volumes: [{containerPath: pgdata, persistent: {size: 64}}]\n");
  }

  String task() {
    return h.running("db").stream().findFirst().orElse(null);
  }

  List<String> log(String taskId) throws Exception {
    Path file = h.cluster.taskSandbox(taskId).orElseThrow().resolve("pgdata/log");
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  @Test
  void aResidentTaskComesBackToItsAgentAndItsDataUntilTheAppIsDeleted() throws Exception {
    h = new Harness(dir, 2);
    h.roles = List.of("data");
    h.repo.write(
        "apps/keep.yaml", Harness.sleeper("keep", 1).replace("spec:\n", "spec:\n  role: data\n"));
    String v1 = h.commit("db.yaml", db("v1"), "db with a volume");
    h.start();
    h.awaitSynced(v1);
    String first = task();
    assertThat(first).endsWith(".i0");
    await().until(() -> log(first).equals(List.of("v1")));
    Path link = h.cluster.taskSandbox(first).orElseThrow().resolve("pgdata");
    assertThat(Files.isSymbolicLink(link)).isTrue();
    Path volume = Files.readSymbolicLink(link);
    assertThat(volume.toString()).endsWith("volumes/roles/data/telos.it.db.0.pgdata");
    assertThat(h.cluster.stateJson())
        .as("the master lists the volume among the agent's reservations")
        .contains("\"reserved_resources_full\":{\"data\":")
        .contains("telos.it.db.0.pgdata");
    String agent =
        h.app("db").tasks().stream()
            .filter(t -> t.id().equals(first))
            .findFirst()
            .orElseThrow()
            .agentId();

    assertThat(h.app("db").volumes())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.instance()).isZero();
              assertThat(v.agentId()).isEqualTo(agent);
              assertThat(v.confirmed()).isTrue();
            });

    // A crash: the next task runs on the same agent, on the same data.
    assertThat(h.cluster.crashTask(first)).isTrue();
    await().until(() -> task() != null && !task().equals(first));
    String second = task();
    assertThat(h.app("db").tasks()).allMatch(t -> t.agentId().equals(agent));
    await().until(() -> log(second).equals(List.of("v1", "v1")));

    // A rollout: killed first (a volume serves one task), then back on the volume.
    String v2 = h.commit("db.yaml", db("v2"), "v2");
    h.awaitSynced(v2);
    String third = task();
    assertThat(third).isNotEqualTo(second).endsWith(".i0");
    await().until(() -> log(third).equals(List.of("v1", "v1", "v2")));
    assertThat(Files.readSymbolicLink(h.cluster.taskSandbox(third).orElseThrow().resolve("pgdata")))
        .isEqualTo(volume);

    // Deleted: the task goes, then the volume is destroyed and its disk unreserved.
    h.repo.delete("apps/db.yaml");
    String gone = h.repo.commit("delete db");
    h.awaitSynced(gone);
    await().atMost(Duration.ofSeconds(60)).until(() -> !Files.exists(volume));
    assertThat(h.cluster.stateJson()).doesNotContain("telos.it.db.0.pgdata");
  }
}
