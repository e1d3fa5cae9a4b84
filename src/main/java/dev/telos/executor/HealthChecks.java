package dev.telos.executor;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.Protos.HealthCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a task's Mesos-native health check (HTTP, TCP or COMMAND) as Mesos's command executor does:
 * after {@code delay_seconds}, every {@code interval_seconds}, each attempt bounded by {@code
 * timeout_seconds}; failures within {@code grace_period_seconds} of the start do not count until a
 * first success; a change of health is reported, and {@code consecutive_failures} in a row kill the
 * task.
 */
final class HealthChecks implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthChecks.class);

  /** What a check's outcome changes. */
  interface Listener {
    void healthChanged(boolean healthy);

    void failedTooOften(String why);
  }

  private final HealthCheck check;
  private final Path sandbox;
  private final Map<String, String> env;
  private final Listener listener;
  private final ScheduledExecutorService timer = Probes.timer("telos-executor-health");
  private final long startedAt = System.nanoTime();
  private Boolean healthy;
  private int failures;
  private boolean gaveUp;

  HealthChecks(HealthCheck check, Path sandbox, Map<String, String> env, Listener listener) {
    this.check = check;
    this.sandbox = sandbox;
    this.env = Map.copyOf(env);
    this.listener = listener;
  }

  void start() {
    long delay = Probes.millis(check.getDelaySeconds(), 15);
    long interval = Math.max(50, Probes.millis(check.getIntervalSeconds(), 10));
    timer.scheduleWithFixedDelay(this::once, delay, interval, TimeUnit.MILLISECONDS);
  }

  private void once() {
    if (gaveUp) {
      return;
    }
    String problem;
    try {
      problem = attempt();
    } catch (RuntimeException e) {
      problem = e.toString();
    }
    if (problem == null) {
      failures = 0;
      if (!Boolean.TRUE.equals(healthy)) {
        healthy = true;
        listener.healthChanged(true);
      }
      return;
    }
    long grace = Probes.millis(check.getGracePeriodSeconds(), 10);
    boolean inGrace = healthy == null && System.nanoTime() - startedAt < grace * 1_000_000;
    if (inGrace) {
      return;
    }
    failures++;
    log.info("health check failed failures={} problem=\"{}\"", failures, problem);
    if (!Boolean.FALSE.equals(healthy)) {
      healthy = false;
      listener.healthChanged(false);
    }
    int allowed = check.getConsecutiveFailures() > 0 ? check.getConsecutiveFailures() : 3;
    if (failures >= allowed) {
      gaveUp = true;
      listener.failedTooOften(problem);
    }
  }

  /** One attempt; returns why it failed, or null. */
  String attempt() {
    Duration timeout = Duration.ofMillis(Probes.millis(check.getTimeoutSeconds(), 20));
    switch (check.getType()) {
      case HTTP -> {
        String scheme = check.getHttp().hasScheme() ? check.getHttp().getScheme() : "http";
        String path = check.getHttp().hasPath() ? check.getHttp().getPath() : "/";
        URI uri = URI.create(scheme + "://127.0.0.1:" + check.getHttp().getPort() + path);
        try {
          int status = Probes.http(uri, (int) timeout.toMillis());
          return status >= 200 && status < 400 ? null : "HTTP " + status + " from " + uri;
        } catch (IOException e) {
          return uri + ": " + e.getMessage();
        }
      }
      case TCP -> {
        try {
          Probes.tcp(check.getTcp().getPort(), (int) timeout.toMillis());
          return null;
        } catch (IOException e) {
          return "TCP port " + check.getTcp().getPort() + ": " + e.getMessage();
        }
      }
      case COMMAND -> {
        try {
          Integer code =
              Probes.command(check.getCommand().getValue(), sandbox, env, timeout.toMillis());
          if (code == null) {
            return "command timed out after " + timeout.toMillis() + " ms";
          }
          return code == 0 ? null : "command exited with status " + code;
        } catch (IOException e) {
          return "command: " + e.getMessage();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return "interrupted";
        }
      }
      default -> {
        return null; // no check this executor knows: never unhealthy
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
