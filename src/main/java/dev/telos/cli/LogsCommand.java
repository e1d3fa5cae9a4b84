package dev.telos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code telos logs NAMESPACE/NAME}: a task's stdout or stderr, read from its sandbox through its
 * agent's files API (the controller proxies it), and with {@code --follow} the lines that follow.
 */
@Command(
    name = "logs",
    mixinStandardHelpOptions = true,
    description = {
      "Print a task's stdout (or stderr) from its Mesos sandbox; --follow keeps printing.",
      "Examples:",
      "  telos logs shop/web                    the first running task's stdout",
      "  telos logs shop/web --stderr --tail 4096 --follow",
      "  telos logs shop/web --task shop.web.3f2a9c1b7e.mx1y2z-0"
    })
final class LogsCommand implements Callable<Integer> {
  @Mixin ClientCommands.ServerOptions options;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "NAMESPACE/NAME", description = "The app.")
  String app;

  @Option(
      names = "--task",
      description = "The task (default: the app's first running task, else its last failed one).")
  String task;

  @Option(names = "--stderr", description = "stderr instead of stdout.")
  boolean stderr;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing what the task writes (every second) until interrupted.")
  boolean follow;

  @Option(
      names = "--tail",
      paramLabel = "BYTES",
      defaultValue = "0",
      description = "Start this many bytes before the end (default: the whole file).")
  long tail;

  @Override
  public Integer call() throws Exception {
    if (!app.matches("[^/\\s]+/[^/\\s]+")) {
      throw new IllegalArgumentException("expected NAMESPACE/NAME, got " + app);
    }
    if (tail < 0) {
      throw new IllegalArgumentException("--tail must be 0 or more");
    }
    ApiClient client = options.client();
    String id = task != null ? task : pick(client.get("/api/v1/apps/" + app));
    String file = stderr ? "stderr" : "stdout";
    String base =
        "/api/v1/files/read?task="
            + URLEncoder.encode(id, StandardCharsets.UTF_8)
            + "&path="
            + file;
    long size = client.get(base + "&offset=-1").path("offset").asLong();
    long offset = tail > 0 ? Math.max(0, size - tail) : 0;
    PrintWriter out = spec.commandLine().getOut();
    while (true) {
      JsonNode chunk = client.get(base + "&offset=" + offset);
      String data = chunk.path("data").asText("");
      if (!data.isEmpty()) {
        out.print(data);
        out.flush();
        offset += data.getBytes(StandardCharsets.UTF_8).length;
        continue; // at most 64 KiB a read: read on until the end
      }
      if (!follow) {
        return 0;
      }
      Thread.sleep(1000);
    }
  }

  /** The first running task, else the task of the app's last failure. */
  static String pick(JsonNode app) {
    String first = null;
    for (JsonNode t : app.path("tasks")) {
      String id = t.path("id").asText();
      if (t.path("state").asText().equals("TASK_RUNNING")
          && (first == null || id.compareTo(first) < 0)) {
        first = id;
      }
    }
    if (first != null) {
      return first;
    }
    for (JsonNode t : app.path("tasks")) {
      return t.path("id").asText();
    }
    if (app.path("lastFailure").path("taskId").isTextual()) {
      return app.path("lastFailure").path("taskId").asText();
    }
    throw new IllegalArgumentException(
        app.path("namespace").asText() + "/" + app.path("name").asText() + " has no task");
  }
}
