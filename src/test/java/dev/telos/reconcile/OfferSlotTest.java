package dev.telos.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.mesos.v1.Protos.Resource;
import org.junit.jupiter.api.Test;

/** Cutting an offer's resources into tasks, down to the last cpu, MiB and port. */
class OfferSlotTest {
  static OfferSlot slot(double cpus, double mem, double disk, long portBegin, long portEnd) {
    PlannerFixture f = new PlannerFixture().offer("a1", cpus, mem, portBegin, portEnd);
    var o = f.offers.get(0).toBuilder();
    if (disk > 0) {
      o.addResources(PlannerFixture.scalar("disk", disk));
    }
    return new OfferSlot(o.build());
  }

  @Test
  void aTaskThatNeedsExactlyWhatIsLeftFits() {
    OfferSlot s = slot(1.0, 128, 64, 31000, 31001);
    assertThat(s.freePorts()).isEqualTo(2);
    assertThat(s.fits(1.0, 128, 64, 2)).isTrue();
    assertThat(s.fits(1.1, 128, 64, 2)).isFalse();
    assertThat(s.fits(1.0, 129, 64, 2)).isFalse();
    assertThat(s.fits(1.0, 128, 65, 2)).isFalse();
    assertThat(s.fits(1.0, 128, 64, 3)).isFalse();
  }

  @Test
  void takingCutsTheEntriesAndLeavesTheRest() {
    OfferSlot s = slot(1.0, 128, 0, 31000, 31009);
    List<Resource> cpus = s.takeScalar("cpus", 0.25);
    assertThat(cpus)
        .singleElement()
        .satisfies(r -> assertThat(r.getScalar().getValue()).isEqualTo(0.25));
    assertThat(s.scalar("cpus")).isEqualTo(0.75);
    assertThat(s.takeScalar("cpus", 0.75))
        .singleElement()
        .satisfies(r -> assertThat(r.getScalar().getValue()).isEqualTo(0.75));
    assertThat(s.scalar("cpus")).isZero();
    assertThat(s.takeScalar("cpus", 0.1)).as("nothing left to take").isEmpty();

    List<Resource> into = new ArrayList<>();
    assertThat(s.takePorts(9, into))
        .containsExactly(31000L, 31001L, 31002L, 31003L, 31004L, 31005L, 31006L, 31007L, 31008L);
    assertThat(s.freePorts()).isEqualTo(1);
    assertThat(s.takePorts(1, into)).as("the last port of the range").containsExactly(31009L);
    assertThat(s.freePorts()).isZero();
    assertThat(s.takePorts(1, into)).isEmpty();
  }
}
