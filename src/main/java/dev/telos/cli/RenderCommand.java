package dev.telos.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telos.git.GitSource;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code telos render}: what a revision's releases render, as {@code helm template} shows it. */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = {
      "Print the manifests every Release of a revision renders (its chart's templates with its"
          + " values), each under a '# Source: CHART/templates/FILE (release NS/NAME)' line.",
      "Exits 1 and prints FILE:LINE:COLUMN: message lines when the revision is invalid, as the"
          + " controller would reject it. Reads git only."
    },
    footer = {
      "",
      "Examples:",
      "  telos render --repo . --path deploy/prod",
      "  telos render --repo https://git.example.com/apps.git --revision pr-42 -o json"
    })
final class RenderCommand implements Callable<Integer> {
  @Option(
      names = "--repo",
      defaultValue = ".",
      paramLabel = "DIR_OR_URL",
      description = "The repository (default: the current directory).")
  String repo;

  @Option(
      names = "--revision",
      defaultValue = "HEAD",
      description = "What to render, as git rev-parse takes it (default: ${DEFAULT-VALUE}).")
  String revision;

  @Option(names = "--path", defaultValue = "", description = "Manifest directory in the repo.")
  String path;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "yaml",
      description = "yaml or json (default: ${DEFAULT-VALUE}).")
  String output;

  @Option(names = "--git-token-file", description = "HTTPS token for the repository.")
  Path gitTokenFile;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (!List.of("yaml", "json").contains(output)) {
      out.println("error: --output must be yaml or json");
      out.flush();
      return 1;
    }
    Path data = Files.createTempDirectory("telos-render-");
    try (GitSource source = PlanCommand.openRevision(repo, revision, path, gitTokenFile, data)) {
      if (!PlanCommand.readable(out, source.readRevision(revision))) {
        return 1;
      }
      Map<String, Map<String, String>> rendered = source.rendered();
      if (output.equals("json")) {
        List<Map<String, Object>> docs = new ArrayList<>();
        rendered.forEach(
            (release, files) ->
                files.forEach(
                    (file, text) -> {
                      Map<String, Object> d = new LinkedHashMap<>();
                      d.put("release", release);
                      d.put("source", file);
                      d.put("text", text);
                      docs.add(d);
                    }));
        out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(docs));
      } else {
        rendered.forEach(
            (release, files) ->
                files.forEach(
                    (file, text) -> {
                      out.println("---");
                      out.println("# Source: " + file + " (release " + release + ")");
                      out.print(text.endsWith("\n") ? text : text + "\n");
                    }));
      }
      out.flush();
      return 0;
    } finally {
      BenchCommand.deleteTree(data);
    }
  }
}
