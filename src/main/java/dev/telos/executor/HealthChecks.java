package dev.telos.executor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
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
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "telos-executor-health");
            t.setDaemon(true);
            return t;
          });
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
    long delay = millis(check.getDelaySeconds(), 15);
    long interval = Math.max(50, millis(check.getIntervalSeconds(), 10));
    timer.scheduleWithFixedDelay(this::once, delay, interval, TimeUnit.MILLISECONDS);
  }

  private static long millis(double seconds, double fallback) {
    return Math.round((seconds > 0 ? seconds : fallback) * 1000);
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
    long grace = millis(check.getGracePeriodSeconds(), 10);
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
    Duration timeout = Duration.ofMillis(millis(check.getTimeoutSeconds(), 20));
    switch (check.getType()) {
      case HTTP -> {
        String scheme = check.getHttp().hasScheme() ? check.getHttp().getScheme() : "http";
        String path = check.getHttp().hasPath() ? check.getHttp().getPath() : "/";
        URI uri = URI.create(scheme + "://127.0.0.1:" + check.getHttp().getPort() + path);
        try {
          java.net.HttpURLConnection c = (java.net.HttpURLConnection) uri.toURL().openConnection();
          c.setConnectTimeout((int) timeout.toMillis());
          c.setReadTimeout((int) timeout.toMillis());
          c.setInstanceFollowRedirects(false); // a 3xx counts as healthy, as in Mesos
          try {
            int status = c.getResponseCode();
            return status >= 200 && status < 400 ? null : "HTTP " + status + " from " + uri;
          } finally {
            c.disconnect();
          }
        } catch (IOException e) {
          return uri + ": " + e.getMessage();
        }
      }
      case TCP -> {
        try (Socket s = new Socket()) {
          s.connect(
              new InetSocketAddress("127.0.0.1", check.getTcp().getPort()),
              (int) timeout.toMillis());
          return null;
        } catch (IOException e) {
          return "TCP port " + check.getTcp().getPort() + ": " + e.getMessage();
        }
      }
      case COMMAND -> {
        try {
          ProcessBuilder b =
              new ProcessBuilder(List.of("/bin/sh", "-c", check.getCommand().getValue()))
                  .directory(sandbox.toFile())
                  .redirectErrorStream(true)
                  .redirectOutput(ProcessBuilder.Redirect.DISCARD);
          b.environment().clear();
          b.environment().putAll(env);
          Process p = b.start();
          if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            return "command timed out after " + timeout.toMillis() + " ms";
          }
          return p.exitValue() == 0 ? null : "command exited with status " + p.exitValue();
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
