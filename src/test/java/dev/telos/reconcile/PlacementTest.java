package dev.telos.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.manifest.App;
import java.util.List;
import java.util.Map;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;
import org.junit.jupiter.api.Test;

/** One task at a time onto the offers of a pass: fit, role, spread, executor on top. */
class PlacementTest {
  static final App WEB = PlannerFixture.service("web", 3, ""); // cpus 0.5, mem 100

  static Placement placement(List<Offer> offers) {
    return new Placement(offers, Map.of());
  }

  static double sum(List<Resource> resources, String name) {
    return resources.stream()
        .filter(r -> r.getName().equals(name))
        .mapToDouble(r -> r.getScalar().getValue())
        .sum();
  }

  @Test
  void theAgentWithFewestTasksOfTheAppWinsAndTiesGoToTheFirstOffer() {
    List<Offer> offers =
        new PlannerFixture().offer("a1", 4, 4096, 1, 0).offer("a2", 4, 4096, 1, 0).offers;
    assertThat(placement(offers).place(WEB, List.of()).placed().slot().agentId())
        .as("a tie: the first offer")
        .isEqualTo("a1");
    assertThat(placement(offers).place(WEB, List.of("a1")).placed().slot().agentId())
        .isEqualTo("a2");
    assertThat(placement(offers).place(WEB, List.of("a2", "a2", "a1")).placed().slot().agentId())
        .isEqualTo("a1");
  }

  @Test
  void anExecutorsResourcesAreCutFromTheSameOfferOnTopOfTheTasks() {
    List<Offer> offers = new PlannerFixture().offer("a1", 1.0, 200, 1, 0).offers;
    Placement.Result tooBig = placement(offers).place(WEB, List.of(), 0.6, 32);
    assertThat(tooBig.placed()).isNull();
    assertThat(tooBig.reason()).isEqualTo("no offer has enough resources");
    assertThat(placement(offers).place(WEB, List.of(), 0.1, 101).placed())
        .as("100 MiB for the task and 101 for its executor on a 200 MiB offer")
        .isNull();

    Placement p = placement(offers);
    Placement.Placed placed = p.place(WEB, List.of(), 0.1, 32).placed();
    assertThat(sum(placed.resources(), "cpus")).isEqualTo(0.5);
    assertThat(sum(placed.resources(), "mem")).isEqualTo(100);
    assertThat(sum(placed.executorResources(), "cpus")).isEqualTo(0.1);
    assertThat(sum(placed.executorResources(), "mem")).isEqualTo(32);
    assertThat(placed.slot().scalar("cpus"))
        .isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(placed.slot().scalar("mem")).isEqualTo(68);
    assertThat(p.place(WEB, List.of("a1"), 0.1, 32).placed())
        .as("what is left no longer fits task and executor")
        .isNull();
  }

  @Test
  void aTaskUnderTheCommandExecutorTakesNoExecutorResourcesAndNoDiskItDidNotAskFor() {
    var o = new PlannerFixture().offer("a1", 1.0, 200, 1, 0).offers.get(0).toBuilder();
    o.addResources(PlannerFixture.scalar("disk", 500));
    Placement.Placed placed = placement(List.of(o.build())).place(WEB, List.of()).placed();
    assertThat(placed.executorResources()).isEmpty();
    assertThat(placed.resources()).extracting(Resource::getName).containsExactly("cpus", "mem");
  }

  @Test
  void diskIsCutFromTheOfferOnlyWhenTheTaskAsksForIt() {
    var o = new PlannerFixture().offer("a1", 1.0, 200, 1, 0).offers.get(0).toBuilder();
    o.addResources(PlannerFixture.scalar("disk", 500));
    App withDisk =
        PlannerFixture.app(
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: db}\nspec:\n"
                + "  command: run db\n  resources: {cpus: 0.5, mem: 100, disk: 64}\n");
    Placement.Placed placed = placement(List.of(o.build())).place(withDisk, List.of()).placed();
    assertThat(sum(placed.resources(), "disk")).isEqualTo(64);
    assertThat(placed.slot().scalar("disk")).isEqualTo(436);
  }

  @Test
  void offersAreMatchedByRoleAndAnOfferWithoutAllocationInfoServesTheDefaultRole() {
    Offer reserved =
        new PlannerFixture()
            .offer("a1", 4, 4096, 1, 0).offers.get(0).toBuilder()
                .setAllocationInfo(Resource.AllocationInfo.newBuilder().setRole("batch"))
                .build();
    Placement.Result r = placement(List.of(reserved)).place(WEB, List.of());
    assertThat(r.placed()).isNull();
    assertThat(r.reason()).isEqualTo("no offer for role '*'");

    Offer bare = reserved.toBuilder().clearAllocationInfo().build();
    assertThat(placement(List.of(bare)).place(WEB, List.of()).placed()).isNotNull();

    App batch = PlannerFixture.service("etl", 1, "  role: batch\n");
    assertThat(placement(List.of(reserved)).place(batch, List.of()).placed()).isNotNull();
    assertThat(placement(List.of(bare)).place(batch, List.of()).reason())
        .isEqualTo("no offer for role 'batch'");
  }

  @Test
  void aGroupByThatWouldTipTheBalanceRulesTheOfferOutAndSaysWhich() {
    List<Offer> offers =
        new PlannerFixture()
            .offer("a1", 4, 4096, 1, 0, "rack", "r1")
            .offer("a2", 4, 4096, 1, 0, "rack", "r2")
            .offers;
    App spread =
        PlannerFixture.service("s", 4, "  constraints: [{field: rack, operator: GROUP_BY}]\n");
    // r1 runs two, r2 one: only r2 may take the next task.
    assertThat(placement(offers).place(spread, List.of("a1", "a1", "a2")).placed().slot().agentId())
        .isEqualTo("a2");
    Map<String, Map<String, String>> known =
        Map.of("a2", Map.of("hostname", "host-a2", "rack", "r2"));
    Placement onlyR1 = new Placement(List.of(offers.get(0)), known);
    Placement.Result r = onlyR1.place(spread, List.of("a1", "a1", "a2"));
    assertThat(r.placed()).isNull();
    assertThat(r.reason()).isEqualTo("constraint rack GROUP_BY rules out every offer");
    App unique =
        PlannerFixture.service("u", 2, "  constraints: [{field: hostname, operator: UNIQUE}]\n");
    assertThat(placement(List.of(offers.get(0))).place(unique, List.of("a1")).reason())
        .isEqualTo("constraint hostname UNIQUE rules out every offer");
    App cluster =
        PlannerFixture.service(
            "c", 1, "  constraints: [{field: rack, operator: CLUSTER, value: r2}]\n");
    assertThat(placement(List.of(offers.get(0))).place(cluster, List.of()).reason())
        .isEqualTo("constraint rack CLUSTER r2 rules out every offer");
  }

  @Test
  void noOffersSaysSo() {
    assertThat(placement(List.of()).place(WEB, List.of()).reason()).isEqualTo("no offers");
  }
}
