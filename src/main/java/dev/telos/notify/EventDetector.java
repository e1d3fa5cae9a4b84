package dev.telos.notify;

import dev.telos.controller.StatusView;
import dev.telos.controller.SyncRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The events between two successive status views: a pure function, so that what is notified is
 * decided in one testable place. Each is reported once: a record of the history by its ID and
 * result, an app by its health transitions, a held prune by its message.
 */
final class EventDetector {
  private final Map<Long, String> results = new HashMap<>();
  private final Map<String, String> health = new HashMap<>();
  private String heldPrune;
  private boolean primed;

  /** The events since the last view seen; the first view only primes (nothing is re-announced). */
  List<Event> next(StatusView v) {
    List<Event> out = new ArrayList<>();
    for (SyncRecord r : v.history()) {
      String before = results.put(r.id(), r.result());
      if (!primed || r.result().equals(before)) {
        continue;
      }
      switch (r.result()) {
        case "Progressing" ->
            out.add(
                new Event(
                    Event.Type.SYNC_STARTED,
                    r.revision(),
                    null,
                    "syncing "
                        + shortSha(r.revision())
                        + " ("
                        + r.message()
                        + ", "
                        + r.author()
                        + ")",
                    v.updatedAt()));
        case "Synced" ->
            out.add(
                new Event(
                    Event.Type.SYNCED,
                    r.revision(),
                    null,
                    shortSha(r.revision())
                        + " synced: "
                        + r.launched()
                        + " launched, "
                        + r.killed()
                        + " killed ("
                        + r.message()
                        + ")",
                    v.updatedAt()));
        case "Invalid" ->
            out.add(
                new Event(
                    Event.Type.INVALID_COMMIT,
                    r.revision(),
                    null,
                    shortSha(r.revision()) + " rejected, nothing changed: " + r.error(),
                    v.updatedAt()));
        default -> {
          // Superseded: the next commit's own events say what happened
        }
      }
    }
    if (results.size() > 2 * v.history().size() + 10) {
      results.keySet().retainAll(v.history().stream().map(SyncRecord::id).toList());
    }
    Map<String, String> now = new HashMap<>();
    for (StatusView.AppView a : v.apps()) {
      String key = a.namespace() + "/" + a.name();
      now.put(key, a.health());
      String was = health.get(key);
      if (!primed || a.health() == null || a.health().equals(was)) {
        continue;
      }
      if (a.health().equals("Degraded")) {
        out.add(
            new Event(
                Event.Type.DEGRADED,
                v.revision(),
                key,
                key
                    + " is Degraded"
                    + (a.message() == null ? "" : ": " + a.message())
                    + (a.lastFailure() == null || a.lastFailure().message() == null
                        ? ""
                        : " (last task: " + a.lastFailure().message() + ")"),
                v.updatedAt()));
      } else if ("Degraded".equals(was) && a.health().equals("Healthy")) {
        out.add(
            new Event(
                Event.Type.RECOVERED, v.revision(), key, key + " is Healthy again", v.updatedAt()));
      }
    }
    health.clear();
    health.putAll(now);
    if (primed && v.heldPrune() != null && !v.heldPrune().equals(heldPrune)) {
      out.add(
          new Event(
              Event.Type.PRUNE_HELD,
              v.revision(),
              null,
              "prune held at " + shortSha(v.revision()) + ": " + v.heldPrune(),
              v.updatedAt()));
    }
    heldPrune = v.heldPrune();
    primed = true;
    return out;
  }

  static String shortSha(String sha) {
    return sha == null ? "-" : sha.substring(0, Math.min(12, sha.length()));
  }
}
