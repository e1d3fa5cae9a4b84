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
  void outOfRangeValuesAreNamedByTheirField() {
    for (String[] c :
        new String[][] {
          {"61 * * * *", "cron: minute 61 is not in 0-59"},
          {"0 24 * * *", "cron: hour 24 is not in 0-23"},
          {"0 0 0 * *", "cron: day-of-month 0 is not in 1-31"},
          {"0 0 32 * *", "cron: day-of-month 32 is not in 1-31"},
          {"0 0 * 13 *", "cron: month 13 is not in 1-12"},
          {"0 0 * 0 *", "cron: month 0 is not in 1-12"},
          {"*/0 * * * *", "cron: a step of 0 in the minute field"},
          {"0-60/5 * * * *", "cron: minute 60 is not in 0-59"}
        }) {
      assertThatThrownBy(() -> new CronSchedule(c[0], ZoneId.of("UTC"))).as(c[0]).hasMessage(c[1]);
    }
    new CronSchedule("*/59 0-23/2 1-31 1-12 *", ZoneId.of("UTC"));
    new CronSchedule("0 0 * * 0-7", ZoneId.of("UTC"));
    new CronSchedule("0 0 * JAN-MAR MON-FRI", ZoneId.of("UTC"));
  }

  @Test
  void refusesWhatItCannotHonour() {
    assertThatThrownBy(() -> new CronSchedule("0 0 1 * 1", ZoneId.of("UTC")))
        .hasMessageContaining("both day-of-month and day-of-week");
    assertThatThrownBy(() -> new CronSchedule("0 0 * * 8", ZoneId.of("UTC")))
        .hasMessageContaining("not in 0-7");
  }
}
