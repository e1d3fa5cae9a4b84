package dev.telos.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyncWindowTest {
  static final ZoneId UTC = ZoneId.of("UTC");

  static Instant at(String t) {
    return Instant.parse("2026-11-27T" + t + "Z"); // a Friday
  }

  @Test
  void aWindowIsOpenFromEachFireTimeForItsDuration() {
    SyncWindow night = SyncWindow.parse("deny 0 22 * * * 10h", UTC);
    assertThat(night.kind()).isEqualTo(SyncWindow.Kind.DENY);
    assertThat(night.openAt(at("21:59:59"))).isFalse();
    assertThat(night.openAt(at("22:00:00"))).isTrue();
    assertThat(night.openAt(at("23:30:00"))).isTrue();
    assertThat(night.openAt(Instant.parse("2026-11-28T07:59:59Z"))).isTrue();
    assertThat(night.openAt(Instant.parse("2026-11-28T08:00:00Z"))).isFalse();
    assertThat(night.openAt(at("12:00:00"))).isFalse();
  }

  @Test
  void denyHoldsWhileOpenAndAllowHoldsWhileNoneIsOpen() {
    SyncWindow deny = SyncWindow.parse("deny 0 12 * * * 1h", UTC);
    SyncWindow office = SyncWindow.parse("allow 0 9 * * 1-5 8h", UTC);
    assertThat(SyncWindow.blocked(List.of(), at("12:30:00"))).isNull();
    assertThat(SyncWindow.blocked(List.of(deny), at("12:30:00")))
        .isEqualTo("in the deny window 'deny 0 12 * * * 1h'");
    assertThat(SyncWindow.blocked(List.of(deny), at("13:00:00"))).isNull();
    assertThat(SyncWindow.blocked(List.of(office), at("10:00:00"))).isNull();
    assertThat(SyncWindow.blocked(List.of(office), at("18:00:00")))
        .isEqualTo("outside every allow window");
    assertThat(SyncWindow.blocked(List.of(office), Instant.parse("2026-11-28T10:00:00Z")))
        .as("Saturday")
        .isEqualTo("outside every allow window");
    assertThat(SyncWindow.blocked(List.of(office, deny), at("12:30:00")))
        .as("a deny window wins over an allow window")
        .startsWith("in the deny window");
    assertThat(
            SyncWindow.parse("allow 0 9 * * 1-5 8h", ZoneId.of("Europe/Berlin"))
                .openAt(at("08:30:00")))
        .as("09:30 in Berlin")
        .isTrue();
  }

  @Test
  void badWindowsSayWhatIsWrong() {
    assertThatThrownBy(() -> SyncWindow.parse("deny 0 22 * * *", UTC))
        .hasMessageContaining("'allow|deny MIN HOUR DAY-OF-MONTH MONTH DAY-OF-WEEK DURATION'");
    assertThatThrownBy(() -> SyncWindow.parse("block 0 22 * * * 1h", UTC))
        .hasMessageContaining("allow or deny, got 'block'");
    assertThatThrownBy(() -> SyncWindow.parse("deny 61 22 * * * 1h", UTC))
        .hasMessageContaining("minute 61");
    assertThatThrownBy(() -> SyncWindow.parse("deny 0 22 * * * 0s", UTC))
        .hasMessageContaining("more than 0");
  }
}
