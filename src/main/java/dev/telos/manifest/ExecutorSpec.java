package dev.telos.manifest;

import java.util.List;
import java.util.Objects;

/**
 * How the Telos executor runs a task ({@code executor: telos}); absent for Mesos's command
 * executor. Defaults: logs rotated at 10 MiB keeping 5 files, nothing fetched, no hooks, SIGTERM.
 *
 * @param logMaxBytes stdout and stderr are rotated at this size ({@code logs.maxSize})
 * @param logKeep rotated files kept of each ({@code logs.keep})
 * @param fetch artifacts downloaded into the sandbox before anything runs, each with its SHA-256
 * @param preStart commands that must all succeed, in order, before the task runs
 * @param preStop a command run before the kill signal, within the kill grace period
 * @param killSignal the signal that asks the task to stop; SIGKILL follows after the grace period
 */
public record ExecutorSpec(
    long logMaxBytes,
    int logKeep,
    List<Artifact> fetch,
    List<String> preStart,
    String preStop,
    String killSignal) {
  public static final long DEFAULT_LOG_MAX = 10L << 20;
  public static final int DEFAULT_LOG_KEEP = 5;

  /** The signals a task may be asked to stop with. */
  public static final List<String> SIGNALS = List.of("TERM", "INT", "QUIT", "HUP", "USR1", "USR2");

  public ExecutorSpec {
    fetch = List.copyOf(fetch);
    preStart = List.copyOf(preStart);
    Objects.requireNonNull(killSignal, "killSignal");
  }

  /**
   * An artifact to fetch.
   *
   * @param uri an http(s) URL or a path on the agent
   * @param sha256 the hex SHA-256 its bytes must have
   * @param outputFile its name in the sandbox, or null for the URI's last segment
   * @param executable whether to make it executable
   */
  public record Artifact(String uri, String sha256, String outputFile, boolean executable) {}
}
