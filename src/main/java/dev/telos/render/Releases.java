package dev.telos.render;

import dev.telos.manifest.App;
import dev.telos.manifest.Location;
import dev.telos.manifest.ManifestError;
import dev.telos.manifest.ManifestLoader;
import dev.telos.manifest.PlainYaml;
import dev.telos.manifest.Release;
import dev.telos.manifest.YamlLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders releases into apps: each release's chart is read (from the commit, or shipped inside
 * Telos), its values merged (the chart's defaults, then each of {@code valuesFiles}, then the
 * inline {@code values}; maps merge key by key, anything else replaces), checked against the
 * chart's schema, and every template rendered and loaded as manifests. Each app carries the label
 * {@link Release#LABEL} and must be in the release's namespace. Errors name the template's file and
 * line, or the values file and line, and the release.
 */
public final class Releases {
  /**
   * What rendering gave.
   *
   * @param apps every rendered app, labelled with its release
   * @param errors every problem; when not empty the commit is invalid
   * @param rendered the text each release rendered, by release key then template path (for {@code
   *     telos render})
   */
  public record Result(
      List<App> apps, List<ManifestError> errors, Map<String, Map<String, String>> rendered) {}

  private final ManifestLoader loader;
  private final YamlLimits limits;

  public Releases(ManifestLoader loader, YamlLimits limits) {
    this.loader = loader;
    this.limits = limits;
  }

  /** Renders every release; a release that fails adds its errors and no app. */
  public Result render(List<Release> releases, RepoFiles repo) {
    List<App> apps = new ArrayList<>();
    List<ManifestError> errors = new ArrayList<>();
    Map<String, Map<String, String>> rendered = new LinkedHashMap<>();
    Map<String, Chart.Loaded> charts = new HashMap<>();
    Map<String, TemplateEngine> engines = new HashMap<>();
    for (Release r : releases) {
      String why = "release " + r.key() + ": ";
      Chart.Loaded loaded;
      try {
        loaded = charts.get(r.chart());
        if (loaded == null) {
          loaded = loadChart(r.chart(), repo);
          charts.put(r.chart(), loaded);
        }
      } catch (IOException e) {
        errors.add(
            new ManifestError(r.source(), why + "cannot read chart " + r.chart() + ": " + e));
        continue;
      }
      if (loaded.chart() == null) {
        for (ManifestError e : loaded.errors()) {
          errors.add(new ManifestError(r.source(), why + e));
        }
        continue;
      }
      Chart chart = loaded.chart();
      Values values = values(chart, r, repo, errors, why);
      if (values == null) {
        continue;
      }
      List<ManifestError> schemaErrors = ValuesSchema.check(chart, values.merged, values.at);
      if (!schemaErrors.isEmpty()) {
        schemaErrors.forEach(e -> errors.add(new ManifestError(e.location(), why + e.message())));
        continue;
      }
      Map<String, Object> context = new LinkedHashMap<>();
      context.put("values", values.merged);
      context.put(
          "release", Map.of("name", r.metadata().name(), "namespace", r.metadata().namespace()));
      context.put("chart", Map.of("name", chart.name(), "version", chart.version()));
      // One engine per chart for the whole render: Pebble's engine is thread-safe, and the
      // templates are the same for every release of the chart.
      TemplateEngine engine =
          engines.computeIfAbsent(r.chart(), c -> new TemplateEngine(chart.templates()));
      Map<String, String> texts = new LinkedHashMap<>();
      int before = errors.size();
      for (String template : chart.templates().keySet()) {
        if (template.startsWith("_") || template.contains("/_")) {
          continue; // a partial
        }
        String file = chart.dir() + "/templates/" + template;
        String text;
        try {
          text = engine.render(template, context);
        } catch (TemplateEngine.RenderException e) {
          errors.add(
              new ManifestError(
                  new Location(chart.dir() + "/templates/" + e.file, e.line, 1),
                  why + e.getMessage()));
          continue;
        }
        texts.put(file, text);
        ManifestLoader.FileResult result =
            loader.parseFile(
                file + " (rendered for " + r.key() + ")", text.getBytes(StandardCharsets.UTF_8));
        for (ManifestError e : result.errors()) {
          errors.add(new ManifestError(e.location(), why + e.message()));
        }
        if (!result.releases().isEmpty()) {
          errors.add(
              new ManifestError(
                  r.source(), why + file + " renders a Release: charts render apps only"));
        }
        for (App app : result.apps()) {
          if (!app.metadata().namespace().equals(r.metadata().namespace())) {
            errors.add(
                new ManifestError(
                    app.source(),
                    why
                        + "renders "
                        + app.key()
                        + ", outside the release's namespace "
                        + r.metadata().namespace()
                        + " (set metadata.namespace: {{ release.namespace }})"));
            continue;
          }
          apps.add(
              app.withMetadata(
                  app.metadata()
                      .withLabel(Release.LABEL, r.metadata().name())
                      .withLabel(Release.CHART_LABEL, chart.name() + "-" + chart.version())));
        }
      }
      if (errors.size() == before) {
        rendered.put(r.key(), texts);
      }
    }
    return new Result(apps, errors, rendered);
  }

  private Chart.Loaded loadChart(String ref, RepoFiles repo) throws IOException {
    if (ShippedCharts.isShipped(ref)) {
      Map<String, byte[]> files = ShippedCharts.files(ref);
      if (files.isEmpty()) {
        return new Chart.Loaded(
            null,
            List.of(new ManifestError(new Location(ref, 1, 1), "Telos ships no chart " + ref)));
      }
      return Chart.load(ref, files, limits);
    }
    return Chart.load(ref, repo.under(ref), limits);
  }

  /** Merged values with where each was set last. */
  private record Values(Map<String, Object> merged, Map<String, Location> at) {}

  private Values values(
      Chart chart, Release r, RepoFiles repo, List<ManifestError> errors, String why) {
    Map<String, Object> merged = new LinkedHashMap<>();
    Map<String, Location> at = new HashMap<>();
    merge(merged, chart.defaults(), "", chart.defaultLocations(), at);
    for (String file : r.valuesFiles()) {
      byte[] content;
      try {
        content = repo.file(file);
      } catch (IOException e) {
        content = null;
      }
      if (content == null) {
        errors.add(new ManifestError(r.source(), why + "values file " + file + " does not exist"));
        return null;
      }
      PlainYaml.Result v = PlainYaml.read(file, content, limits);
      if (v.error() != null) {
        errors.add(new ManifestError(v.error().location(), why + v.error().message()));
        return null;
      }
      if (v.value() == null) {
        continue;
      }
      if (!(v.value() instanceof Map<?, ?> m)) {
        errors.add(new ManifestError(new Location(file, 1, 1), why + "values must be a mapping"));
        return null;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) m;
      merge(merged, map, "", v.locations(), at);
    }
    merge(merged, r.values(), "", r.valueLocations(), at);
    return new Values(merged, at);
  }

  /** Merges {@code over} into {@code into}: maps key by key, anything else replaces. */
  @SuppressWarnings("unchecked")
  static void merge(
      Map<String, Object> into,
      Map<String, Object> over,
      String pointer,
      Map<String, Location> overAt,
      Map<String, Location> at) {
    for (Map.Entry<String, Object> e : over.entrySet()) {
      String p = pointer + "/" + PlainYaml.escape(e.getKey());
      Object mine = into.get(e.getKey());
      if (mine instanceof Map<?, ?> a && e.getValue() instanceof Map<?, ?> b) {
        Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) a);
        merge(copy, (Map<String, Object>) b, p, overAt, at);
        into.put(e.getKey(), copy);
      } else {
        into.put(e.getKey(), e.getValue());
        at.keySet().removeIf(k -> k.equals(p) || k.startsWith(p + "/"));
        overAt.forEach(
            (k, loc) -> {
              if (k.equals(p) || k.startsWith(p + "/")) {
                at.put(k, loc);
              }
            });
      }
    }
  }
}
