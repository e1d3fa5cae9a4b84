package dev.telos.cli;

import dev.telos.controller.Controller;
import dev.telos.controller.ControllerEvents;
import dev.telos.controller.ControllerSettings;
import dev.telos.controller.CrashPoints;
import dev.telos.controller.StatusView;
import dev.telos.git.GitSource;
import dev.telos.local.LocalCluster;
import dev.telos.local.LocalClusterConfig;
import dev.telos.manifest.ManifestLoader;
import dev.telos.manifest.RestartPolicy;
import dev.telos.mesos.BackoffPolicy;
import dev.telos.mesos.MesosClientConfig;
import dev.telos.reconcile.PlannerSettings;
import dev.telos.store.FileStateStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * The fault harness behind {@code telos bench faults}: the real controller against an embedded
 * cluster of simulated agents and a real git repository, round after round of a plain change
 * (scale, rollout, new app, removed app) and a fault chosen by a seeded generator, each round
 * checked by {@link FaultChecker} against the master's own state. The same seed replays the same
 * sequence of changes and faults.
 *
 * <p>A harness, not a hot path: it holds the whole scenario in one place on purpose.
 */
final class FaultHarness implements AutoCloseable {
  /** The faults a round may inject. */
  enum Fault {
    CONTROLLER_CRASH,
    CRASH_BEFORE_ACCEPT,
    CRASH_BEFORE_ACK,
    MASTER_FAILOVER,
    MASTER_FAILOVER_SLOW_AGENTS,
    STREAM_CUT,
    HEARTBEATS_STOPPED,
    AGENT_PARTITION,
    AGENT_RESTART,
    EXECUTOR_KILL,
    TASK_CRASH,
    CALL_503,
    CALL_500_AFTER_EFFECT,
    ACK_LOST,
    REPO_UNREACHABLE,
    INVALID_COMMIT,
    MASS_DELETION,
    // With --ha only: several Telos instances elect a leader in a local ZooKeeper ensemble.
    LEADER_KILL,
    LEADER_ZK_EXPIRY,
    ZK_QUORUM_LOSS;

    boolean needsHa() {
      return compareTo(LEADER_KILL) >= 0;
    }
  }

  /**
   * What the harness is asked to do.
   *
   * @param haInstances Telos instances electing a leader in a local ZooKeeper ensemble; 0 runs one
   *     controller over a file store, as {@code telos run} without {@code --ha}
   * @param only the faults to inject, in turn; empty: every fault the run can inject, at random
   */
  record Options(
      int rounds,
      long seed,
      int agents,
      int apps,
      Duration convergeWithin,
      int haInstances,
      Set<Fault> only) {}

  /** The ZooKeeper session of the instances of an HA run: a dead leader is replaced after it. */
  static final Duration HA_SESSION = Duration.ofSeconds(2);

  static final String NAMESPACE = "faults";
  static final int SURGE = 1;

  /** How long Telos waits for a TASK_UNREACHABLE task before it replaces it. */
  static final Duration UNREACHABLE_TIMEOUT = Duration.ofSeconds(3);

  private final Options options;
  private final PrintStream out;
  private final Random random;

  /** Whether a commit is followed by a requested sync; apart, so the faults' sequence stays. */
  private final Random syncRequests;

  private void requestSync() {
    if (controller != null) {
      controller.requestSync();
    }
    for (Instance in : instances) {
      if (in.node != null) {
        in.node.requestSync();
      }
    }
  }

  private final Path dir;
  private final LocalCluster cluster;
  private final Git git;
  private final FaultChecker checker;
  private final List<String> trace = java.util.Collections.synchronizedList(new ArrayList<>());

  /** The apps of the newest valid commit: name → instances and version. */
  private final TreeMap<String, int[]> model = new TreeMap<>();

  /** The Jobs of the newest valid commit: name → version and exit code (0 succeeds). */
  private final TreeMap<String, int[]> jobs = new TreeMap<>();

  /** A Job's retries: no spec of it may run more than {@code JOB_RETRIES + 1} times. */
  static final int JOB_RETRIES = 2;

