package dev.telos.local;

import java.io.IOException;
import java.util.Map;

/** The {@code /faults/*} endpoints of {@code telos cluster --faults}, over {@link LocalCluster}. */
final class FaultHttp implements MasterServer.FaultEndpoints {
  private final LocalCluster cluster;

  FaultHttp(LocalCluster cluster) {
    this.cluster = cluster;
  }

  @Override
  public Result inject(String name, Map<String, String> query) {
    try {
      return switch (name) {
        case "cut-stream" -> done(cluster.cutStream(required(query, "framework")));
        case "pause-heartbeats" ->
            done(
                cluster.pauseHeartbeats(
                    required(query, "framework"),
                    !"false".equals(query.getOrDefault("paused", "true"))));
        case "lose-agent" -> done(cluster.loseAgent(required(query, "agent")));
        case "restore-agent" -> done(cluster.restoreAgent(required(query, "agent")));
        case "crash-task" -> done(cluster.crashTask(required(query, "task")));
        case "failover" -> new Result(200, "{\"leader\":\"" + cluster.failover() + "\"}");
        default ->
            new Result(
                404,
                "{\"error\":\"unknown fault '"
                    + escape(name)
                    + "'; one of"
                    + " cut-stream, pause-heartbeats, lose-agent, restore-agent, crash-task, failover\"}");
      };
    } catch (IllegalArgumentException e) {
      return new Result(400, "{\"error\":\"" + escape(e.getMessage()) + "\"}");
    } catch (IOException e) {
      return new Result(500, "{\"error\":\"" + escape(e.getMessage()) + "\"}");
    }
  }

  private static Result done(boolean applied) {
    return applied
        ? new Result(200, "{\"applied\":true}")
        : new Result(
            404, "{\"applied\":false,\"error\":\"no such target, or already in that state\"}");
  }

  private static String required(Map<String, String> query, String key) {
    String v = query.get(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("query parameter '" + key + "' is required");
    }
    return v;
  }

  private static String escape(String s) {
    return s == null ? "" : s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
