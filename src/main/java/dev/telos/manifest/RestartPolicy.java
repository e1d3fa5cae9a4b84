package dev.telos.manifest;

import java.time.Duration;
import java.util.Objects;

/**
 * How a Service's ended tasks are relaunched: the first relaunch waits {@code backoff}, each
 * further consecutive failure multiplies the wait by {@code factor} up to {@code maxDelay}, and the
 * count starts over only once a task has stayed up (RUNNING, and healthy where a health check is
 * declared) for {@code resetAfter}. A task that crashes a second after it started therefore keeps
 * backing off instead of being relaunched every second.
 *
 * <p>Written in a manifest as {@code restart: {backoff: 1s, factor: 2, maxDelay: 5m, resetAfter:
 * 5m}}; each field defaults to {@link #DEFAULT}'s. Not part of the spec hash: changing it never
 * replaces tasks.
 */
public record RestartPolicy(
    Duration backoff, double factor, Duration maxDelay, Duration resetAfter) {
  /** 1 s doubling to 5 min, reset after 5 min up. */
  public static final RestartPolicy DEFAULT =
      new RestartPolicy(Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), Duration.ofMinutes(5));

  public RestartPolicy {
    Objects.requireNonNull(backoff, "backoff");
    Objects.requireNonNull(maxDelay, "maxDelay");
    Objects.requireNonNull(resetAfter, "resetAfter");
    if (backoff.isNegative() || maxDelay.compareTo(backoff) < 0) {
      throw new IllegalArgumentException("restart backoff must be >= 0 and <= maxDelay");
    }
    if (!(factor >= 1 && factor <= 100)) {
      throw new IllegalArgumentException("restart factor must be between 1 and 100");
    }
    if (resetAfter.isNegative()) {
      throw new IllegalArgumentException("restart resetAfter must be >= 0");
    }
  }

  /**
   * The wait before the next launch after {@code failures} consecutive failures: zero for none,
   * then {@code backoff × factor^(failures-1)}, never more than {@code maxDelay}. Never overflows.
   */
  public Duration delay(int failures) {
    if (failures <= 0) {
      return Duration.ZERO;
    }
    double millis = backoff.toMillis();
    long cap = maxDelay.toMillis();
    for (int i = 1; i < failures && millis < cap; i++) {
      millis *= factor;
    }
    return Duration.ofMillis((long) Math.min(millis, cap));
  }
}