  /** A CronJob firing every minute, whose every attempt fails: each fire runs it twice. */
  static final String CRON = "cron-0";

  static final int CRON_RETRIES = 1;

  /**
   * A Service under the Telos executor, on the one process agent: its executor is killed with -9
   * and its agent restarted. Only when a telos.jar is at hand for the agent to fetch.
   */
  static final String EXECUTED = "executed-0";

  /** Where the process agent fetches the executor from, or null: no executor faults. */
  private final java.nio.file.Path executorJar;

  private Controller controller;

  /** The faults a round picks from: the HA ones only in an HA run. */
  private final List<Fault> faults;

  /** The ZooKeeper ensemble of an HA run, or null. */
  private final dev.telos.local.LocalZooKeeper zooKeeper;

  /** The Telos instances of an HA run (empty without). */
  private final List<Instance> instances = new ArrayList<>();

  private final AtomicReference<String> armedCrash = new AtomicReference<>();
  private String frameworkId;
  private String validSha;
  private int nextApp;

  FaultHarness(Options options, PrintStream out) throws IOException, GitAPIException {
    this.options = options;
    this.out = out;
    this.random = new Random(options.seed());
    this.syncRequests = new Random(options.seed() * 31 + 7);
    this.dir = Files.createTempDirectory("telos-faults-");
    java.nio.file.Path jar = dev.telos.api.ApiServer.runningJar();
    if (jar == null && Files.isRegularFile(java.nio.file.Path.of("target", "telos.jar"))) {
      jar = java.nio.file.Path.of("target", "telos.jar").toAbsolutePath();
    }
    this.executorJar = jar;
    this.cluster =
        LocalCluster.start(
            LocalClusterConfig.builder(dir.resolve("cluster"))
                .port(0)
                .agents(executorJar == null ? 0 : 1, options.agents())
                .agentResources(64, 65536)
                .timings(Duration.ofMillis(300), Duration.ofMillis(50), Duration.ofMillis(500))
                .simulation(Duration.ofMillis(20), 0)
                .build());
    this.git =
        Git.init().setDirectory(dir.resolve("repo").toFile()).setInitialBranch("main").call();
    this.checker =
        new FaultChecker(cluster, model, jobs, SURGE, executorJar == null ? null : EXECUTED);
    this.checker.trace(trace);
    this.faults =
        java.util.Arrays.stream(Fault.values())
            .filter(f -> options.haInstances() > 0 || !f.needsHa())
            .filter(f -> options.only().isEmpty() || options.only().contains(f))
            .toList();
    if (faults.isEmpty()) {
      throw new IllegalArgumentException("no fault to inject: the HA faults need --ha");
    }
    this.zooKeeper =
        options.haInstances() > 0
            ? dev.telos.local.LocalZooKeeper.start(dir.resolve("zookeeper"), 3, HA_TICK)
            : null;
  }

  /** ZooKeeper's tick in an HA run: sessions may last 2 to 20 ticks. */
  private static final Duration HA_TICK = Duration.ofMillis(250);

  /** Runs every round; returns the number of violations. */
  int run() throws Exception {
    for (int i = 0; i < options.apps(); i++) {
      model.put("app-" + nextApp++, new int[] {1 + random.nextInt(3), 1});
    }
    jobs.put("job-0", new int[] {1, random.nextInt(2)});
    validSha = commitModel("initial apps");
    startController();
    converge(0, "initial sync");
    frameworkId = view().frameworkId();
    checker.start();
    if (zooKeeper != null) {
      startLeaderSampler();
    }
    for (int round = 1; round <= options.rounds(); round++) {
      trace.clear();
      // Chosen at random; the faults of --only in turn, so that each is injected.
      Fault fault =
          options.only().isEmpty()
              ? faults.get(random.nextInt(faults.size()))
              : faults.get((round - 1) % faults.size());
      checker.count(fault);
      record("round " + round + " fault " + fault);
      long openFailovers = cluster.openSubscriptionFailovers();
      inject(fault);
      converge(round, fault.name());
      if (fault.needsHa() && cluster.openSubscriptionFailovers() != openFailovers) {
        checker.violation(
            round,
            "the master saw two subscribed Telos schedulers at once (a subscription failed over"
                + " from an open one) after "
                + fault,
            trace);
      }
      checker.afterRound(round, view(), frameworkId, trace);
    }
    checker.stop();
    return checker.violations();
  }

