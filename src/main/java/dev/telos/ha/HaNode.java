package dev.telos.ha;

import dev.telos.controller.ControlPlane;
import dev.telos.controller.Controller;
import dev.telos.controller.StatusView;
import dev.telos.store.StateStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Telos instance of several, on ZooKeeper: every instance joins a Curator {@link LeaderLatch}
 * under {@code PATH/leader}; only the leader runs a {@link Controller} (subscribes to Mesos, polls
 * git, acts), over the {@link ZkStateStore} it claimed. The others are standbys: their API sends
 * readers and writers to the leader.
 *
 * <p>A standby keeps a warm copy of the state ({@link ZkStateStore#warmUp()}, once a second, read
 * again only when a write landed since): when it takes over and nothing was written since, it reads
 * nothing more from ZooKeeper.
 *
 * <p>Fencing: when the ZooKeeper connection is {@code SUSPENDED} or {@code LOST}, leadership is in
 * doubt, so the instance stops acting at once, on the connection's event thread, before anything
 * else: the store refuses writes, the Mesos stream is closed and no further call leaves. Another
 * instance can lead only once this one's session has expired, which is later. A new leader claims
 * the store (a deposed leader's late writes then fail their version check), re-subscribes with the
 * saved framework ID, so Mesos fails the framework over to it, reconciles and carries on.
 */
public final class HaNode implements ControlPlane, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HaNode.class);

  /** Starts a controller over the shared store (the instance just became leader). */
  @FunctionalInterface
  public interface ControllerStarter {
    Controller start(StateStore store) throws IOException;
  }

  /**
   * How to join.
   *
   * @param url the ensemble and the path every instance of one Telos shares
   * @param sessionTimeout the ZooKeeper session timeout: a dead leader is replaced after it
   * @param credentialFile a file with {@code user:password} for ZooKeeper digest auth, or null;
   *     with it, every znode Telos creates is readable and writable by that user only
   * @param tls TLS to ZooKeeper, or null: plain TCP
   */
  public record Options(ZkUrl url, Duration sessionTimeout, Path credentialFile, ZkTls tls) {
    /** Plain TCP to ZooKeeper. */
    public Options(ZkUrl url, Duration sessionTimeout, Path credentialFile) {
      this(url, sessionTimeout, credentialFile, null);
    }
  }

  private final Options options;
  private final CuratorFramework zk;
  private final ZkStateStore store;
  private volatile LeaderLatch latch;
  private volatile String id;
  private final ControllerStarter starter;
  private final ScheduledExecutorService actions = daemon("telos-ha");
  private final List<Consumer<StatusView>> watchers = new CopyOnWriteArrayList<>();
  private final Consumer<StatusView> forward = v -> watchers.forEach(w -> w.accept(v));
  private final AtomicLong changes = new AtomicLong();
  private volatile Controller current;
  private volatile String connection = ConnectionState.CONNECTED.name();
  private volatile boolean closed;

  /** The API base URL of another instance that leads, as last looked up; null if none. */
  private volatile String otherLeader;

  private final ScheduledExecutorService leaderWatch = daemon("telos-ha-leader-watch");

  private static ScheduledExecutorService daemon(String name) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  public HaNode(Options options, ControllerStarter starter) throws IOException {
    this.options = options;
    this.starter = starter;
    CuratorFrameworkFactory.Builder b =
        CuratorFrameworkFactory.builder()
            .connectString(options.url().hosts())
            .sessionTimeoutMs((int) options.sessionTimeout().toMillis())
            .connectionTimeoutMs((int) Math.min(15_000, options.sessionTimeout().toMillis()))
            .retryPolicy(new ExponentialBackoffRetry(200, 10, 5_000));
    if (options.tls() != null) {
      b.zkClientConfig(options.tls().clientConfig());
    }
    if (options.credentialFile() != null) {
      String credential =
          Files.readString(options.credentialFile(), StandardCharsets.UTF_8).strip();
      if (!credential.matches("[^:\\s]+:\\S+")) {
        throw new IllegalArgumentException("--ha-credential-file must hold one line USER:PASSWORD");
      }
      b.authorization("digest", credential.getBytes(StandardCharsets.UTF_8))
          .aclProvider(
              new ACLProvider() {
                @Override
                public List<ACL> getDefaultAcl() {
                  return ZooDefs.Ids.CREATOR_ALL_ACL;
                }

                @Override
                public List<ACL> getAclForPath(String path) {
                  return ZooDefs.Ids.CREATOR_ALL_ACL;
                }
              });
    }
    this.zk = b.build();
    this.store = new ZkStateStore(zk, options.url().path());
  }

  /**
   * Connects and joins the election; returns at once (leading comes later, or never).
   *
   * @param id this instance's API address, {@code host:port}: where the others send clients
   */
  public void start(String id) throws Exception {
    this.id = id;
    this.latch =
        new LeaderLatch(
            zk, options.url().path() + "/leader", id, LeaderLatch.CloseMode.NOTIFY_LEADER);
    zk.getConnectionStateListenable().addListener((client, state) -> connectionChanged(state));
    latch.addListener(
        new LeaderLatchListener() {
          @Override
          public void isLeader() {
            actions.execute(HaNode.this::lead);
          }

          @Override
          public void notLeader() {
            stepDown("leadership lost");
          }
        },
        actions);
    zk.start();
    latch.start();
    leaderWatch.scheduleWithFixedDelay(this::refreshLeader, 0, 1, TimeUnit.SECONDS);
    log.info(
        "joined the Telos election id={} zk={} path={}",
        id,
        options.url().hosts(),
        options.url().path());
  }

  private void connectionChanged(ConnectionState state) {
    connection = state.name();
    log.info("ZooKeeper connection state={}", state);
    if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
      // On this thread, before anything else: leadership is in doubt from now on.
      stepDown("ZooKeeper connection " + state);
    }
  }

  private synchronized void lead() {
    if (closed || current != null || !latch.hasLeadership()) {
      return;
    }
    try {
      store.claim(id);
      boolean warm = store.readingWarm();
      int entries = store.warmEntries();
      Controller c = starter.start(store);
      c.watch(forward);
      current = c;
      changes.incrementAndGet();
      log.info(
          "leading: this instance acts now id={} state={}",
          id,
          warm ? "warm copy (" + entries + " entries)" : "read from ZooKeeper");
    } catch (Exception | Error e) {
      store.fence();
      log.error(
          "could not take over as leader; trying again in 2s error=\"{}\"", e.getMessage(), e);
      actions.schedule(this::lead, 2, TimeUnit.SECONDS);
    }
  }

  private void stepDown(String why) {
    store.fence(); // first, and without waiting for a take-over in progress to finish
    synchronized (this) {
      store.fence();
      Controller c = current;
      if (c == null) {
        return;
      }
      current = null;
      changes.incrementAndGet();
      log.warn("stepping down: no more calls to Mesos or state writes reason=\"{}\"", why);
      c.unwatch(forward);
      c.halt();
    }
  }

  @Override
  public StatusView view() {
    Controller c = current;
    if (c != null) {
      return c.view();
    }
    return new StatusView(
        null,
        "OutOfSync",
        null,
        null,
        false,
        "STOPPED",
        false,
        null,
        Instant.now(),
        null,
        0,
        List.of(),
        List.of(),
        dev.telos.controller.AppHealth.UNKNOWN,
        StatusView.Hold.NONE,
        List.of());
  }

  /** What the controller in office answers; a standby refuses (writes reach it by 307). */
  private String leading(java.util.function.Function<Controller, String> call) {
    Controller c = current;
    return c == null ? "this instance does not lead" : call.apply(c);
  }

  @Override
  public String suspend(String app) {
    return leading(c -> c.suspend(app));
  }

  @Override
  public String resume(String app) {
    return leading(c -> c.resume(app));
  }

  @Override
  public String masterUrl() {
    Controller c = current;
    return c == null ? null : c.masterUrl();
  }

  @Override
  public dev.telos.manifest.App desiredApp(String key) {
    Controller c = current;
    return c == null ? null : c.desiredApp(key);
  }

  @Override
  public String repository() {
    Controller c = current;
    return c == null ? null : c.repository();
  }

  @Override
  public int mesosCallsPending() {
    Controller c = current;
    return c == null ? 0 : c.mesosCallsPending();
  }

  @Override
  public String approvePrune(String revision) {
    return leading(c -> c.approvePrune(revision));
  }

  @Override
  public long requestSync() {
    Controller c = current;
    return c == null ? 0 : c.requestSync();
  }

  @Override
  public void watch(Consumer<StatusView> watcher) {
    watchers.add(watcher);
  }

  @Override
  public void unwatch(Consumer<StatusView> watcher) {
    watchers.remove(watcher);
  }

  @Override
  public boolean leading() {
    return current != null;
  }

  private volatile String scheme = "http";

  /** How the other instances' APIs are reached: {@code https} when the APIs serve TLS. */
  public void useScheme(String scheme) {
    this.scheme = scheme;
  }

  @Override
  public String leaderAddress() {
    if (current != null || closed || !zk.getZookeeperClient().isConnected()) {
      return null;
    }
    return otherLeader; // looked up in the background: an API request never waits for ZooKeeper
  }

  /** Looks up who leads, once a second, on its own thread (a lookup may wait for ZooKeeper). */
  private void refreshLeader() {
    LeaderLatch l = latch;
    String found = null;
    try {
      if (l != null && zk.getZookeeperClient().isConnected()) {
        Participant leader = l.getLeader();
        if (leader.isLeader() && !leader.getId().isEmpty() && !leader.getId().equals(id)) {
          found = scheme + "://" + leader.getId();
        }
      }
    } catch (Exception e) {
      found = null; // not connected, or no election yet
    }
    otherLeader = found;
    if (current == null && !closed && l != null && zk.getZookeeperClient().isConnected()) {
      store.warmUp(); // a standby keeps a copy of the state, read again only when it changed
    }
  }

  @Override
  public long leaderChanges() {
    return changes.get();
  }

  @Override
  public String zkConnection() {
    return connection;
  }

  /** Steps down if leading, leaves the election and disconnects. */
  @Override
  public void close() {
    closed = true;
    stepDown("shutting down");
    try {
      if (latch != null) {
        latch.close();
      }
    } catch (IOException | IllegalStateException e) {
      log.debug("leaving the election failed: {}", e.getMessage());
    }
    actions.shutdownNow();
    leaderWatch.shutdownNow();
    zk.close();
  }
}
