package dev.telos.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.telos.git.GitSource;
import dev.telos.manifest.Document;
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

/**
 * {@code telos render}: the manifests a revision syncs to, after overlays and charts, as {@code
 * kustomize build} and {@code helm template} show them.
 */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = {
      "Print exactly the manifests syncing a revision would apply: hand-written ones after"
          + " overlays (each under a '# Source: FILE:LINE:COLUMN' line), then what every Release"
          + " renders (under '# Source: CHART/templates/FILE (release NS/NAME)').",
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
    try (GitSource source =
        PlanCommand.openRevision(repo, revision, path, gitTokenFile, null, data)) {
      if (!PlanCommand.readable(out, source.readRevision(revision))) {
        return 1;
      }
      // Every document as syncing applies it: hand-written ones after overlays, then what each
      // release renders.
      List<Map<String, Object>> docs = new ArrayList<>();
      for (Document d : source.documents()) {
        if (!d.isRelease()) {
          Map<String, Object> doc = new LinkedHashMap<>();
          doc.put("source", d.source().toString());
          doc.put("manifest", d.plain());
          docs.add(doc);
        }
      }
      ObjectMapper yaml =
          new ObjectMapper(
              new YAMLFactory()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
      for (Map.Entry<String, Map<String, String>> r : source.rendered().entrySet()) {
        for (Map.Entry<String, String> file : r.getValue().entrySet()) {
          for (Object manifest :
              yaml.readerFor(Object.class).readValues(file.getValue()).readAll()) {
            if (manifest == null) {
              continue;
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("source", file.getKey());
            doc.put("release", r.getKey());
            doc.put("manifest", manifest);
            docs.add(doc);
          }
        }
      }
      if (output.equals("json")) {
        out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(docs));
      } else {
        for (Map<String, Object> doc : docs) {
          out.println("---");
          out.println(
              "# Source: "
                  + doc.get("source")
                  + (doc.containsKey("release") ? " (release " + doc.get("release") + ")" : ""));
          out.print(yaml.writeValueAsString(doc.get("manifest")));
        }
      }
      out.flush();
      return 0;
    } finally {
      BenchCommand.deleteTree(data);
    }
  }
}
