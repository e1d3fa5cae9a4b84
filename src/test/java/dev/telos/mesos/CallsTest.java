package dev.telos.mesos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.junit.jupiter.api.Test;

class CallsTest {
  static final FrameworkID FW = FrameworkID.newBuilder().setValue("fw-1").build();
  static final OfferID OFFER = OfferID.newBuilder().setValue("o-1").build();
  static final TaskID TASK = TaskID.newBuilder().setValue("default.web.abc.1").build();
  static final AgentID AGENT = AgentID.newBuilder().setValue("a-1").build();

  @Test
  void declineCarriesRefuseSecondsCappedAtAYear() {
    Call call = Calls.decline(FW, List.of(OFFER), Duration.ofSeconds(120));
    assertThat(call.getType()).isEqualTo(Call.Type.DECLINE);
    assertThat(call.getFrameworkId()).isEqualTo(FW);
    assertThat(call.getDecline().getFilters().getRefuseSeconds()).isEqualTo(120d);
    assertThat(Calls.refuseFor(Duration.ofDays(1000)).getRefuseSeconds()).isEqualTo(31_536_000d);
  }

  @Test
  void killCarriesTheGracePeriodAsAKillPolicyInNanoseconds() {
    Call call = Calls.kill(FW, TASK, AGENT, Duration.ofSeconds(30));
    assertThat(call.getKill().getTaskId()).isEqualTo(TASK);
    assertThat(call.getKill().getAgentId()).isEqualTo(AGENT);
    assertThat(call.getKill().getKillPolicy().getGracePeriod().getNanoseconds())
        .isEqualTo(30_000_000_000L);
    assertThat(Calls.kill(FW, TASK, null, null).getKill().hasKillPolicy()).isFalse();
  }

  @Test
  void acknowledgeRequiresAUuid() {
    ByteString uuid = ByteString.copyFrom("0123456789abcdef", StandardCharsets.US_ASCII);
    Call call = Calls.acknowledge(FW, AGENT, TASK, uuid);
    assertThat(call.getAcknowledge().getUuid()).isEqualTo(uuid);
    assertThatThrownBy(() -> Calls.acknowledge(FW, AGENT, TASK, ByteString.EMPTY))
        .hasMessageContaining("only updates with a uuid");
  }

  @Test
  void implicitReconcileHasNoTasks() {
    assertThat(Calls.reconcile(FW, List.of()).getReconcile().getTasksCount()).isZero();
    Call explicit = Calls.reconcile(FW, List.of(Calls.reconcileTask(TASK, AGENT)));
    assertThat(explicit.getReconcile().getTasks(0).getAgentId()).isEqualTo(AGENT);
  }

  @Test
  void reviveAndSuppressNameTheirRoles() {
    assertThat(Calls.revive(FW, List.of("web")).getRevive().getRolesList()).containsExactly("web");
    assertThat(Calls.suppress(FW, List.of()).getType()).isEqualTo(Call.Type.SUPPRESS);
    assertThat(Calls.teardown(FW).getType()).isEqualTo(Call.Type.TEARDOWN);
  }

  @Test
  void anAcceptCarriesItsFiltersOnlyWhenGiven() {
    OfferID offer = OfferID.newBuilder().setValue("o1").build();
    Call plain = Calls.accept(FW, List.of(offer), List.of(), null);
    assertThat(plain.getType()).isEqualTo(Call.Type.ACCEPT);
    assertThat(plain.getAccept().getOfferIdsList()).containsExactly(offer);
    assertThat(plain.getAccept().hasFilters()).isFalse();
    Call filtered =
        Calls.accept(
            FW,
            List.of(offer),
            List.of(),
            org.apache.mesos.v1.Protos.Filters.newBuilder().setRefuseSeconds(7).build());
    assertThat(filtered.getAccept().getFilters().getRefuseSeconds()).isEqualTo(7);
  }

  @Test
  void everyCallNeedsAFrameworkId() {
    assertThatThrownBy(() -> Calls.teardown(FrameworkID.getDefaultInstance()))
        .hasMessageContaining("TEARDOWN needs a framework ID");
    assertThatThrownBy(() -> Calls.accept(FW, List.of(), List.of(), null))
        .hasMessageContaining("at least one offer");
  }
}
