package dev.telos.controller;

import dev.telos.cluster.LiveTask;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The runs of each Job and CronJob, newest first, the last {@value #MAX} per app: when each
 * started, why, and how it ended. Owned by the loop thread; each change is handed to {@code
 * persist} as the one app's list (a journal line), not the whole map.
 */
final class RunLog {
  static final int MAX = 20;

  /** Writes the change of a map document: {@code puts}, {@code removes}, and the whole after. */
  @FunctionalInterface
  interface Persist {
    void changes(
        String name, Map<String, ?> puts, Collection<String> removes, Map<String, ?> whole);
  }

  static final String NAME = "runs";

  private final Map<String, List<RunRecord>> runs = new HashMap<>();
  private final Persist persist;

  RunLog(Map<String, List<RunRecord>> saved, Persist persist) {
    saved.forEach((k, v) -> runs.put(k, new ArrayList<>(v)));
    this.persist = persist;
  }

  /** One app's runs, newest first. */
  List<RunRecord> of(String appKey) {
    List<RunRecord> list = runs.get(appKey);
    return list == null ? List.of() : List.copyOf(list);
  }

  void add(String appKey, RunRecord run) {
    List<RunRecord> list = runs.computeIfAbsent(appKey, k -> new ArrayList<>());
    list.add(0, run);
    while (list.size() > MAX) {
      list.remove(list.size() - 1);
    }
    persist.changes(NAME, Map.of(appKey, List.copyOf(list)), List.of(), runs);
  }

  /** Records how the run of {@code task} ended, if it is one of the app's open runs. */
  void end(String appKey, LiveTask task, Instant now) {
    List<RunRecord> list = runs.get(appKey);
    if (list == null) {
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      RunRecord r = list.get(i);
      if (task.id().equals(r.taskId()) && r.finishedAt() == null) {
        String how =
            switch (task.state()) {
              case TASK_FINISHED -> "Succeeded";
              case TASK_KILLED -> "Killed";
              default -> "Failed";
            };
        list.set(
            i,
            r.end(now, how, task.state() + (task.message() == null ? "" : ": " + task.message())));
        persist.changes(NAME, Map.of(appKey, List.copyOf(list)), List.of(), runs);
        return;
      }
    }
  }

  /** Drops the runs of every app not in {@code keep}; returns how many apps' runs went. */
  int retain(Set<String> keep) {
    List<String> gone = new ArrayList<>(runs.keySet());
    gone.removeAll(keep);
    gone.forEach(runs::remove);
    if (!gone.isEmpty()) {
      persist.changes(NAME, Map.of(), gone, runs);
    }
    return gone.size();
  }
}
