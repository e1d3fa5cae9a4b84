package dev.telos.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The election and its ZooKeeper auth against a real ZooKeeper server in this JVM. */
class HaNodeTest {
  @TempDir Path dir;
  TestingServer server;

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  HaNode.Options options(Path credentials) {
    return new HaNode.Options(
        ZkUrl.parse("zk://" + server.getConnectString() + "/telos"),
        Duration.ofSeconds(5),
        credentials);
  }

  @Test
  void withACredentialFileTheZnodesAreTheUsersOnly() throws Exception {
    Path credentials = Files.writeString(dir.resolve("zk"), "telos:s3cret\n");
    AtomicInteger starts = new AtomicInteger();
    try (HaNode node =
        new HaNode(
            options(credentials),
            store -> {
              starts.incrementAndGet();
              throw new IOException("no controller in this test");
            })) {
      node.start("127.0.0.1:1");
      await().until(() -> starts.get() >= 1);
      assertThat(node.leading()).as("a failed take-over is not leadership").isFalse();
      try (CuratorFramework anonymous =
          CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100))) {
        anonymous.start();
        assertThatThrownBy(() -> anonymous.getData().forPath("/telos/epoch"))
            .isInstanceOf(KeeperException.NoAuthException.class);
      }
      try (CuratorFramework telos =
          CuratorFrameworkFactory.builder()
              .connectString(server.getConnectString())
              .retryPolicy(new RetryOneTime(100))
              .authorization("digest", "telos:s3cret".getBytes(StandardCharsets.UTF_8))
              .build()) {
        telos.start();
        assertThat(telos.getACL().forPath("/telos/epoch"))
            .singleElement()
            .satisfies(
                acl -> {
                  assertThat(acl.getId().getScheme()).isEqualTo("digest");
                  assertThat(acl.getId().getId()).startsWith("telos:");
                });
        assertThat(new String(telos.getData().forPath("/telos/epoch"), StandardCharsets.UTF_8))
            .isEqualTo("127.0.0.1:1");
      }
    }
  }

  @Test
  void aCredentialFileMustHoldUserColonPassword() throws Exception {
    Path bad = Files.writeString(dir.resolve("zk"), "just-a-password\n");
    assertThatThrownBy(() -> new HaNode(options(bad), store -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("USER:PASSWORD")
        .hasMessageNotContaining("just-a-password");
  }

  @Test
  void aStandbyShowsNoAppsAndNoLeaderUntilOneIsElected() throws Exception {
    try (HaNode node = new HaNode(options(null), store -> null)) {
      assertThat(node.leading()).isFalse();
      assertThat(node.leaderAddress()).isNull();
      assertThat(node.view().leader()).isFalse();
      assertThat(node.view().apps()).isEmpty();
      assertThat(node.requestSync()).isZero();
    }
  }
}