  // --- faults ------------------------------------------------------------------------------------

  private void inject(Fault fault) throws Exception {
    switch (fault) {
      case CONTROLLER_CRASH -> {
        change();
        pause(random.nextInt(300));
        record("controller crash");
        restartController();
      }
      case CRASH_BEFORE_ACCEPT, CRASH_BEFORE_ACK -> {
        String point =
            fault == Fault.CRASH_BEFORE_ACCEPT ? CrashPoints.BEFORE_ACCEPT : CrashPoints.BEFORE_ACK;
        armedCrash.set(point);
        scale(+1); // a launch, then its updates, pass the crash point
        boolean crashed = waitFor(Duration.ofSeconds(20), this::crashed);
        record("crash at " + point + (crashed ? "" : " (not reached)"));
        armedCrash.set(null);
        restartController();
      }
      case MASTER_FAILOVER -> {
        change();
        record("master failover to " + cluster.failover());
      }
      case MASTER_FAILOVER_SLOW_AGENTS -> {
        // The agents re-register seconds after the new master is up, and Telos restarts
        // meanwhile: its tasks are unknown to the master until then, and must not be replaced.
        Duration late = Duration.ofMillis(1000 + random.nextInt(2000));
        record("master failover to " + cluster.failover(late) + ", agents back after " + late);
        restartController();
        change();
      }
      case STREAM_CUT -> {
        change();
        record("stream cut " + cluster.cutStream(frameworkId));
      }
      case HEARTBEATS_STOPPED -> {
        cluster.pauseHeartbeats(frameworkId, true);
        change();
        pause(2000); // beyond 5 heartbeat intervals: the client must resubscribe
        cluster.pauseHeartbeats(frameworkId, false);
        record("heartbeats resumed");
      }
      case AGENT_PARTITION -> {
        List<String> agents = checker.agentsWithTasks();
        String agent = agents.isEmpty() ? cluster.agentIds().get(0) : pick(agents);
        List<String> stranded = checker.activeTasksOn(agent);
        long lost = System.nanoTime();
        cluster.loseAgent(agent);
        record("agent lost " + agent);
        change();
        pause(500 + random.nextInt(3500)); // about one in seven stays past the timeout
        // Telos's unreachable timeout starts when it hears TASK_UNREACHABLE, after this loss: if it
        // replaced the tasks, this much time has passed for sure.
        if (System.nanoTime() - lost >= UNREACHABLE_TIMEOUT.toNanos()) {
          checker.returnedAfterTimeout(stranded);
          record("agent away past the unreachable timeout; its tasks return as extras");
        }
        cluster.restoreAgent(agent);
        record("agent returned " + agent);
      }
      case AGENT_RESTART -> {
        // The agent process restarts with checkpointing: its tasks keep running, offers of it
        // are rescinded, kills and updates wait until it re-registers.
        List<String> agents = checker.agentsWithTasks();
        String agent = agents.isEmpty() ? cluster.agentIds().get(0) : pick(agents);
        Duration down = Duration.ofMillis(500 + random.nextInt(2500));
        cluster.restartAgent(agent, down);
        record("agent restarting " + agent + " for " + down.toMillis() + " ms");
        change();
      }
      case EXECUTOR_KILL -> {
        // The Telos executor dies (kill -9): the agent fails its task, Telos replaces it.
        String task =
            checker.runningTasks().stream()
                .filter(t -> t.startsWith(NAMESPACE + "." + EXECUTED + "."))
                .findFirst()
                .orElse(null);
        if (task != null) {
          record("executor kill -9 of " + task + " " + cluster.crashTask(task));
        }
        change();
      }
      case TASK_CRASH -> {
        List<String> tasks = checker.runningTasks();
        if (!tasks.isEmpty()) {
          String task = pick(tasks);
          record("task crash " + task + " " + cluster.crashTask(task));
        }
        change();
      }
      case CALL_503 -> {
        cluster.armCallFault("ACCEPT", "UNAVAILABLE", 2);
        scale(+1);
        record("ACCEPT answered 503 twice");
      }
      case CALL_500_AFTER_EFFECT -> {
        cluster.armCallFault(pick(List.of("ACCEPT", "KILL")), "ERROR_AFTER_EFFECT", 1);
        change();
        record("a call answered 500 after it took effect");
      }
      case ACK_LOST -> {
        cluster.armCallFault("ACKNOWLEDGE", "LOST", 3);
        change();
        record("3 acknowledgements lost: updates redelivered");
      }
      case REPO_UNREACHABLE -> {
        Path repo = dir.resolve("repo");
        Path away = dir.resolve("repo-away");
        Files.move(repo, away);
        record("repository unreachable");
        checker.holdKills("repository unreachable");
        waitFor(Duration.ofSeconds(10), () -> "Error".equals(view().syncStatus()));
        pause(500);
        checker.releaseKills();
        Files.move(away, repo);
        record("repository back");
        change();
      }
      case INVALID_COMMIT -> {
        String app = pick(new ArrayList<>(model.keySet()));
        write(app, manifest(app, model.get(app)).replace("instances", "instanes"));
        String bad = commit("invalid " + app);
        record("invalid commit " + bad.substring(0, 12));
        checker.holdKills("invalid commit");
        waitFor(Duration.ofSeconds(10), () -> "Error".equals(view().syncStatus()));
        pause(300);
        checker.releaseKills();
        change(); // writes the whole model again: the fix
      }
      case MASS_DELETION -> {
        // More than half of the apps that run tasks (--max-prune counts those): held.
        List<String> names = new ArrayList<>();
        model.forEach(
            (name, spec) -> {
              if (spec[0] > 0) {
                names.add(name);
              }
            });
        if (names.isEmpty()) {
          change();
          return;
        }
        // More than half of every app with tasks: the model's, and the executor's app and a Job
        // or cron run that may be running just then.
        int others = (executorJar == null ? 0 : 1) + 2;
        int remove = (names.size() + others) / 2 + 1;
        if (remove > names.size()) {
          change();
          return;
        }
        for (int i = 0; i < remove; i++) {
          Files.deleteIfExists(file(names.get(i)));
        }
        String sha = commit("delete most apps");
        record("mass deletion " + sha.substring(0, 12) + " of " + remove + "/" + names.size());
        checker.holdKills("mass deletion held");
        waitFor(Duration.ofSeconds(10), () -> view().heldPrune() != null);
        pause(300);
        checker.releaseKills();
        validSha = commitModel("revert the mass deletion");
      }
      case LEADER_KILL -> {
        change();
        pause(random.nextInt(300));
        Instance leader = leader();
        if (leader == null) {
          record("no leader to kill");
          return;
        }
        long killed = System.nanoTime();
        dev.telos.ha.HaNode dead = leader.node;
        kill(leader);
        record("leader instance-" + leader.index + " killed (-9): its session left to expire");
        awaitTakeOver(dead, killed);
      }
      case LEADER_ZK_EXPIRY -> {
        Instance leader = leader();
        if (leader == null) {
          change();
          return;
        }
        long cut = System.nanoTime();
        leader.proxies.forEach(dev.telos.local.TcpProxy::cut);
        record("leader instance-" + leader.index + " cut off from ZooKeeper (not from Mesos)");
        change();
        awaitTakeOver(leader.node, cut);
        pause(random.nextInt(1000));
        leader.proxies.forEach(dev.telos.local.TcpProxy::restore);
        record("instance-" + leader.index + " reaches ZooKeeper again");
      }
      case ZK_QUORUM_LOSS -> {
        int keep = random.nextInt(zooKeeper.size());
        checker.holdKills("ZooKeeper has no quorum");
        for (int i = 0; i < zooKeeper.size(); i++) {
          if (i != keep) {
            zooKeeper.stopServer(i);
          }
        }
        record("ZooKeeper quorum lost: only server " + (keep + 1) + " runs");
        boolean nobody = waitFor(HA_SESSION.plusSeconds(20), () -> leader() == null);
        record(nobody ? "no instance leads" : "an instance still leads without a quorum");
        if (!nobody) {
          checker.violation(checker.round(), "an instance kept leading without a quorum", trace);
        }
        change(); // committed while nobody may act on it
        pause(1000 + random.nextInt(2000));
        checker.releaseKills();
        for (int i = 0; i < zooKeeper.size(); i++) {
          zooKeeper.startServer(i);
        }
        record("ZooKeeper quorum back");
      }
    }
  }

