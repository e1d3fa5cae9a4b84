package dev.telos.ha;

/**
 * A {@code zk://host:port[,host:port...]/path} URL: the ensemble to connect to and the znode to
 * work under.
 *
 * @param hosts the connect string, {@code host:port[,host:port...]}
 * @param path the znode path, starting with {@code /}
 */
public record ZkUrl(String hosts, String path) {
  /**
   * Parses a zk URL.
   *
   * @throws IllegalArgumentException for anything else, and for URLs with credentials in them
   *     (credentials go in a file, never on a command line)
   */
  public static ZkUrl parse(String url) {
    if (url == null || !url.startsWith("zk://")) {
      throw new IllegalArgumentException("expected zk://host:port[,host:port]/path, got " + url);
    }
    String rest = url.substring("zk://".length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      throw new IllegalArgumentException("zk URL needs hosts and a path: zk://host:2181/telos");
    }
    String hosts = rest.substring(0, slash);
    if (hosts.contains("@")) {
      throw new IllegalArgumentException("zk URLs with credentials are not supported");
    }
    String path = rest.substring(slash);
    while (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return new ZkUrl(hosts, path);
  }
}
