package dev.telos.controller;

import static org.awaitility.Awaitility.await;

import dev.telos.git.GitSource;
import dev.telos.local.LocalCluster;
import dev.telos.local.LocalClusterConfig;
import dev.telos.manifest.ManifestLoader;
import dev.telos.mesos.BackoffPolicy;
import dev.telos.mesos.MesosClientConfig;
import dev.telos.reconcile.PlannerSettings;
import dev.telos.store.FileStateStore;
import dev.telos.testing.TempGitRepo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** A real git repository, a real embedded cluster and a controller between them. */
public final class Harness implements AutoCloseable {
  final Path dir;
  final TempGitRepo repo;
  final LocalCluster cluster;
  Controller controller;
  final dev.telos.testing.OffsetClock clock = new dev.telos.testing.OffsetClock();
  List<String> roles = List.of("*");
  PlannerSettings planner =
      new PlannerSettings(
          0.5,
          false,
          Duration.ofSeconds(2),
          new dev.telos.manifest.RestartPolicy(
              Duration.ofMillis(200), 2, Duration.ofSeconds(2), Duration.ofSeconds(1)),
          Duration.ofSeconds(5),
          Duration.ofMinutes(5),
          java.util.Set.of());

  Harness(Path dir, int agents) throws Exception {
    this(dir, agents, b -> b);
  }

  /** With the cluster's settings changed by {@code more} (say, agent disks). */
  Harness(Path dir, int agents, java.util.function.UnaryOperator<LocalClusterConfig.Builder> more)
      throws Exception {
    this.dir = dir;
    this.repo = TempGitRepo.init(dir.resolve("repo"));
    this.cluster =
        LocalCluster.start(
            more.apply(
                    LocalClusterConfig.builder(dir.resolve("cluster"))
                        .port(0)
                        .agents(agents, 0)
                        .timings(
                            Duration.ofMillis(300), Duration.ofMillis(100), Duration.ofSeconds(1)))
                .build());
  }

  Controller start() throws Exception {
    ControllerSettings settings =
        new ControllerSettings(
            "telos-it",
            System.getProperty("user.name"),
            Duration.ofMinutes(10),
            Duration.ofMillis(300),
            Duration.ofMinutes(15),
            planner);
    GitSource source =
        new GitSource(
            new GitSource.Config(repo.url(), "main", "apps", dir.resolve("data")),
            new ManifestLoader());
    MesosClientConfig.Builder mesos =
        MesosClientConfig.builder(cluster.url(), Controller.frameworkInfo(settings, roles))
            .backoff(new BackoffPolicy(Duration.ofMillis(50), Duration.ofMillis(500)))
            .missedHeartbeats(5);
    controller =
        new Controller(settings, source, mesos, new FileStateStore(dir.resolve("data")), clock);
    metrics = new dev.telos.api.Metrics(controller);
    controller.events(metrics);
    controller.syncWindows(windows);
    controller.start();
    return controller;
  }

  dev.telos.api.ApiServer api;
  dev.telos.api.Metrics metrics;

  /** The sync windows of the next controller started. */
  List<SyncWindow> windows = List.of();

  /** Starts the HTTP API on a free port of 127.0.0.1; returns its base URL. */
  /** Starts the API server; one started before is closed first. */
  String startApi(String token, String webhookSecret) throws Exception {
    startApi(new dev.telos.api.ApiServer.Options("127.0.0.1", 0, token, webhookSecret, "main"));
    return "http://127.0.0.1:" + api.port();
  }

  /** Starts the API server with {@code options}; one started before is closed first. */
  dev.telos.api.ApiServer startApi(dev.telos.api.ApiServer.Options options) throws Exception {
    if (api != null) {
      api.close();
    }
    api = new dev.telos.api.ApiServer(controller, options, metrics);
    return api;
  }

  void stopController() {
    if (api != null) {
      api.close();
      api = null;
    }
    if (controller != null) {
      controller.close();
      controller = null;
    }
  }

  static String service(String name, int instances, String extra) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: "
        + name
        + ", namespace: it}\nspec:\n  instances: "
        + instances
        + "\n"
        + "  resources: {cpus: 0.01, mem: 8}\n  killGracePeriod: 1s\n"
        + extra;
  }

  static String sleeper(String name, int instances) {
    return service(name, instances, "  command: exec sleep 600\n");
  }

  String commit(String file, String yaml, String message) throws Exception {
    repo.write("apps/" + file, yaml);
    return repo.commit(message);
  }

  /**
   * The controller's view, failing at once when the master refused a call in a way a correct
   * scheduler never provokes (a broken controller then fails in seconds, not at a timeout). A 403
   * "not subscribed" or a stale stream ID can happen in a correct run, when a call races a
   * resubscription; they are allowed.
   */
  StatusView view() {
    for (String refusal : cluster.refusedCalls()) {
      if (!refusal.startsWith("403 ") && !refusal.contains("didn't match the stream ID")) {
        throw new AssertionError("the embedded master refused a call: " + refusal);
      }
    }
    return controller.view();
  }

  StatusView.AppView app(String name) {
    return view().apps().stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
  }

  /** Running tasks of an app, by ID. */
  Set<String> running(String name) {
    StatusView.AppView a = app(name);
    return a == null
        ? Set.of()
        : a.tasks().stream()
            .filter(t -> t.state().equals("TASK_RUNNING"))
            .map(StatusView.TaskView::id)
            .collect(Collectors.toSet());
  }

  void awaitApp(String name, Predicate<StatusView.AppView> condition) {
    await("app " + name)
        .until(
            () -> {
              StatusView.AppView a = app(name);
              return a != null && condition.test(a);
            });
  }

  void awaitSynced(String revision) {
    await("Synced at " + revision)
        .until(() -> revision.equals(view().revision()) && view().syncStatus().equals("Synced"));
  }

  /** Non-terminal tasks of this framework as the master sees them. */
  List<String> masterTasks() throws Exception {
    var state = new com.fasterxml.jackson.databind.ObjectMapper().readTree(cluster.stateJson());
    List<String> ids = new java.util.ArrayList<>();
    for (var f : state.get("frameworks")) {
      for (var t : f.get("tasks")) {
        ids.add(t.get("id").asText());
      }
    }
    return ids;
  }

  @Override
  public void close() {
    stopController();
    cluster.close();
    repo.close();
  }
}
