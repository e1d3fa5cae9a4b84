package dev.telos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telos.cluster.LiveTask;
import dev.telos.cluster.TaskIds;
import dev.telos.git.GitSource;
import dev.telos.git.PollResult;
import dev.telos.git.Snapshot;
import dev.telos.manifest.App;
import dev.telos.manifest.ManifestError;
import dev.telos.manifest.ManifestLoader;
import dev.telos.manifest.Service;
import dev.telos.reconcile.Plan;
import dev.telos.reconcile.Planner;
import dev.telos.reconcile.PlannerSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.mesos.v1.Protos.TaskState;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code telos plan}: what syncing a revision would do, from the controller's live state or against
 * an empty cluster. Reads git, never changes the cluster. Exit 0: no change; 2: changes; 1: error
 * (invalid manifests, unreachable repository or API).
 */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Show what a sync of REVISION would do: launches, kills, scaling, rollouts and prunes,"
          + " with the spec fields that changed. Never changes the cluster.",
      "Exit codes: 0 no changes, 2 changes, 1 error. --output markdown is ready to post as a"
          + " pull-request comment."
    },
    footer = {
      "",
      "Examples:",
      "  telos plan --repo . --revision HEAD --server http://telos:8080",
      "  telos plan --repo https://git.example.com/apps.git --revision pr-42 -o markdown",
      "  telos plan --repo . --revision HEAD~1 --offline"
    })
public final class PlanCommand implements Callable<Integer> {
  @Option(
      names = "--repo",
      required = true,
      paramLabel = "DIR_OR_URL",
      description = "The repository.")
  String repo;

  @Option(
      names = "--revision",
      defaultValue = "main",
      description =
          "What to plan, as git rev-parse takes it: a branch or tag of the repository, a full or"
              + " short SHA, HEAD (the repository's HEAD), each with ~N or ^N (default:"
              + " ${DEFAULT-VALUE}).")
  String revision;

  @Option(names = "--path", defaultValue = "", description = "Manifest directory in the repo.")
  String path;

  @Option(
      names = "--source",
      paramLabel = "NAME",
      description =
          "With a controller of several sources: the source this repository is; the plan covers"
              + " its namespaces only.")
  String sourceName;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Target target;

  static final class Target {
    @Option(
        names = "--server",
        description = "Plan against this controller's live state (default: $TELOS_SERVER).")
    String server;

    @Option(names = "--offline", description = "Plan against an empty cluster.")
    boolean offline;
  }

  @Option(
      names = {"-o", "--output"},
      defaultValue = "text",
      description = "text, markdown or json (default: ${DEFAULT-VALUE}).")
  String output;

  @Option(names = "--git-token-file", description = "HTTPS token for the repository.")
  Path gitTokenFile;

  @Option(
      names = "--age-key-file",
      paramLabel = "FILE",
      description =
          "age identities for the SOPS files that spec.secrets name (as the controller's; a plan"
              + " shows each secret's version, never its value).")
  Path ageKeyFile;

  @Spec CommandSpec spec;

