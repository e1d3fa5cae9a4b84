package dev.telos.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JavaType;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HA state store against a real ZooKeeper server in this JVM. */
class ZkStateStoreTest {
  TestingServer server;
  CuratorFramework zk;
  CuratorFramework zk2;

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
    zk = client();
    zk2 = client();
  }

  CuratorFramework client() {
    CuratorFramework c =
        CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100));
    c.start();
    return c;
  }

  @AfterEach
  void stop() throws Exception {
    zk.close();
    zk2.close();
    server.close();
  }

  JavaType intType(ZkStateStore s) {
    return s.mapper().getTypeFactory().constructType(Integer.class);
  }

  @Test
  void mapsAreKeptOneZnodePerEntryAndReadBackAfterARestart() throws Exception {
    ZkStateStore store = new ZkStateStore(zk, "/telos");
    store.claim("a:8080");
    store.saveFrameworkId("fw-1");
    store.update("apps", Map.of("shop/web", 1, "shop/db", 2), List.of(), Map.of());
    store.update("apps", Map.of("shop/web", 3), List.of("shop/db"), Map.of());
    store.write("history", List.of("one", "two"));
    Map<String, String> lastGood = Map.of("revision", "abc");
    store.write("last-good", lastGood);

    assertThat(zk.getChildren().forPath("/telos/state/maps/apps"))
        .as("one znode per entry, the key encoded")
        .containsExactly("shop%2Fweb");

    ZkStateStore other = new ZkStateStore(zk2, "/telos");
    assertThat(other.frameworkId()).contains("fw-1");
    assertThat(other.<Integer>readMap("apps", intType(other))).contains(Map.of("shop/web", 3));
    assertThat(other.<List<String>>read("history", other.mapper().constructType(List.class)))
        .contains(List.of("one", "two"));
    assertThat(
            other.<Map<String, String>>read(
                "last-good",
                other
                    .mapper()
                    .getTypeFactory()
                    .constructMapType(Map.class, String.class, String.class)))
        .contains(lastGood);
    assertThat(other.<Integer>readMap("tasks", intType(other))).isEmpty();
    assertThat(other.read("nothing", other.mapper().constructType(List.class))).isEmpty();
  }

  @Test
  void writingAMapWholeDeletesTheEntriesItNoLongerHasInBatches() throws Exception {
    ZkStateStore store = new ZkStateStore(zk, "/telos");
    store.claim("a");
    Map<String, Integer> many = new LinkedHashMap<>();
    for (int i = 0; i < 3 * ZkStateStore.MAX_OPS + 7; i++) {
      many.put("task-" + i, i);
    }
    store.write("tasks", many);
    assertThat(zk.getChildren().forPath("/telos/state/maps/tasks")).hasSize(many.size());
    store.write("tasks", Map.of("task-1", 10, "new", 5));
    ZkStateStore fresh = new ZkStateStore(zk2, "/telos");
    assertThat(fresh.<Integer>readMap("tasks", intType(fresh)))
        .contains(Map.of("task-1", 10, "new", 5));
  }

  @Test
  void aDeposedLeadersLateWriteIsRefusedByTheVersionCheck() throws Exception {
    ZkStateStore old = new ZkStateStore(zk, "/telos");
    old.claim("old:8080");
    old.update("tasks", Map.of("t1", 1), List.of(), Map.of());

    ZkStateStore next = new ZkStateStore(zk2, "/telos");
    next.claim("new:8080");
    next.update("tasks", Map.of("t2", 2), List.of(), Map.of());

    assertThat(old.claimed()).as("it does not know yet").isTrue();
    assertThatThrownBy(() -> old.update("tasks", Map.of("t3", 3), List.of("t1"), Map.of()))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("deposed");
    assertThat(old.claimed()).as("fenced by the refusal").isFalse();
    assertThatThrownBy(() -> old.saveFrameworkId("fw-old"))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("fenced");
    assertThat(next.<Integer>readMap("tasks", intType(next)))
        .as("nothing of the refused transaction landed")
        .contains(Map.of("t1", 1, "t2", 2));
    assertThat(next.frameworkId()).isEmpty();
    assertThat(new String(zk.getData().forPath("/telos/epoch"))).isEqualTo("new:8080");
  }

  /** A leader's state: a framework ID, a map of 1,000 entries and a document. */
  ZkStateStore leaderWithState() {
    ZkStateStore leader = new ZkStateStore(zk, "/telos");
    leader.claim("a:8080");
    leader.saveFrameworkId("fw-1");
    Map<String, Integer> tasks = new LinkedHashMap<>();
    for (int i = 0; i < 1000; i++) {
      tasks.put("task-" + i, i);
    }
    leader.update("tasks", tasks, List.of(), tasks);
    leader.write("history", List.of("c1", "c2"));
    return leader;
  }

  @Test
  void aStandbysWarmCopyServesTheNewLeadersReadsWhenNothingWasWrittenSince() throws Exception {
    leaderWithState();
    ZkStateStore standby = new ZkStateStore(zk2, "/telos");
    assertThat(standby.warmUp()).isTrue();
    assertThat(standby.warmEntries()).isEqualTo(1001);

    long cold = System.nanoTime();
    ZkStateStore coldStore = new ZkStateStore(client(), "/telos");
    coldStore.claim("c:8080");
    Map<String, Integer> coldRead = coldStore.<Integer>readMap("tasks", intType(coldStore)).get();
    long coldNanos = System.nanoTime() - cold;
    assertThat(coldRead).hasSize(1000);

    assertThat(standby.warmUp()).as("the claim changed no state").isTrue();
    long warmStart = System.nanoTime();
    standby.claim("b:8080");
    assertThat(standby.readingWarm()).isTrue();
    long before = standby.zkReads();
    assertThat(standby.frameworkId()).contains("fw-1");
    assertThat(standby.<Integer>readMap("tasks", intType(standby)).get())
        .hasSize(1000)
        .containsEntry("task-999", 999);
    assertThat(standby.read("history", standby.mapper().getTypeFactory().constructType(List.class)))
        .contains(List.of("c1", "c2"));
    long warmNanos = System.nanoTime() - warmStart;
    assertThat(standby.zkReads()).as("nothing read from ZooKeeper").isEqualTo(before);
    System.out.printf(
        "take-over read of 1,000 task intents: cold %d ms, warm %d ms%n",
        coldNanos / 1_000_000, warmNanos / 1_000_000);

    standby.update("tasks", Map.of("task-0", 7), List.of(), Map.of());
    assertThat(standby.readingWarm()).as("after its first write, reads go to ZooKeeper").isFalse();
    assertThat(standby.<Integer>readMap("tasks", intType(standby)).get())
        .containsEntry("task-0", 7);
  }

  @Test
  void aWriteAfterTheWarmUpMakesTheNewLeaderReadTheStateFromZooKeeper() throws Exception {
    ZkStateStore leader = leaderWithState();
    ZkStateStore standby = new ZkStateStore(zk2, "/telos");
    assertThat(standby.warmUp()).isTrue();
    leader.update("tasks", Map.of("task-1", 100), List.of("task-2"), Map.of());
    leader.saveFrameworkId("fw-2");

    standby.claim("b:8080");
    assertThat(standby.readingWarm()).isFalse();
    assertThat(standby.frameworkId()).contains("fw-2");
    assertThat(standby.<Integer>readMap("tasks", intType(standby)).get())
        .hasSize(999)
        .containsEntry("task-1", 100)
        .doesNotContainKey("task-2");
    assertThat(standby.warmUp()).as("a leader keeps no warm copy").isFalse();
  }

  @Test
  void aCopyIsReadAgainOnceTheStateChanged() throws Exception {
    ZkStateStore leader = leaderWithState();
    ZkStateStore standby = new ZkStateStore(zk2, "/telos");
    assertThat(standby.warmUp()).isTrue();
    int copied = standby.warmEntries();
    leader.update("tasks", Map.of("task-new", 1), List.of(), Map.of());
    assertThat(standby.warmUp()).as("read again: the state changed").isTrue();
    assertThat(standby.warmEntries()).isEqualTo(copied + 1);
  }

  @Test
  void nothingIsWrittenBeforeAClaimOrAfterAFence() {
    ZkStateStore store = new ZkStateStore(zk, "/telos");
    assertThatThrownBy(() -> store.write("history", List.of()))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("not the leader");
    store.claim("a");
    store.write("history", List.of("x"));
    store.fence();
    assertThatThrownBy(() -> store.update("apps", Map.of("a", 1), List.of(), Map.of()))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("fenced");
  }

  @Test
  void anEntryTooBigForAZnodeIsRefusedWithItsSizeAndNothingElseOfTheChangeLands() {
    ZkStateStore store = new ZkStateStore(zk, "/telos");
    store.claim("a");
    String big = "x".repeat(ZkStateStore.MAX_ZNODE_BYTES);
    assertThatThrownBy(() -> store.update("runs", Map.of("a", "small", "b", big), List.of(), null))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("state entry runs/b is")
        .hasMessageContaining("over the 524288");
    assertThat(
            store.<String>readMap(
                "runs", store.mapper().getTypeFactory().constructType(String.class)))
        .hasValueSatisfying(m -> assertThat(m).isEmpty());
  }

  @Test
  void badDocumentNamesAreRefused() {
    ZkStateStore store = new ZkStateStore(zk, "/telos");
    store.claim("a");
    assertThatThrownBy(() -> store.write("../x", List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(ZkStateStore.decode(ZkStateStore.encode("ns/app name.%")))
        .isEqualTo("ns/app name.%");
  }
}
