package dev.telos.ha;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.telos.store.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Telos's state in ZooKeeper, for several instances with one leader: small znodes, never one blob
 * (ZooKeeper refuses a znode or a transaction over {@code jute.maxbuffer}, 1 MiB by default, which
 * stopped Marathon at scale).
 *
 * <ul>
 *   <li>{@code PATH/state/framework-id}: the framework ID;
 *   <li>{@code PATH/state/maps/NAME/KEY}: one znode per entry of a map document (task intents by
 *       task ID, app histories and Job runs by app), the key URL-encoded;
 *   <li>{@code PATH/state/docs/NAME}: any other document (sync history, the last good commit);
 *   <li>{@code PATH/epoch}: the fencing token. A leader {@link #claim claims} the store by writing
 *       it, and every write is a transaction that checks the epoch's version is still the one it
 *       claimed: once another instance has claimed it, a deposed leader's late write fails whole.
 * </ul>
 *
 * Until claimed, and from {@link #fence()} on, writes are refused here without reaching ZooKeeper.
 */
public final class ZkStateStore implements StateStore {
  /** The largest znode written: half of ZooKeeper's default {@code jute.maxbuffer}. */
  static final int MAX_ZNODE_BYTES = 512 * 1024;

  /** Operations per transaction, so that no transaction nears {@code jute.maxbuffer}. */
  static final int MAX_OPS = 100;

  private final CuratorFramework zk;
  private final String epochPath;
  private final String root;
  private final ObjectMapper json =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The epoch version this instance claimed, or -1: not claimed, or fenced. */
  private volatile int epoch = -1;

  /** Bumped by every state write, in its transaction: the state changed since a warm copy. */
  private final String seqPath;

  /**
   * The state as a standby last read it whole, consistent at one {@code seq} version: {@code
   * frameworkId} may be null; {@code maps} holds map documents by name, then raw entries by key;
   * {@code docs} the other documents.
   */
  record Warm(
      int seq,
      byte[] frameworkId,
      Map<String, Map<String, byte[]>> maps,
      Map<String, byte[]> docs) {
    int entries() {
      return maps.values().stream().mapToInt(Map::size).sum() + docs.size();
    }
  }

  private volatile Warm warm;

  /**
   * Whether reads are served from {@link #warm}: claimed with it current, nothing written since.
   */
  private volatile boolean readWarm;

  /** Reads that went to ZooKeeper (for tests and logs). */
  private final java.util.concurrent.atomic.AtomicLong zkReads =
      new java.util.concurrent.atomic.AtomicLong();

  /** The keys of each map document as this (the only) writer knows them. */
  private final Map<String, Set<String>> keys = new HashMap<>();

  /**
   * A store under {@code path} of a started Curator client.
   *
   * @param path the HA path, e.g. {@code /telos}
   */
  public ZkStateStore(CuratorFramework zk, String path) {
    this.zk = zk;
    this.epochPath = path + "/epoch";
    this.root = path + "/state";
    this.seqPath = path + "/state-seq";
  }

  /**
   * A standby's warm copy: reads the whole state unless it has not changed since the last copy, and
   * keeps it if no write landed while it read. Called now and then while another instance leads; a
   * take-over then reads nothing more from ZooKeeper unless the state changed since.
   *
   * @return whether the copy is current now
   */
  public boolean warmUp() {
    if (claimed()) {
      return false;
    }
    try {
      Stat before = zk.checkExists().forPath(seqPath);
      if (before == null) {
        return false; // nothing written yet
      }
      Warm w = warm;
      if (w != null && w.seq() == before.getVersion()) {
        return true;
      }
      byte[] id = null;
      try {
        id = zk.getData().forPath(root + "/framework-id");
      } catch (KeeperException.NoNodeException none) {
        // no framework yet
      }
      Map<String, Map<String, byte[]>> maps = new HashMap<>();
      for (String name : children(root + "/maps")) {
        Map<String, byte[]> entries = new HashMap<>();
        for (String child : children(mapPath(name))) {
          try {
            entries.put(decode(child), zk.getData().forPath(mapPath(name) + "/" + child));
          } catch (KeeperException.NoNodeException gone) {
            // deleted meanwhile: seq changed too, and this copy is dropped below
          }
        }
        maps.put(name, entries);
      }
      Map<String, byte[]> docs = new HashMap<>();
      for (String name : children(root + "/docs")) {
        try {
          docs.put(name, zk.getData().forPath(root + "/docs/" + name));
        } catch (KeeperException.NoNodeException gone) {
          // deleted meanwhile
        }
      }
      Stat after = zk.checkExists().forPath(seqPath);
      if (after == null || after.getVersion() != before.getVersion()) {
        return false; // written while it was read: try again next time
      }
      warm = new Warm(before.getVersion(), id, maps, docs);
      return true;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return false; // not connected: a standby tries again
    }
  }

  /** The warm copy's size in entries and documents, or -1 without one. */
  public int warmEntries() {
    Warm w = warm;
    return w == null ? -1 : w.entries();
  }

  /** Whether this leader's reads are served from its warm copy (nothing written since claim). */
  public boolean readingWarm() {
    return readWarm;
  }

  long zkReads() {
    return zkReads.get();
  }

  private List<String> children(String path) throws Exception {
    try {
      return zk.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException none) {
      return List.of();
    }
  }

  /**
   * Makes this instance the only writer: bumps the epoch, so that every write of an earlier claim,
   * by this instance or another, fails from now on.
   *
   * @param owner who claims (written into the epoch znode, for operators)
   */
  public synchronized void claim(String owner) {
    byte[] who = owner.getBytes(StandardCharsets.UTF_8);
    try {
      try {
        zk.create().creatingParentsIfNeeded().forPath(epochPath, who);
      } catch (KeeperException.NodeExistsException exists) {
        // claimed before
      }
      Stat stat = zk.setData().forPath(epochPath, who);
      ensure(root + "/docs");
      ensure(root + "/maps");
      ensure(seqPath);
      keys.clear();
      // After this instance's epoch write, no earlier claim's write can land: if seq is where the
      // warm copy saw it, the copy is the state.
      Warm w = warm;
      Stat seq = zk.checkExists().forPath(seqPath);
      readWarm = w != null && seq != null && w.seq() == seq.getVersion();
      if (!readWarm) {
        warm = null;
      }
      epoch = stat.getVersion();
    } catch (Exception e) {
      throw failure("cannot claim the state in ZooKeeper", e);
    }
  }

  /** Refuses every write from now on, at once: leadership is lost or in doubt. */
  public void fence() {
    epoch = -1;
    readWarm = false;
  }

  /** Whether writes are allowed (claimed and not fenced since). */
  public boolean claimed() {
    return epoch >= 0;
  }

  @Override
  public Optional<String> frameworkId() {
    Warm w = readWarm ? warm : null;
    Optional<byte[]> bytes =
        w != null ? Optional.ofNullable(w.frameworkId()) : readBytes(root + "/framework-id");
    return bytes.map(b -> new String(b, StandardCharsets.UTF_8).strip()).filter(s -> !s.isEmpty());
  }

  @Override
  public void saveFrameworkId(String id) {
    commit(List.of(upsert(root + "/framework-id", id.getBytes(StandardCharsets.UTF_8))));
  }

  @Override
  public <T> Optional<T> read(String name, JavaType type) {
    check(name);
    Warm w = readWarm ? warm : null;
    if (w != null) {
      try {
        Map<String, byte[]> entries = w.maps().get(name);
        if (entries != null) {
          ObjectNode object = json.createObjectNode();
          for (Map.Entry<String, byte[]> e : new java.util.TreeMap<>(entries).entrySet()) {
            object.set(e.getKey(), json.readTree(e.getValue()));
          }
          return Optional.of(json.convertValue(object, type));
        }
        byte[] doc = w.docs().get(name);
        return doc == null ? Optional.empty() : Optional.of(json.readValue(doc, type));
      } catch (IOException e) {
        throw new UncheckedIOException("corrupt state document " + name + " in ZooKeeper", e);
      }
    }
    try {
      if (zk.checkExists().forPath(mapPath(name)) != null) {
        Map<String, JsonNode> entries = entries(name);
        ObjectNode object = json.createObjectNode();
        entries.forEach(object::set);
        return Optional.of(json.convertValue(object, type));
      }
      Optional<byte[]> doc = readBytes(root + "/docs/" + name);
      if (doc.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(json.readValue(doc.get(), type));
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt state document " + name + " in ZooKeeper", e);
    } catch (Exception e) {
      throw failure("cannot read state document " + name + " from ZooKeeper", e);
    }
  }

  @Override
  public <V> Optional<Map<String, V>> readMap(String name, JavaType valueType) {
    check(name);
    Warm w = readWarm ? warm : null;
    try {
      Map<String, JsonNode> entries;
      if (w != null) {
        Map<String, byte[]> raw = w.maps().get(name);
        if (raw == null) {
          return Optional.empty();
        }
        entries = new java.util.TreeMap<>();
        for (Map.Entry<String, byte[]> e : raw.entrySet()) {
          entries.put(e.getKey(), json.readTree(e.getValue()));
        }
      } else if (zk.checkExists().forPath(mapPath(name)) == null) {
        return Optional.empty();
      } else {
        entries = entries(name);
      }
      Map<String, V> map = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : entries.entrySet()) {
        map.put(e.getKey(), json.convertValue(e.getValue(), valueType));
      }
      return Optional.of(map);
    } catch (IllegalArgumentException e) {
      throw new UncheckedIOException(
          "corrupt state document " + name + " in ZooKeeper", new IOException(e));
    } catch (Exception e) {
      throw failure("cannot read state document " + name + " from ZooKeeper", e);
    }
  }

  /**
   * Writes a document: a map as one znode per entry (entries it no longer has are deleted),
   * anything else as one znode.
   */
  @Override
  public synchronized void write(String name, Object value) {
    check(name);
    if (value instanceof Map<?, ?> map) {
      Set<String> known = known(name);
      Map<String, Object> puts = new LinkedHashMap<>();
      map.forEach((k, v) -> puts.put(String.valueOf(k), v));
      List<String> removes = new ArrayList<>();
      for (String k : known) {
        if (!puts.containsKey(k)) {
          removes.add(k);
        }
      }
      changeMap(name, puts, removes);
      return;
    }
    byte[] bytes = bytes(name, value);
    commit(List.of(upsert(root + "/docs/" + name, bytes)));
  }

  /** Writes only the changed entries, each its own znode. */
  @Override
  public synchronized void update(
      String name, Map<String, ?> puts, Collection<String> removes, Map<String, ?> whole) {
    check(name);
    if (puts.isEmpty() && removes.isEmpty()) {
      return;
    }
    changeMap(name, new LinkedHashMap<>(puts), List.copyOf(removes));
  }

  @Override
  public ObjectMapper mapper() {
    return json;
  }

  private void changeMap(String name, Map<String, ?> puts, Collection<String> removes) {
    Set<String> known = known(name);
    List<CuratorOp> ops = new ArrayList<>();
    String dir = mapPath(name);
    ensure(dir);
    Set<String> created = new HashSet<>();
    Set<String> deleted = new HashSet<>();
    try {
      for (Map.Entry<String, ?> e : puts.entrySet()) {
        String path = dir + "/" + encode(e.getKey());
        byte[] bytes = bytes(name + "/" + e.getKey(), e.getValue());
        if (known.contains(e.getKey())) {
          ops.add(zk.transactionOp().setData().forPath(path, bytes));
        } else {
          ops.add(zk.transactionOp().create().forPath(path, bytes));
          created.add(e.getKey());
        }
      }
      for (String k : removes) {
        if (known.contains(k)) {
          ops.add(zk.transactionOp().delete().forPath(dir + "/" + encode(k)));
          deleted.add(k);
        }
      }
    } catch (Exception e) {
      throw failure("cannot prepare a ZooKeeper transaction for " + name, e);
    }
    try {
      for (int from = 0; from < ops.size(); from += MAX_OPS) {
        commit(ops.subList(from, Math.min(ops.size(), from + MAX_OPS)));
      }
    } catch (UncheckedIOException e) {
      keys.remove(name); // some batches may have landed: list the keys again next time
      throw e;
    }
    known.addAll(created);
    known.removeAll(deleted);
  }

  /** The operations, with the epoch check first: all of them happen, or none. */
  private void commit(List<CuratorOp> ops) {
    int claimed = epoch;
    if (claimed < 0) {
      throw new UncheckedIOException(
          new IOException("not the leader: state writes are refused (fenced)"));
    }
    readWarm = false; // from the first write on, the state is only in ZooKeeper
    warm = null;
    try {
      List<CuratorOp> all = new ArrayList<>(ops.size() + 2);
      all.add(zk.transactionOp().check().withVersion(claimed).forPath(epochPath));
      all.addAll(ops);
      all.add(zk.transactionOp().setData().forPath(seqPath, new byte[0]));
      zk.transaction().forOperations(all);
    } catch (KeeperException.BadVersionException e) {
      fence();
      throw new UncheckedIOException(
          new IOException(
              "deposed: another Telos instance claimed the state since; write refused"));
    } catch (Exception e) {
      throw failure("ZooKeeper refused a state write", e);
    }
  }

  private CuratorOp upsert(String path, byte[] bytes) {
    try {
      return zk.checkExists().forPath(path) == null
          ? zk.transactionOp().create().forPath(path, bytes)
          : zk.transactionOp().setData().forPath(path, bytes);
    } catch (Exception e) {
      throw failure("cannot reach ZooKeeper", e);
    }
  }

  private Set<String> known(String name) {
    Set<String> k = keys.get(name);
    if (k == null) {
      k = new HashSet<>();
      try {
        if (zk.checkExists().forPath(mapPath(name)) != null) {
          for (String child : zk.getChildren().forPath(mapPath(name))) {
            k.add(decode(child));
          }
        }
      } catch (Exception e) {
        throw failure("cannot list state document " + name + " in ZooKeeper", e);
      }
      keys.put(name, k);
    }
    return k;
  }

  private Map<String, JsonNode> entries(String name) throws Exception {
    zkReads.incrementAndGet();
    Map<String, JsonNode> out = new java.util.TreeMap<>();
    String dir = mapPath(name);
    for (String child : zk.getChildren().forPath(dir)) {
      try {
        out.put(decode(child), json.readTree(zk.getData().forPath(dir + "/" + child)));
      } catch (KeeperException.NoNodeException gone) {
        // deleted between the listing and the read
      }
    }
    return out;
  }

  private byte[] bytes(String what, Object value) {
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (bytes.length > MAX_ZNODE_BYTES) {
      throw new UncheckedIOException(
          new IOException(
              "state entry "
                  + what
                  + " is "
                  + bytes.length
                  + " bytes, over the "
                  + MAX_ZNODE_BYTES
                  + " a znode may hold here"));
    }
    return bytes;
  }

  private Optional<byte[]> readBytes(String path) {
    zkReads.incrementAndGet();
    try {
      return Optional.of(zk.getData().forPath(path));
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    } catch (Exception e) {
      throw failure("cannot read " + path + " from ZooKeeper", e);
    }
  }

  private void ensure(String path) {
    try {
      if (zk.checkExists().forPath(path) == null) {
        zk.create().creatingParentsIfNeeded().forPath(path);
      }
    } catch (KeeperException.NodeExistsException raced) {
      // created meanwhile
    } catch (Exception e) {
      throw failure("cannot create " + path + " in ZooKeeper", e);
    }
  }

  private String mapPath(String name) {
    return root + "/maps/" + name;
  }

  static String encode(String key) {
    return URLEncoder.encode(key, StandardCharsets.UTF_8);
  }

  static String decode(String child) {
    return URLDecoder.decode(child, StandardCharsets.UTF_8);
  }

  private static void check(String name) {
    if (!name.matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException("bad state document name: " + name);
    }
  }

  private static UncheckedIOException failure(String what, Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return new UncheckedIOException(new IOException(what + ": " + e.getMessage(), e));
  }
}
