package dev.telos.manifest;

import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.Objects;
import java.util.Optional;
import java.util.TimeZone;
import org.quartz.CronExpression;

/**
 * A standard 5-field cron expression ({@code minute hour day-of-month month day-of-week}, days of
 * week 0-7 with 0 and 7 both Sunday, names allowed) in a time zone, evaluated with Quartz.
 */
public record CronSchedule(String expression, ZoneId zone) {
  public CronSchedule {
    Objects.requireNonNull(expression, "expression");
    Objects.requireNonNull(zone, "zone");
    quartz(expression, zone); // validates
  }

  /** The first fire time strictly after {@code after}, if any. */
  public Optional<Instant> next(Instant after) {
    Date next = quartz(expression, zone).getNextValidTimeAfter(Date.from(after));
    return Optional.ofNullable(next).map(Date::toInstant);
  }

  /**
   * Translates a standard cron expression to Quartz's dialect (seconds first, {@code ?} for the
   * unused day field, Sunday = 1).
   *
   * @throws IllegalArgumentException with a message that says what is wrong
   */
  static String toQuartz(String expression) {
    String[] f = expression.trim().split("\\s+");
    if (f.length != 5) {
      throw new IllegalArgumentException(
          "cron expression must have 5 fields (minute hour"
              + " day-of-month month day-of-week), got "
              + f.length);
    }
    checkRange(f[0], "minute", 0, 59);
    checkRange(f[1], "hour", 0, 23);
    checkRange(f[2], "day-of-month", 1, 31);
    checkRange(f[3], "month", 1, 12);
    String dom = f[2];
    String dow = translateDaysOfWeek(f[4]);
    boolean domAny = dom.equals("*") || dom.equals("?");
    boolean dowAny = f[4].equals("*") || f[4].equals("?");
    if (!domAny && !dowAny) {
      throw new IllegalArgumentException(
          "cron: restricting both day-of-month and day-of-week is not supported");
    }
    if (dowAny) {
      dow = "?";
    } else {
      dom = "?";
    }
    return "0 " + f[0] + " " + f[1] + " " + dom + " " + f[3] + " " + dow;
  }

  /**
   * Every number of a field that is a value (not a step after {@code /}) must lie in its range:
   * Quartz's own message would speak of its seconds field.
   */
  private static void checkRange(String field, String name, int min, int max) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d+").matcher(field);
    while (m.find()) {
      boolean step = m.start() > 0 && field.charAt(m.start() - 1) == '/';
      int value = Integer.parseInt(m.group().length() > 9 ? "999999999" : m.group());
      if (!step && (value < min || value > max)) {
        throw new IllegalArgumentException(
            "cron: " + name + " " + m.group() + " is not in " + min + "-" + max);
      }
      if (step && value == 0) {
        throw new IllegalArgumentException("cron: a step of 0 in the " + name + " field");
      }
    }
  }

  private static String translateDaysOfWeek(String field) {
    StringBuilder out = new StringBuilder();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d+").matcher(field);
    int last = 0;
    while (m.find()) {
      int day = Integer.parseInt(m.group());
      boolean step = m.start() > 0 && field.charAt(m.start() - 1) == '/';
      out.append(field, last, m.start());
      if (step) {
        out.append(day);
      } else {
        if (day > 7) {
          throw new IllegalArgumentException("cron: day-of-week " + day + " is not in 0-7");
        }
        out.append(day % 7 + 1);
      }
      last = m.end();
    }
    out.append(field.substring(last));
    return out.toString();
  }

  private static CronExpression quartz(String expression, ZoneId zone) {
    String q = toQuartz(expression);
    try {
      CronExpression cron = new CronExpression(q);
      cron.setTimeZone(TimeZone.getTimeZone(zone));
      return cron;
    } catch (ParseException e) {
      throw new IllegalArgumentException(
          "invalid cron expression '" + expression + "': " + e.getMessage());
    }
  }
}
