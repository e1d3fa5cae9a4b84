package dev.telos.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyncRecordTest {
  static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

  @Test
  void aRecordWrittenBeforeAppsWereRecordedReadsWithNone() throws Exception {
    SyncRecord old =
        JSON.readValue(
            "{\"id\":3,\"startedAt\":\"2026-11-27T12:00:00Z\",\"revision\":\"abc\","
                + "\"result\":\"Synced\",\"launched\":1,\"killed\":0}",
            SyncRecord.class);
    assertThat(old.apps()).isEmpty();
    assertThat(old.appsChanged()).isZero();
    assertThat(old.rollbacks()).isEmpty();
  }

  @Test
  void keepsAtMostMaxAppsButCountsThemAll() throws Exception {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < SyncRecord.MAX_APPS + 7; i++) {
      many.add("ns/app-" + i);
    }
    SyncRecord r =
        new SyncRecord(1, null, null, "abc", null, null, 0, 0, "Progressing", null, null, null)
            .withApps(many);
    assertThat(r.apps())
        .hasSize(SyncRecord.MAX_APPS)
        .containsExactlyElementsOf(many.subList(0, 500));
    assertThat(r.appsChanged()).isEqualTo(SyncRecord.MAX_APPS + 7);
    SyncRecord back = JSON.readValue(JSON.writeValueAsString(r), SyncRecord.class);
    assertThat(back).isEqualTo(r);
    assertThat(r.withHealth("Healthy").apps()).isEqualTo(r.apps());
  }

  @Test
  void whatChangesWhileTheCommitRunsKeepsWhatTheCommitWas() {
    SyncRecord r =
        new SyncRecord(1, null, null, "abc", "Ada", "m", 2, 1, "Progressing", null, null, null)
            .withApps(List.of("ns/a", "ns/b"));
    SyncRecord counted = r.withCounts(3, 4);
    assertThat(counted.launched()).isEqualTo(5);
    assertThat(counted.killed()).isEqualTo(5);
    SyncRecord rolled = counted.withRollback("ns/a: spec 1 -> 2 after 3 failures");
    assertThat(rolled.rollbacks()).containsExactly("ns/a: spec 1 -> 2 after 3 failures");
    java.time.Instant at = java.time.Instant.parse("2026-11-28T12:00:00Z");
    SyncRecord done = rolled.finish(at, "Synced");
    assertThat(done.finishedAt()).isEqualTo(at);
    assertThat(done.result()).isEqualTo("Synced");
    for (SyncRecord each : List.of(counted, rolled, done)) {
      assertThat(each.apps()).containsExactly("ns/a", "ns/b");
      assertThat(each.appsChanged()).isEqualTo(2);
      assertThat(each.revision()).isEqualTo("abc");
    }
  }
}
