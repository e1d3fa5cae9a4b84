package dev.telos.executor;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What Telos tells its executor about a task beyond the TaskInfo, carried as JSON in {@code
 * TaskInfo.data}: log rotation, verified artifacts, hooks and the kill signal. Written by the
 * scheduler from the app's manifest ({@code executor: telos}); every field is optional.
 *
 * @param command the task's shell command (a task with a custom executor has no CommandInfo of its
 *     own, so its command travels here)
 * @param environment the task's environment variables
 * @param logMaxBytes rotate stdout and stderr at this size
 * @param logKeep how many rotated files of each to keep
 * @param fetch artifacts to download into the sandbox before anything runs, each verified
 * @param preStart commands run in order before the task; the first to fail fails the task
 * @param preStop a command run before the kill signal, within the grace period
 * @param killSignal the signal that asks the task to stop (TERM unless said), SIGKILL after grace
 * @param revision the commit the task was launched from, echoed in every status's labels
 * @param secretEnvironment names of variables whose values the agent put in this executor's own
 *     environment (Mesos secrets), handed on to the task
 */
record TaskSpec(
    String command,
    java.util.Map<String, String> environment,
    Long logMaxBytes,
    Integer logKeep,
    List<Artifact> fetch,
    List<String> preStart,
    String preStop,
    String killSignal,
    String revision,
    List<String> secretEnvironment) {
  static final long DEFAULT_LOG_MAX = 10L << 20;
  static final int DEFAULT_LOG_KEEP = 5;
  static final TaskSpec NONE =
      new TaskSpec(null, null, null, null, null, null, null, null, null, null);

  TaskSpec {
    environment = environment == null ? java.util.Map.of() : java.util.Map.copyOf(environment);
    fetch = fetch == null ? List.of() : List.copyOf(fetch);
    preStart = preStart == null ? List.of() : List.copyOf(preStart);
    secretEnvironment = secretEnvironment == null ? List.of() : List.copyOf(secretEnvironment);
  }

  /**
   * An artifact to fetch.
   *
   * @param uri an http(s) URL or a local path
   * @param sha256 the hex SHA-256 the bytes must have; required
   * @param outputFile the name in the sandbox (the URI's last segment unless said)
   * @param executable whether to make it executable
   */
  record Artifact(String uri, String sha256, String outputFile, Boolean executable) {}

  long logMaxBytesOrDefault() {
    return logMaxBytes == null ? DEFAULT_LOG_MAX : logMaxBytes;
  }

  int logKeepOrDefault() {
    return logKeep == null ? DEFAULT_LOG_KEEP : logKeep;
  }

  /** The kill signal's name (TERM unless a plain signal name such as INT or QUIT is given). */
  String killSignalOrDefault() {
    // Only a bare name reaches kill(1): anything else could be read as shell syntax.
    return killSignal == null || !killSignal.matches("[A-Z][A-Z0-9]{1,9}") ? "TERM" : killSignal;
  }

  /**
   * Reads the JSON the scheduler wrote; unknown fields are ignored (a newer scheduler may send
   * more). Read with jackson-jr: Jackson's databind would add hundreds of classes, and megabytes,
   * to an executor that runs beside every task.
   */
  static TaskSpec parse(byte[] data) throws IOException {
    if (data == null || data.length == 0) {
      return NONE;
    }
    Map<String, Object> m = JSON.std.mapFrom(data);
    if (m == null) {
      throw new IOException("task data is not a JSON object");
    }
    List<Artifact> fetch = new ArrayList<>();
    for (Object o : list(m, "fetch")) {
      if (!(o instanceof Map<?, ?> a)) {
        throw new IOException("fetch entries must be objects");
      }
      fetch.add(
          new Artifact(
              string(a, "uri"),
              string(a, "sha256"),
              string(a, "outputFile"),
              a.get("executable") instanceof Boolean b ? b : null));
    }
    Map<String, String> environment = new LinkedHashMap<>();
    if (m.get("environment") instanceof Map<?, ?> env) {
      env.forEach((k, v) -> environment.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
    }
    List<String> preStart = new ArrayList<>();
    for (Object o : list(m, "preStart")) {
      preStart.add(String.valueOf(o));
    }
    return new TaskSpec(
        string(m, "command"),
        environment,
        m.get("logMaxBytes") instanceof Number n ? n.longValue() : null,
        m.get("logKeep") instanceof Number n ? n.intValue() : null,
        fetch,
        preStart,
        string(m, "preStop"),
        string(m, "killSignal"),
        string(m, "revision"),
        list(m, "secretEnvironment").stream().map(String::valueOf).toList());
  }

  private static String string(Map<?, ?> m, String field) {
    Object v = m.get(field);
    return v == null ? null : String.valueOf(v);
  }

  private static List<?> list(Map<?, ?> m, String field) throws IOException {
    Object v = m.get(field);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> l)) {
      throw new IOException(field + " must be a list");
    }
    return l;
  }
}
