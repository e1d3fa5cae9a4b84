package dev.telos.cli;

import dev.telos.git.ChartRepos;
import dev.telos.manifest.ManifestError;
import dev.telos.manifest.ManifestLoader;
import dev.telos.manifest.YamlLimits;
import dev.telos.render.Assembler;
import dev.telos.render.ChartRepositories;
import dev.telos.render.DirectoryFiles;
import dev.telos.render.Releases;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
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

  @picocli.CommandLine.Option(
      names = "--age-key-file",
      paramLabel = "FILE",
      description =
          "Decrypt the SOPS files that spec.secrets name and check their MACs; without it, each"
              + " named file is checked to exist, be a SOPS file and hold the key.")
  Path ageKeyFile;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    ManifestLoader loader = new ManifestLoader();
    Assembler assembler = new Assembler(YamlLimits.DEFAULT);
    Path rootDir = repoRoot.toAbsolutePath().normalize();
    List<ManifestLoader.FileResult> files = new ArrayList<>();
    int count = 0;
    PrintWriter out = spec.commandLine().getOut();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        // A directory builds as the controller builds it, overlays included: from the
        // repository's root when it is inside it, else as a tree of its own.
        Path dir = path.toAbsolutePath().normalize();
        DirectoryFiles tree;
        String root;
        if (dir.startsWith(rootDir)) {
          tree = new DirectoryFiles(rootDir, loader, prefix(repoRoot));
          root = rootDir.relativize(dir).toString().replace(java.io.File.separatorChar, '/');
        } else {
          tree = new DirectoryFiles(dir, loader, prefix(path));
          root = "";
        }
        ManifestLoader.LoadResult built = assembler.assemble(tree, root);
        count += sourceFiles(dir);
        files.add(
            new ManifestLoader.FileResult(
                path.toString(), built.apps(), built.errors(), built.releases()));
      } else if (Files.isRegularFile(path)) {
        files.add(loader.parseFile(path.toString(), Files.readAllBytes(path)));
        count++;
      } else {
        out.println(path + ":1:1: no such file or directory");
        out.flush();
        return 1;
      }
    }
    ManifestLoader.LoadResult result = ManifestLoader.combine(files);
    if (!result.releases().isEmpty()) {
      // Releases render as the controller would render them: charts from the repository's root.
      Path charts = Files.createTempDirectory("telos-validate-charts-");
      try (ChartRepos remotes = new ChartRepos(charts, loader.maxFileBytes())) {
        Releases.Result rendered =
            new Releases(loader, YamlLimits.DEFAULT)
                .render(
                    result.releases(),
                    new DirectoryFiles(repoRoot, loader.maxFileBytes()),
                    remotes);
        result = ManifestLoader.withRendered(result, rendered.apps(), rendered.errors());
      } catch (ChartRepositories.Unavailable e) {
        out.println("error: " + e.getMessage());
        out.flush();
        return 1;
      } finally {
        BenchCommand.deleteTree(charts);
      }
    }
    if (result.valid() && dev.telos.secrets.SecretResolver.needed(result.apps())) {
      // SOPS files are named from the repository's root.
      dev.telos.secrets.SecretResolver.Files read =
          p -> {
            Path f = rootDir.resolve(p).normalize();
            return f.startsWith(rootDir) && Files.isRegularFile(f) ? Files.readAllBytes(f) : null;
          };
      List<ManifestError> secretErrors =
          ageKeyFile == null
              ? dev.telos.secrets.SecretResolver.check(result.apps(), read, YamlLimits.DEFAULT)
              : new dev.telos.secrets.SecretResolver(
                      dev.telos.secrets.AgeKeys.load(ageKeyFile), YamlLimits.DEFAULT)
                  .resolve(result.apps(), read)
                  .errors();
      List<ManifestError> all = new ArrayList<>(result.errors());
      all.addAll(secretErrors);
      result =
          new ManifestLoader.LoadResult(result.apps(), all, result.releases(), result.documents());
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
            + count
            + " file(s)");
    out.flush();
    return 0;
  }

  private static int sourceFiles(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
      return (int)
          walk.filter(Files::isRegularFile)
              .filter(
                  p ->
                      ManifestLoader.isSourceFile(
                          dir.relativize(p).toString().replace(java.io.File.separatorChar, '/')))
              .count();
    }
  }

  /** How errors name files under {@code dir}: as the user wrote the directory. */
  private static String prefix(Path dir) {
    String d = dir.toString();
    if (d.isEmpty() || d.equals(".")) {
      return "";
    }
    return d.endsWith("/") ? d : d + "/";
  }
}
