package dev.telos.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.telos.cluster.TaskIds;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pod on the embedded cluster: its containers launch together by LAUNCH_GROUP on one agent, and
 * when one container dies the default executor kills the others and Telos replaces the pod whole.
 */
class PodIT {
  @TempDir Path dir;
  Harness h;

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  static String pod(String version) {
    return "apiVersion: telos.dev/v1\nkind: Pod\nmetadata: {name: web, namespace: it}\nspec:\n"
        + "  killGracePeriod: 1s\n"
        + "  volumes: [{name: shared}]\n"
        + "  containers:\n"
        + "    - name: app\n      command: echo hi > out/greeting && exec sleep "
        + version
        + "\n      resources: {cpus: 0.01, mem: 8}\n      ports: [{name: http}]\n"
        + "      volumeMounts: [{name: shared, mountPath: out}]\n"
        + "      healthCheck: {type: COMMAND, command: 'true', interval: 1s, gracePeriod: 5s}\n"
        + "    - name: shipper\n      command: exec sleep 601\n"
        + "      resources: {cpus: 0.01, mem: 8}\n"
        + "      volumeMounts: [{name: shared, mountPath: in}]\n";
  }

  Set<String> running() {
    return h.running("web");
  }

  @Test
  void aPodRunsAsOneGroupAndIsReplacedWholeWhenAContainerDies() throws Exception {
    h = new Harness(dir, 2);
    String v1 = h.commit("web.yaml", pod("600"), "a pod");
    h.start();
    h.awaitSynced(v1);
    Set<String> first = running();
    assertThat(first).hasSize(2);
    assertThat(first.stream().map(TaskIds::groupOf).distinct()).hasSize(1);
    assertThat(first.stream().map(TaskIds::containerOf).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("app", "shipper");
    assertThat(h.app("web").kind()).isEqualTo("Pod");
    assertThat(h.app("web").tasks().stream().map(t -> t.agentId()).distinct()).hasSize(1);
    long shipperPid =
        h.cluster
            .taskPid(
                first.stream().filter(id -> id.endsWith(".cshipper")).findFirst().orElseThrow())
            .orElseThrow();
    String shipper =
        first.stream().filter(id -> id.endsWith(".cshipper")).findFirst().orElseThrow();
    // The pod volume: what one container writes, the other reads.
    java.nio.file.Path greeting =
        h.cluster.taskSandbox(shipper).orElseThrow().resolve("in/greeting");
    await().until(() -> java.nio.file.Files.exists(greeting));
    assertThat(java.nio.file.Files.readString(greeting)).isEqualTo("hi\n");
    String app = first.stream().filter(id -> id.endsWith(".capp")).findFirst().orElseThrow();
    long appPid = h.cluster.taskPid(app).orElseThrow();

    // One container dies: the whole pod goes, a new one comes.
    assertThat(h.cluster.crashTask(app)).isTrue();
    await().until(() -> ProcessHandle.of(shipperPid).map(p -> !p.isAlive()).orElse(true));
    await()
        .until(
            () ->
                running().size() == 2
                    && running().stream().noneMatch(first::contains)
                    && h.view().syncStatus().equals("Synced"));
    assertThat(ProcessHandle.of(appPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();

    // A rollout replaces pods whole, too.
    Set<String> second = running();
    String v2 = h.commit("web.yaml", pod("602"), "v2");
    h.awaitSynced(v2);
    await().until(() -> running().size() == 2 && running().stream().noneMatch(second::contains));
    assertThat(running().stream().map(TaskIds::groupOf).distinct()).hasSize(1);
  }
}
