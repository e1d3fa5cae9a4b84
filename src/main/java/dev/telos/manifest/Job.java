package dev.telos.manifest;

import java.time.Duration;
import java.util.Objects;

/**
 * A command run to completion once per distinct spec (the spec hash names the run). A failed run is
 * retried up to {@code retries} times (default 3), waiting {@code backoff} (default 10s, doubling)
 * between attempts. With {@code dependencies}, a run starts only once the apps it names are
 * healthy.
 */
public record Job(
    Metadata metadata,
    TaskSpec task,
    int retries,
    Duration backoff,
    Location source,
    String specHash,
    java.util.List<Dependency> dependencies)
    implements App {
  @Override
  public Job withTasks(java.util.function.UnaryOperator<TaskSpec> f) {
    TaskSpec t = f.apply(task);
    return new Job(metadata, t, retries, backoff, source, SpecHash.of("Job", t), dependencies);
  }

  @Override
  public Job withMetadata(Metadata m) {
    return new Job(m, task, retries, backoff, source, specHash, dependencies);
  }

  /** A job that depends on no app. */
  public Job(
      Metadata metadata,
      TaskSpec task,
      int retries,
      Duration backoff,
      Location source,
      String specHash) {
    this(metadata, task, retries, backoff, source, specHash, java.util.List.of());
  }

  /** A job whose spec hash is computed from its task. */
  public Job(Metadata metadata, TaskSpec task, int retries, Duration backoff, Location source) {
    this(metadata, task, retries, backoff, source, SpecHash.of("Job", task));
  }

  public static final int DEFAULT_RETRIES = 3;
  public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(10);

  public Job {
    Objects.requireNonNull(specHash, "specHash");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(backoff, "backoff");
    Objects.requireNonNull(source, "source");
    dependencies = java.util.List.copyOf(dependencies);
    if (retries < 0) {
      throw new IllegalArgumentException("retries must be >= 0");
    }
  }

  @Override
  public String kind() {
    return "Job";
  }
}
