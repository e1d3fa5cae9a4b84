package dev.telos.api;

import dev.telos.controller.Controller;
import dev.telos.controller.StatusView;
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
public final class Metrics {
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
          "Pruning");
  private static final List<String> TASK_STATES =
      List.of("TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", "TASK_UNREACHABLE");
  private static final List<String> SYNC = List.of("Synced", "Progressing", "OutOfSync", "Error");
  private static final List<String> CONNECTION =
      List.of("DISCONNECTED", "SUBSCRIBING", "SUBSCRIBED", "STOPPED");

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public Metrics(Controller controller) {
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
    for (String s : CONNECTION) {
      Gauge.builder(
              "telos_mesos_connection",
              controller,
              c -> c.view().mesosConnection().equals(s) ? 1 : 0)
          .tag("state", s)
          .description("1 for the Mesos client's state")
          .register(registry);
    }
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
  }

  String scrape() {
    return registry.scrape();
  }

  /** For tests: the view-based gauges read this. */
  static StatusView sample(Controller c) {
    return c.view();
  }
}
