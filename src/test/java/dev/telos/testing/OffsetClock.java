package dev.telos.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** Real time plus an offset a test moves forward by hand: schedules fire without waiting. */
public final class OffsetClock implements InstantSource {
  private volatile Duration offset = Duration.ZERO;

  @Override
  public Instant instant() {
    return Instant.now().plus(offset);
  }

  /** Moves this clock forward. */
  public void advance(Duration by) {
    offset = offset.plus(by);
  }
}
