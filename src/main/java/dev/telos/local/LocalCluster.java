package dev.telos.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded Mesos-compatible cluster: one master on 127.0.0.1 speaking the v1 scheduler HTTP API,
 * process agents and simulated agents, and the fault-injection API tests use.
 *
 * <p>Process agent {@code i} has hostname {@code 127.0.0.(i+1)} (every loopback address reaches
 * this machine) and its own slice of the configured port range, so tasks on different agents never
 * collide on a port. Simulated agents share the whole range. {@link #close()} kills every task
 * process the cluster started.
 */
public final class LocalCluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);

  private final LocalClusterConfig config;
  private final ScheduledExecutorService timers;
  private final ExecutorService workers;
  private final Master master;
  private final List<MasterServer> servers = new ArrayList<>();
  private final List<TaskRunner> runners = new ArrayList<>();
  private final Map<String, ProcessRunner> processRunners = new java.util.HashMap<>();
  private volatile MasterServer leader;
  private volatile boolean closed;

  private LocalCluster(LocalClusterConfig config) throws IOException {
    this.config = config;
    this.timers = Executors.newScheduledThreadPool(2, daemon("telos-master-timer"));
    this.workers = Executors.newCachedThreadPool(daemon("telos-agent-worker"));
    this.master = new Master(config, timers);
    MasterServer.FaultEndpoints faults = config.faults() ? new FaultHttp(this) : null;
    this.leader = new MasterServer(master, config.port(), l -> StateJson.render(master, l), faults);
    servers.add(leader);
    master.setAddress(leader.hostPort());
    Files.createDirectories(config.workDir());
    addAgents();
    master.startAllocator();
    log.info(
        "embedded cluster started master={} agents={} simulated_agents={}",
        url(),
        config.agents(),
        config.simulatedAgents());
  }

  /** Starts a cluster; it serves at once. */
  public static LocalCluster start(LocalClusterConfig config) throws IOException {
    return new LocalCluster(config);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  private void addAgents() {
    int processAgents = config.agents();
    int span = config.portsEnd() - config.portsBegin() + 1;
    int slice = processAgents == 0 ? span : Math.max(1, span / processAgents);
    for (int i = 0; i < processAgents; i++) {
      String id = master.masterId + "-S" + i;
      String host = "127.0.0." + (i + 1);
      int begin = config.portsBegin() + i * slice;
      int end = i == processAgents - 1 ? config.portsEnd() : begin + slice - 1;
      StatusSink sink = master.sinkFor(id);
      ProcessRunner runner = new ProcessRunner(id, config.workDir(), host, sink, timers, workers);
      processRunners.put(id, runner);
      addAgent(id, host, begin, end, runner, "process", config.gpusOf(i), config.attributesOf(i));
      addDisks(master.agent(id), i);
      for (org.apache.mesos.v1.Protos.Resource r :
          LocalClusterConfig.reservedResources(config.agentReserved())) {
        master.addResource(id, r);
      }
    }
    for (int i = 0; i < config.simulatedAgents(); i++) {
      String id = master.masterId + "-S" + (processAgents + i);
      StatusSink sink =
          (task, state, message, reason, healthy) ->
              master.agentStatus(id, task, state, message, reason, healthy);
      SimulatedRunner runner =
          new SimulatedRunner(
              sink, timers, config.simulatedTaskDelay(), config.simulatedFailureRate());
      addAgent(
          id,
          "sim-" + i + ".local",
          config.portsBegin(),
          config.portsEnd(),
          runner,
          "simulated",
          0,
          Map.of());
    }
  }

  /**
   * Gives process agent {@code i} its PATH and MOUNT disks: directories under {@code
   * WORK_DIR/disks/agent-I/}, offered as disk resources with that source.
   */
  private void addDisks(Master.Agent agent, int i) {
    int n = 0;
    for (String d : config.agentDisks()) {
      String type = d.substring(0, d.indexOf(':'));
      double mb = Double.parseDouble(d.substring(d.indexOf(':') + 1));
      java.nio.file.Path root =
          config.workDir().resolve(Path.of("disks", "agent-" + i, type.toLowerCase() + n++));
      try {
        java.nio.file.Files.createDirectories(root);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      org.apache.mesos.v1.Protos.Resource.DiskInfo.Source.Builder source =
          org.apache.mesos.v1.Protos.Resource.DiskInfo.Source.newBuilder();
      if (type.equals("MOUNT")) {
        source
            .setType(org.apache.mesos.v1.Protos.Resource.DiskInfo.Source.Type.MOUNT)
            .setMount(
                org.apache.mesos.v1.Protos.Resource.DiskInfo.Source.Mount.newBuilder()
                    .setRoot(root.toString()));
      } else {
        source
            .setType(org.apache.mesos.v1.Protos.Resource.DiskInfo.Source.Type.PATH)
            .setPath(
                org.apache.mesos.v1.Protos.Resource.DiskInfo.Source.Path.newBuilder()
                    .setRoot(root.toString()));
      }
      org.apache.mesos.v1.Protos.Resource disk =
          org.apache.mesos.v1.Protos.Resource.newBuilder()
              .setName("disk")
              .setType(org.apache.mesos.v1.Protos.Value.Type.SCALAR)
              .setScalar(org.apache.mesos.v1.Protos.Value.Scalar.newBuilder().setValue(mb))
              .setDisk(org.apache.mesos.v1.Protos.Resource.DiskInfo.newBuilder().setSource(source))
              .build();
      master.addResource(agent.id, disk);
    }
  }

  private void addAgent(
      String id,
      String host,
      int begin,
      int end,
      TaskRunner runner,
      String kind,
      int gpus,
      Map<String, String> more) {
    runners.add(runner);
    Resources resources =
        Resources.of(config.agentCpus(), config.agentMem(), config.agentDisk(), begin, end);
    resources.gpus = gpus;
    List<org.apache.mesos.v1.Protos.Attribute> attributes = new java.util.ArrayList<>();
    attributes.add(Master.textAttribute("agent", "agent-" + id.substring(id.lastIndexOf('S') + 1)));
    attributes.add(Master.textAttribute("kind", kind));
    more.forEach((name, value) -> attributes.add(Master.attribute(name, value)));
    master.addAgent(new Master.Agent(id, host, resources, runner, List.copyOf(attributes)));
  }

  /** The leading master's URL, {@code http://127.0.0.1:PORT}. */
  public String url() {
    return "http://" + leader.hostPort();
  }

  /** The leading master's port. */
  public int port() {
    return leader.port();
  }

  /** Agent IDs, process agents first. */
  public List<String> agentIds() {
    return master.agents().stream().map(a -> a.id).toList();
  }

  /** {@code /master/state} as JSON. */
  public String stateJson() {
    return StateJson.render(master, null);
  }

  /**
   * Calls the scheduler endpoint refused (4xx/5xx) on any master of this cluster, as {@code STATUS
   * message}, oldest first (at most the last 100 per master). A test fails on the first unexpected
   * one instead of timing out.
   */
  public synchronized List<String> refusedCalls() {
    List<String> all = new ArrayList<>();
    for (MasterServer s : servers) {
      all.addAll(s.refusals());
    }
    return all;
  }

  /** The OS process ID of a running task on a process agent. */
  public Optional<Long> taskPid(String taskId) {
    Master.Agent agent = master.agentOfTask(taskId);
    return agent == null ? Optional.empty() : agent.runner.pid(taskId);
  }

  /** The sandbox directory of a running task on a process agent. */
  public Optional<Path> taskSandbox(String taskId) {
    Master.Agent agent = master.agentOfTask(taskId);
    if (agent == null) {
      // Ended: ask every process agent (executors' sandboxes stay known after their end).
      for (ProcessRunner r : processRunners.values()) {
        Optional<Path> p = r.sandbox(taskId);
        if (p.isPresent()) {
          return p;
        }
      }
      return Optional.empty();
    }
    ProcessRunner runner = processRunners.get(agent.id);
    return runner == null ? Optional.empty() : runner.sandbox(taskId);
  }

  // --- Fault injection ---------------------------------------------------------------------------

  /**
   * Arms a fault for the next {@code times} calls of {@code callType} (ACCEPT, KILL, ACKNOWLEDGE,
   * ...): {@code UNAVAILABLE} answers 503 without effect, {@code ERROR_AFTER_EFFECT} answers 500
   * after handling the call, {@code LOST} answers 202 and drops it.
   */
  public void armCallFault(String callType, String mode, int times) {
    master.callFaults.arm(
        org.apache.mesos.v1.scheduler.Protos.Call.Type.valueOf(callType),
        CallFaults.Mode.valueOf(mode),
        times);
  }

  /** Disarms every call fault not yet used. */
  public void clearCallFaults() {
    master.callFaults.clear();
  }

  /**
   * How many times a framework subscribed while its previous subscription was still open (the
   * master then cuts the old one off): two schedulers of one framework at once.
   */
  public long openSubscriptionFailovers() {
    return master.openSubscriptionFailovers();
  }

  /** Cuts a framework's event stream, as a network failure would. */
  public boolean cutStream(String frameworkId) {
    return master.cutStream(frameworkId);
  }

  /** Stops or resumes heartbeats on a framework's stream. */
  public boolean pauseHeartbeats(String frameworkId, boolean paused) {
    return master.pauseHeartbeats(frameworkId, paused);
  }

  /** Partitions an agent away: its tasks become TASK_UNREACHABLE (or TASK_LOST). */
  public boolean loseAgent(String agentId) {
    return master.loseAgent(agentId);
  }

  /** Brings a lost agent back: its surviving tasks are reported RUNNING again. */
  public boolean restoreAgent(String agentId) {
    return master.restoreAgent(agentId);
  }

  /**
   * Restarts an agent process with checkpointing: it is disconnected from the master for {@code
   * down} (offers rescinded, kills and updates held) while its tasks keep running, then
   * re-registers. Returns false for an unknown or already restarting agent.
   */
  public boolean restartAgent(String agentId, Duration down) {
    return master.restartAgent(agentId, down);
  }

  /** The master, for tests in this package that drive it step by step. */
  Master master() {
    return master;
  }

  /**
   * Leaves reconciliation requests unanswered (or answers them again), as a master does for tasks
   * on agents that have not re-registered after a failover.
   */
  public void holdReconciliation(boolean held) {
    master.holdReconciliation(held);
  }

  /** Kills a task's processes abruptly: the task fails as a crash would make it. */
  public boolean crashTask(String taskId) {
    Master.Agent agent = master.agentOfTask(taskId);
    if (agent == null) {
      return false;
    }
    agent.runner.crash(taskId);
    return true;
  }

  /**
   * Fails over to a new leading master on a new port: every stream is closed, and the old address
   * answers 307 with the new one. Returns the new leader's URL.
   */
  public synchronized String failover() throws IOException {
    return failover(Duration.ZERO);
  }

  /**
   * Fails over as {@link #failover()}, and the agents re-register with the new leader only {@code
   * reregisterAfter} later, as with a real Mesos master (where this took about 55 s in a trial):
   * until then it does not know their tasks.
   */
  public synchronized String failover(Duration reregisterAfter) throws IOException {
    MasterServer old = leader;
    MasterServer.FaultEndpoints faults = config.faults() ? new FaultHttp(this) : null;
    MasterServer next = new MasterServer(master, 0, l -> StateJson.render(master, l), faults);
    servers.add(next);
    for (MasterServer s : servers) {
      if (s != next) {
        s.redirectTo(next.hostPort());
      }
    }
    leader = next;
    master.setAddress(next.hostPort());
    master.agentsReregisterAfter(reregisterAfter);
    master.dropAllStreams();
    log.info("leader failed over from={} to={}", old.hostPort(), next.hostPort());
    return url();
  }

  /** Stops the master and kills every task process; nothing is left behind. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (MasterServer s : servers) {
      s.stop();
    }
    for (TaskRunner runner : runners) {
      runner.shutdown();
    }
    timers.shutdownNow();
    workers.shutdownNow();
    try {
      timers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("embedded cluster stopped");
  }
}
