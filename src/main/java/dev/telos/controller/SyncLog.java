package dev.telos.controller;

import dev.telos.git.CommitInfo;
import dev.telos.manifest.App;
import dev.telos.manifest.Release;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The history of syncs, newest first: one record per new valid commit (Progressing, then Synced or
 * Superseded, with what it launched and killed) and per rejected one (Invalid, with the error).
 * Keeps the last {@value #MAX} records. Owned by the loop thread; every change is handed to {@code
 * persist} as the whole list (it is small).
 */
final class SyncLog {
  static final int MAX = 200;

  private final List<SyncRecord> records = new ArrayList<>();
  private final BiConsumer<String, Object> persist;
  private final ControllerEventsSupplier events;

  /** Where sync durations go, read at each use (the sink may be set after construction). */
  @FunctionalInterface
  interface ControllerEventsSupplier {
    ControllerEvents get();
  }

  SyncLog(List<SyncRecord> saved, BiConsumer<String, Object> persist, ControllerEventsSupplier e) {
    this.records.addAll(saved);
    this.persist = persist;
    this.events = e;
  }

  int size() {
    return records.size();
  }

  List<SyncRecord> snapshot() {
    return List.copyOf(records);
  }

  /** A new valid commit starts syncing; the one before it, if still open, was superseded. */
  void started(CommitInfo commit, List<App> apps, List<String> changed, Instant now) {
    finish("Superseded", now);
    add(
        new SyncRecord(
                nextId(),
                now,
                null,
                commit.sha(),
                commit.author(),
                commit.subject(),
                0,
                0,
                "Progressing",
                null,
                null,
                charts(apps))
            .withApps(changed));
  }

  /** The chart each release of {@code apps} rendered from, by release. */
  static List<SyncRecord.ChartUse> charts(List<App> apps) {
    java.util.Map<String, SyncRecord.ChartUse> uses = new java.util.TreeMap<>();
    for (App app : apps) {
      java.util.Map<String, String> labels = app.metadata().labels();
      String release = labels.get(Release.LABEL);
      if (release != null) {
        String key = app.metadata().namespace() + "/" + release;
        uses.putIfAbsent(
            key,
            new SyncRecord.ChartUse(
                key, labels.get(Release.CHART_LABEL), labels.get(Release.CHART_COMMIT_LABEL)));
      }
    }
    return List.copyOf(uses.values());
  }

  /** A commit was rejected whole. */
  void rejected(CommitInfo commit, String error, Instant now) {
    add(
        new SyncRecord(
            nextId(),
            now,
            now,
            commit.sha(),
            commit.author(),
            commit.subject(),
            0,
            0,
            "Invalid",
            error,
            null,
            List.of()));
  }

  /** Counts launches and kills into the open sync, if any. */
  /** Notes an automatic rollback on the newest record of a valid commit (the one that runs). */
  void rolledBack(String what) {
    for (int i = 0; i < records.size(); i++) {
      if (!records.get(i).result().equals("Invalid")) {
        records.set(i, records.get(i).withRollback(what));
        write();
        return;
      }
    }
  }

  void count(int launched, int killed) {
    if ((launched > 0 || killed > 0) && open()) {
      records.set(0, records.get(0).withCounts(launched, killed));
      write();
    }
  }

  /** Ends the open sync, if any, as {@code how} (Synced or Superseded). */
  void finish(String how, Instant now) {
    if (open()) {
      events.get().syncFinished(Duration.between(records.get(0).startedAt(), now), how);
      records.set(0, records.get(0).finish(now, how));
      write();
    }
  }

  /**
   * The health of what runs now, kept on the newest record of a valid commit (the one that runs,
   * Progressing or Synced; rejected commits after it change nothing).
   */
  void health(String health) {
    for (int i = 0; i < records.size(); i++) {
      SyncRecord r = records.get(i);
      if (r.result().equals("Invalid")) {
        continue;
      }
      if ((r.result().equals("Progressing") || r.result().equals("Synced"))
          && !health.equals(r.health())) {
        records.set(i, r.withHealth(health));
        write();
      }
      return;
    }
  }

  private boolean open() {
    return !records.isEmpty() && records.get(0).finishedAt() == null;
  }

  private void add(SyncRecord r) {
    records.add(0, r);
    while (records.size() > MAX) {
      records.remove(records.size() - 1);
    }
    write();
  }

  /** While held, changes are kept in memory only, and written once at {@link #flush}. */
  private boolean holding;

  private boolean unwritten;

  /** Keeps the next changes in memory until {@link #flush}. */
  void hold() {
    holding = true;
  }

  /** Writes what changed while held, if anything, and stops holding. */
  void flush() {
    holding = false;
    if (unwritten) {
      unwritten = false;
      persist.accept("history", records);
    }
  }

  private void write() {
    if (holding) {
      unwritten = true;
    } else {
      persist.accept("history", records);
    }
  }

  private long nextId() {
    return records.isEmpty() ? 1 : records.get(0).id() + 1;
  }
}
