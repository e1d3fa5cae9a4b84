package dev.telos.cli;

import dev.telos.manifest.ManifestError;
import dev.telos.manifest.ManifestLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code telos validate PATH...}: the check a pull request's CI runs. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Validate manifests: every *.yaml and *.yml file under each PATH (directories are walked,"
          + " hidden ones skipped).",
      "Prints one line per error, FILE:LINE:COLUMN: message, and exits 1; exits 0 when all are"
          + " valid."
    },
    footer = {
      "",
      "Examples:",
      "  telos validate apps/",
      "  telos validate apps/web.yaml apps/worker.yaml",
      "  telos validate --repo-root . deploy/prod   # releases read charts/ from the root"
    })
final class ValidateCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories.")
  List<Path> paths;

  @picocli.CommandLine.Option(
      names = "--repo-root",
      defaultValue = ".",
      paramLabel = "DIR",
      description =
          "Where releases' chart and values-file paths start: the repository's root (default:"
              + " the current directory).")
  Path repoRoot;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    ManifestLoader loader = new ManifestLoader();
    List<ManifestLoader.FileResult> files = new ArrayList<>();
    PrintWriter out = spec.commandLine().getOut();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        try (Stream<Path> walk = Files.walk(path)) {
          for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
            if (ManifestLoader.isSourceFile(
                path.relativize(p).toString().replace(java.io.File.separatorChar, '/'))) {
              files.add(loader.parseFile(p.toString(), Files.readAllBytes(p)));
            }
          }
        }
      } else if (Files.isRegularFile(path)) {
        files.add(loader.parseFile(path.toString(), Files.readAllBytes(path)));
      } else {
        out.println(path + ":1:1: no such file or directory");
        out.flush();
        return 1;
      }
    }
    ManifestLoader.LoadResult result = ManifestLoader.combine(files);
    if (!result.releases().isEmpty()) {
      // Releases render as the controller would render them: charts from the repository's root.
      dev.telos.render.Releases.Result rendered =
          new dev.telos.render.Releases(loader, dev.telos.manifest.YamlLimits.DEFAULT)
              .render(
                  result.releases(),
                  new dev.telos.render.DirectoryFiles(repoRoot, loader.maxFileBytes()));
      files.add(
          new ManifestLoader.FileResult("(rendered releases)", rendered.apps(), rendered.errors()));
      result = ManifestLoader.combine(files);
      files.remove(files.size() - 1);
    }
    for (ManifestError error : result.errors()) {
      out.println(error);
    }
    if (!result.valid()) {
      out.flush();
      return 1;
    }
    out.println(
        "valid: "
            + result.apps().size()
            + " app(s)"
            + (result.releases().isEmpty() ? "" : " (" + result.releases().size() + " release(s))")
            + " in "
            + files.size()
            + " file(s)");
    out.flush();
    return 0;
  }
}
