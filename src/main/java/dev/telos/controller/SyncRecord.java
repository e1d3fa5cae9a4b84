package dev.telos.controller;

import java.time.Instant;

/**
 * One commit synced (or refused): when it started and finished, what it was, what was launched and
 * killed for it, and how it ended ({@code Synced}, {@code Progressing}, {@code Superseded}, {@code
 * Invalid}), and the automatic rollbacks made while it ran ({@code upgrade.autoRollback}: {@code
 * "shop/web: spec 1a2b3c4d5e -> 0f9e8d7c6b after 3 failures"}), and which apps the commit added,
 * changed or removed ({@code apps}, at most {@link #MAX_APPS} of them; {@code appsChanged} counts
 * them all).
 */
public record SyncRecord(
    long id,
    Instant startedAt,
    Instant finishedAt,
    String revision,
    String author,
    String message,
    int launched,
    int killed,
    String result,
    String error,
    String health,
    java.util.List<ChartUse> charts,
    java.util.List<String> rollbacks,
    java.util.List<String> apps,
    int appsChanged) {
  /** The most app keys a record keeps: a first commit of 10,000 apps changes them all. */
  public static final int MAX_APPS = 500;

  /**
   * Which chart a release of the commit rendered from.
   *
   * @param release {@code namespace/name}
   * @param chart {@code NAME-VERSION}
   * @param commit the chart's resolved commit (its repository's, or the source's), or null for a
   *     chart shipped with Telos
   */
  public record ChartUse(String release, String chart, String commit) {}

  /** A record with no rollback. */
  public SyncRecord(
      long id,
      Instant startedAt,
      Instant finishedAt,
      String revision,
      String author,
      String message,
      int launched,
      int killed,
      String result,
      String error,
      String health,
      java.util.List<ChartUse> charts) {
    this(
        id,
        startedAt,
        finishedAt,
        revision,
        author,
        message,
        launched,
        killed,
        result,
        error,
        health,
        charts,
        java.util.List.of(),
        java.util.List.of(),
        0);
  }

  public SyncRecord {
    charts = charts == null ? java.util.List.of() : java.util.List.copyOf(charts);
    rollbacks = rollbacks == null ? java.util.List.of() : java.util.List.copyOf(rollbacks);
    apps = apps == null ? java.util.List.of() : java.util.List.copyOf(apps);
  }

  /** This record with the apps its commit added, changed or removed (all counted, some kept). */
  SyncRecord withApps(java.util.List<String> changed) {
    return copy(
        finishedAt,
        launched,
        killed,
        result,
        health,
        rollbacks,
        changed.size() > MAX_APPS ? changed.subList(0, MAX_APPS) : changed,
        changed.size());
  }

  SyncRecord withRollback(String rollback) {
    java.util.List<String> all = new java.util.ArrayList<>(rollbacks);
    all.add(rollback);
    return copy(finishedAt, launched, killed, result, health, all, apps, appsChanged);
  }

  SyncRecord withCounts(int moreLaunched, int moreKilled) {
    return copy(
        finishedAt,
        launched + moreLaunched,
        killed + moreKilled,
        result,
        health,
        rollbacks,
        apps,
        appsChanged);
  }

  SyncRecord finish(Instant at, String how) {
    return copy(at, launched, killed, how, health, rollbacks, apps, appsChanged);
  }

  SyncRecord withHealth(String now) {
    return copy(finishedAt, launched, killed, result, now, rollbacks, apps, appsChanged);
  }

  /** This record with what changes while its commit runs; what the commit was stays. */
  private SyncRecord copy(
      Instant finished,
      int launchedNow,
      int killedNow,
      String resultNow,
      String healthNow,
      java.util.List<String> rollbacksNow,
      java.util.List<String> appsNow,
      int appsChangedNow) {
    return new SyncRecord(
        id,
        startedAt,
        finished,
        revision,
        author,
        message,
        launchedNow,
        killedNow,
        resultNow,
        error,
        healthNow,
        charts,
        rollbacksNow,
        appsNow,
        appsChangedNow);
  }
}
