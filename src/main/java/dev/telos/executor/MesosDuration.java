package dev.telos.executor;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Mesos writes them in executor environment variables ({@code 15mins}, {@code 250ms},
 * {@code 1.5secs}): a decimal number and one of ns, us, ms, secs, mins, hrs, days, weeks.
 */
final class MesosDuration {
  private static final Pattern FORMAT =
      Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|ms|secs|mins|hrs|days|weeks)");

  private MesosDuration() {}

  static Duration parse(String text) {
    Matcher m = FORMAT.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a Mesos duration: '" + text + "' (expected e.g. 15mins, 250ms, 2secs)");
    }
    double value = Double.parseDouble(m.group(1));
    long nanosPerUnit =
        switch (m.group(2)) {
          case "ns" -> 1L;
          case "us" -> 1_000L;
          case "ms" -> 1_000_000L;
          case "secs" -> 1_000_000_000L;
          case "mins" -> 60_000_000_000L;
          case "hrs" -> 3_600_000_000_000L;
          case "days" -> 86_400_000_000_000L;
          default -> 604_800_000_000_000L; // weeks
        };
    double nanos = value * nanosPerUnit;
    if (nanos > Long.MAX_VALUE) {
      throw new IllegalArgumentException("Mesos duration too long: '" + text + "'");
    }
    return Duration.ofNanos(Math.round(nanos));
  }
}
