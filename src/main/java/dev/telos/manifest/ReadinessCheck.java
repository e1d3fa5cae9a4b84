package dev.telos.manifest;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * An HTTP check Telos itself makes of each new task of a Service once it runs (and, with a health
 * check, is healthy): the task counts as available to a rollout or a scale-up only after one answer
 * with a status in {@code statusCodes}, so old tasks are killed only when their replacements are
 * ready to serve. Once ready, a task is not checked again (as Marathon's). Defaults: {@code scheme:
 * HTTP}, {@code path: /}, the first port, {@code statusCodes: [200]}, {@code interval: 30s}, {@code
 * timeout: 10s}.
 *
 * @param port the index of the port in {@code ports}
 */
public record ReadinessCheck(
    Scheme scheme,
    String path,
    int port,
    Set<Integer> statusCodes,
    Duration interval,
    Duration timeout) {
  /** How the check reaches the task. */
  public enum Scheme {
    HTTP,
    HTTPS
  }

  public ReadinessCheck {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(path, "path");
    statusCodes = Set.copyOf(statusCodes);
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
  }
}
