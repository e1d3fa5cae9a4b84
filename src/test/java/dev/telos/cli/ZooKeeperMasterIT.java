package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telos.testing.TelosProcess;
import dev.telos.testing.TempGitRepo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code telos run --master zk://...} finds the leader as Mesos publishes it in ZooKeeper. */
class ZooKeeperMasterIT {
  @TempDir Path dir;

  static String masterInfo(String url) {
    URI u = URI.create(url);
    return "{\"id\":\"m1\",\"ip\":16777343,\"port\":"
        + u.getPort()
        + ",\"hostname\":\""
        + u.getHost()
        + "\",\"address\":{\"hostname\":\""
        + u.getHost()
        + "\",\"ip\":\""
        + u.getHost()
        + "\",\"port\":"
        + u.getPort()
        + "},\"version\":\"1.11.0\"}";
  }

  @Test
  void runFindsTheLeadingMasterInZooKeeper() throws Exception {
    try (TestingServer zkServer = new TestingServer(true);
        CuratorFramework zk =
            CuratorFrameworkFactory.newClient(zkServer.getConnectString(), new RetryOneTime(100));
        TempGitRepo repo = TempGitRepo.init(dir.resolve("repo"));
        TelosProcess cluster = TelosProcess.cluster(dir)) {
      zk.start();
      String master = cluster.awaitOutput("Mesos master listening on (http://\\S+)");
      // A stale, lower-priority entry and the leader: the lowest sequence number wins.
      zk.create()
          .creatingParentsIfNeeded()
          .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
          .forPath("/mesos/json.info_", masterInfo(master).getBytes(StandardCharsets.UTF_8));
      zk.create()
          .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
          .forPath(
              "/mesos/json.info_",
              masterInfo("http://127.0.0.1:1").getBytes(StandardCharsets.UTF_8));
      zk.create().forPath("/mesos/log_replicas", new byte[0]);

      repo.write(
          "apps/a.yaml",
          "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: a}\n"
              + "spec: {command: exec sleep 600, resources: {cpus: 0.01, mem: 8}}\n");
      repo.commit("a");
      try (TelosProcess run =
          TelosProcess.start(
              dir,
              "run",
              "--master",
              "zk://" + zkServer.getConnectString() + "/mesos",
              "--repo",
              repo.url(),
              "--path",
              "apps",
              "--poll",
              "500ms",
              "--http-port",
              "0",
              "--http-address",
              "127.0.0.1",
              "--data-dir",
              dir.resolve("data").toString())) {
        String api = run.awaitOutput("Telos API listening on (http://\\S+)");
        HttpClient http = HttpClient.newHttpClient();
        TelosProcess.awaitSynced(api);
        String state =
            http.send(
                    HttpRequest.newBuilder(URI.create(master + "/master/state")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(new ObjectMapper().readTree(state).at("/frameworks/0/tasks/0/state").asText())
            .isEqualTo("TASK_RUNNING");
        run.terminate(Duration.ofSeconds(30));
      }
    }
  }
}
