package dev.telos.reconcile;

import dev.telos.cluster.LiveTask;
import dev.telos.cluster.TaskIds;
import dev.telos.manifest.PodContainer;
import dev.telos.manifest.Service;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.mesos.v1.Protos.TaskState;

/**
 * A pod's instances as the planner weighs them: each task group seen as one task, so that the
 * Service rules (scale, roll, replace, back off) apply to whole pods. A group is running when all
 * its containers run, healthy when every checked container is, and broken when a container has
 * ended: the default executor then kills the rest, and the pod is replaced whole.
 */
final class Pods {
  private Pods() {}

  /** The live tasks of a pod app by group ID (the task ID without its container part). */
  static Map<String, List<LiveTask>> groups(List<LiveTask> tasks) {
    Map<String, List<LiveTask>> out = new TreeMap<>();
    for (LiveTask t : tasks) {
      out.computeIfAbsent(TaskIds.groupOf(t.id()), k -> new ArrayList<>()).add(t);
    }
    return out;
  }

  /** Whether a container of the group is gone (ended) while others still run. */
  static boolean broken(Service pod, List<LiveTask> members) {
    return members.size() < pod.containers().size();
  }

  /** Whether any container has a health check (then a pod is available only once healthy). */
  static boolean checked(Service pod) {
    for (PodContainer c : pod.containers()) {
      if (c.task().healthCheck() != null) {
        return true;
      }
    }
    return false;
  }

  /** The group as one task. */
  static LiveTask view(Service pod, String groupId, List<LiveTask> members) {
    LiveTask first = members.get(0);
    Instant launched = first.launchedAt();
    Instant unreachable = null;
    Instant killRequested = null;
    Instant runningSince = null;
    Instant healthySince = null;
    boolean allRunning = members.size() == pod.containers().size();
    boolean allHealthy = allRunning;
    Boolean healthy = Boolean.TRUE;
    boolean recovering = false;
    TaskState state = TaskState.TASK_RUNNING;
    String message = null;
    List<Long> ports = new ArrayList<>();
    for (LiveTask m : members) {
      launched = m.launchedAt().isBefore(launched) ? m.launchedAt() : launched;
      unreachable = earliest(unreachable, m.unreachableSince());
      killRequested = earliest(killRequested, m.killRequestedAt());
      recovering |= m.recovering();
      if (message == null) {
        message = m.message();
      }
      for (Long p : m.ports()) {
        if (!ports.contains(p)) {
          ports.add(p);
        }
      }
      if (m.state() == TaskState.TASK_UNREACHABLE) {
        state = TaskState.TASK_UNREACHABLE;
      } else if (state != TaskState.TASK_UNREACHABLE && m.state() != TaskState.TASK_RUNNING) {
        state =
            m.state() == TaskState.TASK_KILLING || state == TaskState.TASK_KILLING
                ? TaskState.TASK_KILLING
                : m.state();
      }
      allRunning &= m.state() == TaskState.TASK_RUNNING;
      runningSince = latest(runningSince, m.runningSince());
      boolean memberChecked = checkedContainer(pod, m.id());
      if (memberChecked) {
        if (m.healthy() == null) {
          healthy = healthy == Boolean.FALSE ? Boolean.FALSE : null;
        } else if (!m.healthy()) {
          healthy = Boolean.FALSE;
        }
        allHealthy &= Boolean.TRUE.equals(m.healthy());
        healthySince = latest(healthySince, m.healthySince());
      }
    }
    return new LiveTask(
        groupId,
        first.appKey(),
        first.specHash(),
        launched,
        state,
        checked(pod) ? healthy : null,
        first.agentId(),
        first.host(),
        ports,
        state == TaskState.TASK_UNREACHABLE ? unreachable : null,
        killRequested,
        message,
        allRunning ? runningSince : null,
        allRunning && allHealthy && checked(pod) ? healthySince : null,
        recovering,
        null);
  }

  private static boolean checkedContainer(Service pod, String taskId) {
    String name = TaskIds.containerOf(taskId);
    for (PodContainer c : pod.containers()) {
      if (c.name().equals(name)) {
        return c.task().healthCheck() != null;
      }
    }
    return false;
  }

  private static Instant earliest(Instant a, Instant b) {
    return a == null ? b : b == null || a.isBefore(b) ? a : b;
  }

  private static Instant latest(Instant a, Instant b) {
    return a == null ? b : b == null || a.isAfter(b) ? a : b;
  }
}
