package dev.telos.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.mesos.v1.Protos.Resource;
import org.junit.jupiter.api.Test;

/** The planner's knobs are checked where they are made, and carried by their withers. */
class PlannerSettingsTest {
  static PlannerSettings prune(double maxPrune) {
    return new PlannerSettings(
        maxPrune,
        false,
        Duration.ofMinutes(5),
        PlannerSettings.DEFAULT.restart(),
        Duration.ofSeconds(60),
        Duration.ofMinutes(5),
        Set.of());
  }

  @Test
  void maxPruneIsAFractionAndTheLaunchTimeoutPositive() {
    assertThat(prune(0).maxPrune()).isZero();
    assertThat(prune(1).maxPrune()).isEqualTo(1);
    assertThatThrownBy(() -> prune(1.01)).hasMessageContaining("between 0 and 1");
    assertThatThrownBy(() -> prune(-0.01)).hasMessageContaining("between 0 and 1");
    assertThatThrownBy(() -> prune(Double.NaN)).hasMessageContaining("between 0 and 1");
    assertThatThrownBy(() -> PlannerSettings.DEFAULT.withLaunchTimeout(Duration.ZERO))
        .hasMessageContaining("launchTimeout must be > 0");
    assertThatThrownBy(() -> PlannerSettings.DEFAULT.withLaunchTimeout(Duration.ofSeconds(-1)))
        .hasMessageContaining("launchTimeout must be > 0");
  }

  @Test
  void withersChangeOneThingAndKeepTheRest() {
    ExecutorLaunch launch = new ExecutorLaunch("http://t/telos.jar", "java", 0.05, 64);
    PlannerSettings s =
        PlannerSettings.DEFAULT
            .withExecutor(launch)
            .withLaunchTimeout(Duration.ofSeconds(7))
            .withRoles(List.of("web", "batch"));
    assertThat(s.launchTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(s.roles()).containsExactlyInAnyOrder("web", "batch");
    assertThat(s.executor()).isEqualTo(launch);
    assertThat(s.maxPrune()).isEqualTo(PlannerSettings.DEFAULT.maxPrune());
  }

  @Test
  void anExecutorLaunchNeedsAUriAJavaAndPositiveResources() {
    assertThat(new ExecutorLaunch("u", "j", 0.001, 0.001).jvmFlags())
        .isEqualTo(ExecutorLaunch.JVM_FLAGS);
    assertThat(new ExecutorLaunch("u", "j", 1, 1, "-Xmx8m").command())
        .isEqualTo("j -Xmx8m -cp telos.jar dev.telos.executor.TelosExecutor");
    assertThatThrownBy(() -> new ExecutorLaunch(null, "j", 1, 1))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new ExecutorLaunch("u", null, 1, 1))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new ExecutorLaunch("u", "j", 0, 1)).hasMessageContaining("> 0");
    assertThatThrownBy(() -> new ExecutorLaunch("u", "j", 1, 0)).hasMessageContaining("> 0");
  }

  @Test
  void withoutASnapshotEveryOfferIsDeclinedAndAgentFieldsNameTheHost() {
    PlannerFixture f = new PlannerFixture().offer("a1", 1, 100, 1, 0).offer("a2", 1, 100, 1, 0);
    f.noSnapshot = true;
    assertThat(f.plan().declines()).containsExactly("offer-a1-0", "offer-a2-1");
    assertThat(Planner.agentFields(f.offers.get(0))).containsEntry("hostname", "host-a1");
  }

  @Test
  void aScalarSplitOverSeveralEntriesIsTakenAcrossThem() {
    PlannerFixture f = new PlannerFixture().offer("a1", 0.3, 100, 1, 0);
    var offer =
        f.offers.get(0).toBuilder().addResources(PlannerFixture.scalar("cpus", 0.5)).build();
    OfferSlot slot = new OfferSlot(offer);
    List<Resource> taken = slot.takeScalar("cpus", 0.5);
    assertThat(taken).extracting(r -> r.getScalar().getValue()).containsExactly(0.3, 0.2);
    assertThat(slot.scalar("cpus")).isEqualTo(0.3);
  }

  @Test
  void massPruneIsAllowedOnlyWhenSaidAndTheRestIsKept() {
    PlannerSettings s = PlannerSettings.DEFAULT.withRoles(List.of("web"));
    assertThat(s.allowMassPrune()).isFalse();
    PlannerSettings allowed = s.withAllowMassPrune(true);
    assertThat(allowed.allowMassPrune()).isTrue();
    assertThat(allowed.roles()).containsExactly("web");
    assertThat(allowed.maxPrune()).isEqualTo(s.maxPrune());
    assertThat(allowed.withAllowMassPrune(false).allowMassPrune()).isFalse();
  }
}
