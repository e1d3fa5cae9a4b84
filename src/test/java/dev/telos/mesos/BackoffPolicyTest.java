package dev.telos.mesos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class BackoffPolicyTest {
  final BackoffPolicy policy = new BackoffPolicy(Duration.ofMillis(500), Duration.ofSeconds(15));

  @Test
  void theBoundDoublesUpToTheCap() {
    assertThat(policy.delay(0, () -> 0.999999))
        .isBetween(Duration.ofMillis(499), Duration.ofMillis(500));
    assertThat(policy.delay(1, () -> 0.999999))
        .isBetween(Duration.ofMillis(999), Duration.ofSeconds(1));
    assertThat(policy.delay(30, () -> 0.999999))
        .isBetween(Duration.ofMillis(14999), Duration.ofSeconds(15));
  }

  @Property
  void aDelayIsNeverAboveTheCapNorBelowATenthOfTheBound(
      @ForAll @IntRange(min = 0, max = 1000) int attempt,
      @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double random) {
    Duration d = policy.delay(attempt, () -> random);
    assertThat(d)
        .isLessThanOrEqualTo(Duration.ofSeconds(15))
        .isGreaterThanOrEqualTo(Duration.ofMillis(50));
  }

  @Test
  void settingsAreCheckedAtOnce() {
    assertThatThrownBy(() -> new BackoffPolicy(Duration.ZERO, Duration.ofSeconds(1)))
        .hasMessageContaining("initial must be > 0");
    assertThatThrownBy(() -> new BackoffPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("must be >= initial");
  }
}
