package dev.telos.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Task IDs of resident tasks ({@code .iN}) and of pods' containers ({@code .cNAME}). */
class TaskIdsTest {
  static final Instant AT = Instant.parse("2026-06-01T12:00:00Z");

  @Test
  void aPodMembersIdNamesItsGroupAndContainer() {
    String group = TaskIds.of("shop", "web", "c0ffee1234", AT, "x1");
    String member = TaskIds.member(group, "side-car");
    assertThat(TaskIds.groupOf(member)).isEqualTo(group);
    assertThat(TaskIds.containerOf(member)).isEqualTo("side-car");
    assertThat(TaskIds.parse(member).orElseThrow().appKey()).isEqualTo("shop/web");
    // A spec hash that starts with 'c' is no container part.
    assertThat(TaskIds.groupOf(group)).isEqualTo(group);
    assertThat(TaskIds.containerOf(group)).isNull();
    assertThat(TaskIds.groupOf("not-telos")).isEqualTo("not-telos");
    assertThat(TaskIds.containerOf("not-telos")).isNull();
  }

  @Test
  void aResidentTasksIdNamesItsInstance() {
    String id = TaskIds.resident(TaskIds.of("shop", "db", "abc", AT, "x1"), 3);
    assertThat(id).endsWith(".i3");
    assertThat(TaskIds.instanceOf(id)).isEqualTo(3);
    assertThat(TaskIds.parse(id).orElseThrow().instance()).isEqualTo(3);
    assertThat(TaskIds.instanceOf(TaskIds.of("shop", "db", "abc", AT, "x1"))).isEqualTo(-1);
    assertThat(TaskIds.instanceOf("plain")).isEqualTo(-1);
    assertThat(TaskIds.instanceOf("shop.db.abc.i9")).as("not a Telos ID").isEqualTo(-1);
  }
}
