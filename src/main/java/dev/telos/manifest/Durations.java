package dev.telos.manifest;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as manifests write them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, combined
 * as {@code 1h30m}.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");

  /**
   * The longest duration a manifest may write anywhere (366 days): longer ones are typing mistakes,
   * and near {@code Long.MAX_VALUE} nanoseconds they overflow every computation that adds them to
   * an instant or converts them for Mesos.
   */
  public static final Duration MAX = Duration.ofDays(366);

  private Durations() {}

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException when the text is not a duration
   */
  public static Duration parse(String text) {
    String t = text.trim();
    if (t.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    Matcher m = PART.matcher(t);
    Duration total = Duration.ZERO;
    int at = 0;
    while (m.find()) {
      if (m.start() != at) {
        break;
      }
      try {
        long n = Long.parseLong(m.group(1));
        total =
            total.plus(
                switch (m.group(2)) {
                  case "ms" -> Duration.ofMillis(n);
                  case "s" -> Duration.ofSeconds(n);
                  case "m" -> Duration.ofMinutes(n);
                  default -> Duration.ofHours(n);
                });
      } catch (ArithmeticException | NumberFormatException tooLarge) {
        throw new IllegalArgumentException(
            "'" + text + "' is too long; the longest duration is " + format(MAX) + " (366 days)");
      }
      at = m.end();
    }
    if (at != t.length()) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a duration; write a number and a"
              + " unit: 500ms, 30s, 5m, 1h (or combined: 1h30m)");
    }
    return total;
  }

  /**
   * Parses a duration no longer than {@code max}.
   *
   * @throws IllegalArgumentException when the text is not a duration or is longer
   */
  public static Duration parse(String text, Duration max) {
    Duration d = parse(text);
    if (d.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          "'" + text + "' is too long; at most " + format(max) + " is allowed here");
    }
    return d;
  }

  /** Formats a duration the way {@link #parse} reads it, in the largest exact unit. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
