package dev.telos.cli;

import dev.telos.controller.Controller;
import dev.telos.controller.ControllerSettings;
import dev.telos.controller.StatusView;
import dev.telos.git.GitSource;
import dev.telos.local.LocalCluster;
import dev.telos.local.LocalClusterConfig;
import dev.telos.manifest.ManifestLoader;
import dev.telos.mesos.BackoffPolicy;
import dev.telos.mesos.MesosClientConfig;
import dev.telos.reconcile.PlannerSettings;
import dev.telos.store.FileStateStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code telos bench e2e}: the whole path, commit → sync request → fetch → plan → ACCEPT → agent →
 * a real process RUNNING → the API, on the embedded cluster, with the floor measured in the same
 * run on the same machine: fetching one new commit from a local repository plus starting and
 * reaping a trivial process. Prints p50 and max of each and their ratio.
 */
@Command(
    name = "e2e",
    mixinStandardHelpOptions = true,
    description = {
      "Measure a commit to a RUNNING task end to end (commit, sync, fetch, plan, ACCEPT, agent,"
          + " process, API) against the floor measured in the same run: fetching one commit"
          + " plus running a trivial process.",
      "Examples:",
      "  telos bench e2e",
      "  telos bench e2e --rounds 30"
    })
final class BenchE2eCommand implements Callable<Integer> {
  @Option(
      names = "--rounds",
      defaultValue = "12",
      description = "Commits, each adding one instance (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--scale-out",
      split = ",",
      defaultValue = "500:200,5000:1000",
      description = {
        "INSTANCES:AGENTS pairs: an app scaled from 1 to INSTANCES on AGENTS simulated agents,"
            + " beside a bare scheduler launching as many tasks (default: ${DEFAULT-VALUE};"
            + " 'none' for none)."
      })
  List<String> scaleOut;

