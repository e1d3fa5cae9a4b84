package dev.telos.render;

import java.io.IOException;

/**
 * Other Git repositories charts come from ({@code chart: {repo, ref, path}}), read by the same Git
 * code, credentials and signature rules as the source.
 */
public interface ChartRepositories {
  /**
   * A pinned commit of a chart repository.
   *
   * @param commit the full SHA {@code ref} resolved to
   * @param files that commit's files
   */
  record Fetched(String commit, RepoFiles files) {}

  /**
   * The commit {@code ref} (a tag or a full SHA) names in {@code repo}, fetched when not held yet.
   *
   * @throws IOException the reference does not name a commit there, or the commit is refused (its
   *     signature, say): the release is invalid
   * @throws Unavailable the repository cannot be reached: nothing is decided, try again later
   */
  Fetched open(String repo, String ref) throws IOException;

  /** A chart repository that cannot be reached now: an outage, not an invalid commit. */
  final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String message) {
      super(message);
    }
  }

  /** No access to other repositories: every such chart is an error. */
  ChartRepositories NONE =
      (repo, ref) -> {
        throw new IOException("charts from other Git repositories are not read here");
      };
}
