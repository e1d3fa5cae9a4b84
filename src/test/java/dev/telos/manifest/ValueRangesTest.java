package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The edges of the manifest's value types, each on both sides. */
class ValueRangesTest {
  static final Duration S = Duration.ofSeconds(1);

  @Test
  void aRestartPolicyMayBeFlatInstantAndFactorOneToAHundred() {
    assertThat(new RestartPolicy(Duration.ZERO, 1, Duration.ZERO, Duration.ZERO).delay(3)).isZero();
    assertThat(new RestartPolicy(S, 1, S, S).delay(5)).isEqualTo(S);
    assertThat(new RestartPolicy(S, 100, Duration.ofDays(1), S).delay(2))
        .isEqualTo(Duration.ofSeconds(100));
    assertThatThrownBy(() -> new RestartPolicy(S, 0.999, S, S))
        .hasMessageContaining("factor must be between 1 and 100");
    assertThatThrownBy(() -> new RestartPolicy(S, 100.001, Duration.ofDays(1), S))
        .hasMessageContaining("factor");
    assertThatThrownBy(() -> new RestartPolicy(S.negated(), 2, S, S)).hasMessageContaining(">= 0");
    assertThatThrownBy(() -> new RestartPolicy(S, 2, Duration.ofMillis(999), S))
        .hasMessageContaining("<= maxDelay");
    assertThatThrownBy(() -> new RestartPolicy(S, 2, S, S.negated()))
        .hasMessageContaining("resetAfter");
  }

  @Test
  void aRestartDelayIsZeroWithoutFailuresThenGrowsPerFailureUpToTheCap() {
    RestartPolicy p = new RestartPolicy(S, 2, Duration.ofSeconds(5), S);
    assertThat(p.delay(0)).isZero();
    assertThat(p.delay(-1)).isZero();
    assertThat(p.delay(1)).isEqualTo(S);
    assertThat(p.delay(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.delay(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(p.delay(4)).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void yamlLimitsAreEachAtLeastOne() {
    assertThat(new YamlLimits(1, 1, 1, 1)).isNotNull();
    assertThatThrownBy(() -> new YamlLimits(0, 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new YamlLimits(1, 0, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new YamlLimits(1, 1, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new YamlLimits(1, 1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void resourcesNeedSomeCpuAndMemoryAndMayHaveNoDisk() {
    assertThat(new TaskResources(0.001, 0.001, 0).disk()).isZero();
    assertThatThrownBy(() -> new TaskResources(0, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TaskResources(1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TaskResources(1, 1, -0.001))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void errorsSortByFileLineColumnThenMessage() {
    List<ManifestError> errors =
        new ArrayList<>(
            List.of(
                new ManifestError(new Location("b.yaml", 1, 1), "z"),
                new ManifestError(new Location("a.yaml", 2, 1), "z"),
                new ManifestError(new Location("a.yaml", 1, 9), "z"),
                new ManifestError(new Location("a.yaml", 1, 2), "y"),
                new ManifestError(new Location("a.yaml", 1, 2), "x")));
    java.util.Collections.sort(errors);
    assertThat(errors)
        .extracting(ManifestError::toString)
        .containsExactly(
            "a.yaml:1:2: x", "a.yaml:1:2: y", "a.yaml:1:9: z", "a.yaml:2:1: z", "b.yaml:1:1: z");
    ManifestError e = errors.get(2);
    assertThat(e.file()).isEqualTo("a.yaml");
    assertThat(e.line()).isEqualTo(1);
    assertThat(e.column()).isEqualTo(9);
    assertThat(e.compareTo(e)).isZero();
    assertThat(errors.get(4).compareTo(errors.get(0))).isPositive();
  }

  @Test
  void suggestionsAreTheClosestWordWithinAThirdOfItsLength() {
    List<String> known = List.of("instances", "command", "env", "ports");
    assertThat(Suggest.closest("instnaces", known)).contains("instances"); // a transposition
    assertThat(Suggest.closest("comand", known)).contains("command");
    assertThat(Suggest.closest("INSTANCES", known)).contains("instances");
    assertThat(Suggest.closest("xyz", known)).isEmpty();
    assertThat(Suggest.closest("en", known)).contains("env"); // one edit always allowed
    assertThat(Suggest.closest("instanc", known)).contains("instances"); // 2 <= 7/3
    assertThat(Suggest.closest("inst", known)).isEmpty(); // 5 > 1
    assertThat(Suggest.closest("a", List.of())).isEmpty();
    assertThat(Suggest.distance("", "abc")).isEqualTo(3);
    assertThat(Suggest.distance("abc", "")).isEqualTo(3);
    assertThat(Suggest.distance("ab", "ba")).isEqualTo(1);
    assertThat(Suggest.distance("abcd", "acbd")).isEqualTo(1);
    assertThat(Suggest.distance("abc", "abd")).isEqualTo(1);
    assertThat(Suggest.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(Suggest.distance("ca", "abc")).isEqualTo(3);
    // the nearest of several, the first of equals
    assertThat(Suggest.closest("cpu", List.of("cpus", "cpux1"))).contains("cpus");
    assertThat(Suggest.closest("abcdef", List.of("abcdeg", "abcdeh"))).contains("abcdeg");
  }
}
