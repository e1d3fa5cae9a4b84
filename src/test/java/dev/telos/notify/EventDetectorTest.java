package dev.telos.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.controller.StatusView;
import dev.telos.controller.SyncRecord;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventDetectorTest {
  static final Instant T = Instant.parse("2026-11-27T12:00:00Z");
  static final String A = "a".repeat(40);
  static final String B = "b".repeat(40);

  static SyncRecord record(long id, String sha, String result, String error) {
    return new SyncRecord(
        id,
        T,
        null,
        sha,
        "Ada <ada@x>",
        "msg " + id,
        2,
        1,
        result,
        error,
        null,
        java.util.List.of());
  }

  static StatusView.AppView app(String name, String health) {
    return new StatusView.AppView(
        "shop",
        name,
        "Service",
        1,
        1,
        1,
        "Synced",
        "Synced",
        health,
        "why",
        A,
        "h",
        List.of(),
        List.of(),
        0,
        null,
        null,
        null,
        java.util.Map.of(),
        List.of());
  }

  static StatusView view(String held, List<StatusView.AppView> apps, SyncRecord... history) {
    return new StatusView(
        A,
        "Synced",
        null,
        "fw",
        true,
        "SUBSCRIBED",
        true,
        held,
        T,
        T,
        0,
        apps,
        List.of(history),
        "Healthy",
        StatusView.Hold.NONE,
        List.of());
  }

  static List<Event.Type> types(List<Event> events) {
    return events.stream().map(Event::type).toList();
  }

  @Test
  void theFirstViewPrimesAndLaterOnesAnnounceEachChangeOnce() {
    EventDetector d = new EventDetector();
    assertThat(d.next(view(null, List.of(app("web", "Healthy")), record(1, A, "Synced", null))))
        .as("what was there before Telos watched is not news")
        .isEmpty();
    assertThat(
            types(
                d.next(
                    view(
                        null,
                        List.of(app("web", "Healthy")),
                        record(2, B, "Progressing", null),
                        record(1, A, "Superseded", null)))))
        .containsExactly(Event.Type.SYNC_STARTED);
    List<Event> synced =
        d.next(
            view(
                null,
                List.of(app("web", "Healthy")),
                record(2, B, "Synced", null),
                record(1, A, "Superseded", null)));
    assertThat(types(synced)).containsExactly(Event.Type.SYNCED);
    assertThat(synced.get(0).revision()).isEqualTo(B);
    assertThat(synced.get(0).message()).contains("bbbbbbbbbbbb synced: 2 launched, 1 killed");
    assertThat(
            d.next(
                view(
                    null,
                    List.of(app("web", "Healthy")),
                    record(2, B, "Synced", null),
                    record(1, A, "Superseded", null))))
        .as("nothing new: nothing announced")
        .isEmpty();
  }

  @Test
  void invalidCommitsHealthTransitionsAndHeldPrunes() {
    EventDetector d = new EventDetector();
    d.next(view(null, List.of(app("web", "Healthy")), record(1, A, "Synced", null)));
    List<Event> bad =
        d.next(
            view(
                null,
                List.of(app("web", "Healthy")),
                record(2, B, "Invalid", "apps/web.yaml:3:5: bad"),
                record(1, A, "Synced", null)));
    assertThat(types(bad)).containsExactly(Event.Type.INVALID_COMMIT);
    assertThat(bad.get(0).message()).contains("rejected").contains("apps/web.yaml:3:5: bad");

    List<Event> degraded =
        d.next(view(null, List.of(app("web", "Degraded")), record(1, A, "Synced", null)));
    assertThat(types(degraded)).containsExactly(Event.Type.DEGRADED);
    assertThat(degraded.get(0).app()).isEqualTo("shop/web");
    assertThat(degraded.get(0).message()).isEqualTo("shop/web is Degraded: why");
    assertThat(d.next(view(null, List.of(app("web", "Progressing")), record(1, A, "Synced", null))))
        .as("on its way back, not yet recovered")
        .isEmpty();
    assertThat(d.next(view(null, List.of(app("web", "Healthy")), record(1, A, "Synced", null))))
        .as("only a Degraded app recovers")
        .isEmpty();
    d.next(view(null, List.of(app("web", "Degraded")), record(1, A, "Synced", null)));
    assertThat(
            types(d.next(view(null, List.of(app("web", "Healthy")), record(1, A, "Synced", null)))))
        .containsExactly(Event.Type.RECOVERED);

    assertThat(
            types(
                d.next(
                    view(
                        "too many", List.of(app("web", "Healthy")), record(1, A, "Synced", null)))))
        .containsExactly(Event.Type.PRUNE_HELD);
    assertThat(
            d.next(view("too many", List.of(app("web", "Healthy")), record(1, A, "Synced", null))))
        .isEmpty();
  }

  @Test
  void aDegradedAppSaysHowItsLastTaskEndedAndAnAppThatCameBackIsNewsAgain() {
    EventDetector d = new EventDetector();
    d.next(view(null, List.of(app("web", "Healthy")), record(1, A, "Synced", null)));
    StatusView.AppView failing =
        new StatusView.AppView(
            "shop",
            "web",
            "Service",
            1,
            0,
            0,
            "Degraded",
            "OutOfSync",
            "Degraded",
            null,
            A,
            "h",
            List.of(),
            List.of(),
            3,
            null,
            new StatusView.TaskEnd("t1", "TASK_FAILED", null, "exit 3", 3, T),
            null,
            java.util.Map.of(),
            List.of());
    List<Event> degraded = d.next(view(null, List.of(failing), record(1, A, "Synced", null)));
    assertThat(degraded.get(0).message()).isEqualTo("shop/web is Degraded (last task: exit 3)");
    assertThat(d.next(view(null, List.of(), record(1, A, "Synced", null))))
        .as("removed from git")
        .isEmpty();
    assertThat(types(d.next(view(null, List.of(failing), record(1, A, "Synced", null)))))
        .as("back, and Degraded again: news")
        .containsExactly(Event.Type.DEGRADED);
  }
}