  @Override
  public Integer call() throws Exception {
    if (rounds < 1 || rounds > 200) {
      throw new IllegalArgumentException("--rounds must be between 1 and 200");
    }
    List<int[]> scales = new ArrayList<>();
    for (String pair : scaleOut) {
      if (pair.equals("none")) {
        continue;
      }
      String[] parts = pair.split(":");
      if (parts.length != 2
          || !parts[0].matches("[0-9]{1,6}")
          || !parts[1].matches("[0-9]{1,5}")
          || Integer.parseInt(parts[0]) < 2
          || Integer.parseInt(parts[1]) < 1) {
        throw new IllegalArgumentException(
            "--scale-out takes INSTANCES:AGENTS pairs such as 500:200, not '" + pair + "'");
      }
      scales.add(new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])});
    }
    Path dir = Files.createTempDirectory("telos-bench-e2e-");
    try {
      int rc = run(dir.resolve("e2e"));
      for (int[] scale : scales) {
        scaleOut(dir.resolve("scale-" + scale[0]), scale[0], scale[1]);
      }
      return rc;
    } finally {
      BenchCommand.deleteTree(dir);
    }
  }

  /**
   * When, after a round's sync request, each stage first happened: the poll (fetch and snapshot)
   * done, offers received, the ACCEPT sent. Written by the controller's threads.
   */
  static final class Stages implements dev.telos.controller.ControllerEvents {
    volatile long since;
    final java.util.concurrent.atomic.AtomicLong polled =
        new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong offers =
        new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong launched =
        new java.util.concurrent.atomic.AtomicLong();

    void start(long t0) {
      polled.set(0);
      offers.set(0);
      launched.set(0);
      since = t0;
    }

    private void mark(java.util.concurrent.atomic.AtomicLong at) {
      if (since != 0) {
        at.compareAndSet(0, System.nanoTime());
      }
    }

    @Override
    public void gitPolled(Duration took, String outcome) {
      mark(polled);
    }

    @Override
    public void offersReceived(int count) {
      mark(offers);
    }

    @Override
    public void launched(int tasks) {
      mark(launched);
    }
  }

  private int run(Path dir) throws Exception {
    List<Long> path = new ArrayList<>();
    List<Long> floor = new ArrayList<>();
    List<Long> commits = new ArrayList<>();
    List<Long> toPolled = new ArrayList<>();
    List<Long> toLaunched = new ArrayList<>();
    List<Long> toOffers = new ArrayList<>();
    List<Long> toRunning = new ArrayList<>();
    Stages stages = new Stages();
    try (LocalCluster cluster =
            LocalCluster.start(
                LocalClusterConfig.builder(dir.resolve("cluster"))
                    .port(0)
                    .agents(1, 0)
                    .agentResources(64, 65536)
                    .timings(Duration.ofSeconds(5), Duration.ofMillis(5), Duration.ofSeconds(10))
                    .build());
        Git repo =
            Git.init().setDirectory(dir.resolve("repo").toFile()).setInitialBranch("main").call()) {
      commit(repo, 1, "one instance");
      // The floor's own clone, fetching each new commit as Telos does.
      Git.cloneRepository()
          .setURI(dir.resolve("repo").toUri().toString())
          .setDirectory(dir.resolve("floor-clone").toFile())
          .setBare(true)
          .call()
          .close();
      Controller controller = controller(dir, cluster);
      controller.events(stages);
      try {
        controller.start();
        awaitRunning(controller, 1, Duration.ofSeconds(60));
        for (int i = 2; i <= rounds + 1; i++) {
          long c0 = System.nanoTime();
          commit(repo, i, i + " instances");
          long t0 = System.nanoTime();
          commits.add(t0 - c0);
          stages.start(t0);
          controller.requestSync();
          awaitRunning(controller, i, Duration.ofSeconds(60));
          long t1 = System.nanoTime();
          path.add(t1 - t0);
          toPolled.add(stages.polled.get() - t0);
          toLaunched.add(stages.launched.get() - stages.polled.get());
          toOffers.add(stages.offers.get() - stages.polled.get());
          toRunning.add(t1 - stages.launched.get());
          floor.add(floor(dir.resolve("floor-clone")));
        }
      } finally {
        controller.close();
      }
    }
    path.sort(null);
    floor.sort(null);
    long p50 = path.get(path.size() / 2);
    long f50 = floor.get(floor.size() / 2);
    System.out.printf(
        "sync request after a commit -> RUNNING (%d rounds, one process agent): p50 %.1f ms,"
            + " max %.1f ms%n",
        path.size(), p50 / 1e6, path.get(path.size() - 1) / 1e6);
    System.out.printf(
        "  stages, p50: fetch and snapshot %.1f ms; plan, offers and ACCEPT %.1f ms (the offers"
            + " %s); agent, process, TASK_RUNNING and view %.1f ms%n",
        median(toPolled) / 1e6,
        median(toLaunched) / 1e6,
        relative(median(toOffers)),
        median(toRunning) / 1e6);
    System.out.printf(
        "  (the commit itself, made by the benchmark with JGit before the sync request: p50 %.1f"
            + " ms)%n",
        median(commits) / 1e6);
    System.out.printf(
        "floor (fetch one commit + run a trivial process), same run: p50 %.1f ms, max %.1f ms%n",
        f50 / 1e6, floor.get(floor.size() - 1) / 1e6);
    System.out.printf("ratio p50: %.2f%n", (double) p50 / f50);
    System.out.printf(
        "machine: %d cores, %s %s, Java %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.name"),
        System.getProperty("os.arch"),
        System.getProperty("java.version"));
    return 0;
  }

  /**
   * A controller of the repository {@code dir/repo} on {@code cluster}; it polls only on request.
   */
  private static Controller controller(Path dir, LocalCluster cluster) throws Exception {
    ControllerSettings settings =
        new ControllerSettings(
            "telos-bench",
            System.getProperty("user.name"),
            Duration.ofDays(1),
            Duration.ofHours(1), // no polling: only the sync request fetches
            Duration.ofMinutes(15),
            PlannerSettings.DEFAULT);
    GitSource source =
        new GitSource(
            new GitSource.Config(dir.resolve("repo").toString(), "main", "", dir.resolve("data")),
            new ManifestLoader());
    MesosClientConfig.Builder mesos =
        MesosClientConfig.builder(cluster.url(), Controller.frameworkInfo(settings))
            .backoff(new BackoffPolicy(Duration.ofMillis(50), Duration.ofMillis(500)));
    return new Controller(
        settings, source, mesos, new FileStateStore(dir.resolve("data")), InstantSource.system());
  }

  /**
   * One app scaled from 1 to {@code n} instances by a commit and a sync request, on {@code agents}
   * simulated agents, until the view shows {@code n} RUNNING; then, on a fresh cluster of the same
   * shape, the floor: a bare scheduler (Telos's client, no controller) launching {@code n} tasks.
   */
  private static void scaleOut(Path dir, int n, int agents) throws Exception {
    long took;
    Stages stages = new Stages();
    try (LocalCluster cluster =
            LocalCluster.start(BenchCommand.simulatedCluster(dir.resolve("cluster"), agents));
        Git repo =
            Git.init().setDirectory(dir.resolve("repo").toFile()).setInitialBranch("main").call()) {
      commit(repo, 1, "one instance");
      try (Controller controller = controller(dir, cluster)) {
        controller.events(stages);
        controller.start();
        awaitRunning(controller, 1, Duration.ofSeconds(60));
        commit(repo, n, n + " instances");
        long t0 = System.nanoTime();
        stages.start(t0);
        controller.requestSync();
        awaitRunning(controller, n, Duration.ofMinutes(5));
        took = System.nanoTime() - t0;
        System.out.printf(
            "  scale-out stages: fetch and snapshot %s ms; the first offers %s; the"
                + " first ACCEPT %s ms after them; the last RUNNING in the view %s ms%n",
            between(t0, stages.polled.get()),
            stages.polled.get() == 0 || stages.offers.get() == 0
                ? "n/a"
                : relative(stages.offers.get() - stages.polled.get()),
            between(stages.offers.get(), stages.launched.get()),
            between(stages.launched.get(), t0 + took));
      }
    }
    BenchCommand.Launched floor;
    try (LocalCluster cluster =
        LocalCluster.start(BenchCommand.simulatedCluster(dir.resolve("floor-cluster"), agents))) {
      floor =
          BenchCommand.launchAll(
              cluster, n, agents, dev.telos.mesos.ContentType.PROTOBUF, Duration.ofMinutes(5));
    }
    System.out.printf(
        "1 -> %d instances RUNNING, %d simulated agents (sync request to the last in the view):"
            + " %.2f s; floor (a bare scheduler launching %d tasks on the same cluster, first"
            + " offer to last TASK_RUNNING): %.2f s; ratio %.2f%n",
        n, agents, took / 1e9, n, floor.nanos() / 1e9, (double) took / floor.nanos());
  }

  /** Milliseconds from one mark to another, or n/a when one of them never happened. */
  /**
   * When the offers came relative to the snapshot: {@code 9.5 ms after the snapshot}, or {@code
   * 14.2 ms before it} (a requested sync revives as its fetch starts).
   */
  static String relative(long nanos) {
    return String.format(
        "%.1f ms %s", Math.abs(nanos) / 1e6, nanos < 0 ? "before the snapshot" : "after it");
  }

  private static String between(long from, long to) {
    return from == 0 || to == 0 ? "n/a" : String.format("%.0f", (to - from) / 1e6);
  }

  static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }

  private static void commit(Git repo, int instances, String message) throws Exception {
    Files.writeString(
        repo.getRepository().getWorkTree().toPath().resolve("bench.yaml"),
        "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: bench}\nspec:\n  instances: "
            + instances
            + "\n  command: exec sleep 3600\n  resources: {cpus: 0.01, mem: 8}\n"
            + "  killGracePeriod: 1s\n",
        StandardCharsets.UTF_8);
    repo.add().addFilepattern(".").call();
    PersonIdent who = new PersonIdent("Bench", "bench@telos.dev");
    repo.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
  }

  private static void awaitRunning(Controller controller, int n, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      for (StatusView.AppView a : controller.view().apps()) {
        if (a.name().equals("bench") && a.runningInstances() >= n) {
          return;
        }
      }
      Thread.sleep(n > 100 ? 10 : 1); // reading the view costs the loop time: less often when big
    }
    throw new IllegalStateException(n + " instances not RUNNING within " + within);
  }

  /** Fetching one new commit into a clone of its own, plus a trivial process started and reaped. */
  private static long floor(Path clone) throws Exception {
    long t0 = System.nanoTime();
    try (Git git = Git.open(clone.toFile())) {
      git.fetch().setRemote("origin").call();
    }
    Process p = new ProcessBuilder("/bin/sh", "-c", "exit 0").start();
    p.waitFor();
    return System.nanoTime() - t0;
  }
}
