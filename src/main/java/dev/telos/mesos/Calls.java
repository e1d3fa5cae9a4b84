package dev.telos.mesos;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.DurationInfo;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.KillPolicy;
import org.apache.mesos.v1.Protos.Offer.Operation;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.scheduler.Protos.Call;

/**
 * Builders of the scheduler calls Telos sends, exactly as the v1 API defines them. Pure: no I/O, no
 * state. {@link MesosClient} fills in the framework ID and sends them.
 */
public final class Calls {
  /** Mesos caps {@code refuse_seconds} at one year. */
  static final double MAX_REFUSE_SECONDS = 31_536_000d;

  private Calls() {}

  /** ACCEPT: run {@code operations} on {@code offers}; unused resources are declined. */
  public static Call accept(
      FrameworkID framework,
      Collection<OfferID> offers,
      List<Operation> operations,
      Filters filters) {
    if (offers.isEmpty()) {
      throw new IllegalArgumentException("ACCEPT needs at least one offer");
    }
    Call.Accept.Builder accept =
        Call.Accept.newBuilder().addAllOfferIds(offers).addAllOperations(operations);
    if (filters != null) {
      accept.setFilters(filters);
    }
    return base(framework, Call.Type.ACCEPT).setAccept(accept).build();
  }

  /** DECLINE: give offers back and refuse their agents' resources for {@code refuse}. */
  public static Call decline(FrameworkID framework, Collection<OfferID> offers, Duration refuse) {
    if (offers.isEmpty()) {
      throw new IllegalArgumentException("DECLINE needs at least one offer");
    }
    return base(framework, Call.Type.DECLINE)
        .setDecline(Call.Decline.newBuilder().addAllOfferIds(offers).setFilters(refuseFor(refuse)))
        .build();
  }

  /** A filter that refuses the declined resources for {@code refuse} (capped at a year). */
  public static Filters refuseFor(Duration refuse) {
    if (refuse.isNegative()) {
      throw new IllegalArgumentException("refuse duration must be >= 0, got " + refuse);
    }
    double seconds = Math.min(MAX_REFUSE_SECONDS, refuse.toMillis() / 1000d);
    return Filters.newBuilder().setRefuseSeconds(seconds).build();
  }

  /**
   * KILL a task; {@code gracePeriod} (may be null) overrides the task's kill policy, as Mesos
   * allows.
   */
  public static Call kill(FrameworkID framework, TaskID task, AgentID agent, Duration gracePeriod) {
    Call.Kill.Builder kill = Call.Kill.newBuilder().setTaskId(task);
    if (agent != null) {
      kill.setAgentId(agent);
    }
    if (gracePeriod != null) {
      kill.setKillPolicy(
          KillPolicy.newBuilder()
              .setGracePeriod(DurationInfo.newBuilder().setNanoseconds(gracePeriod.toNanos())));
    }
    return base(framework, Call.Type.KILL).setKill(kill).build();
  }

  /** ACKNOWLEDGE a status update that carried {@code uuid}. */
  public static Call acknowledge(
      FrameworkID framework, AgentID agent, TaskID task, ByteString uuid) {
    if (uuid == null || uuid.isEmpty()) {
      throw new IllegalArgumentException(
          "only updates with a uuid are acknowledged (task " + task.getValue() + ")");
    }
    return base(framework, Call.Type.ACKNOWLEDGE)
        .setAcknowledge(
            Call.Acknowledge.newBuilder().setAgentId(agent).setTaskId(task).setUuid(uuid))
        .build();
  }

  /** RECONCILE: explicit for the given tasks, implicit (all tasks) when the list is empty. */
  public static Call reconcile(FrameworkID framework, Collection<Call.Reconcile.Task> tasks) {
    return base(framework, Call.Type.RECONCILE)
        .setReconcile(Call.Reconcile.newBuilder().addAllTasks(tasks))
        .build();
  }

  /** One task of an explicit reconciliation; {@code agent} may be null but helps the master. */
  public static Call.Reconcile.Task reconcileTask(TaskID task, AgentID agent) {
    Call.Reconcile.Task.Builder t = Call.Reconcile.Task.newBuilder().setTaskId(task);
    if (agent != null) {
      t.setAgentId(agent);
    }
    return t.build();
  }

  /** REVIVE: clear filters and un-suppress offers for {@code roles} (empty: all roles). */
  public static Call revive(FrameworkID framework, Collection<String> roles) {
    return base(framework, Call.Type.REVIVE)
        .setRevive(Call.Revive.newBuilder().addAllRoles(roles))
        .build();
  }

  /** SUPPRESS: stop offers for {@code roles} (empty: all roles). */
  public static Call suppress(FrameworkID framework, Collection<String> roles) {
    return base(framework, Call.Type.SUPPRESS)
        .setSuppress(Call.Suppress.newBuilder().addAllRoles(roles))
        .build();
  }

  /** TEARDOWN: kill every task of the framework and remove it. Irreversible. */
  public static Call teardown(FrameworkID framework) {
    return base(framework, Call.Type.TEARDOWN).build();
  }

  private static Call.Builder base(FrameworkID framework, Call.Type type) {
    if (framework == null || framework.getValue().isEmpty()) {
      throw new IllegalArgumentException(type + " needs a framework ID");
    }
    return Call.newBuilder().setType(type).setFrameworkId(framework);
  }
}
