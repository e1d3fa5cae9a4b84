package dev.telos.git;

import dev.telos.manifest.App;
import java.util.List;
import java.util.Objects;

/** Every app declared at one commit, read from the commit's tree. Immutable and valid. */
public record Snapshot(CommitInfo commit, List<App> apps) {
  public Snapshot {
    Objects.requireNonNull(commit, "commit");
    apps = List.copyOf(apps);
  }
}
