package dev.telos.cluster;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Task IDs that carry what the controller needs to recover from Mesos alone: {@code
 * <namespace>.<name>.<spec-hash>.<unique>}, each part of {@code [a-z0-9-]}. The unique part starts
 * with the launch time in base 36 milliseconds, so "newest" is readable from the ID.
 */
public final class TaskIds {
  private static final Pattern ID =
      Pattern.compile("([a-z0-9-]+)\\.([a-z0-9-]+)\\.([a-z0-9]+)\\.([a-z0-9]+)-([a-z0-9]+)");

  /** The parts of a Telos task ID. */
  public record Parsed(
      String namespace, String name, String specHash, Instant launchedAt, String unique) {
    /** {@code namespace/name}. */
    public String appKey() {
      return namespace + "/" + name;
    }
  }

  private TaskIds() {}

  /** A new task ID for an app at a spec, launched at {@code now}, with a random suffix. */
  public static String next(String namespace, String name, String specHash, Instant now) {
    String random = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
    return of(namespace, name, specHash, now, "0".repeat(4 - random.length()) + random);
  }

  /**
   * A task ID with a caller-chosen suffix ({@code [a-z0-9]+}), so a pure planner can name tasks
   * deterministically.
   */
  public static String of(
      String namespace, String name, String specHash, Instant now, String suffix) {
    return namespace
        + "."
        + name
        + "."
        + specHash
        + "."
        + Long.toString(now.toEpochMilli(), 36)
        + "-"
        + suffix;
  }

  /** The parts of a Telos task ID; empty for any other ID (an orphan of this framework). */
  public static Optional<Parsed> parse(String taskId) {
    Matcher m = ID.matcher(taskId);
    if (!m.matches()) {
      return Optional.empty();
    }
    long millis;
    try {
      millis = Long.parseLong(m.group(4), 36);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return Optional.of(
        new Parsed(m.group(1), m.group(2), m.group(3), Instant.ofEpochMilli(millis), m.group(5)));
  }
}
