package dev.telos.controller;

import dev.telos.cluster.LiveTask;
import dev.telos.git.Snapshot;
import dev.telos.manifest.App;
import dev.telos.reconcile.Plan;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-app part of the published {@link StatusView}, kept between passes and rebuilt only for
 * the apps a pass planned or changed: building every app's view on every pass made the status view
 * cost O(apps × tasks) per pass. Desired apps come first, in the snapshot's order, then apps that
 * only have tasks left (being pruned, or held).
 *
 * <p>Confined to the controller's loop thread.
 */
final class AppViews {
  /** What a view is built from. */
  interface Source {
    /** The last good snapshot, or null. */
    Snapshot desired();

    /** One desired app by key, or null. */
    App app(String key);

    List<LiveTask> tasksOf(String appKey);

    /** What the controller recorded at launch for a task (host, ports), or null. */
    Controller.TaskRecord record(String taskId);

    List<RunRecord> runs(String appKey);

    /** How the app's last unexpectedly ended task ended, or null. */
    default StatusView.TaskEnd lastFailure(String appKey) {
      return null;
    }

    /** What the planner keeps about the app (restart backoff, Job attempts, cron), or null. */
    default dev.telos.reconcile.AppHistory planState(String appKey) {
      return null;
    }

    /** What the Telos executor last reported the task uses, or null. */
    default StatusView.TaskUsage usage(String taskId) {
      return null;
    }

    /** Where the app's resident instances' volumes are, by instance. */
    default List<StatusView.VolumeView> volumes(String appKey) {
      return List.of();
    }
  }

  private final Map<String, StatusView.AppView> views = new LinkedHashMap<>();
  private List<StatusView.AppView> list = List.of();

  /** The revision of the desired state the views show. */
  private String revision;

  private final int[] counts = new int[Standing.values().length];

  /** Where an app stands for the roll-up sync status. */
  enum Standing {
    /** Runs what the snapshot says (or, for a CronJob, a scheduled run is in progress). */
    SETTLED,
    /** Cannot get there without a new commit or an operator (failed, prune held). */
    OUT_OF_SYNC,
    /** On its way. */
    PROGRESSING
  }

  static Standing standing(StatusView.AppView v) {
    return switch (v.status()) {
      case "Synced", "Succeeded", "Scheduled" -> Standing.SETTLED;
      case "Failed", "PruneHeld", "RolledBack" -> Standing.OUT_OF_SYNC;
      // Held by an operator: settled if its tasks run the commit, else it waits for them.
      case "Suspended" ->
          AppHealth.SYNCED.equals(v.syncStatus()) ? Standing.SETTLED : Standing.OUT_OF_SYNC;
      case "Running" -> v.kind().equals("CronJob") ? Standing.SETTLED : Standing.PROGRESSING;
      default -> Standing.PROGRESSING;
    };
  }

  /** Apps by health, kept as views change (in {@link AppHealth#SEVERITY} order; others last). */
  private final int[] healths = new int[AppHealth.SEVERITY.size() + 1];

  private int healthIndex(StatusView.AppView v) {
    int i = AppHealth.SEVERITY.indexOf(v.health());
    return i < 0 ? healths.length - 1 : i;
  }

  /** The most severe health of the apps (Healthy with none), from the counts: no app is read. */
  String health() {
    for (int i = AppHealth.SEVERITY.size() - 1; i >= 0; i--) {
      if (healths[i] > 0) {
        return AppHealth.SEVERITY.get(i);
      }
    }
    return AppHealth.HEALTHY;
  }

  /** How many apps stand so, kept as views change (no pass counts every app). */
  int count(Standing standing) {
    return counts[standing.ordinal()];
  }

  private void put(String key, StatusView.AppView next) {
    StatusView.AppView old = views.put(key, next);
    if (old != null) {
      counts[standing(old).ordinal()]--;
      healths[healthIndex(old)]--;
    }
    counts[standing(next).ordinal()]++;
    healths[healthIndex(next)]++;
  }

