package dev.telos.cluster;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Task IDs that carry what the controller needs to recover from Mesos alone: {@code
 * <namespace>.<name>.<spec-hash>.<unique>}, each part of {@code [a-z0-9-]}, and for a resident task
 * {@code .i<instance>}. The unique part starts with the launch time in base 36 milliseconds, so
 * "newest" is readable from the ID.
 */
public final class TaskIds {
  private static final Pattern ID =
      Pattern.compile(
          "([a-z0-9-]+)\\.([a-z0-9-]+)\\.([a-z0-9]+)\\.([a-z0-9]+)-([a-z0-9]+)(?:\\.i([0-9]{1,5}))?"
              + "(?:\\.c([a-z0-9-]+))?");

  /**
   * The parts of a Telos task ID.
   *
   * @param instance the instance a resident task (one with persistent volumes) runs as, else -1
   * @param container the pod container a task runs, else null
   */
  public record Parsed(
      String namespace,
      String name,
      String specHash,
      Instant launchedAt,
      String unique,
      int instance,
      String container) {
    /** {@code namespace/name}. */
    public String appKey() {
      return namespace + "/" + name;
    }
  }

  /**
   * The ID of a resident task: {@code id} with {@code .i<instance>}, the instance whose persistent
   * volumes it uses.
   */
  public static String resident(String id, int instance) {
    return id + ".i" + instance;
  }

  /** The ID of the task of pod {@code groupId} that runs {@code container}. */
  public static String member(String groupId, String container) {
    return groupId + ".c" + container;
  }

  /** The pod a task belongs to (its ID without the container part), or the ID itself. */
  public static String groupOf(String taskId) {
    int dot = taskId.lastIndexOf(".c");
    if (dot < 0) {
      return taskId;
    }
    return parse(taskId).filter(p -> p.container() != null).isPresent()
        ? taskId.substring(0, dot)
        : taskId;
  }

  /** The pod container a task runs, or null. */
  public static String containerOf(String taskId) {
    return taskId.contains(".c") ? parse(taskId).map(Parsed::container).orElse(null) : null;
  }

  /** The instance of a resident task, or -1 (not resident, or not a Telos ID). */
  public static int instanceOf(String taskId) {
    int dot = taskId.lastIndexOf(".i");
    if (dot < 0) {
      return -1;
    }
    return parse(taskId).map(Parsed::instance).orElse(-1);
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
        new Parsed(
            m.group(1),
            m.group(2),
            m.group(3),
            Instant.ofEpochMilli(millis),
            m.group(5),
            m.group(6) == null ? -1 : Integer.parseInt(m.group(6)),
            m.group(7)));
  }
}
