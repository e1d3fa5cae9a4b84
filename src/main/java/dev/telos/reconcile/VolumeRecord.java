package dev.telos.reconcile;

import java.util.Objects;

/**
 * Where a resident instance's persistent volumes are: the agent they were made on, and whether an
 * offer (or a task on them) has shown that they exist. An unconfirmed record is one whose RESERVE
 * and CREATE were sent but not yet seen to succeed: they are made again, on the same agent, if an
 * offer of that agent comes without them {@link #CONFIRM_WAIT} after they were sent.
 *
 * @param role the role the volumes are reserved for (offers of it carry them)
 */
public record VolumeRecord(
    String agentId, boolean confirmed, java.time.Instant since, String role) {
  /** How long an unconfirmed RESERVE and CREATE is waited for before they are sent again. */
  public static final java.time.Duration CONFIRM_WAIT = java.time.Duration.ofSeconds(15);

  public VolumeRecord {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(role, "role");
  }
}
