package dev.telos.reconcile;

import static dev.telos.reconcile.PodPlanningTest.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.manifest.App;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pods at the edges: what waits when offers run out, and a pod with nothing to launch. */
class PodEdgesTest {
  @Test
  void podsThatFindNoOfferWaitAsOneCount() {
    PodPlanningTest t = new PodPlanningTest();
    App web = pod(3, "exec ship");
    // One pod is 0.75 cpus + the default executor's 0.1: two fit in 2 cpus, the third waits.
    t.f.with(web).offer("a1", 2, 1000, 31000, 31010);
    Plan plan = t.f.plan();
    assertThat(plan.launches()).hasSize(4); // two pods of two containers
    assertThat(plan.pending())
        .filteredOn(p -> p.appKey().equals(web.key()))
        .singleElement()
        .satisfies(p -> assertThat(p.count()).isEqualTo(1));
  }

  @Test
  void aFullyRunningPodOfAnUnsubscribedRoleAddsNoPending() {
    PodPlanningTest t = new PodPlanningTest();
    App web = pod(1, "exec ship");
    t.f.with(web);
    t.f.settings = t.f.settings.withRoles(List.of("other"));
    t.group(web, "g1", true, "app", "shipper");
    assertThat(t.f.plan().pending()).isEmpty();
  }
}
