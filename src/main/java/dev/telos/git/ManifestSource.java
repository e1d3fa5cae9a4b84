package dev.telos.git;

import java.util.List;
import java.util.Optional;

/**
 * Where the desired state comes from: one repository ({@link GitSource}) or several ({@link
 * SourceSet}). The controller polls it from one thread at a time.
 */
public interface ManifestSource extends AutoCloseable {
  /**
   * Checks for a new desired state. Never throws for remote or content problems: they come back as
   * {@link PollResult.Failed} or {@link PollResult.Invalid}.
   */
  PollResult poll();

  /**
   * Restores the snapshot of a revision an earlier run synced (a SHA, or for several sources the
   * revision {@link SourceSet} composed), from local data only. Call before the first {@link
   * #poll}.
   */
  Optional<Snapshot> restore(String revision);

  /**
   * Whether, after a poll that updated the desired state, a part of it still holds back a newer
   * commit (invalid or unreadable): the next poll reports it. Never for a single repository, whose
   * poll reports its one outcome.
   */
  default boolean problems() {
    return false;
  }

  /** The repository's URL without credentials; null for several repositories. */
  default String displayUrl() {
    return null;
  }

  /** Each source's own state, for the status; empty for a single repository. */
  default List<SourceState> states() {
    return List.of();
  }

  @Override
  void close();
}
