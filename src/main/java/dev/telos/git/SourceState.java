package dev.telos.git;

import java.util.List;

/**
 * One of several sources as the status shows it.
 *
 * @param name the source's name
 * @param url the repository URL without credentials
 * @param ref the branch, tag or commit it follows
 * @param path the manifests' directory in the repository ("" for the root)
 * @param namespaces the namespaces its apps may use ({@code prefix-*} for a prefix)
 * @param revision the SHA of its commit in the desired state, or null before its first valid one
 * @param error why its newest commit is not in the desired state (invalid, unreachable), or null
 * @param errorRevision the SHA of the invalid commit {@code error} is about, or null
 */
public record SourceState(
    String name,
    String url,
    String ref,
    String path,
    List<String> namespaces,
    String revision,
    String error,
    String errorRevision) {
  public SourceState {
    namespaces = List.copyOf(namespaces);
  }
}
