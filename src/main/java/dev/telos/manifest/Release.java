package dev.telos.manifest;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code kind: Release}: one instance of a chart. Rendered into apps by {@code dev.telos.render}.
 *
 * @param chart a directory of the repository ({@code charts/web}) or a chart Telos ships ({@code
 *     telos/service})
 * @param values the inline values (plain maps, lists, strings, numbers, booleans, nulls)
 * @param valueLocations where each inline value was written, by JSON pointer ({@code /a/0/b})
 * @param valuesFiles files of the repository whose values apply before the inline ones, in order
 * @param source where the release's document starts
 */
public record Release(
    Metadata metadata,
    String chart,
    Map<String, Object> values,
    Map<String, Location> valueLocations,
    List<String> valuesFiles,
    Location source) {
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
