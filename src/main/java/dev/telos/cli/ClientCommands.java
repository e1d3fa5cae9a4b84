package dev.telos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code telos status|apps|history|sync}: talk to a running controller's API. */
final class ClientCommands {
  private ClientCommands() {}

  /** Options every client command takes. */
  static final class ServerOptions {
    @Option(
        names = "--server",
        defaultValue = "${env:TELOS_SERVER:-http://127.0.0.1:8080}",
        description = "The Telos API (default: $TELOS_SERVER, else http://127.0.0.1:8080).")
    String server;

    @Option(
        names = {"-o", "--output"},
        defaultValue = "table",
        description = "table (for people) or json (for scripts); default: ${DEFAULT-VALUE}.")
    String output;

    @Option(
        names = "--token-file",
        description = "Bearer token for write endpoints (default: $TELOS_TOKEN).")
    Path tokenFile;

    @Option(
        names = "--ca-file",
        paramLabel = "PEM",
        description =
            "CAs to trust for an https:// server (default: $TELOS_CA_FILE, else the JVM's).")
    Path caFile;

    ApiClient client() throws java.io.IOException {
      String token =
          tokenFile == null
              ? envToken()
              : Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
      return new ApiClient(server, token, caFile != null ? caFile : ApiClient.caFromEnvironment());
    }

    /** The API token from the environment: TELOS_TOKEN, or TELOS_API_TOKEN as before. */
    static String envToken() {
      for (String name : new String[] {"TELOS_TOKEN", "TELOS_API_TOKEN"}) {
        String v = System.getenv(name);
        if (v != null && !v.isBlank()) {
          return v.strip();
        }
      }
      return null;
    }

    boolean json() {
      if (!output.equals("json") && !output.equals("table")) {
        throw new IllegalArgumentException("--output must be table or json, got " + output);
      }
      return output.equals("json");
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Show the controller's sync status.",
      footer = {
        "",
        "Examples:",
        "  telos status",
        "  TELOS_SERVER=http://telos:8080 telos status -o json | jq -r .health"
      })
  static final class Status implements Callable<Integer> {
    @Mixin ServerOptions options;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      JsonNode s = options.client().get("/api/v1/status");
      PrintWriter out = spec.commandLine().getOut();
      if (options.json()) {
        out.println(s.toPrettyString());
      } else {
        boolean colour = Table.colour();
        String sync = s.path("syncStatus").asText();
        out.println("Sync status:  " + (colour ? Table.paint(sync) : sync));
        if (s.path("health").isTextual()) {
          String health = s.path("health").asText();
          out.println("Health:       " + (colour ? Table.paint(health) : health));
        }
        out.println("Revision:     " + s.path("revision").asText("-"));
        out.println("Framework:    " + s.path("frameworkId").asText("-"));
        out.println("Ready:        " + s.path("ready").asBoolean());
        out.println("Mesos:        " + s.path("mesosConnection").asText("-"));
        JsonNode e = s.path("lastError");
        if (!e.isNull() && !e.isMissingNode()) {
          out.println("Last error:   " + e.path("message").asText());
        }
        if (!s.path("heldPrune").isNull() && !s.path("heldPrune").isMissingNode()) {
          out.println("Held prune:   " + s.path("heldPrune").asText());
        }
        if (s.path("syncBlocked").isTextual()) {
          out.println(
              "Waiting:      "
                  + s.path("syncBlocked").asText()
                  + (s.path("pendingRevision").isTextual()
                      ? "; " + shortSha(s.path("pendingRevision").asText()) + " waits"
                      : ""));
        }
        if (s.path("suspendedApps").size() > 0) {
          List<String> apps = new ArrayList<>();
          s.path("suspendedApps").forEach(a -> apps.add(a.asText()));
          out.println("Suspended:    " + String.join(", ", apps));
        }
        for (JsonNode src : s.path("sources")) {
          List<String> namespaces = new ArrayList<>();
          src.path("namespaces").forEach(n -> namespaces.add(n.asText()));
          out.println(
              "Source:       "
                  + src.path("name").asText()
                  + " "
                  + (src.path("revision").isTextual()
                      ? shortSha(src.path("revision").asText())
                      : "-")
                  + " "
                  + src.path("url").asText()
                  + " ("
                  + src.path("ref").asText()
                  + (src.path("path").asText().isEmpty() ? "" : ", " + src.path("path").asText())
                  + ") namespaces "
                  + String.join(", ", namespaces)
                  + (src.path("error").isTextual() ? ": " + src.path("error").asText() : ""));
        }
      }
      out.flush();
      return s.path("syncStatus").asText().equals("Error") ? 1 : 0;
    }
  }