  /** One app's change. */
  record Change(String app, String kind, String change, String details, List<String> fields) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (!List.of("text", "markdown", "json").contains(output)) {
      out.println("error: --output must be text, markdown or json");
      out.flush();
      return 1;
    }
    Path data = Files.createTempDirectory("telos-plan-");
    try {
      return plan(out, data);
    } finally {
      BenchCommand.deleteTree(data);
    }
  }

  /**
   * {@code telos plan -o markdown} of {@code revision} against the controller at {@code server}, as
   * the API's {@code GET /api/v1/plan} serves it.
   */
  public static dev.telos.api.ApiServer.Plans.Answer markdown(
      String repo, String revision, String path, Path tokenFile, Path ageKeyFile, ApiReader live) {
    java.io.StringWriter text = new java.io.StringWriter();
    PlanCommand plan = new PlanCommand();
    plan.inProcess = live;
    picocli.CommandLine command = new picocli.CommandLine(plan);
    command.setOut(new PrintWriter(text, true));
    command.setErr(new PrintWriter(text, true));
    List<String> args =
        new ArrayList<>(
            List.of(
                "--repo",
                repo,
                "--revision",
                revision,
                "--server",
                "in-process",
                "-o",
                "markdown"));
    if (path != null && !path.isEmpty()) {
      args.addAll(List.of("--path", path));
    }
    if (tokenFile != null) {
      args.addAll(List.of("--git-token-file", tokenFile.toString()));
    }
    if (ageKeyFile != null) {
      args.addAll(List.of("--age-key-file", ageKeyFile.toString()));
    }
    int exit = command.execute(args.toArray(String[]::new));
    return new dev.telos.api.ApiServer.Plans.Answer(exit, text.toString());
  }

  /** A source over {@code repo} for reading one revision (history rewrites followed). */
  static GitSource openRevision(
      String repo, String revision, String path, Path tokenFile, Path ageKeyFile, Path data)
      throws IOException {
    GitSource source =
        new GitSource(
            new GitSource.Config(
                ControllerOptions.repositoryUrl(repo),
                revision,
                path,
                dev.telos.git.GitCredentials.token(null, tokenFile),
                data,
                true,
                Duration.ofSeconds(60)),
            new ManifestLoader());
    if (ageKeyFile != null) {
      source.decryptSecretsWith(dev.telos.secrets.AgeKeys.load(ageKeyFile));
    }
    return source;
  }

  /**
   * Whether a revision read well; else prints its errors ({@code FILE:LINE:COLUMN: message}) or why
   * it could not be read.
   */
  static boolean readable(PrintWriter out, PollResult read) {
    if (read instanceof PollResult.Invalid inv) {
      for (ManifestError e : inv.errors()) {
        out.println(e);
      }
      out.println(
          "error: "
              + inv.commit().shortSha()
              + " has invalid manifests; it would be rejected whole");
    } else if (read instanceof PollResult.Failed f) {
      out.println("error: " + f.message());
    } else {
      return true;
    }
    out.flush();
    return false;
  }

  /** The API's reads ({@code /api/v1/status}, {@code /api/v1/apps}) as JSON. */
  public interface ApiReader {
    JsonNode get(String path) throws java.io.IOException, InterruptedException;
  }

  /** The controller's API in this process (GET /api/v1/plan), instead of over HTTP. */
  private ApiReader inProcess;

  /** The controller to plan against: --server, else $TELOS_SERVER; null with --offline. */
  private String server() {
    if (target != null) {
      return target.offline ? null : target.server;
    }
    String env = System.getenv("TELOS_SERVER");
    if (env == null || env.isBlank()) {
      throw new IllegalArgumentException(
          "give --server URL (or set TELOS_SERVER) to plan against a controller, or --offline");
    }
    return env.strip();
  }

  private int plan(PrintWriter out, Path data) throws Exception {
    String server = server();
    try (GitSource source = openRevision(repo, revision, path, gitTokenFile, ageKeyFile, data)) {
      PollResult read = source.readRevision(revision);
      if (!readable(out, read)) {
        return 1;
      }
      Snapshot next = ((PollResult.Updated) read).snapshot();
      List<LiveTask> live = new ArrayList<>();
      Map<String, dev.telos.reconcile.AppHistory> history = new TreeMap<>();
      Snapshot current = null;
      if (server != null) {
        ApiReader api =
            inProcess != null
                ? inProcess
                : new ApiClient(server, ClientCommands.ServerOptions.envToken())::get;
        JsonNode status = api.get("/api/v1/status");
        JsonNode mine = source(status);
        List<String> namespaces = new ArrayList<>();
        if (mine != null) {
          mine.path("namespaces").forEach(n -> namespaces.add(n.asText()));
          for (App app : next.apps()) {
            if (!dev.telos.git.SourceSet.owns(namespaces, app.metadata().namespace())) {
              out.println(
                  app.source()
                      + ": namespace '"
                      + app.metadata().namespace()
                      + "' is not one of source "
                      + sourceName
                      + "'s namespaces ("
                      + String.join(", ", namespaces)
                      + ")");
              out.println("error: the controller would reject this commit whole");
              out.flush();
              return 1;
            }
          }
        }
        for (JsonNode a : api.get("/api/v1/apps")) {
          if (mine != null
              && !dev.telos.git.SourceSet.owns(namespaces, a.path("namespace").asText())) {
            continue; // another source's app
          }
          for (JsonNode t : a.path("tasks")) {
            live.add(liveTask(t));
          }
          if (a.path("planState").isObject()) {
            history.put(
                a.path("namespace").asText() + "/" + a.path("name").asText(),
                HISTORY.treeToValue(a.path("planState"), dev.telos.reconcile.AppHistory.class));
          }
        }
        String currentRev = (mine != null ? mine : status).path("revision").asText(null);
        if (next.commit().sha().equals(currentRev)) {
          // The controller runs this revision already: whatever it is doing is not a change.
          print(out, next, List.of(), null);
          return 0;
        }
        if (currentRev != null && !currentRev.isEmpty()) {
          PollResult cur = source.readRevision(currentRev);
          if (cur instanceof PollResult.Updated u) {
            current = u.snapshot();
          }
        }
      }
      Instant now = Instant.now();
      Plan plan =
          Planner.plan(
              new Planner.Input(
                  next.commit().sha(),
                  next.apps(),
                  live,
                  List.of(),
                  Map.of(),
                  history,
                  PlannerSettings.DEFAULT,
                  0),
              now);
      List<Change> changes = changes(next, current, live, plan, now);
      print(out, next, changes, plan);
      return changes.isEmpty() ? 0 : 2;
    }
  }

  /**
   * The controller's {@code --source} this plan is for, or null when it syncs one repository.
   * Refuses a plan that would mistake the other sources' apps for removed ones.
   */
  private JsonNode source(JsonNode status) {
    JsonNode sources = status.path("sources");
    if (!sources.isArray() || sources.isEmpty()) {
      if (sourceName != null) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "--source: the controller syncs one repository, not sources");
      }
      return null;
    }
    List<String> names = new ArrayList<>();
    for (JsonNode s : sources) {
      names.add(s.path("name").asText());
      if (s.path("name").asText().equals(sourceName)) {
        return s;
      }
    }
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(),
        (sourceName == null ? "the controller syncs several sources" : "no source " + sourceName)
            + " ("
            + String.join(", ", names)
            + "): give --source NAME");
  }

  /**
   * The app's kind, and for a rendered app its release and chart: {@code Service, release web
   * (service-1.0.0)}.
   */
  static String kindOf(App app) {
    String release = app.metadata().labels().get(dev.telos.manifest.Release.LABEL);
    if (release == null) {
      return app.kind();
    }
    String chart = app.metadata().labels().get(dev.telos.manifest.Release.CHART_LABEL);
    return app.kind() + ", release " + release + (chart == null ? "" : " (" + chart + ")");
  }

  /** Reads the planner's record of an app as the API serves it. */
  private static final com.fasterxml.jackson.databind.ObjectMapper HISTORY =
      new com.fasterxml.jackson.databind.ObjectMapper()
          .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
          .disable(
              com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private void print(PrintWriter out, Snapshot next, List<Change> changes, Plan plan) {
    switch (output) {
      case "json" -> out.println(json(next, changes, plan).toPrettyString());
      case "markdown" -> markdown(out, next, changes, plan);
      default -> text(out, next, changes, plan);
    }
    out.flush();
  }

  static LiveTask liveTask(JsonNode t) {
    String id = t.path("id").asText();
    TaskIds.Parsed p = TaskIds.parse(id).orElse(null);
    List<Long> ports = new ArrayList<>();
    t.path("ports").forEach(n -> ports.add(n.asLong()));
    return new LiveTask(
        id,
        p == null ? null : p.appKey(),
        p == null ? null : p.specHash(),
        p == null ? Instant.EPOCH : p.launchedAt(),
        TaskState.valueOf(t.path("state").asText()),
        t.path("healthy").isBoolean() ? t.path("healthy").asBoolean() : null,
        t.path("agentId").asText(null),
        t.path("host").asText(null),
        ports,
        null,
        null,
        null);
  }

  static List<Change> changes(
      Snapshot next, Snapshot current, List<LiveTask> live, Plan plan, Instant now) {
    Map<String, App> before = new TreeMap<>();
    if (current != null) {
      current.apps().forEach(a -> before.put(a.key(), a));
    }
    Map<String, Integer> liveCount = new TreeMap<>();
    for (LiveTask t : live) {
      if (t.appKey() != null) {
        liveCount.merge(t.appKey(), 1, Integer::sum);
      }
    }
    Map<String, Integer> kills = new LinkedHashMap<>();
    for (Plan.Kill k : plan.kills()) {
      if (k.appKey() != null) {
        kills.merge(k.appKey(), 1, Integer::sum);
      }
    }
    Map<String, Integer> pending = new LinkedHashMap<>();
    for (Plan.Pending p : plan.pending()) {
      pending.merge(p.appKey(), p.count(), Integer::sum);
    }
    List<Change> out = new ArrayList<>();
    for (App app : next.apps()) {
      App old = before.get(app.key());
      int running = liveCount.getOrDefault(app.key(), 0);
      int launch = pending.getOrDefault(app.key(), 0);
      int kill = kills.getOrDefault(app.key(), 0);
      int desired = app instanceof Service s ? s.instances() : 1;
      if (app instanceof dev.telos.manifest.CronJob cron && launch == 0 && kill == 0) {
        if (old == null || !old.specHash().equals(app.specHash())) {
          // Nothing runs until the schedule says so.
          out.add(
              new Change(
                  app.key(),
                  kindOf(app),
                  old == null ? "schedule" : "reschedule",
                  "'"
                      + cron.schedule()
                      + "', next run "
                      + cron.schedule().next(now).map(Instant::toString).orElse("never")
                      + ", "
                      + footprint(app),
                  old == null ? List.of() : SpecDiff.changes("spec.job", old.task(), app.task())));
        }
        continue;
      }
      if (old == null && running == 0) {
        out.add(
            new Change(
                app.key(),
                kindOf(app),
                "launch",
                (app instanceof Service
                        ? desired + " instance(s), spec " + app.specHash()
                        : "run spec " + app.specHash())
                    + ", "
                    + footprint(app),
                List.of()));
      } else if (old != null && !old.specHash().equals(app.specHash())) {
        out.add(
            new Change(
                app.key(),
                kindOf(app),
                "rollout",
                "spec "
                    + old.specHash()
                    + " → "
                    + app.specHash()
                    + ", "
                    + desired
                    + " instance(s), "
                    + footprint(app),
                SpecDiff.changes(
                    app instanceof dev.telos.manifest.CronJob ? "spec.job" : "spec",
                    old.task(),
                    app.task())));
      } else if (old instanceof Service o
          && app instanceof Service s
          && o.instances() != s.instances()) {
        out.add(
            new Change(
                app.key(),
                kindOf(app),
                "scale",
                o.instances() + " → " + s.instances() + " instance(s)",
                List.of()));
      } else if (launch > 0 || kill > 0) {
        out.add(
            new Change(
                app.key(),
                kindOf(app),
                launch > 0 ? "launch" : "kill",
                (launch > 0 ? launch + " to launch" : "")
                    + (launch > 0 && kill > 0 ? ", " : "")
                    + (kill > 0 ? kill + " to kill" : ""),
                List.of()));
      }
    }
    // Per app of a release: the release's values that changed, before the spec fields.
    for (int i = 0; i < out.size(); i++) {
      Change c = out.get(i);
      App app = next.apps().stream().filter(a -> a.key().equals(c.app())).findFirst().orElse(null);
      String release =
          app == null ? null : app.metadata().labels().get(dev.telos.manifest.Release.LABEL);
      if (release == null) {
        continue;
      }
      String key = app.metadata().namespace() + "/" + release;
      Map<String, Object> after = next.releaseValues().get(key);
      Map<String, Object> was = current == null ? null : current.releaseValues().get(key);
      if (after == null || was == null) {
        continue;
      }
      List<String> fields = new ArrayList<>(SpecDiff.valueChanges(was, after));
      fields.addAll(c.fields());
      out.set(i, new Change(c.app(), c.kind(), c.change(), c.details(), fields));
    }
    java.util.Set<String> nextKeys = new java.util.HashSet<>();
    next.apps().forEach(a -> nextKeys.add(a.key()));
    for (Map.Entry<String, Integer> e : liveCount.entrySet()) {
      if (!nextKeys.contains(e.getKey())) {
        App old = before.get(e.getKey());
        out.add(
            new Change(
                e.getKey(),
                old == null ? "?" : old.kind(),
                plan.heldPrune() != null ? "prune (held)" : "prune",
                e.getValue()
                    + " task(s) killed"
                    + (plan.heldPrune() != null ? " once allowed" : ""),
                List.of()));
      }
    }
    return out;
  }

  /**
   * What one task takes from an offer: its resources, and under {@code executor: telos} the
   * executor's on top (what agents give the Telos executor by default).
   */
  static String footprint(App app) {
    var r = app.task().resources();
    String s = number(r.cpus()) + " cpus, " + number(r.mem()) + " MiB";
    if (r.disk() > 0) {
      s += ", " + number(r.disk()) + " MiB disk";
    }
    if (app.task().executor() != null) {
      s +=
          " + "
              + number(dev.telos.reconcile.ExecutorLaunch.DEFAULT_CPUS)
              + " cpus, "
              + number(dev.telos.reconcile.ExecutorLaunch.DEFAULT_MEM)
              + " MiB for the Telos executor";
    }
    return s + " per task";
  }

  private static String number(double v) {
    return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  private static String summary(Snapshot next, List<Change> changes, Plan plan) {
    if (changes.isEmpty()) {
      return "No changes: the cluster already matches " + next.commit().shortSha() + ".";
    }
    Map<String, Integer> byKind = new TreeMap<>();
    changes.forEach(c -> byKind.merge(c.change(), 1, Integer::sum));
    List<String> parts = new ArrayList<>();
    byKind.forEach((k, v) -> parts.add(v + " " + k));
    return changes.size()
        + " app(s) change at "
        + next.commit().shortSha()
        + ": "
        + String.join(", ", parts)
        + ".";
  }

  private static void text(PrintWriter out, Snapshot next, List<Change> changes, Plan plan) {
    out.println(summary(next, changes, plan));
    for (Change c : changes) {
      out.println("  " + c.change() + " " + c.app() + " (" + c.kind() + "): " + c.details());
      for (String f : c.fields()) {
        out.println("      " + f);
      }
    }
    if (plan != null && plan.heldPrune() != null) {
      out.println("Prune held: " + plan.heldPrune());
    }
  }

  private static void markdown(PrintWriter out, Snapshot next, List<Change> changes, Plan plan) {
    out.println(
        "**Telos plan** for `" + next.commit().shortSha() + "` — " + summary(next, changes, plan));
    if (changes.isEmpty()) {
      return;
    }
    out.println();
    out.println("| App | Kind | Change | Details |");
    out.println("| --- | --- | --- | --- |");
    for (Change c : changes) {
      out.println(
          "| `"
              + c.app()
              + "` | "
              + c.kind()
              + " | "
              + c.change()
              + " | "
              + c.details().replace("|", "\\|")
              + " |");
    }
    boolean anyFields = changes.stream().anyMatch(c -> !c.fields().isEmpty());
    if (anyFields) {
      out.println();
      out.println("<details><summary>Values and spec fields that changed</summary>");
      out.println();
      for (Change c : changes) {
        if (!c.fields().isEmpty()) {
          out.println("**`" + c.app() + "`**");
          out.println();
          for (String f : c.fields()) {
            out.println("- " + f.replace("|", "\\|"));
          }
          out.println();
        }
      }
      out.println("</details>");
    }
    if (plan != null && plan.heldPrune() != null) {
      out.println();
      out.println("> **Prune held:** " + plan.heldPrune());
    }
  }

  private static ObjectNode json(Snapshot next, List<Change> changes, Plan plan) {
    ObjectNode root = ApiClient.JSON.createObjectNode();
    root.put("revision", next.commit().sha());
    root.put("changed", !changes.isEmpty());
    ArrayNode list = root.putArray("changes");
    for (Change c : changes) {
      ObjectNode n = list.addObject();
      n.put("app", c.app());
      n.put("kind", c.kind());
      n.put("change", c.change());
      n.put("details", c.details());
      ArrayNode fields = n.putArray("fields");
      c.fields().forEach(fields::add);
    }
    root.put(
        "launches", plan == null ? 0 : plan.pending().stream().mapToInt(Plan.Pending::count).sum());
    root.put("kills", plan == null ? 0 : plan.kills().size());
    root.put("heldPrune", plan == null ? null : plan.heldPrune());
    return root;
  }
}
