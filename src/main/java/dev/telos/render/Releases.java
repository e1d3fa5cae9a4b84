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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
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
   * @param values each rendered release's merged values, by release key
   */
  public record Result(
      List<App> apps,
      List<ManifestError> errors,
      Map<String, Map<String, String>> rendered,
      Map<String, Map<String, Object>> values) {}

  private final ManifestLoader loader;
  private final YamlLimits limits;

  public Releases(ManifestLoader loader, YamlLimits limits) {
    this.loader = loader;
    this.limits = limits;
  }

  /** Renders every release, with no access to other repositories. */
  public Result render(List<Release> releases, RepoFiles repo) {
    return render(releases, repo, ChartRepositories.NONE);
  }

  /**
   * Renders every release; a release that fails adds its errors and no app.
   *
   * @throws ChartRepositories.Unavailable a chart's repository cannot be reached
   */
  public synchronized Result render(
      List<Release> releases, RepoFiles repo, ChartRepositories remotes) {
    List<App> apps = new ArrayList<>();
    List<ManifestError> errors = new ArrayList<>();
    Map<String, Map<String, String>> rendered = new LinkedHashMap<>();
    Map<String, Map<String, Object>> merged = new LinkedHashMap<>();
    Map<String, Chart.Loaded> charts = new HashMap<>();
    Map<String, TemplateEngine> engines = new HashMap<>();
    Map<String, String> commits = new HashMap<>();
    Map<String, String> digests = new HashMap<>();
    Map<String, Rendered> next = new HashMap<>();
    for (Release r : releases) {
      String why = "release " + r.key() + ": ";
      Chart.Loaded loaded;
      try {
        loaded = charts.get(r.chartKey());
        if (loaded == null) {
          loaded = loadChart(r, repo, remotes, commits, digests);
          charts.put(r.chartKey(), loaded);
        }
      } catch (IOException e) {
        errors.add(
            new ManifestError(
                r.source(), why + "cannot read chart " + r.chartKey() + ": " + e.getMessage()));
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
      // Only a release whose inputs changed renders again: its key, labels, chart (content and
      // commit) and merged values decide what it renders. Failures are not kept: their
      // locations may move while the values stay.
      String commit = commits.get(r.chartKey());
      String key = cacheKey(r, digests.get(r.chartKey()) + "@" + commit, values.merged);
      Rendered out = cache.get(key);
      if (out == null) {
        out = renderOne(r, chart, values, engines, commit);
        renderedReleases.incrementAndGet();
      }
      if (out.errors.isEmpty()) {
        next.put(key, out);
      }
      apps.addAll(out.apps);
      out.errors.forEach(e -> errors.add(new ManifestError(e.location(), why + e.message())));
      if (out.errors.isEmpty()) {
        rendered.put(r.key(), out.texts);
        merged.put(r.key(), values.merged);
      }
    }
    cache = next;
    return new Result(apps, errors, rendered, merged);
  }

  private Chart.Loaded loadChart(
      Release r,
      RepoFiles repo,
      ChartRepositories remotes,
      Map<String, String> commits,
      Map<String, String> digests)
      throws IOException {
    String ref = r.chart();
    Map<String, byte[]> files;
    if (r.remote() != null) {
      ChartRepositories.Fetched fetched = remotes.open(r.remote().repo(), r.remote().ref());
      commits.put(r.chartKey(), fetched.commit());
      files = fetched.files().under(ref);
    } else if (ShippedCharts.isShipped(ref)) {
      files = ShippedCharts.files(ref);
    } else {
      files = repo.under(ref);
    }
    digests.put(r.chartKey(), digest(files));
    return load(r, files);
  }

  private Chart.Loaded load(Release r, Map<String, byte[]> files) {
    String ref = r.chart();
    if (r.remote() != null) {
      return Chart.load(r.chartKey(), files, limits);
    }
    if (ShippedCharts.isShipped(ref) && files.isEmpty()) {
      return new Chart.Loaded(
          null, List.of(new ManifestError(new Location(ref, 1, 1), "Telos ships no chart " + ref)));
    }
    return Chart.load(ref, files, limits);
  }

  private static String digest(Map<String, byte[]> files) {
    MessageDigest d = sha256();
    new java.util.TreeMap<>(files)
        .forEach(
            (path, content) -> {
              // Each part as its own fixed-length digest: no two charts' files run together.
              d.update(sha256().digest(path.getBytes(StandardCharsets.UTF_8)));
              d.update(sha256().digest(content));
            });
    return HexFormat.of().formatHex(d.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper CANONICAL =
      new com.fasterxml.jackson.databind.ObjectMapper()
          .configure(
              com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private static String cacheKey(Release r, String chartDigest, Map<String, Object> values) {
    MessageDigest d = sha256();
    try {
      d.update(
          CANONICAL.writeValueAsBytes(
              List.of(
                  r.key(),
                  new java.util.TreeMap<>(r.metadata().labels()),
                  r.chartKey(),
                  chartDigest,
                  values)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return HexFormat.of().formatHex(d.digest());
  }

  /** What one release rendered: its apps, or its errors (without the release's name). */
  private record Rendered(List<App> apps, List<ManifestError> errors, Map<String, String> texts) {}

  private Map<String, Rendered> cache = new HashMap<>();
  private final java.util.concurrent.atomic.AtomicLong renderedReleases =
      new java.util.concurrent.atomic.AtomicLong();

  /** How many releases were rendered so far (the others came from the previous render). */
  public long renderedReleases() {
    return renderedReleases.get();
  }

  private Rendered renderOne(
      Release r, Chart chart, Values values, Map<String, TemplateEngine> engines, String commit) {
    List<App> apps = new ArrayList<>();
    List<ManifestError> errors = new ArrayList<>();
    Map<String, String> texts = new LinkedHashMap<>();
    List<ManifestError> schemaErrors = ValuesSchema.check(chart, values.merged, values.at);
    if (!schemaErrors.isEmpty()) {
      return new Rendered(List.of(), schemaErrors, texts);
    }
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("values", values.merged);
    context.put(
        "release", Map.of("name", r.metadata().name(), "namespace", r.metadata().namespace()));
    context.put("chart", Map.of("name", chart.name(), "version", chart.version()));
    // One engine per chart for the whole render: Pebble's engine is thread-safe, and the
    // templates are the same for every release of the chart.
    TemplateEngine engine =
        engines.computeIfAbsent(r.chartKey(), c -> new TemplateEngine(chart.templates()));
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
                new Location(chart.dir() + "/templates/" + e.file, e.line, 1), e.getMessage()));
        continue;
      }
      texts.put(file, text);
      ManifestLoader.FileResult result =
          loader.parseFile(
              file + " (rendered for " + r.key() + ")", text.getBytes(StandardCharsets.UTF_8));
      errors.addAll(result.errors());
      if (!result.releases().isEmpty()) {
        errors.add(
            new ManifestError(r.source(), file + " renders a Release: charts render apps only"));
      }
      for (App app : result.apps()) {
        if (!app.metadata().namespace().equals(r.metadata().namespace())) {
          errors.add(
              new ManifestError(
                  app.source(),
                  "renders "
                      + app.key()
                      + ", outside the release's namespace "
                      + r.metadata().namespace()
                      + " (set metadata.namespace: {{ release.namespace }})"));
          continue;
        }
        // The release's own labels (an overlay's commonLabels, say) reach every app it renders;
        // what the template wrote wins.
        dev.telos.manifest.Metadata m = app.metadata();
        for (Map.Entry<String, String> l : r.metadata().labels().entrySet()) {
          if (!m.labels().containsKey(l.getKey())) {
            m = m.withLabel(l.getKey(), l.getValue());
          }
        }
        m =
            m.withLabel(Release.LABEL, r.metadata().name())
                .withLabel(Release.CHART_LABEL, chart.name() + "-" + chart.version());
        apps.add(
            app.withMetadata(commit == null ? m : m.withLabel(Release.CHART_COMMIT_LABEL, commit)));
      }
    }
    return errors.isEmpty()
        ? new Rendered(List.copyOf(apps), List.of(), texts)
        : new Rendered(List.of(), List.copyOf(errors), texts);
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
