package dev.telos.cli;

import dev.telos.manifest.ManifestLoader;
import dev.telos.manifest.Release;
import dev.telos.manifest.YamlLimits;
import dev.telos.render.Releases;
import dev.telos.render.RepoFiles;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code telos bench render}: renders N releases of the shipped {@code service} chart, each with
 * its own values, several times over, and prints the time of a whole pass (the target for 1,000
 * releases is under 2 s).
 */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description =
        "Benchmark chart rendering: N releases of telos/service rendered and loaded as manifests.")
final class BenchRenderCommand implements Callable<Integer> {
  @Option(
      names = "--releases",
      defaultValue = "1000",
      description = "Releases per pass (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(
      names = "--passes",
      defaultValue = "5",
      description = "Passes, the first one warming up (default: ${DEFAULT-VALUE}).")
  int passes;

  @Override
  public Integer call() {
    ManifestLoader loader = new ManifestLoader();
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < count; i++) {
      yaml.append("---\napiVersion: telos.dev/v1\nkind: Release\nmetadata: {name: svc-")
          .append(i)
          .append(", namespace: bench}\nspec:\n  chart: telos/service\n  values:\n")
          .append("    instances: ")
          .append(1 + i % 5)
          .append("\n    command: exec ./svc-")
          .append(i)
          .append(" --port $PORT_HTTP\n    env: {ID: '")
          .append(i)
          .append("'}\n");
    }
    YamlLimits limits = new YamlLimits(64L << 20, count + 1, 32, 100L * count + 1000);
    List<Release> releases =
        new ManifestLoader(limits)
            .parseFile("bench.yaml", yaml.toString().getBytes(StandardCharsets.UTF_8))
            .releases();
    List<Long> times = new ArrayList<>();
    int apps = 0;
    Releases renderer = null;
    for (int p = 0; p < passes; p++) {
      // A renderer of its own each pass: every release renders (none is kept from before).
      renderer = new Releases(loader, YamlLimits.DEFAULT);
      long t0 = System.nanoTime();
      Releases.Result r = renderer.render(releases, RepoFiles.NONE);
      times.add((System.nanoTime() - t0) / 1_000_000);
      if (!r.errors().isEmpty()) {
        System.out.println("error: " + r.errors().get(0));
        return 1;
      }
      apps = r.apps().size();
    }
    List<Long> measured = times.subList(Math.min(1, times.size() - 1), times.size());
    long best = measured.stream().mapToLong(Long::longValue).min().orElse(0);
    long median = measured.stream().sorted().toList().get(measured.size() / 2);
    System.out.printf(
        "render: %d releases of telos/service -> %d apps; first pass %d ms, then median %d ms,"
            + " best %d ms (%.2f ms per release); target for 1,000 releases: under 2,000 ms%n",
        releases.size(), apps, times.get(0), median, best, (double) median / releases.size());
    // A commit that changes one release: only that one renders again.
    List<Release> changed = new ArrayList<>(releases);
    Release first = changed.get(0);
    java.util.Map<String, Object> values = new java.util.LinkedHashMap<>(first.values());
    values.put("instances", 7);
    changed.set(
        0,
        new Release(
            first.metadata(),
            first.chart(),
            values,
            first.valueLocations(),
            first.valuesFiles(),
            first.source(),
            first.remote()));
    List<Long> again = new ArrayList<>();
    long renderedBefore = renderer.renderedReleases();
    for (int p = 0; p < passes; p++) {
      long t0 = System.nanoTime();
      renderer.render(p % 2 == 0 ? changed : releases, RepoFiles.NONE);
      again.add((System.nanoTime() - t0) / 1_000_000);
    }
    System.out.printf(
        "render: one release of %d changed -> %d re-rendered per pass, median %d ms%n",
        releases.size(),
        (renderer.renderedReleases() - renderedBefore) / passes,
        again.stream().sorted().toList().get(again.size() / 2));
    return 0;
  }
}
