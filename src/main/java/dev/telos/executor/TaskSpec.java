package dev.telos.executor;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;

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
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record TaskSpec(
    String command,
    java.util.Map<String, String> environment,
    Long logMaxBytes,
    Integer logKeep,
    List<Artifact> fetch,
    List<String> preStart,
    String preStop,
    String killSignal,
    String revision) {
  static final long DEFAULT_LOG_MAX = 10L << 20;
  static final int DEFAULT_LOG_KEEP = 5;
  static final TaskSpec NONE = new TaskSpec(null, null, null, null, null, null, null, null, null);

  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  TaskSpec {
    environment = environment == null ? java.util.Map.of() : java.util.Map.copyOf(environment);
    fetch = fetch == null ? List.of() : List.copyOf(fetch);
    preStart = preStart == null ? List.of() : List.copyOf(preStart);
  }

  /**
   * An artifact to fetch.
   *
   * @param uri an http(s) URL or a local path
   * @param sha256 the hex SHA-256 the bytes must have; required
   * @param outputFile the name in the sandbox (the URI's last segment unless said)
   * @param executable whether to make it executable
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
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

  static TaskSpec parse(byte[] data) throws IOException {
    if (data == null || data.length == 0) {
      return NONE;
    }
    return JSON.readValue(data, TaskSpec.class);
  }
}
