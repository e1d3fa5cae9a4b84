package dev.telos.controller;

import java.time.Instant;

/**
 * One commit synced (or refused): when it started and finished, what it was, what was launched and
 * killed for it, and how it ended ({@code Synced}, {@code Progressing}, {@code Superseded}, {@code
 * Invalid}).
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
    java.util.List<ChartUse> charts) {
  /**
   * Which chart a release of the commit rendered from.
   *
   * @param release {@code namespace/name}
   * @param chart {@code NAME-VERSION}
   * @param commit the chart's resolved commit (its repository's, or the source's), or null for a
   *     chart shipped with Telos
   */
  public record ChartUse(String release, String chart, String commit) {}

  public SyncRecord {
    charts = charts == null ? java.util.List.of() : java.util.List.copyOf(charts);
  }

  SyncRecord withCounts(int moreLaunched, int moreKilled) {
    return new SyncRecord(
        id,
        startedAt,
        finishedAt,
        revision,
        author,
        message,
        launched + moreLaunched,
        killed + moreKilled,
        result,
        error,
        health,
        charts);
  }

  SyncRecord finish(Instant at, String how) {
    return new SyncRecord(
        id, startedAt, at, revision, author, message, launched, killed, how, error, health, charts);
  }

  SyncRecord withHealth(String now) {
    return new SyncRecord(
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
        now,
        charts);
  }
}