  /**
   * Waits for another node than {@code old} to lead (another instance, or the killed one restarted)
   * and records how long it took.
   */
  private void awaitTakeOver(dev.telos.ha.HaNode old, long since) throws InterruptedException {
    boolean took =
        waitFor(
            HA_SESSION.plusSeconds(30),
            () -> {
              Instance now = leader();
              return now != null && now.node != old && now.controller != null;
            });
    Duration after = Duration.ofNanos(System.nanoTime() - since);
    if (took) {
      checker.tookOver(after);
      record("instance-" + leader().index + " leads after " + after.toMillis() + " ms");
    } else {
      record("no other instance leads after " + after.toMillis() + " ms");
    }
  }

  /** A plain change, as a platform team commits it. */
  private void change() throws Exception {
    switch (random.nextInt(5)) {
      case 4 -> {
        // A new run of a Job: a new spec, which fails every attempt or succeeds.
        String job = pick(new ArrayList<>(jobs.keySet()));
        jobs.get(job)[0]++;
        jobs.get(job)[1] = random.nextInt(2);
        validSha = commitModel("run " + job + " again (exit " + jobs.get(job)[1] + ")");
      }
      case 0 -> scale(random.nextBoolean() ? 1 : -1);
      case 1 -> {
        String app = pick(new ArrayList<>(model.keySet()));
        model.get(app)[1]++;
        validSha = commitModel("roll out " + app);
      }
      case 2 -> {
        String app = "app-" + nextApp++;
        model.put(app, new int[] {1 + random.nextInt(2), 1});
        validSha = commitModel("add " + app);
      }
      default -> {
        if (model.size() > 3) {
          String app = pick(new ArrayList<>(model.keySet()));
          model.remove(app);
          Files.deleteIfExists(file(app));
          validSha = commitModel("remove " + app);
        } else {
          scale(1);
        }
      }
    }
  }

