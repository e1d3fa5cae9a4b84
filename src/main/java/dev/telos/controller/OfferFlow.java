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
    if (!suppressed && plan.launches().isEmpty()) {
      suppressed = true;
      revived = Set.of();
      return new Suppress();
    }
    return null;
  }

  /**
   * A REVIVE of every role ahead of a plan that may want offers (a requested fetch under way), when
   * offers are suppressed; null when they flow already. The next plan suppresses them again if it
   * wants none.
   */
  Call speculate(Instant now) {
    if (!suppressed) {
      return null;
    }
    suppressed = false;
    revived = Set.of();
    lastRevive = now;
    delay = FIRST;
    return new Revive(Set.of());
  }

  /** When the next REVIVE is due while launches keep waiting. */
  Instant nextRevive() {
    return lastRevive.plus(delay);
  }
}
