package dev.telos.manifest;

import java.time.Duration;
import java.util.Objects;

/**
 * A Mesos-native health check run by the agent. Defaults: {@code path: /}, {@code delay: 0s},
 * {@code interval: 10s}, {@code timeout: 5s}, {@code gracePeriod: 30s}, {@code
 * maxConsecutiveFailures: 3}.
 *
 * @param port for HTTP and TCP: the index of the port in {@code ports}
 * @param path for HTTP
 * @param command for COMMAND, run with {@code /bin/sh -c} in the task's sandbox
 */
public record HealthCheckSpec(
    Type type,
    int port,
    String path,
    String command,
    Duration delay,
    Duration interval,
    Duration timeout,
    Duration gracePeriod,
    int maxConsecutiveFailures) {
  /** How the check probes the task. */
  public enum Type {
    HTTP,
    TCP,
    COMMAND
  }

  public HealthCheckSpec {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(gracePeriod, "gracePeriod");
  }
}
