package dev.telos.notify;

import java.time.Instant;

/**
 * Something a platform team wants to hear about.
 *
 * @param type what happened
 * @param revision the commit it is about
 * @param app {@code NAMESPACE/NAME} for app events, else null
 * @param message what to tell people
 */
public record Event(Type type, String revision, String app, String message, Instant at) {
  /** The kinds of events, by the names the configuration uses. */
  public enum Type {
    /** A new valid commit began to sync. */
    SYNC_STARTED("sync-started"),
    /** A commit runs: every app Synced and nothing pending. */
    SYNCED("synced"),
    /** A commit was rejected whole (invalid manifests, or an unverified signature). */
    INVALID_COMMIT("invalid-commit"),
    /** An app became Degraded. */
    DEGRADED("degraded"),
    /** A Degraded app became Healthy again. */
    RECOVERED("recovered"),
    /** A commit would remove too many apps: nothing is pruned until approved. */
    PRUNE_HELD("prune-held");

    private final String label;

    Type(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    static Type of(String label) {
      for (Type t : values()) {
        if (t.label.equals(label)) {
          return t;
        }
      }
      throw new IllegalArgumentException(
          "unknown event '"
              + label
              + "'; the events: sync-started, synced, invalid-commit, degraded, recovered,"
              + " prune-held");
    }
  }
}
