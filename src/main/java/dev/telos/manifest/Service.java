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
 * @param containers for a {@code kind: Pod}, its containers (each instance is one task group of
 *     them, on one agent); empty for a plain Service, whose {@code task} is what runs. A pod's
 *     {@code task} is the group's: the sum of its containers' resources, all their ports, and the
 *     pod's role, constraints and kill grace period
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
    java.util.List<ReadinessCheck> readinessChecks,
    java.util.List<PodContainer> containers)
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
        readinessChecks,
        containers);
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
    containers = java.util.List.copyOf(containers);
    if (instances < 0) {
      throw new IllegalArgumentException("instances must be >= 0");
    }
  }

  @Override
  public String kind() {
    return containers.isEmpty() ? "Service" : "Pod";
  }

  /** This app with {@code t} as its task (a pod's container as the app it belongs to). */
  public Service withTask(TaskSpec t) {
    return new Service(
        metadata,
        instances,
        t,
        upgrade,
        restart,
        source,
        specHash,
        killSelection,
        inactiveAfter,
        expungeAfter,
        dependencies,
        readinessChecks,
        containers);
  }

  @Override
  public Service withTasks(java.util.function.UnaryOperator<TaskSpec> f) {
    TaskSpec t = f.apply(task);
    java.util.List<PodContainer> cs = new java.util.ArrayList<>();
    for (PodContainer c : containers) {
      cs.add(new PodContainer(c.name(), f.apply(c.task()), c.firstPort(), c.portCount()));
    }
    return new Service(
        metadata,
        instances,
        t,
        upgrade,
        restart,
        source,
        cs.isEmpty() ? SpecHash.of("Service", t) : SpecHash.ofPod(t, cs),
        killSelection,
        inactiveAfter,
        expungeAfter,
        dependencies,
        readinessChecks,
        cs);
  }

  /** Whether this is a {@code kind: Pod}: each instance a task group. */
  public boolean pod() {
    return !containers.isEmpty();
  }
}