  /** Scales an app that can go {@code delta} (one instance up or down, within 0-4). */
  private void scale(int delta) throws Exception {
    List<String> candidates = new ArrayList<>();
    model.forEach(
        (name, spec) -> {
          if (spec[0] + delta >= 0 && spec[0] + delta <= 4) {
            candidates.add(name);
          }
        });
    if (candidates.isEmpty()) {
      candidates.addAll(model.keySet());
    }
    String app = pick(candidates);
    int[] spec = model.get(app);
    spec[0] = Math.max(0, Math.min(4, spec[0] + delta));
    validSha = commitModel("scale " + app + " to " + spec[0]);
  }

  // --- the controller ----------------------------------------------------------------------------

  private void startController() throws IOException {
    if (zooKeeper == null) {
      controller = newController(new FileStateStore(dir.resolve("data")), dir.resolve("data"));
      return;
    }
    for (int i = 0; i < options.haInstances(); i++) {
      Instance in = new Instance(i);
      for (int s = 0; s < zooKeeper.size(); s++) {
        in.proxies.add(new dev.telos.local.TcpProxy("127.0.0.1", zooKeeper.clientPort(s)));
      }
      instances.add(in);
      startInstance(in);
    }
  }

  /**
   * One Telos instance of an HA run: its {@link dev.telos.ha.HaNode} reaches ZooKeeper only through
   * its own proxies, so that it alone can be cut off.
   */
  private static final class Instance {
    final int index;
    final List<dev.telos.local.TcpProxy> proxies = new ArrayList<>();
    dev.telos.ha.HaNode node;
    int generation;

