package dev.telos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telos.local.LocalCluster;
import dev.telos.local.LocalClusterConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code telos bench restart}: a controller ({@code telos run}, this jar, a process of its own)
 * killed with SIGKILL and started again, on an embedded cluster whose simulated tasks outlive it.
 * Prints what the restart spends until the API answers and until the controller reports Synced
 * again, and checks that every task is the one that ran before (nothing relaunched). With {@code
 * --cds}, the same with a class data sharing archive of the jar made by a first run.
 */
@Command(
    name = "restart",
    mixinStandardHelpOptions = true,
    description = {
      "Measure a controller killed with -9 until it is Synced again (JVM start included),"
          + " checking that nothing is relaunched; with --cds, also with a class data sharing"
          + " archive.",
      "Examples:",
      "  java -jar target/telos.jar bench restart",
      "  java -jar target/telos.jar bench restart --apps 200 --instances 5 --rounds 5 --cds"
    })
final class BenchRestartCommand implements Callable<Integer> {
  @Option(
      names = "--apps",
      defaultValue = "20",
      description = "Apps in the repository (default: ${DEFAULT-VALUE}).")
  int apps;

  @Option(
      names = "--instances",
      defaultValue = "5",
      description = "Instances of each app (default: ${DEFAULT-VALUE}).")
  int instances;

  @Option(
      names = "--rounds",
      defaultValue = "5",
      description = "Kills and restarts (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--cds",
      description =
          "Also restart with a class data sharing archive of the jar (made by a first run with"
              + " -XX:ArchiveClassesAtExit), and print both.")
  boolean cds;

  @Option(
      names = "--agents",
      description =
          "Simulated agents (default: one per 10 tasks, at most 200; up to 5,000 when given).")
  Integer agents;

  @Option(
      names = "--controller-heap",
      description = "The controller JVM's -Xmx, such as 1g (default: the JVM's own).")
  String controllerHeap;

