package dev.telos.git;

import dev.telos.manifest.ManifestError;
import java.util.List;

/** What one poll of a source found. */
public sealed interface PollResult {
  /** The ref still points at the commit of the last good snapshot. */
  record Unchanged(Snapshot snapshot) implements PollResult {}

  /** A new commit whose manifests are all valid. */
  record Updated(Snapshot snapshot) implements PollResult {}

  /** A new commit with invalid manifests: rejected whole; the last good snapshot stands. */
  record Invalid(CommitInfo commit, List<ManifestError> errors) implements PollResult {
    public Invalid {
      errors = List.copyOf(errors);
    }
  }

  /**
   * The source could not be read (unreachable remote, missing branch or path, rewritten history):
   * nothing changes; the message says what and what next. Never contains credentials.
   */
  record Failed(String message) implements PollResult {}
}
