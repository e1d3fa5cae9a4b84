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

  @Override
  public Integer call() throws Exception {
    if (rounds < 1 || rounds > 200) {
      throw new IllegalArgumentException("--rounds must be between 1 and 200");
    }
    Path dir = Files.createTempDirectory("telos-bench-e2e-");
    try {
      return run(dir);
    } finally {
      BenchCommand.deleteTree(dir);
    }
  }

  private int run(Path dir) throws Exception {
    List<Long> path = new ArrayList<>();
    List<Long> floor = new ArrayList<>();
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
      Controller controller =
          new Controller(
              settings,
              source,
              mesos,
              new FileStateStore(dir.resolve("data")),
              InstantSource.system());
      try {
        controller.start();
        awaitRunning(controller, 1, Duration.ofSeconds(60));
        for (int i = 2; i <= rounds + 1; i++) {
          long t0 = System.nanoTime();
          commit(repo, i, i + " instances");
          controller.requestSync();
          awaitRunning(controller, i, Duration.ofSeconds(60));
          path.add(System.nanoTime() - t0);
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
        "commit + sync -> RUNNING (%d rounds, one process agent): p50 %.1f ms, max %.1f ms%n",
        path.size(), p50 / 1e6, path.get(path.size() - 1) / 1e6);
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
      Thread.sleep(1);
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
