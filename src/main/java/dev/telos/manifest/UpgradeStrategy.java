package dev.telos.manifest;

/**
 * How a spec change rolls out: at most {@code maxSurge} tasks above {@code instances}, at most
 * {@code maxUnavailable} below. Default: surge 1, unavailable 0 (never below the desired count).
 */
public record UpgradeStrategy(int maxSurge, int maxUnavailable) {
  public static final UpgradeStrategy DEFAULT = new UpgradeStrategy(1, 0);

  public UpgradeStrategy {
    if (maxSurge < 0 || maxUnavailable < 0 || maxSurge + maxUnavailable == 0) {
      throw new IllegalArgumentException("maxSurge and maxUnavailable must be >= 0 and not both 0");
    }
  }
}