  @Command(
      name = "apps",
      mixinStandardHelpOptions = true,
      description = "List apps; with NAMESPACE/NAME, one app and its tasks.",
      footer = {
        "",
        "Examples:",
        "  telos apps",
        "  telos apps shop/web",
        "  telos apps -o json | jq '.[] | select(.health != \"Healthy\")'"
      })
  static final class Apps implements Callable<Integer> {
    @Mixin ServerOptions options;
    @Spec CommandSpec spec;

    @picocli.CommandLine.Parameters(
        arity = "0..1",
        paramLabel = "NAMESPACE/NAME",
        description = "One app: its status, last failure and tasks (host:port, health, usage).")
    String app;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      if (app != null) {
        return oneApp(options, app, out);
      }
      JsonNode apps = options.client().get("/api/v1/apps");
      if (options.json()) {
        out.println(apps.toPrettyString());
        out.flush();
        return 0;
      }
      Table t =
          new Table(
              "NAMESPACE",
              "NAME",
              "KIND",
              "STATUS",
              "SYNC",
              "HEALTH",
              "DESIRED",
              "RUNNING",
              "HEALTHY",
              "REVISION",
              "MESSAGE");
      for (JsonNode a : apps) {
        t.row(
            a.path("namespace").asText(),
            a.path("name").asText(),
            a.path("kind").asText(),
            a.path("status").asText(),
            a.path("syncStatus").asText(null),
            a.path("health").asText(null),
            a.path("desiredInstances").asInt(),
            a.path("runningInstances").asInt(),
            a.path("healthyInstances").asInt(),
            shortSha(a.path("revision").asText(null)),
            a.path("message").asText(null));
      }
      t.print(out, Table.colour(), 3);
      List<String> why = new ArrayList<>();
      for (JsonNode a : apps) {
        JsonNode f = a.path("lastFailure");
        String status = a.path("status").asText();
        if (f.isObject() && !List.of("Synced", "Succeeded", "Scheduled").contains(status)) {
          why.add(
              a.path("namespace").asText()
                  + "/"
                  + a.path("name").asText()
                  + ": task "
                  + f.path("taskId").asText()
                  + " "
                  + f.path("state").asText()
                  + (f.path("exitCode").isInt() ? ", exit code " + f.path("exitCode").asInt() : "")
                  + (f.path("message").isTextual() ? ": " + f.path("message").asText() : ""));
        }
      }
      if (!why.isEmpty()) {
        out.println();
        out.println("Last failures:");
        why.forEach(w -> out.println("  " + w.replace("\n", "\n    ")));
      }
      out.flush();
      return 0;
    }
  }

  /** Prints one app and its tasks. */
  private static int oneApp(ServerOptions options, String app, PrintWriter out) throws Exception {
    if (!app.matches("[^/\\s]+/[^/\\s]+")) {
      throw new IllegalArgumentException("expected NAMESPACE/NAME, got " + app);
    }
    JsonNode a = options.client().get("/api/v1/apps/" + app);
    if (options.json()) {
      out.println(a.toPrettyString());
      out.flush();
      return 0;
    }
    out.println(
        app
            + " ("
            + a.path("kind").asText()
            + "): "
            + a.path("status").asText()
            + ", "
            + a.path("healthyInstances").asInt()
            + "/"
            + a.path("desiredInstances").asInt()
            + " healthy, "
            + a.path("runningInstances").asInt()
            + " running, spec "
            + a.path("specHash").asText()
            + " at "
            + shortSha(a.path("revision").asText(null))
            + (a.path("health").isTextual()
                ? "; sync "
                    + a.path("syncStatus").asText()
                    + ", health "
                    + a.path("health").asText()
                : ""));
    if (a.path("message").isTextual()) {
      out.println("  " + a.path("message").asText());
    }
    JsonNode f = a.path("lastFailure");
    if (f.isObject()) {
      out.println(
          "  last failure: task "
              + f.path("taskId").asText()
              + " "
              + f.path("state").asText()
              + (f.path("exitCode").isInt() ? ", exit code " + f.path("exitCode").asInt() : "")
              + (f.path("message").isTextual() ? ": " + f.path("message").asText() : ""));
    }
    Table t = new Table("TASK", "STATE", "ADDRESS", "HEALTHY", "RSS", "CPU");
    for (JsonNode task : a.path("tasks")) {
      JsonNode ports = task.path("ports");
      String host = task.path("host").asText(null);
      String address =
          host == null ? null : ports.size() > 0 ? host + ":" + ports.get(0).asLong() : host;
      JsonNode usage = task.path("usage");
      t.row(
          task.path("id").asText(),
          task.path("state").asText().replace("TASK_", ""),
          address,
          task.path("healthy").isBoolean() ? task.path("healthy").asBoolean() : null,
          usage.isObject() ? (usage.path("rssBytes").asLong() >> 20) + " MiB" : null,
          usage.isObject() ? usage.path("cpuSeconds").asDouble() + " s" : null);
    }
    out.println();
    t.print(out, false, -1);
    out.flush();
    return 0;
  }

  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      description = "List synced commits, newest first.",
      footer = {"", "Examples:", "  telos history", "  telos history --limit 5 -o json"})
  static final class History implements Callable<Integer> {
    @Mixin ServerOptions options;
    @Spec CommandSpec spec;

    @Option(
        names = {"-n", "--limit"},
        defaultValue = "20",
        description = "Show the newest N records (default: ${DEFAULT-VALUE}; 0: all).")
    int limit;

    @Override
    public Integer call() throws Exception {
      if (limit < 0) {
        throw new IllegalArgumentException("--limit must be 0 or more");
      }
      JsonNode all = options.client().get("/api/v1/history");
      com.fasterxml.jackson.databind.node.ArrayNode history =
          com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
      for (JsonNode h : all) {
        if (limit == 0 || history.size() < limit) {
          history.add(h);
        }
      }
      PrintWriter out = spec.commandLine().getOut();
      if (options.json()) {
        out.println(history.toPrettyString());
        out.flush();
        return 0;
      }
      Table t =
          new Table(
              "ID",
              "STARTED",
              "TOOK",
              "REVISION",
              "RESULT",
              "HEALTH",
              "LAUNCHED",
              "KILLED",
              "AUTHOR",
              "MESSAGE");
      for (JsonNode h : history) {
        t.row(
            h.path("id").asLong(),
            when(h.path("startedAt").asText(null)),
            took(h.path("startedAt").asText(null), h.path("finishedAt").asText(null)),
            shortSha(h.path("revision").asText(null)),
            h.path("result").asText(),
            h.path("health").asText(null),
            h.path("launched").asInt(),
            h.path("killed").asInt(),
            h.path("author").asText(),
            h.path("message").asText());
      }
      t.print(out, Table.colour(), 3);
      return 0;
    }
  }

  @Command(
      name = "sync",
      mixinStandardHelpOptions = true,
      description = "Fetch now and reconcile; with --wait, follow progress until Synced or Error.",
      footer = {
        "",
        "Examples:",
        "  telos sync --wait",
        "  telos sync --wait --timeout 10m",
        "  telos sync --approve-prune 3f2a9c1 --wait"
      })
  static final class Sync implements Callable<Integer> {
    @Mixin ServerOptions options;
    @Spec CommandSpec spec;

    @Option(
        names = "--wait",
        description =
            "Wait until Synced (exit 0), or until it cannot get there (exit 1, saying why): an"
                + " invalid commit or unreachable repository, a held prune, a Degraded app or a"
                + " failed Job.")
    boolean await;

    @Option(
        names = "--timeout",
        defaultValue = "5m",
        converter = DurationConverter.class,
        description = "Give up waiting after this long, exit 1 (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(
        names = "--approve-prune",
        paramLabel = "REVISION",
        description =
            "Approve, once, the prune held back at REVISION (the revision that runs, 7 or more"
                + " characters of its SHA): the apps it removes are pruned although they are more"
                + " than --max-prune. A later commit that removes as many is held again.")
    String approvePrune;

    @Override
    public Integer call() throws Exception {
      ApiClient client = options.client();
      PrintWriter out = spec.commandLine().getOut();
      if (approvePrune != null) {
        JsonNode approved =
            client.post(
                "/api/v1/prunes/approve?revision="
                    + java.net.URLEncoder.encode(approvePrune, StandardCharsets.UTF_8));
        if (!options.json()) {
          out.println(
              "prune approved at " + shortSha(approved.path("revision").asText(approvePrune)));
        }
      }
      Instant asked = Instant.now();
      long request = client.post("/api/v1/sync").path("request").asLong(0);
      if (!await) {
        out.println(options.json() ? "{\"accepted\":true}" : "sync requested");
        out.flush();
        return 0;
      }
      Instant deadline = asked.plus(timeout);
      String last = null;
      while (Instant.now().isBefore(deadline)) {
        JsonNode s = client.get("/api/v1/status");
        // A result counts only once a repository check that began after our request is in.
        boolean checked = s.path("checkedRequest").asLong(0) >= request;
        String sync = s.path("syncStatus").asText();
        String health = s.path("health").asText(null);
        String line =
            sync
                + " at "
                + shortSha(s.path("revision").asText(null))
                + (health == null ? "" : ", " + health)
                + progress(client);
        if (!line.equals(last)) {
          out.println(options.json() ? s.toString() : line);
          out.flush();
          last = line;
        }
        // Synced and healthy (an app scaled to zero is Suspended, on purpose).
        if (checked
            && sync.equals("Synced")
            && (health == null || health.equals("Healthy") || health.equals("Suspended"))) {
          return 0;
        }
        String failed = checked ? failure(s, client) : null;
        if (failed != null) {
          out.println("error: " + failed);
          out.flush();
          return 1;
        }
        Thread.sleep(500);
      }
      out.println(
          "timed out after "
              + dev.telos.manifest.Durations.format(timeout)
              + " waiting for Synced");
      out.flush();
      return 1;
    }

    /**
     * Why waiting longer would not help, or null: an invalid commit or unreachable repository, a
     * held prune, an app Degraded (tasks failing) or a Job whose retries ran out.
     */
    static String failure(JsonNode status, ApiClient client) throws Exception {
      if (status.path("syncStatus").asText().equals("Error")) {
        return status.path("lastError").path("message").asText();
      }
      if (status.path("heldPrune").isTextual()) {
        return "prune held: " + status.path("heldPrune").asText();
      }
      for (JsonNode a : client.get("/api/v1/apps")) {
        String app = a.path("namespace").asText() + "/" + a.path("name").asText();
        String appStatus = a.path("status").asText();
        if (List.of("Degraded", "Failed", "RolledBack").contains(appStatus)) {
          JsonNode f = a.path("lastFailure");
          return app
              + " is "
              + appStatus
              + (a.path("message").isTextual() ? " (" + a.path("message").asText() + ")" : "")
              + (f.isObject() && f.path("message").isTextual()
                  ? ": last task " + f.path("state").asText() + ": " + f.path("message").asText()
                  : "");
        }
      }
      return null;
    }

    private static String progress(ApiClient client) throws Exception {
      int desired = 0;
      int healthy = 0;
      for (JsonNode a : client.get("/api/v1/apps")) {
        desired += a.path("desiredInstances").asInt();
        healthy += a.path("healthyInstances").asInt();
      }
      return " (" + healthy + "/" + desired + " instances healthy)";
    }
  }

  /** What {@code suspend} and {@code resume} share: the server, and the app or the whole sync. */
  abstract static class Hold implements Callable<Integer> {
    @Mixin ServerOptions options;
    @Spec CommandSpec spec;

    @picocli.CommandLine.Parameters(
        arity = "0..1",
        paramLabel = "NAMESPACE/NAME",
        description = "The app (default: the sync of new commits).")
    String app;

    @Override
    public Integer call() throws Exception {
      return hold(options, spec, app, spec.name());
    }
  }

  @Command(
      name = "suspend",
      mixinStandardHelpOptions = true,
      description = {
        "Suspend the sync of new commits, or one app: nothing is done for it until resumed (what"
            + " runs keeps running). Held across restarts.",
      },
      footer = {"", "Examples:", "  telos suspend", "  telos suspend shop/web"})
  static final class Suspend extends Hold {}

  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description = "Resume the sync of new commits, or one app, after telos suspend.",
      footer = {"", "Examples:", "  telos resume", "  telos resume shop/web"})
  static final class Resume extends Hold {}

  private static int hold(ServerOptions options, CommandSpec spec, String app, String verb)
      throws Exception {
    String path =
        "/api/v1/"
            + verb
            + (app == null
                ? ""
                : "?app=" + java.net.URLEncoder.encode(app, StandardCharsets.UTF_8));
    JsonNode answer = options.client().post(path);
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        options.json()
            ? answer.toString()
            : (verb.equals("suspend") ? "suspended " : "resumed ")
                + (app == null ? "the sync of new commits" : app));
    out.flush();
    return 0;
  }

  /** An API instant as people read it: {@code 2026-11-27 16:42:05Z}, to the second. */
  static String when(String instant) {
    if (instant == null) {
      return null;
    }
    Instant at = Instant.parse(instant).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    return at.toString().replace('T', ' ');
  }

  /** How long from one API instant to another, as people write it ({@code 1.2s}, {@code 3m}). */
  static String took(String from, String to) {
    if (from == null || to == null) {
      return null;
    }
    return human(java.time.Duration.between(Instant.parse(from), Instant.parse(to)));
  }

  /** {@code 850ms}, {@code 1.2s}, {@code 3m 5s}, {@code 2h 10m}. */
  static String human(java.time.Duration d) {
    long ms = Math.max(0, d.toMillis());
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return java.math.BigDecimal.valueOf(ms / 100 / 10.0).stripTrailingZeros().toPlainString()
          + "s";
    }
    long s = ms / 1000;
    if (s < 3600) {
      return s / 60 + "m" + (s % 60 == 0 ? "" : " " + s % 60 + "s");
    }
    return s / 3600 + "h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + "m");
  }

  static String shortSha(String sha) {
    return sha == null ? null : sha.substring(0, Math.min(12, sha.length()));
  }
}
