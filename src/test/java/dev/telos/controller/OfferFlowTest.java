package dev.telos.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.reconcile.Plan;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OfferFlowTest {
  static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
  final OfferFlow flow = new OfferFlow();

  static Plan waiting(String... roles) {
    List<Plan.Pending> pending = new java.util.ArrayList<>();
    for (String r : roles) {
      pending.add(new Plan.Pending("default/" + r, "h", 1, "no offers", r, true));
    }
    return new Plan(
        List.of(), pending, List.of(), List.of(), Map.of(), List.of(), null, null, List.of());
  }

  @Test
  void revivesTheWaitingRolesThenBacksOffWhileTheSameLaunchesWait() {
    assertThat(flow.after(waiting("web"), T0)).isEqualTo(new OfferFlow.Revive(Set.of("web")));
    assertThat(flow.after(waiting("web"), T0.plusSeconds(4))).isNull();
    assertThat(flow.after(waiting("web"), T0.plusSeconds(5))).isInstanceOf(OfferFlow.Revive.class);
    assertThat(flow.nextRevive()).isEqualTo(T0.plusSeconds(15));
    assertThat(flow.after(waiting("web"), T0.plusSeconds(14))).isNull();
    assertThat(flow.after(waiting("web"), T0.plusSeconds(15))).isNotNull();
    assertThat(flow.nextRevive()).isEqualTo(T0.plusSeconds(35));
    for (int i = 0; i < 10; i++) {
      flow.after(waiting("web"), flow.nextRevive());
    }
    Instant last = flow.nextRevive();
    flow.after(waiting("web"), last);
    assertThat(flow.nextRevive()).as("capped at a minute").isEqualTo(last.plusSeconds(60));
  }

  @Test
  void aChangeInWhatWaitsRevivesAtOnceAndStartsTheBackoffOver() {
    flow.after(waiting("web"), T0);
    flow.after(waiting("web"), T0.plusSeconds(5));
    assertThat(flow.after(waiting("web", "batch"), T0.plusSeconds(6)))
        .isEqualTo(new OfferFlow.Revive(Set.of("web", "batch")));
    assertThat(flow.nextRevive()).isEqualTo(T0.plusSeconds(11));
  }

  @Test
  void nothingWaitingSuppressesOnceAndUnplaceableLaunchesReviveNothing() {
    Plan unplaceable =
        new Plan(
            List.of(),
            List.of(new Plan.Pending("default/b", "h", 1, "not subscribed", "batch", false)),
            List.of(),
            List.of(),
            Map.of(),
            List.of(),
            null,
            null,
            List.of());
    assertThat(flow.after(unplaceable, T0)).isEqualTo(new OfferFlow.Suppress());
    assertThat(flow.after(unplaceable, T0.plusSeconds(60))).isNull();
    flow.subscribed();
    assertThat(flow.after(unplaceable, T0.plusSeconds(61)))
        .as("a new subscription starts unsuppressed")
        .isEqualTo(new OfferFlow.Suppress());
    assertThat(flow.after(waiting("web"), T0.plusSeconds(62)))
        .as("after a SUPPRESS, a waiting launch revives at once")
        .isEqualTo(new OfferFlow.Revive(Set.of("web")));
  }

  @Test
  void aRequestedFetchRevivesEveryRoleOnlyWhenSuppressedAndThePlanAfterSuppressesAgain() {
    Plan idle = waiting();
    assertThat(flow.speculate(T0)).as("offers flow at first: nothing to revive").isNull();
    assertThat(flow.after(idle, T0)).isInstanceOf(OfferFlow.Suppress.class);
    assertThat(flow.speculate(T0.plusSeconds(1))).isEqualTo(new OfferFlow.Revive(Set.of()));
    assertThat(flow.speculate(T0.plusSeconds(1))).as("once").isNull();
    // While the fetch runs, offers are held: a pass with nothing to launch suppresses nothing.
    assertThat(flow.holding(T0.plusMillis(1500))).isTrue();
    assertThat(flow.after(idle, T0.plusMillis(1500))).isNull();
    assertThat(flow.holdEnds()).isEqualTo(T0.plusSeconds(1).plus(OfferFlow.HOLD));
    // The fetch was read and brought nothing to launch: suppressed again.
    flow.fetchRead();
    assertThat(flow.holding(T0.plusMillis(1500))).isFalse();
    assertThat(flow.after(idle, T0.plusSeconds(2))).isInstanceOf(OfferFlow.Suppress.class);
    // A fetch that never comes back: holding ends on its own.
    flow.speculate(T0.plusSeconds(10));
    assertThat(flow.holding(T0.plusSeconds(11))).isTrue();
    assertThat(flow.holding(T0.plusSeconds(12))).isFalse();
    assertThat(flow.after(idle, T0.plusSeconds(12))).isInstanceOf(OfferFlow.Suppress.class);
    assertThat(flow.speculate(T0.plusSeconds(3))).isNotNull();
    // It brought launches: their roles are revived by name (the speculative REVIVE named none).
    assertThat(flow.after(waiting("web"), T0.plusSeconds(3)))
        .isEqualTo(new OfferFlow.Revive(Set.of("web")));
  }
}