    /** The controller it runs while it leads (the last one, after it stopped). */
    volatile Controller controller;

    Instance(int index) {
      this.index = index;
    }
  }

  private void startInstance(Instance in) throws IOException {
    in.generation++;
    in.controller = null;
    StringBuilder hosts = new StringBuilder();
    in.proxies.forEach(p -> hosts.append(hosts.isEmpty() ? "" : ",").append(p.address()));
    Path data = Files.createDirectories(dir.resolve("instance-" + in.index));
    in.node =
        new dev.telos.ha.HaNode(
            new dev.telos.ha.HaNode.Options(
                dev.telos.ha.ZkUrl.parse("zk://" + hosts + "/telos"), HA_SESSION, null),
            store -> {
              Controller c = newController(store, data);
              in.controller = c;
              return c;
            });
    try {
      in.node.start("instance-" + in.index + "-" + in.generation + ":0");
    } catch (Exception e) {
      throw new IOException("instance-" + in.index + " could not join the election", e);
    }
  }

  /** kill -9 of an instance: no more calls from it, and its ZooKeeper session is not closed. */
  private void kill(Instance in) throws IOException {
    Controller c = in.controller;
    if (c != null) {
      c.halt(); // the process is gone: its Mesos stream closes, nothing more leaves it
    }
    in.proxies.forEach(dev.telos.local.TcpProxy::cut); // its session expires on its own
    in.node.close(); // what is left of it in this JVM
    in.proxies.forEach(dev.telos.local.TcpProxy::restore);
    startInstance(in); // restarted by its supervisor: a candidate again
  }

  /** The instance that leads, or null. */
  private Instance leader() {
    for (Instance in : instances) {
      if (in.node.leading()) {
        return in;
      }
    }
    return null;
  }

