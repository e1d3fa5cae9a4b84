package dev.telos.controller;

import dev.telos.reconcile.Plan;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Decides REVIVE and SUPPRESS from each applied plan; makes no call itself. REVIVE names the roles
 * whose waiting launches an offer could take, and only those: a REVIVE clears every filter of its
 * roles in the whole cluster, so while the same launches keep waiting it is repeated with backoff
 * ({@link #FIRST} doubling to {@link #MAX}), starting over when what waits changes or a launch goes
 * out. Launches that no offer can take revive nothing. SUPPRESS when nothing waits. Owned by the
 * loop thread.
 */
final class OfferFlow {
  static final Duration FIRST = Duration.ofSeconds(5);
  static final Duration MAX = Duration.ofMinutes(1);

  /** What to send after a pass. */
  sealed interface Call {}

  /** REVIVE these roles. */
  record Revive(Set<String> roles) implements Call {}

  /** SUPPRESS every role. */
  record Suppress() implements Call {}

  private boolean suppressed;
  private Instant lastRevive = Instant.EPOCH;
  private Duration delay = FIRST;
  private Set<String> revived = Set.of();

  /** A new subscription: nothing is suppressed, nothing revived. */
  void subscribed() {
    suppressed = false;
    revived = Set.of();
  }

  /** The call this applied plan needs, or null for none. */
  Call after(Plan plan, Instant now) {
    Set<String> wanted = plan.wantedRoles();
    if (!plan.launches().isEmpty()) {
      delay = FIRST; // progress: offers are flowing
    }
    if (!wanted.isEmpty()) {
      boolean changed = suppressed || !wanted.equals(revived);
      if (changed) {
        delay = FIRST;
      }
      if (!changed && now.isBefore(lastRevive.plus(delay))) {
        return null;
      }
      // Re-revive while launches wait: a REVIVE racing a DECLINE is a known way to lose offers.
      if (!changed) {
        Duration doubled = delay.multipliedBy(2);
        delay = doubled.compareTo(MAX) > 0 ? MAX : doubled;
      }
      suppressed = false;
      revived = wanted;
      lastRevive = now;
      return new Revive(wanted);
    }
    // While offers are held for a fetch under way, the pass after it suppresses.
    if (!suppressed && plan.launches().isEmpty() && !holding(now)) {
      suppressed = true;
      revived = Set.of();
      return new Suppress();
    }
    return null;
  }

  /**
   * How long offers that arrive while a requested fetch runs are held for the commit it may bring,
   * at most.
   */
  static final Duration HOLD = Duration.ofSeconds(2);

  /** Until when offers are held (neither declined nor suppressed) for a fetch under way. */
  private Instant holdUntil = Instant.EPOCH;

  /**
   * A REVIVE of every role as a requested fetch starts, when offers are suppressed (null when they
   * flow already): the offers that come are held ({@link #holding}) until the fetch is read or
   * {@link #HOLD} passes, so the pass that adopts the commit finds them.
   */
  Call speculate(Instant now) {
    if (!suppressed) {
      return null;
    }
    suppressed = false;
    revived = Set.of();
    lastRevive = now;
    delay = FIRST;
    holdUntil = now.plus(HOLD);
    return new Revive(Set.of());
  }

  /** Whether offers are held now: not declined, and not suppressed, by a pass. */
  boolean holding(Instant now) {
    return now.isBefore(holdUntil);
  }

  /** When holding ends, for a wake-up that declines what is still held. */
  Instant holdEnds() {
    return holdUntil;
  }

  /** The requested fetch was read: the pass after it uses the held offers or declines them. */
  void fetchRead() {
    holdUntil = Instant.EPOCH;
  }

  /** When the next REVIVE is due while launches keep waiting. */
  Instant nextRevive() {
    return lastRevive.plus(delay);
  }
}
