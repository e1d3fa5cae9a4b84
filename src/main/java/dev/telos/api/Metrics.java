package dev.telos.api;

import dev.telos.controller.ControlPlane;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;

/**
 * Prometheus metrics: apps by status, tasks by state, sync status, Mesos connection, JVM. Gauges
 * read the controller's published view, so scraping never touches the loop.
 */
public final class Metrics implements dev.telos.controller.ControllerEvents {
  private static final List<String> APP_STATUSES =
      List.of(
          "Synced",
          "Progressing",
          "Degraded",
          "Failed",
          "Succeeded",
          "Running",
          "Scheduled",
          "PruneHeld",
          "Pruning",
          "RolledBack");
  private static final List<String> TASK_STATES =
      List.of("TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", "TASK_UNREACHABLE");
  private static final List<String> HEALTH =
      List.of("Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown");
  private static final List<String> SYNC = List.of("Synced", "Progressing", "OutOfSync", "Error");
  private static final List<String> CONNECTION =
      List.of("DISCONNECTED", "SUBSCRIBING", "SUBSCRIBED", "STOPPED");

  private static final List<String> ZK_STATES =
      List.of("CONNECTED", "SUSPENDED", "RECONNECTED", "LOST", "READ_ONLY");

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public Metrics(ControlPlane controller) {
    for (String c :
        List.of(
            "telos_task_launches",
            "telos_task_kills",
            "telos_task_restarts",
            "telos_offers_received",
            "telos_offers_declined",
            "telos_git_errors")) {
      registry.counter(c);
    }
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    for (String s : APP_STATUSES) {
      Gauge.builder(
              "telos_apps",
              controller,
              c -> c.view().apps().stream().filter(a -> a.status().equals(s)).count())
          .tag("status", s)
          .description("Apps by status")
          .register(registry);
    }
    for (String s : TASK_STATES) {
      Gauge.builder(
              "telos_tasks",
              controller,
              c ->
                  c.view().apps().stream()
                      .flatMap(a -> a.tasks().stream())
                      .filter(t -> t.state().equals(s))
                      .count())
          .tag("state", s)
          .description("Tasks by state")
          .register(registry);
    }
    for (String s : SYNC) {
      Gauge.builder("telos_sync_status", controller, c -> c.view().syncStatus().equals(s) ? 1 : 0)
          .tag("status", s)
          .description("1 for the current sync status")
          .register(registry);
    }
    for (String h : HEALTH) {
      Gauge.builder(
              "telos_apps_health",
              controller,
              c -> c.view().apps().stream().filter(a -> h.equals(a.health())).count())
          .tag("health", h)
          .description("Apps by health")
          .register(registry);
      Gauge.builder("telos_health", controller, c -> h.equals(c.view().health()) ? 1 : 0)
          .tag("health", h)
          .description("1 for the roll-up health of every app")
          .register(registry);
    }
    for (String s : CONNECTION) {
      Gauge.builder(
              "telos_mesos_connection",
              controller,
              c -> c.view().mesosConnection().equals(s) ? 1 : 0)
          .tag("state", s)
          .description("1 for the Mesos client's state")
          .register(registry);
    }
    Gauge.builder("telos_mesos_calls_pending", controller, ControlPlane::mesosCallsPending)
        .description("Calls to the Mesos master sent and not answered, or waiting to be sent")
        .register(registry);
    Gauge.builder(
            "telos_sync_launched_total",
            controller,
            c ->
                c.view().history().stream()
                    .mapToInt(dev.telos.controller.SyncRecord::launched)
                    .sum())
        .description("Tasks launched over the kept sync history")
        .register(registry);
    Gauge.builder(
            "telos_sync_killed_total",
            controller,
            c ->
                c.view().history().stream().mapToInt(dev.telos.controller.SyncRecord::killed).sum())
        .description("Tasks killed over the kept sync history")
        .register(registry);
    Gauge.builder("telos_ready", controller, c -> c.view().ready() ? 1 : 0)
        .description("1 when subscribed, reconciled and synced once")
        .register(registry);
    Gauge.builder("telos_leader", controller, c -> c.leading() ? 1 : 0)
        .description("1 while this instance leads (always without --ha)")
        .register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder(
            "telos_leader_changes", controller, ControlPlane::leaderChanges)
        .description("Times this instance became leader or stopped being it")
        .register(registry);
    if (controller.zkConnection() != null) {
      for (String s : ZK_STATES) {
        Gauge.builder("telos_zk_connection", controller, c -> s.equals(c.zkConnection()) ? 1 : 0)
            .tag("state", s)
            .description("1 for the state of the HA connection to ZooKeeper")
            .register(registry);
      }
    }
  }

  @Override
  public void gitPolled(java.time.Duration took, String outcome) {
    io.micrometer.core.instrument.Timer.builder("telos_git_fetch")
        .description("Git polls (ls-remote, fetch when moved, snapshot) by outcome")
        .tag("outcome", outcome)
        .register(registry)
        .record(took);
    if (outcome.equals("failed")) {
      registry.counter("telos_git_errors").increment();
    }
  }

  @Override
  public void passFinished(java.time.Duration took, boolean full) {
    io.micrometer.core.instrument.Timer.builder("telos_loop_pass")
        .description(
            "Passes of the controller's loop (plan, apply, publish): full ones plan every app,"
                + " incremental ones only the apps something touched")
        .tag("kind", full ? "full" : "incremental")
        .register(registry)
        .record(took);
  }

  @Override
  public void syncFinished(java.time.Duration took, String result) {
    io.micrometer.core.instrument.Timer.builder("telos_sync_duration")
        .description("From a new commit to its end (Synced or Superseded)")
        .tag("result", result)
        .register(registry)
        .record(took);
  }

  @Override
  public void launched(int tasks) {
    registry.counter("telos_task_launches").increment(tasks);
  }

  @Override
  public void killed(int tasks) {
    registry.counter("telos_task_kills").increment(tasks);
  }

  @Override
  public void restarted(String app) {
    registry.counter("telos_task_restarts").increment();
  }

  @Override
  public void offersReceived(int offers) {
    registry.counter("telos_offers_received").increment(offers);
  }

  @Override
  public void statusUpdate(String state) {
    registry.counter("telos_status_updates", "state", state).increment();
  }

  @Override
  public void offersDeclined(int offers) {
    registry.counter("telos_offers_declined").increment(offers);
  }

  @Override
  public void reconciliation(boolean explicit) {
    registry
        .counter("telos_reconciliation_rounds", "kind", explicit ? "explicit" : "implicit")
        .increment();
  }

  @Override
  public void callFailed(String call) {
    registry.counter("telos_mesos_call_failures", "call", call).increment();
  }

  @Override
  public void boundHit(String what) {
    registry.counter("telos_bounds_hit", "what", what).increment();
  }

  /** A read of {@code --api-tokens-file} after it changed: {@code ok} or {@code failed}. */
  public void tokensReloaded(boolean ok) {
    registry.counter("telos_api_tokens_reloads", "result", ok ? "ok" : "failed").increment();
  }

  String scrape() {
    return registry.scrape();
  }
}