  /** Never two instances leading at once, sampled every 10 ms. */
  private void startLeaderSampler() {
    Thread t =
        new Thread(
            () -> {
              int reported = -1;
              while (!Thread.currentThread().isInterrupted()) {
                long leading = instances.stream().filter(in -> in.node.leading()).count();
                if (leading > 1 && reported != checker.round()) {
                  reported = checker.round();
                  checker.violation(
                      checker.round(), leading + " instances led at once", List.copyOf(trace));
                }
                try {
                  Thread.sleep(10);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "telos-fault-leaders");
    t.setDaemon(true);
    t.start();
    leaderSampler = t;
  }

  private Thread leaderSampler;

  /** What the acting controller says; in an HA run with no leader, a standby's view. */
  private StatusView view() {
    if (zooKeeper == null) {
      return controller.view();
    }
    Instance leader = leader();
    return (leader != null ? leader : instances.get(0)).node.view();
  }

  private boolean crashed() {
    if (zooKeeper == null) {
      return controller.crashed();
    }
    return instances.stream().anyMatch(in -> in.controller != null && in.controller.crashed());
  }

  /** A started controller over {@code store}, cloning the repository into {@code data}. */
  private Controller newController(dev.telos.store.StateStore store, Path data) throws IOException {
    ControllerSettings settings =
        new ControllerSettings(
            "telos-faults",
            System.getProperty("user.name"),
            Duration.ofDays(7),
            Duration.ofMillis(200),
            Duration.ofMinutes(15),
            new PlannerSettings(
                0.5,
                false,
                UNREACHABLE_TIMEOUT,
                new RestartPolicy(
                    Duration.ofMillis(100), 2, Duration.ofSeconds(1), Duration.ofSeconds(1)),
                Duration.ofSeconds(5),
                Duration.ofSeconds(20),
                Set.of(),
                executorJar == null
                    ? null
                    : new dev.telos.reconcile.ExecutorLaunch(
                        executorJar.toString(),
                        java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString(),
                        0.05,
                        64)));
    GitSource source =
        new GitSource(
            new GitSource.Config(dir.resolve("repo").toString(), "main", "", data),
            new ManifestLoader());
    MesosClientConfig.Builder mesos =
        MesosClientConfig.builder(cluster.url(), Controller.frameworkInfo(settings))
            .backoff(new BackoffPolicy(Duration.ofMillis(50), Duration.ofMillis(500)))
            .missedHeartbeats(5);
    Controller controller = new Controller(settings, source, mesos, store, InstantSource.system());
    controller.events(
        new ControllerEvents() {
          @Override
          public void killing(String appKey, String taskId, String reason) {
            checker.killed(appKey, taskId, reason);
          }
        });
    controller.crashPoints(
        point -> {
          if (point.equals(armedCrash.get()) && armedCrash.compareAndSet(point, null)) {
            throw new CrashPoints.Crash(point);
          }
        });
    controller.start();
    return controller;
  }

  private void restartController() throws IOException {
    if (zooKeeper == null) {
      controller.close();
      startController();
      record("controller restarted");
      return;
    }
    Instance leader = leader();
    Instance in = leader != null ? leader : instances.get(0);
    in.node.close();
    startInstance(in);
    record("instance-" + in.index + " restarted");
  }

  private void converge(int round, String what) throws InterruptedException {
    long started = System.nanoTime();
    boolean done =
        waitFor(
            options.convergeWithin(),
            () -> {
              StatusView v = view();
              // Synced, except that a Job whose every attempt failed leaves it OutOfSync.
              boolean appsDone =
                  v.apps().stream()
                      .allMatch(
                          a ->
                              switch (a.kind()) {
                                case "Job" ->
                                    a.status().equals("Succeeded") || a.status().equals("Failed");
                                case "CronJob" -> true; // runs on its own schedule
                                default -> a.status().equals("Synced");
                              });
              return validSha.equals(v.revision())
                  && v.ready()
                  && v.lastError() == null
                  && v.heldPrune() == null
                  && appsDone
                  && checker.matchesModel();
            });
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    if (done) {
      checker.converged(took);
    } else {
      StatusView v = view();
      checker.violation(
          round,
          "did not converge to "
              + validSha.substring(0, 12)
              + " within "
              + options.convergeWithin().toSeconds()
              + "s after "
              + what
              + " (revision "
              + v.revision()
              + ", "
              + v.syncStatus()
              + ", apps not done "
              + v.apps().stream()
                  .filter(a -> !a.kind().equals("CronJob") && !a.status().equals("Synced"))
                  .map(
                      a ->
                          a.name()
                              + "="
                              + a.status()
                              + "("
                              + a.message()
                              + ") tasks "
                              + a.tasks().stream()
                                  .map(t -> t.id() + ":" + t.state() + (t.recovering() ? "*" : ""))
                                  .toList())
                  .toList()
              + ", master "
              + checker.describeCluster()
              + ", error "
              + v.lastError()
              + ")",
          trace);
    }
  }

  // --- the repository ----------------------------------------------------------------------------

  private String commitModel(String message) throws IOException, GitAPIException {
    for (Map.Entry<String, int[]> e : model.entrySet()) {
      write(e.getKey(), manifest(e.getKey(), e.getValue()));
    }
    for (Map.Entry<String, int[]> e : jobs.entrySet()) {
      write(e.getKey(), jobManifest(e.getKey(), e.getValue()));
    }
    write(CRON, cronManifest());
    if (executorJar != null) {
      write(EXECUTED, executedManifest());
    }
    String sha = commit(message);
    record("commit " + sha.substring(0, 12) + " " + message + " " + describeModel());
    if (syncRequests.nextBoolean()) {
      // As an operator or a webhook would: a requested sync (which revives offers ahead of its
      // fetch and holds them for it), besides the timer's polls.
      requestSync();
    }
    return sha;
  }

  private String describeModel() {
    StringBuilder s = new StringBuilder("{");
    model.forEach((k, v) -> s.append(s.length() > 1 ? " " : "").append(k).append('=').append(v[0]));
    return s.append('}').toString();
  }

  static String manifest(String name, int[] spec) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: "
        + name
        + ", namespace: "
        + NAMESPACE
        + "}\nspec:\n  instances: "
        + spec[0]
        + "\n  command: sleep 3600\n  env: {VERSION: '"
        + spec[1]
        + "'}\n  resources: {cpus: 0.01, mem: 1}\n  killGracePeriod: 100ms\n"
        + "  constraints: [{field: kind, operator: LIKE, value: simulated}]\n"
        + "  upgrade: {maxSurge: "
        + SURGE
        + ", maxUnavailable: 0}\n";
  }

  static String jobManifest(String name, int[] spec) {
    return "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: "
        + name
        + ", namespace: "
        + NAMESPACE
        + "}\nspec:\n  command: exit "
        + spec[1]
        + "\n  env: {VERSION: '"
        + spec[0]
        + "'}\n  resources: {cpus: 0.01, mem: 1}\n"
        + "  constraints: [{field: kind, operator: LIKE, value: simulated}]\n  retries: "
        + JOB_RETRIES
        + "\n  backoff: 100ms\n";
  }

  static String executedManifest() {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: "
        + EXECUTED
        + ", namespace: "
        + NAMESPACE
        + "}\nspec:\n  instances: 1\n  command: exec sleep 3600\n  executor: telos\n"
        + "  resources: {cpus: 0.01, mem: 1}\n  killGracePeriod: 500ms\n"
        + "  constraints: [{field: kind, operator: LIKE, value: process}]\n"
        + "  upgrade: {maxSurge: "
        + SURGE
        + ", maxUnavailable: 0}\n";
  }

  static String cronManifest() {
    return "apiVersion: telos.dev/v1\nkind: CronJob\nmetadata: {name: "
        + CRON
        + ", namespace: "
        + NAMESPACE
        + "}\nspec:\n  schedule: '* * * * *'\n  concurrencyPolicy: Forbid\n"
        + "  job:\n    command: exit 1\n    resources: {cpus: 0.01, mem: 1}\n"
        + "    constraints: [{field: kind, operator: LIKE, value: simulated}]\n    retries: "
        + CRON_RETRIES
        + "\n    backoff: 100ms\n";
  }

  private Path file(String app) {
    return dir.resolve("repo").resolve(app + ".yaml");
  }

  private void write(String app, String yaml) throws IOException {
    Files.writeString(file(app), yaml, StandardCharsets.UTF_8);
  }

  private String commit(String message) throws GitAPIException {
    git.add().addFilepattern(".").call();
    git.add().addFilepattern(".").setUpdate(true).call();
    PersonIdent who = new PersonIdent("Fault Harness", "faults@telos.dev");
    return git.commit()
        .setMessage(message)
        .setAuthor(who)
        .setCommitter(who)
        .setAllowEmpty(true)
        .setSign(false)
        .call()
        .getName();
  }

  // --- helpers -----------------------------------------------------------------------------------

  private <T> T pick(List<T> from) {
    return from.get(random.nextInt(from.size()));
  }

  private void record(String event) {
    trace.add(event);
  }

  private static void pause(long millis) throws InterruptedException {
    Thread.sleep(millis);
  }

  private static boolean waitFor(Duration within, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(20);
    }
    return condition.getAsBoolean();
  }

  FaultChecker checker() {
    return checker;
  }

  @Override
  public void close() {
    checker.stop();
    if (leaderSampler != null) {
      leaderSampler.interrupt();
    }
    if (controller != null) {
      controller.close();
    }
    for (Instance in : instances) {
      in.node.close();
      in.proxies.forEach(dev.telos.local.TcpProxy::close);
    }
    if (zooKeeper != null) {
      zooKeeper.close();
    }
    cluster.close();
    git.close();
    deleteTree(dir);
  }

  private static void deleteTree(Path root) {
    try (var files = Files.walk(root)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory; the OS cleans it eventually
    }
  }
}
