package dev.telos.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.StringJoiner;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.apache.zookeeper.server.quorum.QuorumPeerMain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real ZooKeeper ensemble in this JVM (the server classes of the ZooKeeper jar Curator uses), on
 * free ports of 127.0.0.1, for the fault harness's high-availability rounds: each server can be
 * stopped and started again on its data, so that a quorum is lost and comes back.
 */
public final class LocalZooKeeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalZooKeeper.class);

  /** One server: its ports and data, and the peer running it (null while stopped). */
  private static final class Server {
    final int id;
    final int clientPort;
    final Properties config;
    Peer peer;
    Thread thread;

    Server(int id, int clientPort, Properties config) {
      this.id = id;
      this.clientPort = clientPort;
      this.config = config;
    }
  }

  /** {@link QuorumPeerMain} with the stop it lacks: its peer is a protected field. */
  private static final class Peer extends QuorumPeerMain {
    volatile Throwable failed;

    void stop() {
      if (quorumPeer != null) {
        quorumPeer.shutdown();
      }
    }

    /** Leading or following: a member of a quorum that serves clients. */
    boolean serving() {
      org.apache.zookeeper.server.quorum.QuorumPeer p = quorumPeer;
      if (p == null) {
        return false;
      }
      org.apache.zookeeper.server.quorum.QuorumPeer.ServerState state = p.getPeerState();
      return state == org.apache.zookeeper.server.quorum.QuorumPeer.ServerState.LEADING
          || state == org.apache.zookeeper.server.quorum.QuorumPeer.ServerState.FOLLOWING;
    }
  }

  private final List<Server> servers = new ArrayList<>();

  private LocalZooKeeper() {}

  /**
   * Starts {@code size} servers under {@code dir}.
   *
   * @param tick ZooKeeper's tick: sessions may last from 2 to 20 ticks
   */
  public static LocalZooKeeper start(Path dir, int size, Duration tick) throws IOException {
    if (size < 3) {
      throw new IllegalArgumentException(
          "an ensemble that can lose a quorum has 3 servers or more");
    }
    // Without Jetty on the class path the admin server is a stub anyway; say so, not guess.
    System.setProperty(
        "zookeeper.admin.enableServer",
        System.getProperty("zookeeper.admin.enableServer", "false"));
    LocalZooKeeper zk = new LocalZooKeeper();
    int[] client = new int[size];
    int[] quorum = new int[size];
    int[] election = new int[size];
    for (int i = 0; i < size; i++) {
      client[i] = freePort();
      quorum[i] = freePort();
      election[i] = freePort();
    }
    for (int i = 0; i < size; i++) {
      int id = i + 1;
      Path data = Files.createDirectories(dir.resolve("zk-" + id));
      Files.writeString(data.resolve("myid"), Integer.toString(id), StandardCharsets.US_ASCII);
      Properties p = new Properties();
      p.setProperty("tickTime", Long.toString(tick.toMillis()));
      p.setProperty("initLimit", "10");
      p.setProperty("syncLimit", "5");
      p.setProperty("dataDir", data.toString());
      p.setProperty("clientPort", Integer.toString(client[i]));
      p.setProperty("clientPortAddress", "127.0.0.1");
      for (int j = 0; j < size; j++) {
        p.setProperty(
            "server." + (j + 1), "127.0.0.1:" + quorum[j] + ":" + election[j] + ":participant");
      }
      zk.servers.add(new Server(id, client[i], p));
    }
    try {
      for (int i = 0; i < size; i++) {
        zk.startServer(i);
      }
      zk.awaitQuorum(Duration.ofSeconds(60));
    } catch (IOException | RuntimeException e) {
      zk.close();
      throw e;
    }
    return zk;
  }

  /**
   * Waits until every running server leads or follows: the ensemble has a quorum and serves.
   *
   * @throws IOException when a server failed to start, or the quorum did not form in time
   */
  public void awaitQuorum(Duration within) throws IOException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      boolean all = true;
      synchronized (this) {
        for (Server s : servers) {
          if (s.peer == null) {
            continue;
          }
          if (s.peer.failed != null) {
            throw new IOException(
                "ZooKeeper server " + s.id + " failed: " + s.peer.failed, s.peer.failed);
          }
          all &= s.peer.serving();
        }
      }
      if (all) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("the ZooKeeper ensemble formed no quorum within " + within);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while the ZooKeeper ensemble started", e);
      }
    }
  }

  /** {@code 127.0.0.1:PORT} of every server, comma-separated, as ZooKeeper clients take it. */
  public String connectString() {
    StringJoiner s = new StringJoiner(",");
    servers.forEach(server -> s.add("127.0.0.1:" + server.clientPort));
    return s.toString();
  }

  /** The client port of server {@code index} (0-based). */
  public int clientPort(int index) {
    return servers.get(index).clientPort;
  }

  public int size() {
    return servers.size();
  }

  /** Starts server {@code index} (0-based) on its data; a no-op when it runs. */
  public synchronized void startServer(int index) throws IOException {
    Server s = servers.get(index);
    if (s.peer != null) {
      return;
    }
    QuorumPeerConfig config = new QuorumPeerConfig();
    try {
      config.parseProperties(s.config);
    } catch (QuorumPeerConfig.ConfigException e) {
      throw new IOException("ZooKeeper server " + s.id + ": " + e.getMessage(), e);
    }
    Peer peer = new Peer();
    Thread t =
        new Thread(
            () -> {
              try {
                peer.runFromConfig(config);
              } catch (Exception | Error e) {
                peer.failed = e;
                log.warn("ZooKeeper server {} ended: {}", s.id, e.toString());
              }
            },
            "local-zookeeper-" + s.id);
    t.setDaemon(true);
    s.peer = peer;
    s.thread = t;
    t.start();
  }

  /** Stops server {@code index} (0-based): its clients are disconnected; its data stays. */
  public synchronized void stopServer(int index) {
    Server s = servers.get(index);
    if (s.peer == null) {
      return;
    }
    s.peer.stop();
    try {
      s.thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    s.peer = null;
    s.thread = null;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public synchronized void close() {
    for (int i = 0; i < servers.size(); i++) {
      stopServer(i);
    }
  }
}
