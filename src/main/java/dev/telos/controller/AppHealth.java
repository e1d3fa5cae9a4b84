package dev.telos.controller;

import dev.telos.cluster.LiveTask;
import dev.telos.manifest.App;
import dev.telos.manifest.CronJob;
import dev.telos.manifest.Job;
import dev.telos.manifest.Service;
import dev.telos.reconcile.Plan;
import java.util.List;
import org.apache.mesos.v1.Protos.TaskState;

/**
 * An app's sync status and health, kept apart as Argo CD keeps them: whether the cluster runs what
 * the commit says ({@code Synced} or {@code OutOfSync}), and how well it runs it ({@code Healthy},
 * {@code Progressing}, {@code Degraded}, {@code Suspended}, {@code Missing}).
 *
 * <ul>
 *   <li>A Service is Synced when exactly {@code instances} tasks of the commit's spec are RUNNING,
 *       and no task of another spec, or being killed, is left. It is Healthy when they also pass
 *       their health check (or have none); Progressing while they start or their check has no
 *       result yet; Degraded when it is crash-looping or a running task fails its check; Missing
 *       when nothing of it runs or starts and nothing has failed (no offer fits it, say); Suspended
 *       at {@code instances: 0}.
 *   <li>A Job is Synced once a run of its spec has started and did not fail for good: Healthy when
 *       it succeeded, Progressing while it runs or retries, Degraded (and OutOfSync) when every
 *       attempt failed.
 *   <li>A CronJob is Synced (its schedule is in force); Degraded when its last finished run failed,
 *       else Healthy.
 *   <li>An app no longer in the commit but with tasks left is OutOfSync: Progressing while pruned,
 *       Suspended while its prune is held.
 *   <li>An app an operator suspended is Suspended, its sync status as its tasks say (a CronJob
 *       Synced, a Job OutOfSync).
 * </ul>
 */
public record AppHealth(String syncStatus, String health) {
  public static final String SYNCED = "Synced";
  public static final String OUT_OF_SYNC = "OutOfSync";
  public static final String HEALTHY = "Healthy";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";
  public static final String SUSPENDED = "Suspended";
  public static final String MISSING = "Missing";

  /** A standby's, or before the first pass: nobody here knows. */
  public static final String UNKNOWN = "Unknown";

  /** From the least to the most severe: a roll-up takes the most severe of its apps. */
  static final List<String> SEVERITY = List.of(HEALTHY, SUSPENDED, PROGRESSING, MISSING, DEGRADED);

  /** The more severe of two healths. */
  static String worse(String a, String b) {
    return SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a;
  }

  /**
   * @param app the app in the commit, or null when only its tasks are left
   * @param status what the planner said of it, or null before it did
   * @param lastRunResult the result of its last finished Job or CronJob run, or null
   */
  static AppHealth of(App app, Plan.AppStatus status, List<LiveTask> tasks, String lastRunResult) {
    String planned = status == null ? "Unknown" : status.status();
    boolean held = planned.equals("Suspended");
    if (app == null) {
      return new AppHealth(
          OUT_OF_SYNC, planned.equals("PruneHeld") || held ? SUSPENDED : PROGRESSING);
    }
    if (held && !(app instanceof Service)) {
      return new AppHealth(app instanceof CronJob ? SYNCED : OUT_OF_SYNC, SUSPENDED);
    }
    if (app instanceof CronJob) {
      return new AppHealth(SYNCED, "Failed".equals(lastRunResult) ? DEGRADED : HEALTHY);
    }
    if (app instanceof Job) {
      return switch (planned) {
        case "Succeeded" -> new AppHealth(SYNCED, HEALTHY);
        case "Failed" -> new AppHealth(OUT_OF_SYNC, DEGRADED);
        case "Running" -> new AppHealth(SYNCED, PROGRESSING);
        default -> new AppHealth(OUT_OF_SYNC, PROGRESSING);
      };
    }
    int instances = app instanceof Service s ? s.instances() : 1;
    String spec = app.specHash();
    boolean checked = app.task().healthCheck() != null;
    int running = 0;
    int starting = 0;
    int others = 0;
    boolean unhealthy = false;
    boolean unknown = false;
    for (LiveTask t : tasks) {
      if (!LiveTask.isAlive(t.state())) {
        continue;
      }
      if (t.killRequestedAt() != null
          || t.state() == TaskState.TASK_KILLING
          || !spec.equals(t.specHash())) {
        others++;
      } else if (t.state() == TaskState.TASK_RUNNING) {
        running++;
        if (Boolean.FALSE.equals(t.healthy())) {
          unhealthy = true;
        } else if (checked && t.healthy() == null) {
          unknown = true;
        }
      } else {
        starting++;
      }
    }
    String sync = running == instances && starting == 0 && others == 0 ? SYNCED : OUT_OF_SYNC;
    String health;
    if (held || instances == 0 && others == 0) {
      health = SUSPENDED;
    } else if (instances == 0) {
      health = PROGRESSING;
    } else if (planned.equals("Degraded") || planned.equals("RolledBack") || unhealthy) {
      health = DEGRADED;
    } else if (running + starting + others == 0 && (status == null || status.failures() == 0)) {
      health = MISSING;
    } else if (running >= instances && !unknown) {
      health = HEALTHY;
    } else {
      health = PROGRESSING;
    }
    return new AppHealth(sync, health);
  }
}
