package dev.telos.api;

import java.util.HashMap;
import java.util.Map;

/**
 * A token bucket per client address: {@code perSecond} requests a second, bursts of {@code burst}.
 * Bounded: past {@link #MAX_CLIENTS} addresses, the idle ones are forgotten.
 */
final class RateLimiter {
  static final int MAX_CLIENTS = 10_000;

  private final double perSecond;
  private final double burst;
  private final Map<String, double[]> buckets = new HashMap<>();

  RateLimiter(double perSecond, int burst) {
    if (perSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException("a rate limit needs a positive rate and burst");
    }
    this.perSecond = perSecond;
    this.burst = burst;
  }

  /** Takes one request from {@code client}'s bucket at {@code nowNanos}; false when it is empty. */
  synchronized boolean tryAcquire(String client, long nowNanos) {
    double[] bucket = buckets.get(client);
    if (bucket == null) {
      if (buckets.size() >= MAX_CLIENTS) {
        buckets.values().removeIf(b -> level(b, nowNanos) >= burst);
        if (buckets.size() >= MAX_CLIENTS) {
          buckets.clear();
        }
      }
      bucket = new double[] {burst, nowNanos};
      buckets.put(client, bucket);
    }
    double tokens = level(bucket, nowNanos);
    bucket[1] = nowNanos;
    if (tokens < 1) {
      bucket[0] = tokens;
      return false;
    }
    bucket[0] = tokens - 1;
    return true;
  }

  /** Seconds until {@code client} may send again (at least 1). */
  synchronized long retryAfterSeconds(String client, long nowNanos) {
    double[] bucket = buckets.get(client);
    double missing = bucket == null ? 0 : 1 - level(bucket, nowNanos);
    return Math.max(1, (long) Math.ceil(missing / perSecond));
  }

  private double level(double[] bucket, long nowNanos) {
    return Math.min(burst, bucket[0] + (nowNanos - (long) bucket[1]) / 1e9 * perSecond);
  }
}
