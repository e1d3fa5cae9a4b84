package dev.telos.manifest;

import java.util.Objects;

/**
 * A long-running app: {@code instances} tasks (default 1) kept running, replaced when they end
 * (with {@code restart}'s backoff), rolled out under {@code upgrade} when the spec changes.
 *
 * @param restart the manifest's restart policy, or null when it sets none (the controller's default
 *     applies)
 * @param killSelection which tasks go first when scaling down
 * @param inactiveAfter how long a task on an unreachable agent is waited for before it is replaced,
 *     or null for the controller's {@code --unreachable-timeout}
 * @param expungeAfter how long a task on an unreachable agent is waited for before it is given up
 *     for good: killed as soon as its agent returns, whatever the app's size; null: never (a task
 *     that returns after its replacement is then surplus like any other)
 * @param readinessChecks what a new task must answer before a rollout or scale-up counts it
 */
public record Service(
    Metadata metadata,
    int instances,
    TaskSpec task,
    UpgradeStrategy upgrade,
    RestartPolicy restart,
    Location source,
    String specHash,
    KillSelection killSelection,
    java.time.Duration inactiveAfter,
    java.time.Duration expungeAfter,
    java.util.List<Dependency> dependencies,
    java.util.List<ReadinessCheck> readinessChecks)
    implements App {
  /** Which tasks a scale-down kills first (after those that are not available). */
  public enum KillSelection {
    YOUNGEST_FIRST,
    OLDEST_FIRST
  }

  @Override
  public Service withMetadata(Metadata m) {
    return new Service(
        m,
        instances,
        task,
        upgrade,
        restart,
        source,
        specHash,
        killSelection,
        inactiveAfter,
        expungeAfter,
        dependencies,
        readinessChecks);
  }

  /** A service with the default kill selection and unreachable timeout. */
  public Service(
      Metadata metadata,
      int instances,
      TaskSpec task,
      UpgradeStrategy upgrade,
      RestartPolicy restart,
      Location source,
      String specHash) {
    this(
        metadata,
        instances,
        task,
        upgrade,
        restart,
        source,
        specHash,
        KillSelection.YOUNGEST_FIRST,
        null,
        null,
        java.util.List.of(),
        java.util.List.of());
  }

  /** A service whose spec hash is computed from its task. */
  public Service(
      Metadata metadata,
      int instances,
      TaskSpec task,
      UpgradeStrategy upgrade,
      RestartPolicy restart,
      Location source) {
    this(metadata, instances, task, upgrade, restart, source, SpecHash.of("Service", task));
  }

  public Service {
    Objects.requireNonNull(specHash, "specHash");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(upgrade, "upgrade");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(killSelection, "killSelection");
    dependencies = java.util.List.copyOf(dependencies);
    readinessChecks = java.util.List.copyOf(readinessChecks);
    if (instances < 0) {
      throw new IllegalArgumentException("instances must be >= 0");
    }
  }

  @Override
  public String kind() {
    return "Service";
  }
}