  @Option(
      names = "--idle",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "After the first start, how long to watch the Synced controller doing nothing: its CPU"
              + " and its loop passes (default: ${DEFAULT-VALUE}; 0s for none).")
  Duration idle;

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  /** Every controller started, destroyed at the end whatever happened. */
  private final List<Process> started = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (apps < 1 || apps > 10_000 || instances < 1 || instances > 100) {
      throw new IllegalArgumentException("--apps must be 1 to 10000, --instances 1 to 100");
    }
    if (rounds < 1 || rounds > 100) {
      throw new IllegalArgumentException("--rounds must be between 1 and 100");
    }
    if (agents != null && (agents < 1 || agents > 5_000)) {
      throw new IllegalArgumentException("--agents must be between 1 and 5000");
    }
    if (controllerHeap != null && !controllerHeap.matches("[0-9]+[kmgKMG]?")) {
      throw new IllegalArgumentException("--controller-heap takes a size such as 1g or 512m");
    }
    Path jar = dev.telos.api.ApiServer.runningJar();
    if (jar == null) {
      System.err.println("run it from the packaged jar: java -jar target/telos.jar bench restart");
      return 2;
    }
    Path dir = Files.createTempDirectory("telos-bench-restart-");
    try {
      return run(dir, jar);
    } finally {
      for (Process p : started) {
        p.destroyForcibly();
        p.waitFor(60, TimeUnit.SECONDS);
      }
      BenchCommand.deleteTree(dir);
    }
  }

  /** One started controller: its process, and when it answered and was Synced. */
  record Started(Process process, String api, long apiNanos, long syncedNanos) {}

  private int run(Path dir, Path jar) throws Exception {
    int agents =
        this.agents != null ? this.agents : Math.max(1, Math.min(200, apps * instances / 10));
    try (LocalCluster cluster =
            LocalCluster.start(
                LocalClusterConfig.builder(dir.resolve("cluster"))
                    .port(0)
                    .agents(0, agents)
                    .agentResources(64, 65536)
                    .simulation(Duration.ofMillis(10), 0)
                    .timings(Duration.ofSeconds(5), Duration.ofMillis(20), Duration.ofSeconds(10))
                    .build());
        Git repo =
            Git.init().setDirectory(dir.resolve("repo").toFile()).setInitialBranch("main").call()) {
      for (int i = 0; i < apps; i++) {
        Files.writeString(
            dir.resolve("repo").resolve("app-" + i + ".yaml"),
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: app-"
                + i
                + "}\nspec:\n  instances: "
                + instances
                + "\n  command: exec sleep 3600\n  resources: {cpus: 0.01, mem: 8}\n",
            StandardCharsets.UTF_8);
      }
      repo.add().addFilepattern(".").call();
      PersonIdent who = new PersonIdent("Bench", "bench@telos.dev");
      repo.commit().setMessage("apps").setAuthor(who).setCommitter(who).setSign(false).call();
      Path archive = dir.resolve("telos.jsa");
      List<String> first = cds ? List.of("-XX:ArchiveClassesAtExit=" + archive) : List.of();
      Started s = start(jar, dir, cluster, first);
      Set<String> tasks = runningTasks(cluster);
      if (tasks.size() != apps * instances) {
        throw new IllegalStateException(
            "expected " + apps * instances + " running tasks, found " + tasks.size());
      }
      System.out.printf(
          "first start (cold): API after %.0f ms, Synced with %d tasks after %.0f ms%n",
          s.apiNanos() / 1e6, tasks.size(), s.syncedNanos() / 1e6);
      if (!idle.isZero()) {
        watchIdle(s, repo);
      }
      if (cds) {
        // The archive is written at a clean exit.
        s.process().destroy();
        s.process().waitFor(60, TimeUnit.SECONDS);
        s = start(jar, dir, cluster, List.of());
      }
      List<List<Long>> plain = restarts(jar, dir, cluster, s, List.of(), tasks);
      print("restart after kill -9", plain);
      if (cds) {
        if (!Files.isRegularFile(archive)) {
          System.out.println("no class data sharing archive was written; skipped");
        } else {
          List<List<Long>> shared =
              restarts(jar, dir, cluster, null, List.of("-XX:SharedArchiveFile=" + archive), tasks);
          print(
              "restart after kill -9, with a CDS archive ("
                  + Files.size(archive) / (1024 * 1024)
                  + " MiB)",
              shared);
        }
      }
      System.out.printf(
          "apps %d, tasks %d on %d simulated agents; machine: %d cores, %s %s, Java %s%n",
          apps,
          tasks.size(),
          agents,
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("os.name"),
          System.getProperty("os.arch"),
          System.getProperty("java.version"));
    }
    return 0;
  }

  /**
   * Watches a Synced controller that has nothing to do for {@link #idle}: the CPU its process used
   * (of one core) and its loop passes, from its own metrics.
   */
  private void watchIdle(Started s, Git repo) throws Exception {
    // Synced means every task runs; the acknowledgements of their updates may still be going
    // out. Idle starts when they are all answered and no update came for a second.
    long q0 = System.nanoTime();
    Sample quiet = sample(s);
    long deadline = q0 + TimeUnit.MINUTES.toNanos(10);
    while (true) {
      Thread.sleep(1000); // polls the controller's metrics; bounded by the deadline
      Sample next = sample(s);
      if (next.metrics.getOrDefault("pending", 1.0) == 0
          && next.metrics
              .getOrDefault("updates", 0.0)
              .equals(quiet.metrics.getOrDefault("updates", 0.0))) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the controller did not become quiet within 10 minutes");
      }
      quiet = next;
    }
    System.out.printf(
        "quiet %.1f s after Synced (acknowledgements answered, no update for 1 s)%n",
        (System.nanoTime() - q0) / 1e9);
    long window = Math.min(idle.toMillis(), 10_000);
    Sample first = sample(s);
    Sample last = first;
    while (last.nanos - first.nanos < idle.toNanos()) {
      Thread.sleep(window); // the benchmark's own window, not a test's wait
      Sample next = sample(s);
      if (idle.toMillis() > window) {
        System.out.println("  " + next.since(last, "window"));
      }
      last = next;
    }
    System.out.printf(
        "idle %s; the longest pass in the last minutes: full %.1f ms, incremental %.1f ms%n",
        last.since(first, "after it"),
        1000 * last.metrics.getOrDefault("full_max", 0.0),
        1000 * last.metrics.getOrDefault("incremental_max", 0.0));
    // A commit that changes no manifest: a new snapshot, so a pass plans every app, and finds
    // nothing to do.
    Path readme = repo.getRepository().getWorkTree().toPath().resolve("README.md");
    Files.writeString(readme, "bench " + System.nanoTime() + "\n", StandardCharsets.UTF_8);
    repo.add().addFilepattern("README.md").call();
    PersonIdent who = new PersonIdent("Bench", "bench@telos.dev");
    String sha =
        repo.commit()
            .setMessage("nothing for the cluster")
            .setAuthor(who)
            .setCommitter(who)
            .setSign(false)
            .call()
            .getName();
    long c0 = System.nanoTime();
    http.send(
        HttpRequest.newBuilder(URI.create(s.api() + "/api/v1/sync"))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.discarding());
    long until = c0 + TimeUnit.SECONDS.toNanos(120);
    while (!syncedAt(s.api(), sha)) {
      if (System.nanoTime() > until) {
        throw new IllegalStateException("the no-op commit was not Synced within 120 s");
      }
      Thread.sleep(2); // polls the controller's status; bounded by the deadline
    }
    long took = System.nanoTime() - c0;
    Sample after = sample(s);
    System.out.printf(
        "a commit that changes no manifest: Synced after %.0f ms; %s%n",
        took / 1e6, after.passes(last));
    // Suspending and resuming the sync makes the loop plan every app: a full pass that finds
    // nothing to do.
    for (String action : List.of("suspend", "resume")) {
      int code =
          http.send(
                  HttpRequest.newBuilder(URI.create(s.api() + "/api/v1/" + action))
                      .POST(HttpRequest.BodyPublishers.noBody())
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode();
      if (code != 202) {
        throw new IllegalStateException(action + " answered " + code);
      }
    }
    long until2 = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    Sample resumed = sample(s);
    while (resumed.delta(after, "full_count") < 1) {
      if (System.nanoTime() > until2) {
        throw new IllegalStateException("no full pass after suspend and resume within 120 s");
      }
      Thread.sleep(10); // polls the controller's metrics; bounded by the deadline
      resumed = sample(s);
    }
    System.out.printf(
        "suspend and resume (every app planned, nothing to do): %s%n", resumed.passes(after));
  }

  /** The controller's CPU time and its metrics at one moment. */
  private record Sample(long nanos, java.time.Duration cpu, Map<String, Double> metrics) {
    String since(Sample before, String what) {
      double count = 0;
      double sum = 0;
      for (String kind : List.of("full", "incremental")) {
        count += delta(before, kind + "_count");
        sum += delta(before, kind + "_sum");
      }
      long wall = nanos - before.nanos;
      return String.format(
          "%.0f s %s: controller CPU %.1f %% of a core; %.0f loop passes, mean %.1f ms;"
              + " %.0f offers, %.0f updates",
          wall / 1e9,
          what,
          100.0 * cpu.minus(before.cpu).toNanos() / wall,
          count,
          count == 0 ? 0 : 1000 * sum / count,
          delta(before, "offers"),
          delta(before, "updates"));
    }

    /** The loop passes since {@code before}: how many of each kind, and their mean. */
    String passes(Sample before) {
      StringBuilder out = new StringBuilder();
      for (String kind : List.of("full", "incremental")) {
        double n = delta(before, kind + "_count");
        if (n > 0) {
          out.append(out.length() == 0 ? "" : ", ")
              .append(
                  String.format(
                      "%.0f %s passes, mean %.1f ms",
                      n, kind, 1000 * delta(before, kind + "_sum") / n));
        }
      }
      return out.length() == 0 ? "no loop pass" : out.toString();
    }

    double delta(Sample before, String key) {
      return metrics.getOrDefault(key, 0.0) - before.metrics.getOrDefault(key, 0.0);
    }
  }

  private Sample sample(Started s) throws Exception {
    return new Sample(
        System.nanoTime(),
        s.process().toHandle().info().totalCpuDuration().orElse(java.time.Duration.ZERO),
        passMetrics(s.api()));
  }

  /** {@code telos_loop_pass_seconds} count, sum and max by kind, from the controller's /metrics. */
  private Map<String, Double> passMetrics(String api) throws Exception {
    String text =
        http.send(
                HttpRequest.newBuilder(URI.create(api + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Map<String, Double> out = new java.util.HashMap<>();
    Matcher m =
        Pattern.compile(
                "telos_loop_pass_seconds_(count|sum|max)\\{kind=\"(full|incremental)\"\\}"
                    + " ([0-9.eE+-]+)")
            .matcher(text);
    while (m.find()) {
      out.put(m.group(2) + "_" + m.group(1), Double.parseDouble(m.group(3)));
    }
    Matcher counts =
        Pattern.compile(
                "telos_(offers_received|status_updates)_total(?:\\{[^}]*\\})? ([0-9.eE+-]+)")
            .matcher(text);
    Matcher pending = Pattern.compile("telos_mesos_calls_pending ([0-9.eE+-]+)").matcher(text);
    if (pending.find()) {
      out.put("pending", Double.parseDouble(pending.group(1)));
    }
    while (counts.find()) {
      String key = counts.group(1).equals("offers_received") ? "offers" : "updates";
      out.merge(key, Double.parseDouble(counts.group(2)), Double::sum);
    }
    return out;
  }

  /**
   * Kills the running controller with SIGKILL and starts it again, {@code rounds} times; returns
   * each round's [to API, to Synced] in nanoseconds. Fails when a task changed.
   */
  private List<List<Long>> restarts(
      Path jar,
      Path dir,
      LocalCluster cluster,
      Started running,
      List<String> jvm,
      Set<String> tasks)
      throws Exception {
    List<List<Long>> out = new ArrayList<>();
    Started s = running;
    for (int i = 0; i < rounds; i++) {
      if (s == null) {
        s = start(jar, dir, cluster, jvm);
      }
      s.process().destroyForcibly();
      s.process().waitFor(60, TimeUnit.SECONDS);
      s = start(jar, dir, cluster, jvm);
      out.add(List.of(s.apiNanos(), s.syncedNanos()));
      Set<String> now = runningTasks(cluster);
      if (!now.equals(tasks)) {
        s.process().destroyForcibly();
        throw new IllegalStateException(
            "the restart changed the tasks: " + tasks.size() + " before, " + now.size() + " now");
      }
    }
    if (s != null) {
      s.process().destroyForcibly();
      s.process().waitFor(60, TimeUnit.SECONDS);
    }
    return out;
  }

  private static void print(String what, List<List<Long>> rounds) {
    List<Long> api = new ArrayList<>();
    List<Long> synced = new ArrayList<>();
    rounds.forEach(
        r -> {
          api.add(r.get(0));
          synced.add(r.get(1));
        });
    System.out.printf(
        "%s (%d rounds, nothing relaunched): API answering p50 %.0f ms; Synced p50 %.0f ms,"
            + " max %.0f ms%n",
        what,
        rounds.size(),
        BenchE2eCommand.median(api) / 1e6,
        BenchE2eCommand.median(synced) / 1e6,
        synced.stream().mapToLong(Long::longValue).max().orElse(0) / 1e6);
  }

  /** Starts {@code telos run} on the cluster and waits until its API says Synced. */
  private Started start(Path jar, Path dir, LocalCluster cluster, List<String> jvm)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvm);
    if (controllerHeap != null) {
      command.add("-Xmx" + controllerHeap);
    }
    command.addAll(
        List.of(
            "-jar",
            jar.toString(),
            "run",
            "--master",
            cluster.url(),
            "--data-dir",
            dir.resolve("data").toString(),
            "--repo",
            dir.resolve("repo").toString(),
            "--http-address",
            "127.0.0.1",
            "--http-port",
            "0",
            "--log-level",
            "WARN"));
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(command).redirectError(dir.resolve("controller.log").toFile()).start();
    started.add(p);
    CompletableFuture<String> api = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              Pattern listening = Pattern.compile("Telos API listening on (http://\\S+)");
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  Matcher m = listening.matcher(line);
                  if (m.find()) {
                    api.complete(m.group(1));
                  }
                }
              } catch (java.io.IOException e) {
                api.completeExceptionally(e);
              }
              api.completeExceptionally(new IllegalStateException("the controller exited"));
            },
            "bench-restart-stdout");
    reader.setDaemon(true);
    reader.start();
    String url;
    try {
      url = api.get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "the controller did not start; see its log:\n"
              + Files.readString(dir.resolve("controller.log")),
          e);
    }
    long apiAt = System.nanoTime() - t0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!syncedAt(url, null)) {
      if (System.nanoTime() > deadline || !p.isAlive()) {
        p.destroyForcibly();
        throw new IllegalStateException("the controller was not Synced within 120 s");
      }
      Thread.sleep(2);
    }
    return new Started(p, url, apiAt, System.nanoTime() - t0);
  }

  /** Whether the controller is Synced at {@code sha} (at any revision when null). */
  private boolean syncedAt(String api, String sha) {
    try {
      JsonNode status =
          JSON.readTree(
              http.send(
                      HttpRequest.newBuilder(URI.create(api + "/api/v1/status")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      return status.path("syncStatus").asText().equals("Synced")
          && (sha == null || status.path("revision").asText().equals(sha));
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The IDs of the cluster's running tasks, from the master's state. */
  private static Set<String> runningTasks(LocalCluster cluster) throws Exception {
    Set<String> ids = new TreeSet<>();
    for (JsonNode f : JSON.readTree(cluster.stateJson()).path("frameworks")) {
      for (JsonNode t : f.path("tasks")) {
        if (t.path("state").asText().equals("TASK_RUNNING")) {
          ids.add(t.path("id").asText());
        }
      }
    }
    return ids;
  }
}