  /**
   * Rebuilds the views of {@code keys} (every app when {@code full}) from their statuses. Returns
   * whether any view changed.
   */
  boolean update(
      Source source, Map<String, Plan.AppStatus> statuses, Collection<String> keys, boolean full) {
    boolean changed = false;
    if (full) {
      Map<String, StatusView.AppView> before = new LinkedHashMap<>(views);
      views.clear();
      java.util.Arrays.fill(counts, 0);
      java.util.Arrays.fill(healths, 0);
      Snapshot desired = source.desired();
      if (desired != null) {
        for (App app : desired.apps()) {
          put(app.key(), view(source, app.key(), statuses.get(app.key())));
        }
      }
      for (Map.Entry<String, Plan.AppStatus> e : statuses.entrySet()) {
        if (!views.containsKey(e.getKey())) {
          put(e.getKey(), view(source, e.getKey(), e.getValue()));
        }
      }
      changed =
          !before.equals(views)
              || !List.copyOf(before.keySet()).equals(List.copyOf(views.keySet()));
    } else {
      // A new snapshot that changed only some apps: the others show its revision too.
      Snapshot desired = source.desired();
      String at = desired == null ? null : desired.commit().sha();
      if (at != null && !at.equals(revision)) {
        for (Map.Entry<String, StatusView.AppView> e : views.entrySet()) {
          StatusView.AppView v = e.getValue();
          if (v.revision() != null && !v.revision().equals(at)) {
            e.setValue(v.withRevision(at)); // counts unchanged: only the revision differs
            changed = true;
          }
        }
      }
      for (String key : keys) {
        if (!views.containsKey(key)) {
          continue; // neither desired nor planned: nothing to show
        }
        StatusView.AppView next = view(source, key, statuses.get(key));
        if (!next.equals(views.get(key))) {
          put(key, next);
          changed = true;
        }
      }
    }
    Snapshot desired = source.desired();
    revision = desired == null ? null : desired.commit().sha();
    if (changed) {
      list = List.copyOf(views.values());
    }
    return changed;
  }

  /** Every app's view, in order. */
  List<StatusView.AppView> list() {
    return list;
  }

  private static StatusView.AppView view(Source source, String key, Plan.AppStatus s) {
    List<StatusView.TaskView> tasks = new ArrayList<>();
    boolean gated =
        source.app(key) instanceof dev.telos.manifest.Service svc
            && !svc.readinessChecks().isEmpty();
    for (LiveTask t : source.tasksOf(key)) {
      Controller.TaskRecord r = source.record(t.id());
      tasks.add(
          new StatusView.TaskView(
              t.id(),
              t.state().name(),
              t.agentId(),
              t.host() != null ? t.host() : r == null ? null : r.host(),
              !t.ports().isEmpty() ? t.ports() : r == null ? List.of() : r.ports(),
              t.healthy(),
              t.specHash(),
              t.recovering(),
              source.usage(t.id()),
              gated ? t.readySince() != null : null,
              t.killRequestedAt(),
              t.launchedAt()));
    }
    App app = source.app(key);
    List<RunRecord> runs = app == null ? List.of() : source.runs(key);
    String lastRun = null;
    java.time.Instant lastEnd = null;
    for (RunRecord r : runs) {
      if (r.finishedAt() != null && (lastEnd == null || r.finishedAt().isAfter(lastEnd))) {
        lastEnd = r.finishedAt();
        lastRun = r.result();
      }
    }
    AppHealth health = AppHealth.of(app, s, source.tasksOf(key), lastRun);
    if (app != null) {
      return new StatusView.AppView(
          app.metadata().namespace(),
          app.metadata().name(),
          app.kind(),
          s == null ? 0 : s.desired(),
          s == null ? 0 : s.running(),
          s == null ? 0 : s.healthy(),
          s == null ? "Unknown" : s.status(),
          health.syncStatus(),
          health.health(),
          s == null ? null : s.message(),
          source.desired().commit().sha(),
          app.specHash(),
          tasks,
          runs,
          s == null ? 0 : s.failures(),
          s == null ? null : s.nextLaunchAt(),
          source.lastFailure(key),
          source.planState(key),
          app.metadata().labels(),
          source.volumes(key));
    }
    String[] nn = key.split("/", 2);
    return new StatusView.AppView(
        nn[0],
        nn[1],
        "Unknown",
        0,
        s == null ? 0 : s.running(),
        0,
        s == null ? "Unknown" : s.status(),
        health.syncStatus(),
        health.health(),
        s == null ? null : s.message(),
        null,
        null,
        tasks,
        List.of(),
        0,
        null,
        source.lastFailure(key),
        source.planState(key),
        java.util.Map.of(),
        source.volumes(key));
  }
}
