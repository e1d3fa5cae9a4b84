package dev.telos.local;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.Environment;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs command tasks as real local processes, as a Mesos agent's command executor does: {@code
 * /bin/sh -c} (or argv), its own process group (via {@code setsid}), a sandbox directory with
 * {@code stdout} and {@code stderr}, and exactly the environment a Mesos 1.11 command executor
 * gives — the {@code MESOS_*} variables, a default {@code PATH}, and the task's own variables.
 */
final class ProcessRunner implements TaskRunner {
  private static final Logger log = LoggerFactory.getLogger(ProcessRunner.class);

  /** The PATH a Mesos agent gives a command task that sets none. */
  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private final String agentId;
  private final Path workDir;
  private final String host;
  private final CustomExecutors executors;
  private final StatusSink sink;
  private final ScheduledExecutorService timers;
  private final ExecutorService workers;
  private final Map<String, Running> running = new ConcurrentHashMap<>();

  /** One executor run's sandbox, as the agent's {@code /state} reports it. */
  record Run(String frameworkId, String executorId, Path directory, List<String> taskIds) {}

  /** Executor runs by executor ID, in launch order; ended ones kept (the newest 1,000). */
  private final Map<String, Run> runs =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Run> eldest) {
              return size() > 1000;
            }
          });

  private void recordRun(Launch first, Path sandbox, List<Launch> launches) {
    List<String> ids = new java.util.ArrayList<>();
    launches.forEach(l -> ids.add(l.task().getTaskId().getValue()));
    runs.put(
        first.frameworkId() + "/" + first.executorId(),
        new Run(first.frameworkId(), first.executorId(), sandbox, List.copyOf(ids)));
  }

  /**
   * The agent's {@code /state}, as much of it as finds a task's sandbox: each framework's executors
   * (running and completed) with their {@code directory} and their tasks' IDs.
   */
  Map<String, Object> agentState() {
    Map<String, Map<String, Object>> frameworks = new java.util.LinkedHashMap<>();
    List<Run> all;
    synchronized (runs) {
      all = List.copyOf(runs.values());
    }
    for (Run r : all) {
      Map<String, Object> f =
          frameworks.computeIfAbsent(
              r.frameworkId(),
              id -> {
                Map<String, Object> m = new java.util.LinkedHashMap<>();
                m.put("id", id);
                m.put("executors", new java.util.ArrayList<>());
                m.put("completed_executors", new java.util.ArrayList<>());
                return m;
              });
      boolean alive =
          r.taskIds().stream().anyMatch(t -> running.containsKey(t) || executors.owns(t));
      List<Object> tasks = new java.util.ArrayList<>();
      r.taskIds().forEach(t -> tasks.add(Map.of("id", t, "framework_id", r.frameworkId())));
      Map<String, Object> e = new java.util.LinkedHashMap<>();
      e.put("id", r.executorId());
      e.put("framework_id", r.frameworkId());
      e.put("directory", r.directory().toAbsolutePath().toString());
      e.put(alive ? "tasks" : "completed_tasks", tasks);
      @SuppressWarnings("unchecked")
      List<Object> into = (List<Object>) f.get(alive ? "executors" : "completed_executors");
      into.add(e);
    }
    Map<String, Object> state = new java.util.LinkedHashMap<>();
    state.put("id", agentId);
    state.put("hostname", host);
    state.put("frameworks", List.copyOf(frameworks.values()));
    state.put("completed_frameworks", List.of());
    return state;
  }

  /** {@code host:port} of this agent's HTTP API (executor API, {@code /state}, files). */
  @Override
  public String httpEndpoint() {
    try {
      return executors.endpoint();
    } catch (IOException e) {
      return null;
    }
  }

  private final Object lifecycle = new Object();
  private boolean stopped;

  final class Running {
    final Launch launch;
    final Process process;
    final Path sandbox;
    final Map<String, String> environment;
    volatile boolean killRequested;
    volatile boolean killedByHealthCheck;
    volatile ScheduledFuture<?> sigkill;
    volatile HealthChecker health;

    Running(Launch launch, Process process, Path sandbox, Map<String, String> environment) {
      this.launch = launch;
      this.process = process;
      this.sandbox = sandbox;
      this.environment = environment;
    }

    String taskId() {
      return launch.task().getTaskId().getValue();
    }
  }

  /** How long a port probed free is taken to stay free without probing it again. */
  static final java.time.Duration PORT_PROBE_TTL = java.time.Duration.ofSeconds(2);

  /** When each port was last probed free (by {@link #nanoClock}). */
  private final Map<Long, Long> probedFree = new ConcurrentHashMap<>();

  /** The clock of the probe cache; a test's own. */
  java.util.function.LongSupplier nanoClock = System::nanoTime;

  /**
   * Tries to bind the port on every interface, as a task's server would: another process listening
   * on it (another {@code telos local}, say) makes the bind fail. A port found free is not probed
   * again for {@link #PORT_PROBE_TTL}: an offer after a REVIVE must not wait for a thousand binds
   * (30 to 90 ms on a busy 2-core machine); a port another program takes within that time fails the
   * task that got it, which is replaced, as on a real agent. A held port is probed every time, so
   * it is offered again as soon as it is released.
   */
  @Override
  public boolean canBind(long port) {
    long now = nanoClock.getAsLong();
    Long free = probedFree.get(port);
    if (free != null && now - free < PORT_PROBE_TTL.toNanos()) {
      return true;
    }
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.bind(new java.net.InetSocketAddress((int) port), 1);
      probedFree.put(port, now);
      return true;
    } catch (IOException e) {
      probedFree.remove(port);
      return false;
    }
  }

  @Override
  public void frameworkMessage(
      String frameworkId, String executorId, com.google.protobuf.ByteString data) {
    executors.message(frameworkId, executorId, data);
  }

  @Override
  public boolean runsCustomExecutors() {
    return true;
  }

  @Override
  public void agentRestart(Duration down) {
    executors.restart(down);
  }

  @Override
  public boolean checksPorts() {
    return true;
  }

  ProcessRunner(
      String agentId,
      Path workDir,
      String host,
      StatusSink sink,
      ScheduledExecutorService timers,
      ExecutorService workers) {
    this.agentId = agentId;
    this.workDir = workDir;
    this.host = host;
    this.executors = new CustomExecutors(agentId, host, workDir, sink, timers, workers);
    this.executors.serveAgent(
        this::agentState, new AgentFiles(workDir.resolve("slaves").resolve(agentId)));
    this.sink = sink;
    this.timers = timers;
    this.workers = workers;
  }

  /**
   * Where a persistent volume lives, as a Mesos agent lays it out: {@code
   * WORK_DIR/volumes/roles/ROLE/ID} on the agent's own disk, {@code ROOT/volumes/roles/ROLE/ID} on
   * a PATH disk, and the whole of a MOUNT disk's root.
   */
  Path volumePath(org.apache.mesos.v1.Protos.Resource volume) {
    String role = Resources.roleOf(volume);
    String id = volume.getDisk().getPersistence().getId();
    Resource.DiskInfo.Source source = volume.getDisk().getSource();
    if (volume.getDisk().hasSource()) {
      if (source.getType() == Resource.DiskInfo.Source.Type.MOUNT) {
        return Path.of(source.getMount().getRoot());
      }
      return Path.of(source.getPath().getRoot(), "volumes", "roles", role, id);
    }
    return workDir.resolve(Path.of("volumes", "roles", role, id));
  }

  @Override
  public void createVolume(org.apache.mesos.v1.Protos.Resource volume) {
    try {
      Files.createDirectories(volumePath(volume));
    } catch (IOException e) {
      log.warn("cannot create volume {}: {}", volumePath(volume), e.getMessage());
    }
  }

  @Override
  public void destroyVolume(org.apache.mesos.v1.Protos.Resource volume) {
    Path dir = volumePath(volume);
    boolean mount =
        volume.getDisk().hasSource()
            && volume.getDisk().getSource().getType() == Resource.DiskInfo.Source.Type.MOUNT;
    try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (!(mount && p.equals(dir))) { // a MOUNT disk's root stays, emptied
          Files.deleteIfExists(p);
        }
      }
    } catch (java.nio.file.NoSuchFileException e) {
      // already gone
    } catch (IOException e) {
      log.warn("cannot delete volume {}: {}", dir, e.getMessage());
    }
  }

  /**
   * Links each persistent volume of the task into its sandbox at the volume's container path, as
   * Mesos's POSIX filesystem isolator does for a task without its own root filesystem.
   */
  private void linkVolumes(
      org.apache.mesos.v1.Protos.TaskInfo task, Path sandbox, Path executorSandbox)
      throws IOException {
    // A SANDBOX_PATH volume at a relative container path: the task's own sandbox (SELF) or its
    // executor's (PARENT, a task group's shared volume), linked in as Mesos mounts it.
    for (org.apache.mesos.v1.Protos.Volume v : task.getContainer().getVolumesList()) {
      if (v.getSource().getType() == org.apache.mesos.v1.Protos.Volume.Source.Type.SANDBOX_PATH
          && !v.getContainerPath().startsWith("/")) {
        var from = v.getSource().getSandboxPath();
        Path base =
            from.getType() == org.apache.mesos.v1.Protos.Volume.Source.SandboxPath.Type.PARENT
                ? executorSandbox
                : sandbox;
        Path target = base.resolve(from.getPath()).normalize();
        if (!target.startsWith(base)) {
          continue; // outside its sandbox: Mesos refuses such a path
        }
        Files.createDirectories(target);
        Path link = sandbox.resolve(v.getContainerPath());
        Files.createDirectories(link.getParent());
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, target);
      }
    }
    for (org.apache.mesos.v1.Protos.Resource r : task.getResourcesList()) {
      if (r.hasDisk() && r.getDisk().hasPersistence() && r.getDisk().hasVolume()) {
        Path target = volumePath(r);
        Files.createDirectories(target);
        Path link = sandbox.resolve(r.getDisk().getVolume().getContainerPath());
        Files.createDirectories(link.getParent());
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, target);
      }
    }
  }

  /** A new run directory of the launch's executor, as a Mesos agent lays its work dir out. */
  private Path sandboxOf(Launch launch) {
    return workDir.resolve(
        Path.of(
            "slaves",
            agentId,
            "frameworks",
            launch.frameworkId(),
            "executors",
            launch.executorId(),
            "runs",
            UUID.randomUUID().toString()));
  }

  @Override
  public void launch(Launch launch) {
    workers.execute(() -> start(launch));
  }

  @Override
  public void launchGroup(
      java.util.List<Launch> launches, org.apache.mesos.v1.Protos.ExecutorInfo executor) {
    if (executor.getType() != org.apache.mesos.v1.Protos.ExecutorInfo.Type.CUSTOM) {
      // As Mesos's default executor: one run directory, each task's sandbox under tasks/ID.
      Path run = sandboxOf(launches.get(0));
      recordRun(launches.get(0), run, launches);
      for (Launch l : launches) {
        Path sandbox = run.resolve("tasks").resolve(l.task().getTaskId().getValue());
        workers.execute(() -> start(l, sandbox, run));
      }
      return;
    }
    workers.execute(
        () -> {
          Launch first = launches.get(0);
          Path sandbox = sandboxOf(first);
          try {
            Files.createDirectories(sandbox);
            recordRun(first, sandbox, launches);
            synchronized (lifecycle) {
              if (stopped) {
                launches.forEach(l -> refuseStopped(l.task().getTaskId().getValue()));
                return;
              }
              executors.launchGroup(launches, executor, sandbox);
            }
          } catch (IOException | RuntimeException e) {
            for (Launch l : launches) {
              sink.status(
                  l.task().getTaskId().getValue(),
                  TaskState.TASK_FAILED,
                  "Failed to launch the executor: " + e.getMessage(),
                  TaskStatus.Reason.REASON_EXECUTOR_TERMINATED,
                  null);
            }
          }
        });
  }

  private void start(Launch launch) {
    Path sandbox = sandboxOf(launch);
    start(launch, sandbox, sandbox);
  }

  /**
   * Starts a task in {@code sandbox}; {@code executorSandbox} is its executor's (the same for a
   * plain task; for a task of a group, the default executor's run directory that holds each task's
   * {@code tasks/ID} sandbox and the group's shared volumes).
   */
  private void start(Launch launch, Path sandbox, Path executorSandbox) {
    TaskInfo task = launch.task();
    String taskId = task.getTaskId().getValue();
    String refused = Containers.launchProblem(task);
    if (refused != null) {
      sink.status(
          taskId,
          TaskState.TASK_FAILED,
          "Failed to launch container: " + refused,
          TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED,
          null);
      return;
    }
    try {
      Files.createDirectories(sandbox);
      if (sandbox.equals(executorSandbox)) { // a group's run is recorded once, for all its tasks
        recordRun(launch, sandbox, List.of(launch));
      }
      if (task.hasExecutor()) {
        synchronized (lifecycle) {
          if (stopped) {
            refuseStopped(taskId);
            return;
          }
          executors.launch(launch, sandbox);
        }
        return;
      }
      // Mesos's fetcher runs before the executor starts: a URI that cannot be fetched fails the
      // container's launch, and the task never reaches TASK_STARTING.
      try {
        for (CommandInfo.URI uri : task.getCommand().getUrisList()) {
          Fetcher.fetch(uri, sandbox, workDir.resolve("fetcher-cache"));
        }
      } catch (IOException e) {
        sink.status(
            taskId,
            TaskState.TASK_FAILED,
            "Failed to launch container: Failed to fetch all URIs for container: " + e.getMessage(),
            TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED,
            null);
        return;
      }
      linkVolumes(task, sandbox, executorSandbox);
      SecretValues.writeFiles(task.getContainer(), sandbox);
      if (Containers.imageOf(task) != null) {
        Files.writeString(
            sandbox.resolve("stderr"),
            Containers.notice(task),
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
      }
      if (task.getCommand().hasUser()
          && !task.getCommand().getUser().equals(System.getProperty("user.name"))) {
        // Process agents cannot switch users; say so where the task's owner looks.
        Files.writeString(
            sandbox.resolve("stderr"),
            "telos embedded agent: runs this task as "
                + System.getProperty("user.name")
                + ", not as '"
                + task.getCommand().getUser()
                + "' (a real Mesos agent switches users)\n",
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
      }
      Map<String, String> env = environment(launch, sandbox);
      ProcessBuilder builder =
          new ProcessBuilder(argv(task.getCommand()))
              .directory(sandbox.toFile())
              .redirectOutput(ProcessBuilder.Redirect.appendTo(sandbox.resolve("stdout").toFile()))
              .redirectError(ProcessBuilder.Redirect.appendTo(sandbox.resolve("stderr").toFile()));
      builder.environment().clear();
      builder.environment().putAll(env);
      Process process;
      Running r;
      // Started and registered under the lock that shutdown() takes: a launch that was queued
      // before the agent stopped must not start a process nobody will kill (a leak found by the
      // test suite's process guard).
      synchronized (lifecycle) {
        if (stopped) {
          refuseStopped(taskId);
          return;
        }
        sink.status(taskId, TaskState.TASK_STARTING, null, null, null);
        process = builder.start();
        r = new Running(launch, process, sandbox, env);
        running.put(taskId, r);
      }
      log.info("task process started task_id={} pid={} sandbox={}", taskId, process.pid(), sandbox);
      sink.status(taskId, TaskState.TASK_RUNNING, null, null, null);
      if (task.hasHealthCheck()) {
        r.health =
            new HealthChecker(
                Containers.onHost(task.getHealthCheck(), task), r, this, timers, workers);
        r.health.start();
      }
      process.onExit().thenRun(() -> exited(r));
    } catch (IOException | RuntimeException e) {
      sink.status(
          taskId,
          TaskState.TASK_FAILED,
          "Failed to launch command: " + e.getMessage(),
          TaskStatus.Reason.REASON_COMMAND_EXECUTOR_FAILED,
          null);
    }
  }

  private void refuseStopped(String taskId) {
    sink.status(
        taskId,
        TaskState.TASK_FAILED,
        "The agent is shutting down",
        TaskStatus.Reason.REASON_AGENT_RESTARTED,
        null);
  }

  static List<String> argv(CommandInfo command) {
    List<String> argv = new ArrayList<>();
    argv.add("setsid");
    if (!command.hasShell() || command.getShell()) {
      argv.add("/bin/sh");
      argv.add("-c");
      argv.add(command.getValue());
    } else {
      argv.add(command.getValue());
      // Mesos passes `arguments` as the whole argv, argv[0] included.
      List<String> args = command.getArgumentsList();
      argv.addAll(args.isEmpty() ? List.of() : args.subList(1, args.size()));
    }
    return argv;
  }

  private Map<String, String> environment(Launch launch, Path sandbox) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", DEFAULT_PATH);
    env.put("MESOS_SANDBOX", sandbox.toString());
    env.put("MESOS_DIRECTORY", sandbox.toString());
    env.put("MESOS_FRAMEWORK_ID", launch.frameworkId());
    env.put("MESOS_EXECUTOR_ID", launch.executorId());
    env.put("MESOS_SLAVE_ID", agentId);
    try {
      env.put("MESOS_AGENT_ENDPOINT", executors.endpoint());
    } catch (IOException e) {
      log.warn("agent API not listening: {}", e.getMessage());
    }
    env.put("MESOS_ALLOCATION_ROLE", launch.role());
    env.put("MESOS_CHECKPOINT", launch.checkpoint() ? "1" : "0");
    for (Environment.Variable v : launch.task().getCommand().getEnvironment().getVariablesList()) {
      env.put(v.getName(), SecretValues.of(v));
    }
    return env;
  }

  private void exited(Running r) {
    running.remove(r.taskId(), r);
    if (r.sigkill != null) {
      r.sigkill.cancel(false);
    }
    if (r.health != null) {
      r.health.stop();
    }
    // Whatever the command left behind in its process group goes with it, as Mesos's
    // isolators clean up a container.
    signalGroup(r.process.pid(), "KILL");
    int code = r.process.exitValue();
    String taskId = r.taskId();
    if (r.killRequested) {
      String message =
          r.killedByHealthCheck
              ? "Task was killed since health check failed"
              : "Command terminated with signal "
                  + (code > 128 ? signalName(code - 128) : "after kill");
      sink.status(
          taskId,
          TaskState.TASK_KILLED,
          message,
          r.killedByHealthCheck ? TaskStatus.Reason.REASON_TASK_HEALTH_CHECK_STATUS_UPDATED : null,
          r.killedByHealthCheck ? Boolean.FALSE : null);
    } else if (code == 0) {
      sink.status(taskId, TaskState.TASK_FINISHED, "Command exited with status 0", null, null);
    } else if (code > 128) {
      sink.status(
          taskId,
          TaskState.TASK_FAILED,
          "Command terminated with signal " + signalName(code - 128),
          TaskStatus.Reason.REASON_COMMAND_EXECUTOR_FAILED,
          null);
    } else {
      sink.status(
          taskId,
          TaskState.TASK_FAILED,
          "Command exited with status " + code,
          TaskStatus.Reason.REASON_COMMAND_EXECUTOR_FAILED,
          null);
    }
    // A killed member of a task group takes the group with it, as the default executor does.
    String group = r.launch.executorId();
    if (!group.equals(taskId)) {
      for (Running other : running.values()) {
        if (other.launch.executorId().equals(group)) {
          kill(other.taskId(), Duration.ofSeconds(3));
        }
      }
    }
  }

  private static String signalName(int signal) {
    return switch (signal) {
      case 9 -> "Killed";
      case 15 -> "Terminated";
      case 2 -> "Interrupt";
      case 6 -> "Aborted";
      case 11 -> "Segmentation fault";
      default -> Integer.toString(signal);
    };
  }

  @Override
  public void kill(String taskId, Duration grace) {
    if (executors.owns(taskId)) {
      executors.kill(taskId, grace);
      return;
    }
    Running r = running.get(taskId);
    if (r == null) {
      return;
    }
    if (r.killRequested) {
      if (grace.isZero()) {
        signalGroup(r.process.pid(), "KILL");
      }
      return;
    }
    r.killRequested = true;
    sink.status(taskId, TaskState.TASK_KILLING, null, null, null);
    if (grace.isZero() || grace.isNegative()) {
      signalGroup(r.process.pid(), "KILL");
      return;
    }
    signalGroup(r.process.pid(), "TERM");
    r.sigkill =
        timers.schedule(
            () -> signalGroup(r.process.pid(), "KILL"), grace.toMillis(), TimeUnit.MILLISECONDS);
  }

  void killForHealth(Running r, Duration grace) {
    r.killedByHealthCheck = true;
    kill(r.taskId(), grace);
  }

  void reportHealth(Running r, boolean healthy) {
    if (!r.killRequested && running.containsKey(r.taskId())) {
      sink.status(
          r.taskId(),
          TaskState.TASK_RUNNING,
          null,
          TaskStatus.Reason.REASON_TASK_HEALTH_CHECK_STATUS_UPDATED,
          healthy);
    }
  }

  @Override
  public void crash(String taskId) {
    if (executors.owns(taskId)) {
      executors.crash(taskId);
      return;
    }
    Running r = running.get(taskId);
    if (r != null) {
      signalGroup(r.process.pid(), "KILL");
    }
  }

  @Override
  public Optional<Long> pid(String taskId) {
    if (executors.owns(taskId)) {
      return executors.pid(taskId);
    }
    Running r = running.get(taskId);
    return r == null ? Optional.empty() : Optional.of(r.process.pid());
  }

  Optional<Path> sandbox(String taskId) {
    if (executors.ran(taskId)) {
      return executors.sandbox(taskId);
    }
    Running r = running.get(taskId);
    return r == null ? Optional.empty() : Optional.of(r.sandbox);
  }

  @Override
  public void shutdown() {
    List<Running> all;
    synchronized (lifecycle) {
      stopped = true;
      all = List.copyOf(running.values());
    }
    executors.shutdown();
    for (Running r : all) {
      r.killRequested = true;
      signalGroup(r.process.pid(), "KILL");
    }
    for (Running r : all) {
      try {
        r.process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Sends a signal to a whole process group (the task was started with setsid: pgid = pid). */
  static void signalGroup(long pgid, String signal) {
    try {
      Process kill =
          new ProcessBuilder("/bin/sh", "-c", "kill -" + signal + " -" + pgid + " 2>/dev/null")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.to(new File("/dev/null")))
              .start();
      kill.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      log.warn("cannot signal process group pgid={} signal={}: {}", pgid, signal, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
