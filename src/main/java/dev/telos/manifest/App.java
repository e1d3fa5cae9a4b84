package dev.telos.manifest;

/** One workload declared in git: a {@link Service}, a {@link Job} or a {@link CronJob}. */
public sealed interface App permits Service, Job, CronJob {
  Metadata metadata();

  /** The task every instance or run of this app gets. */
  TaskSpec task();

  /** Where the app's document starts. */
  Location source();

  /** {@code Service}, {@code Job} or {@code CronJob}. */
  String kind();

  /** {@code namespace/name}. */
  default String key() {
    return metadata().key();
  }

  /** The hash of everything that reaches the task, computed once at load; see {@link SpecHash}. */
  String specHash();

  /**
   * This app with each of its task specs (a pod's containers' too) passed through {@code f}, and
   * its spec hash computed again from them.
   */
  App withTasks(java.util.function.UnaryOperator<TaskSpec> f);

  /** This app with {@code metadata} instead (labels are not in the spec hash: it stays). */
  App withMetadata(Metadata metadata);

  /** The apps this one starts and rolls after (only a Service declares any). */
  default java.util.List<Dependency> dependencies() {
    return java.util.List.of();
  }
}
