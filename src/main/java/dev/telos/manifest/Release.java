package dev.telos.manifest;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code kind: Release}: one instance of a chart. Rendered into apps by {@code dev.telos.render}.
 *
 * @param chart a directory of the repository ({@code charts/web}), a chart Telos ships ({@code
 *     telos/service}), or, with {@code remote}, the chart's directory in that repository
 * @param values the inline values (plain maps, lists, strings, numbers, booleans, nulls)
 * @param valueLocations where each inline value was written, by JSON pointer ({@code /a/0/b})
 * @param valuesFiles files of the repository whose values apply before the inline ones, in order
 * @param source where the release's document starts
 * @param remote the other Git repository the chart is in, or null
 */
public record Release(
    Metadata metadata,
    String chart,
    Map<String, Object> values,
    Map<String, Location> valueLocations,
    List<String> valuesFiles,
    Location source,
    Remote remote) {
  /**
   * A chart in another Git repository, pinned: {@code ref} is a tag or a full commit SHA.
   *
   * @param repo the repository's URL (read with the source's credentials)
   */
  public record Remote(String repo, String ref) {
    public Remote {
      Objects.requireNonNull(repo, "repo");
      Objects.requireNonNull(ref, "ref");
    }
  }

  /** A release of a chart in the same repository or shipped with Telos. */
  public Release(
      Metadata metadata,
      String chart,
      Map<String, Object> values,
      Map<String, Location> valueLocations,
      List<String> valuesFiles,
      Location source) {
    this(metadata, chart, values, valueLocations, valuesFiles, source, null);
  }

  /** The label naming the resolved commit of the chart: of its repository, or of the source. */
  public static final String CHART_COMMIT_LABEL = "telos.dev/chart-commit";

  /** What identifies the chart: its path, or {@code REPO@REF//PATH} for another repository. */
  public String chartKey() {
    return remote == null ? chart : remote.repo() + "@" + remote.ref() + "//" + chart;
  }

  /** The label every app a release renders carries: the release's name. */
  public static final String LABEL = "telos.dev/release";

  /** The label naming the chart and version a rendered app comes from: {@code service-1.0.0}. */
  public static final String CHART_LABEL = "telos.dev/chart";

  public Release {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(chart, "chart");
    values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
    valueLocations = Map.copyOf(valueLocations);
    valuesFiles = List.copyOf(valuesFiles);
    Objects.requireNonNull(source, "source");
  }

  /** {@code namespace/name}. */
  public String key() {
    return metadata.key();
  }
}
