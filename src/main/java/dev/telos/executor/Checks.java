package dev.telos.executor;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.mesos.v1.Protos.CheckInfo;
import org.apache.mesos.v1.Protos.CheckStatusInfo;

/**
 * Runs a task's Mesos-native general check ({@code TaskInfo.check}: COMMAND, HTTP or TCP) as
 * Mesos's executors do: after {@code delay_seconds} (15), every {@code interval_seconds} (10), each
 * attempt bounded by {@code timeout_seconds} (20). A check has no verdict of its own: its result
 * (the command's exit code, the HTTP status code, whether the TCP connection succeeded) is reported
 * whenever it changes, and the scheduler decides what it means (readiness, typically). An attempt
 * that could not be made (a timeout, a refused connection for HTTP) reports the type with no
 * result, as Mesos does.
 */
final class Checks implements AutoCloseable {
  private final CheckInfo check;
  private final Path sandbox;
  private final Map<String, String> env;
  private final Consumer<CheckStatusInfo> changed;
  private final ScheduledExecutorService timer = Probes.timer("telos-executor-check");
  private CheckStatusInfo last;

  Checks(
      CheckInfo check, Path sandbox, Map<String, String> env, Consumer<CheckStatusInfo> changed) {
    this.check = check;
    this.sandbox = sandbox;
    this.env = Map.copyOf(env);
    this.changed = changed;
  }

  /** The status a task with this check starts with: the check's type and no result yet. */
  static CheckStatusInfo empty(CheckInfo check) {
    CheckStatusInfo.Builder b = CheckStatusInfo.newBuilder().setType(check.getType());
    switch (check.getType()) {
      case COMMAND -> b.setCommand(CheckStatusInfo.Command.getDefaultInstance());
      case HTTP -> b.setHttp(CheckStatusInfo.Http.getDefaultInstance());
      case TCP -> b.setTcp(CheckStatusInfo.Tcp.getDefaultInstance());
      default -> {}
    }
    return b.build();
  }

  void start() {
    last = empty(check);
    long delay = Probes.millis(check.getDelaySeconds(), 15);
    long interval = Math.max(50, Probes.millis(check.getIntervalSeconds(), 10));
    timer.scheduleWithFixedDelay(this::once, delay, interval, TimeUnit.MILLISECONDS);
  }

  private void once() {
    CheckStatusInfo now;
    try {
      now = attempt();
    } catch (RuntimeException e) {
      now = empty(check);
    }
    if (!now.equals(last)) {
      last = now;
      changed.accept(now);
    }
  }

  /** One attempt and its result. */
  CheckStatusInfo attempt() {
    int timeout = (int) Probes.millis(check.getTimeoutSeconds(), 20);
    CheckStatusInfo.Builder b = empty(check).toBuilder();
    switch (check.getType()) {
      case COMMAND -> {
        try {
          Integer code =
              Probes.command(check.getCommand().getCommand().getValue(), sandbox, env, timeout);
          if (code != null) {
            b.setCommand(CheckStatusInfo.Command.newBuilder().setExitCode(code));
          }
        } catch (IOException e) {
          // not run: no exit code
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      case HTTP -> {
        String path = check.getHttp().hasPath() ? check.getHttp().getPath() : "/";
        try {
          int status =
              Probes.http(
                  URI.create("http://127.0.0.1:" + check.getHttp().getPort() + path), timeout);
          b.setHttp(CheckStatusInfo.Http.newBuilder().setStatusCode(status));
        } catch (IOException e) {
          // no answer: no status code
        }
      }
      case TCP -> {
        boolean ok;
        try {
          Probes.tcp(check.getTcp().getPort(), timeout);
          ok = true;
        } catch (IOException e) {
          ok = false;
        }
        b.setTcp(CheckStatusInfo.Tcp.newBuilder().setSucceeded(ok));
      }
      default -> {}
    }
    return b.build();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
