package dev.telos.local;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.Protos.HealthCheck;

/**
 * Mesos-native health checking of one task (HTTP, TCP, COMMAND), with Mesos's semantics: checks
 * start after {@code delay_seconds}, run every {@code interval_seconds} with {@code
 * timeout_seconds}; failures during {@code grace_period_seconds} before the first success are
 * ignored; a change of health is reported in a TASK_RUNNING update; {@code consecutive_failures}
 * failures in a row kill the task.
 */
final class HealthChecker {
  private final HealthCheck check;
  private final ProcessRunner.Running task;
  private final ProcessRunner runner;
  private final ScheduledExecutorService timers;
  private final ExecutorService workers;
  private final long startedNanos = System.nanoTime();
  private volatile ScheduledFuture<?> schedule;
  private volatile boolean stopped;
  private Boolean lastHealthy;
  private boolean everHealthy;
  private int consecutiveFailures;

  HealthChecker(
      HealthCheck check,
      ProcessRunner.Running task,
      ProcessRunner runner,
      ScheduledExecutorService timers,
      ExecutorService workers) {
    this.check = check;
    this.task = task;
    this.runner = runner;
    this.timers = timers;
    this.workers = workers;
  }

  void start() {
    long delay = seconds(check.hasDelaySeconds() ? check.getDelaySeconds() : 15);
    long interval =
        Math.max(1, seconds(check.hasIntervalSeconds() ? check.getIntervalSeconds() : 10));
    schedule =
        timers.scheduleWithFixedDelay(
            () -> workers.execute(this::runOnce), delay, interval, TimeUnit.MILLISECONDS);
  }

  void stop() {
    stopped = true;
    ScheduledFuture<?> s = schedule;
    if (s != null) {
      s.cancel(false);
    }
  }

  private static long seconds(double s) {
    return (long) (s * 1000);
  }

  private synchronized void runOnce() {
    if (stopped) {
      return;
    }
    Duration timeout =
        Duration.ofMillis(
            Math.max(1, seconds(check.hasTimeoutSeconds() ? check.getTimeoutSeconds() : 20)));
    boolean ok;
    try {
      ok =
          switch (check.getType()) {
            case HTTP -> http(timeout);
            case TCP -> tcp(timeout);
            case COMMAND -> command(timeout);
            default -> false;
          };
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (IOException | RuntimeException e) {
      ok = false;
    }
    if (stopped) {
      return;
    }
    if (ok) {
      consecutiveFailures = 0;
      everHealthy = true;
      if (!Boolean.TRUE.equals(lastHealthy)) {
        lastHealthy = true;
        runner.reportHealth(task, true);
      }
      return;
    }
    long grace = seconds(check.hasGracePeriodSeconds() ? check.getGracePeriodSeconds() : 10);
    if (!everHealthy && System.nanoTime() - startedNanos < TimeUnit.MILLISECONDS.toNanos(grace)) {
      return; // still starting up
    }
    consecutiveFailures++;
    if (!Boolean.FALSE.equals(lastHealthy)) {
      lastHealthy = false;
      runner.reportHealth(task, false);
    }
    int max = check.hasConsecutiveFailures() ? check.getConsecutiveFailures() : 3;
    if (consecutiveFailures >= max) {
      stop();
      Duration killGrace =
          task.launch.task().hasKillPolicy() && task.launch.task().getKillPolicy().hasGracePeriod()
              ? Duration.ofNanos(
                  task.launch.task().getKillPolicy().getGracePeriod().getNanoseconds())
              : Duration.ofSeconds(3);
      runner.killForHealth(task, killGrace);
    }
  }

  private boolean http(Duration timeout) throws IOException, InterruptedException {
    HealthCheck.HTTPCheckInfo http = check.getHttp();
    String scheme = http.hasScheme() ? http.getScheme() : "http";
    String path = http.hasPath() ? http.getPath() : "/";
    if (!path.startsWith("/")) {
      path = "/" + path;
    }
    URI uri = URI.create(scheme + "://127.0.0.1:" + http.getPort() + path);
    HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
    HttpResponse<Void> response =
        client.send(
            HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
            HttpResponse.BodyHandlers.discarding());
    return response.statusCode() >= 200 && response.statusCode() < 400;
  }

  private boolean tcp(Duration timeout) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress("127.0.0.1", check.getTcp().getPort()), (int) timeout.toMillis());
      return true;
    }
  }

  private boolean command(Duration timeout) throws IOException, InterruptedException {
    var command = check.getCommand();
    ProcessBuilder builder =
        new ProcessBuilder(ProcessRunner.argv(command))
            .directory(task.sandbox.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(new File("/dev/null")));
    builder.environment().clear();
    builder.environment().putAll(task.environment);
    for (var v : command.getEnvironment().getVariablesList()) {
      builder.environment().put(v.getName(), v.getValue());
    }
    Process p = builder.start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      ProcessRunner.signalGroup(p.pid(), "KILL");
      return false;
    }
    return p.exitValue() == 0;
  }
}
