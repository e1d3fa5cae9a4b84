package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesUnitsAndCombinations() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
  }

  @Test
  void refusesAnythingElse() {
    for (String bad : new String[] {"", "30", "s", "1 h", "1d", "-5s", "5s extra"}) {
      assertThatThrownBy(() -> Durations.parse(bad)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void tooLongDurationsAreRefusedNotOverflowed() {
    assertThatThrownBy(() -> Durations.parse("99999999999999999999h"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too long");
    assertThatThrownBy(() -> Durations.parse("9223372036854775807h"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too long");
    assertThat(Durations.parse("24h", Duration.ofDays(1))).isEqualTo(Duration.ofHours(24));
    assertThatThrownBy(() -> Durations.parse("24h1ms", Duration.ofDays(1)))
        .hasMessage("'24h1ms' is too long; at most 24h is allowed here");
  }
}
