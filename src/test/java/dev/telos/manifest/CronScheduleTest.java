package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
  @Test
  void translatesStandardCronToQuartz() {
    assertThat(CronSchedule.toQuartz("*/5 * * * *")).isEqualTo("0 */5 * * * ?");
    assertThat(CronSchedule.toQuartz("30 2 * * 1-5")).isEqualTo("0 30 2 ? * 2-6");
    assertThat(CronSchedule.toQuartz("0 0 1 * *")).isEqualTo("0 0 0 1 * ?");
    assertThat(CronSchedule.toQuartz("0 0 * * 0,7")).isEqualTo("0 0 0 ? * 1,1");
    assertThat(CronSchedule.toQuartz("0 9 * * MON-FRI")).isEqualTo("0 0 9 ? * MON-FRI");
  }

  @Test
  void evaluatesInItsTimezone() {
    CronSchedule paris = new CronSchedule("30 2 * * *", ZoneId.of("Europe/Paris"));
    // 2026-07-01 is in summer time (UTC+2): 02:30 in Paris is 00:30 UTC.
    assertThat(paris.next(Instant.parse("2026-07-01T00:00:00Z")))
        .contains(Instant.parse("2026-07-01T00:30:00Z"));
    CronSchedule weekdays = new CronSchedule("0 9 * * 1-5", ZoneId.of("UTC"));
    // 2026-11-28 is a Saturday: the next weekday 09:00 is Monday the 30th.
    assertThat(weekdays.next(Instant.parse("2026-11-28T00:00:00Z")))
        .contains(Instant.parse("2026-11-30T09:00:00Z"));
  }

  @Test
  void refusesWhatItCannotHonour() {
    assertThatThrownBy(() -> new CronSchedule("0 0 1 * 1", ZoneId.of("UTC")))
        .hasMessageContaining("both day-of-month and day-of-week");
    assertThatThrownBy(() -> new CronSchedule("0 0 * * 8", ZoneId.of("UTC")))
        .hasMessageContaining("not in 0-7");
  }
}
