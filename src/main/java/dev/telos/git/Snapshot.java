package dev.telos.git;

import dev.telos.manifest.App;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every app declared at one commit, read from the commit's tree. Immutable and valid.
 *
 * @param releaseValues each release's merged values, by release key ({@code namespace/name}), so a
 *     plan can say which values changed
 */
public record Snapshot(
    CommitInfo commit, List<App> apps, Map<String, Map<String, Object>> releaseValues) {
  public Snapshot {
    Objects.requireNonNull(commit, "commit");
    apps = List.copyOf(apps);
    releaseValues = Map.copyOf(releaseValues);
  }

  /** A snapshot without releases. */
  public Snapshot(CommitInfo commit, List<App> apps) {
    this(commit, apps, Map.of());
  }
}
