package dev.telos.mesos;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * An exponential backoff with full jitter: attempt {@code n} (from 0) waits a uniformly random time
 * in {@code [0, min(max, initial * 2^n)]}, but never less than a tenth of that bound. Immutable;
 * the attempt count lives with the caller.
 *
 * @param initial the bound of the first wait
 * @param max the cap of the bound (the Mesos docs suggest about 15 s for resubscription)
 */
public record BackoffPolicy(Duration initial, Duration max) {
  /** Half a second up to 15 seconds. */
  public static final BackoffPolicy DEFAULT =
      new BackoffPolicy(Duration.ofMillis(500), Duration.ofSeconds(15));

  public BackoffPolicy {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("backoff initial must be > 0, got " + initial);
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff max (" + max + ") must be >= initial (" + initial + ")");
    }
  }

  /** The wait before retry number {@code attempt} (0-based), using {@code random} in [0, 1). */
  public Duration delay(int attempt, DoubleSupplier random) {
    long bound = initial.toNanos();
    for (int i = 0; i < attempt && bound < max.toNanos(); i++) {
      bound = Math.min(max.toNanos(), bound * 2);
    }
    bound = Math.min(bound, max.toNanos());
    long floor = bound / 10;
    return Duration.ofNanos(floor + (long) ((bound - floor) * random.getAsDouble()));
  }
}
