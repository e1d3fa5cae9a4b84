package dev.telos.manifest;

/**
 * How a spec change rolls out: at most {@code maxSurge} tasks above {@code instances}, at most
 * {@code maxUnavailable} below. Default: surge 1, unavailable 0 (never below the desired count), no
 * automatic rollback.
 *
 * @param rollbackAfter after this many failures of tasks of a new spec, the app goes back to the
 *     spec it ran before (0: never)
 */
public record UpgradeStrategy(int maxSurge, int maxUnavailable, int rollbackAfter) {
  public static final UpgradeStrategy DEFAULT = new UpgradeStrategy(1, 0);

  /** Without automatic rollback. */
  public UpgradeStrategy(int maxSurge, int maxUnavailable) {
    this(maxSurge, maxUnavailable, 0);
  }

  public UpgradeStrategy {
    if (maxSurge < 0 || maxUnavailable < 0 || maxSurge + maxUnavailable == 0) {
      throw new IllegalArgumentException("maxSurge and maxUnavailable must be >= 0 and not both 0");
    }
    if (rollbackAfter < 0) {
      throw new IllegalArgumentException("rollbackAfter must be >= 0");
    }
  }

  /** This strategy with automatic rollback after {@code failures} failures (0: never). */
  public UpgradeStrategy withRollbackAfter(int failures) {
    return new UpgradeStrategy(maxSurge, maxUnavailable, failures);
  }
}
