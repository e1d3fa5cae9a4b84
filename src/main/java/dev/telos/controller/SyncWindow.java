package dev.telos.controller;

import dev.telos.manifest.CronSchedule;
import dev.telos.manifest.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * A time when new commits may ({@code allow}) or may not ({@code deny}) be synced, as Argo CD's
 * sync windows: a window opens at each fire time of a standard cron expression and lasts {@code
 * duration}. A commit waits while a deny window is open, or while allow windows exist and none is
 * open; what runs meanwhile is still kept running (crashed tasks are replaced).
 *
 * @param text the window as it was given, for status messages
 */
public record SyncWindow(Kind kind, CronSchedule schedule, Duration duration, String text) {
  /** Whether the window lets syncs through or holds them. */
  public enum Kind {
    ALLOW,
    DENY
  }

  /**
   * Reads {@code allow|deny MIN HOUR DOM MON DOW DURATION}, e.g. {@code deny 0 22 * * 1-5 10h}.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static SyncWindow parse(String text, ZoneId zone) {
    String[] f = text.trim().split("\\s+");
    if (f.length != 7) {
      throw new IllegalArgumentException(
          "a sync window is 'allow|deny MIN HOUR DAY-OF-MONTH MONTH DAY-OF-WEEK DURATION', got '"
              + text
              + "'");
    }
    Kind kind;
    try {
      kind = Kind.valueOf(f[0].toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "a sync window starts with allow or deny, got '" + f[0] + "'");
    }
    Duration duration = Durations.parse(f[6]);
    if (duration.isZero() || duration.isNegative()) {
      throw new IllegalArgumentException("a sync window lasts more than 0, got " + f[6]);
    }
    String cron = String.join(" ", f[1], f[2], f[3], f[4], f[5]);
    return new SyncWindow(kind, new CronSchedule(cron, zone), duration, text.trim());
  }

  /** Whether the window is open at {@code t}: it opened at most {@code duration} before. */
  public boolean openAt(Instant t) {
    return schedule.next(t.minus(duration)).map(fire -> !fire.isAfter(t)).orElse(false);
  }

  /** Why syncing waits at {@code t}, or null when new commits may be synced. */
  public static String blocked(List<SyncWindow> windows, Instant t) {
    boolean anyAllow = false;
    boolean allowed = false;
    for (SyncWindow w : windows) {
      if (w.kind() == Kind.DENY && w.openAt(t)) {
        return "in the deny window '" + w.text() + "'";
      }
      if (w.kind() == Kind.ALLOW) {
        anyAllow = true;
        allowed |= w.openAt(t);
      }
    }
    return anyAllow && !allowed ? "outside every allow window" : null;
  }
}
