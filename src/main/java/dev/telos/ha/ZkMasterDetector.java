package dev.telos.ha;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the leading Mesos master from ZooKeeper: Mesos masters register ephemeral sequential nodes
 * {@code json.info_NNNNNNNNNN} holding their MasterInfo as JSON under the znode of the {@code
 * zk://} URL, and the lowest sequence number is the leader.
 */
public final class ZkMasterDetector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ZkMasterDetector.class);
  private static final String PREFIX = "json.info_";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CuratorFramework zk;
  private final String path;

  private ZkMasterDetector(CuratorFramework zk, String path) {
    this.zk = zk;
    this.path = path;
  }

  /**
   * Connects to the ensemble of {@code zk://host:port[,host:port...]/path}.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static ZkMasterDetector connect(String zkUrl) {
    ZkUrl url = ZkUrl.parse(zkUrl);
    CuratorFramework zk =
        CuratorFrameworkFactory.builder()
            .connectString(url.hosts())
            .retryPolicy(new ExponentialBackoffRetry(500, 5))
            .connectionTimeoutMs(10_000)
            .sessionTimeoutMs(30_000)
            .build();
    zk.start();
    return new ZkMasterDetector(zk, url.path());
  }

  /** The leading master as {@code http://host:port}, or empty when none is registered. */
  public Optional<String> leader() {
    try {
      if (!zk.blockUntilConnected(10, TimeUnit.SECONDS)) {
        log.warn("ZooKeeper not reachable; no leading master known");
        return Optional.empty();
      }
      List<String> children = zk.getChildren().forPath(path);
      Optional<String> first =
          children.stream()
              .filter(c -> c.startsWith(PREFIX))
              .min(Comparator.comparingLong(c -> Long.parseLong(c.substring(PREFIX.length()))));
      if (first.isEmpty()) {
        return Optional.empty();
      }
      JsonNode info = JSON.readTree(zk.getData().forPath(path + "/" + first.get()));
      return Optional.of(url(info));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (Exception e) {
      log.warn(
          "cannot read the leading master from ZooKeeper path={} error=\"{}\"",
          path,
          e.getMessage());
      return Optional.empty();
    }
  }

  /** The URL of a master from its MasterInfo JSON, as Mesos writes it to ZooKeeper. */
  static String url(JsonNode info) {
    JsonNode address = info.path("address");
    String host = address.path("hostname").asText("");
    if (host.isEmpty()) {
      host = info.path("hostname").asText("");
    }
    if (host.isEmpty()) {
      host = address.path("ip").asText("");
    }
    int port = address.path("port").asInt(info.path("port").asInt(5050));
    if (host.isEmpty()) {
      throw new IllegalArgumentException("MasterInfo without a hostname or ip");
    }
    return URI.create("http://" + host + ":" + port).toString();
  }

  @Override
  public void close() {
    zk.close();
  }
}
