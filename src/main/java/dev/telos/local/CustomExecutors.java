package dev.telos.local;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.AgentInfo;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.DurationInfo;
import org.apache.mesos.v1.Protos.Environment;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.KillPolicy;
import org.apache.mesos.v1.Protos.TaskGroupInfo;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.executor.Protos.Call;
import org.apache.mesos.v1.executor.Protos.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process agent's side of custom executors: it fetches an ExecutorInfo's URIs (with a cache),
 * starts the executor as a process with the environment a Mesos agent gives, and serves {@code
 * /api/v1/executor} on the agent's own address: SUBSCRIBE (RecordIO stream of SUBSCRIBED, then
 * LAUNCH and KILL), UPDATE (forwarded to the master, then ACKNOWLEDGED on the stream, duplicates by
 * uuid acknowledged again but not forwarded), MESSAGE (to the scheduler, and the scheduler's to the
 * executor, both at most once). When an executor exits, every process of its container goes with it
 * and its unfinished task fails with REASON_EXECUTOR_TERMINATED. An agent restart stops the
 * endpoint for a while: executors re-subscribe when it is back.
 */
final class CustomExecutors {
  private static final Logger log = LoggerFactory.getLogger(CustomExecutors.class);
  static final Duration REGISTRATION_TIMEOUT = Duration.ofMinutes(1);
  static final String RECOVERY_TIMEOUT = "15mins";
  static final String BACKOFF_MAX = "2secs";
  static final String SHUTDOWN_GRACE = "5secs";
  private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  /** One executor and its tasks: one from a LAUNCH, or all of a LAUNCH_GROUP. */
  final class Session {
    final List<TaskRunner.Launch> launches;
    final boolean group;
    final ExecutorInfo info;
    final Path sandbox;
    final Set<ByteString> seen = new HashSet<>();
    final Set<String> ended = ConcurrentHashMap.newKeySet();
    final Map<String, Duration> pendingKills = new ConcurrentHashMap<>();
    volatile Process process;
    volatile Subscription stream;
    volatile boolean launched;
    volatile ScheduledFuture<?> registration;

    Session(List<TaskRunner.Launch> launches, ExecutorInfo info, Path sandbox, boolean group) {
      this.launches = List.copyOf(launches);
      this.info = info;
      this.sandbox = sandbox;
      this.group = group;
    }

    TaskRunner.Launch first() {
      return launches.get(0);
    }

    String executorId() {
      return info.getExecutorId().getValue();
    }

    boolean has(String taskId) {
      return launches.stream().anyMatch(l -> l.task().getTaskId().getValue().equals(taskId));
    }

    boolean allEnded() {
      return ended.size() >= launches.size();
    }

    List<String> taskIds() {
      return launches.stream().map(l -> l.task().getTaskId().getValue()).toList();
    }
  }

  private final String agentId;
  private final String host;
  private final Path workDir;
  private final StatusSink sink;
  private final ScheduledExecutorService timers;
  private final ExecutorService workers;
  private final Map<String, Session> byExecutor = new ConcurrentHashMap<>();
  private final Map<String, Session> byTask = new ConcurrentHashMap<>();

  /** Sandboxes of every task this agent ran under an executor, ended ones included. */
  private final Map<String, Path> sandboxes = new ConcurrentHashMap<>();

  private final ExecutorService httpThreads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "telos-agent-executor-api");
            t.setDaemon(true);
            return t;
          });
  private HttpServer server;
  private int port;

  CustomExecutors(
      String agentId,
      String host,
      Path workDir,
      StatusSink sink,
      ScheduledExecutorService timers,
      ExecutorService workers) {
    this.agentId = agentId;
    this.host = host;
    this.workDir = workDir;
    this.sink = sink;
    this.timers = timers;
    this.workers = workers;
  }

  /** {@code host:port} of this agent's executor API, started on first use. */
  synchronized String endpoint() throws IOException {
    if (server == null) {
      listen(0);
    }
    return host + ":" + port;
  }

  private java.util.function.Supplier<Map<String, Object>> agentState;
  private AgentFiles files;

  private interface Io {
    void run() throws IOException;
  }

  private void agentCall(HttpExchange ex, Io body) {
    try {
      body.run();
    } catch (IOException | RuntimeException e) {
      log.warn(
          "agent API request failed path={} error={}", ex.getRequestURI().getPath(), e.toString());
      try {
        ex.sendResponseHeaders(500, -1);
      } catch (IOException ignored) {
        // the response had begun
      }
    } finally {
      ex.close();
    }
  }

  /** This agent also serves {@code /state} and the files API on the same address. */
  void serveAgent(java.util.function.Supplier<Map<String, Object>> state, AgentFiles files) {
    this.agentState = state;
    this.files = files;
  }

  private void listen(int wanted) throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, wanted), 64);
    server.createContext("/api/v1/executor", this::handle);
    if (files != null) {
      server.createContext("/files/read", ex -> agentCall(ex, () -> files.read(ex)));
      server.createContext("/files/browse", ex -> agentCall(ex, () -> files.browse(ex)));
      for (String path : List.of("/state", "/slave(1)/state")) {
        server.createContext(
            path, ex -> agentCall(ex, () -> AgentFiles.sendJson(ex, agentState.get())));
      }
    }
    server.setExecutor(httpThreads);
    server.start();
    port = server.getAddress().getPort();
  }

  boolean owns(String taskId) {
    return byTask.containsKey(taskId);
  }

  /** Fetches the executor's URIs, starts it, and waits for it to subscribe. */
  void launch(TaskRunner.Launch launch, Path sandbox) throws IOException {
    start(new Session(List.of(launch), launch.task().getExecutor(), sandbox, false));
  }

  /**
   * Starts one executor for the tasks of a LAUNCH_GROUP, which it gets as one LAUNCH_GROUP event;
   * each task's files are under {@code tasks/TASK_ID} of the executor's sandbox.
   */
  void launchGroup(List<TaskRunner.Launch> launches, ExecutorInfo executor, Path sandbox)
      throws IOException {
    start(new Session(launches, executor, sandbox, true));
  }

  private void start(Session s) throws IOException {
    Path sandbox = s.sandbox;
    byExecutor.put(s.executorId(), s);
    for (String id : s.taskIds()) {
      byTask.put(id, s);
      sandboxes.put(id, s.group ? sandbox.resolve("tasks").resolve(id) : sandbox);
    }
    TaskRunner.Launch launch = s.first();
    String endpoint = endpoint();
    CommandInfo command = s.info.getCommand();
    for (CommandInfo.URI uri : command.getUrisList()) {
      fetch(uri, sandbox);
    }
    SecretValues.writeFiles(s.info.getContainer(), sandbox);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", PATH);
    env.put("MESOS_AGENT_ENDPOINT", endpoint);
    env.put("MESOS_FRAMEWORK_ID", launch.frameworkId());
    env.put("MESOS_EXECUTOR_ID", s.executorId());
    env.put("MESOS_SLAVE_ID", agentId);
    env.put("MESOS_DIRECTORY", sandbox.toString());
    env.put("MESOS_SANDBOX", sandbox.toString());
    env.put("MESOS_CHECKPOINT", launch.checkpoint() ? "1" : "0");
    if (launch.checkpoint()) {
      env.put("MESOS_RECOVERY_TIMEOUT", RECOVERY_TIMEOUT);
      env.put("MESOS_SUBSCRIPTION_BACKOFF_MAX", BACKOFF_MAX);
    }
    env.put("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", SHUTDOWN_GRACE);
    for (Environment.Variable v : command.getEnvironment().getVariablesList()) {
      env.put(v.getName(), SecretValues.of(v));
    }
    ProcessBuilder b =
        new ProcessBuilder(ProcessRunner.argv(command))
            .directory(sandbox.toFile())
            .redirectOutput(ProcessBuilder.Redirect.appendTo(sandbox.resolve("stdout").toFile()))
            .redirectError(ProcessBuilder.Redirect.appendTo(sandbox.resolve("stderr").toFile()));
    b.environment().clear();
    b.environment().putAll(env);
    s.process = b.start();
    log.info(
        "executor started executor_id={} task_ids={} pid={} endpoint={}",
        s.executorId(),
        s.taskIds(),
        s.process.pid(),
        endpoint);
    s.registration =
        timers.schedule(
            () -> registrationTimedOut(s), REGISTRATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    s.process.onExit().thenRun(() -> workers.execute(() -> exited(s)));
  }

  private void registrationTimedOut(Session s) {
    if (s.stream == null && !s.launched && !s.allEnded()) {
      log.warn("executor did not subscribe in time executor_id={}", s.executorId());
      for (String id : s.taskIds()) {
        end(
            s,
            id,
            TaskState.TASK_FAILED,
            "Executor did not register within " + REGISTRATION_TIMEOUT,
            TaskStatus.Reason.REASON_EXECUTOR_REGISTRATION_TIMEOUT);
      }
      destroy(s);
    }
  }

  private void exited(Session s) {
    destroy(s);
    Subscription stream = s.stream;
    if (stream != null) {
      stream.close();
    }
    int code = s.process.exitValue();
    for (String id : s.taskIds()) {
      end(
          s,
          id,
          TaskState.TASK_FAILED,
          "Executor terminated ("
              + (code > 128 ? "signal " + (code - 128) : "status " + code)
              + ")",
          TaskStatus.Reason.REASON_EXECUTOR_TERMINATED);
      byTask.remove(id, s);
    }
    byExecutor.remove(s.executorId(), s);
  }

  /** Ends a task of the session the agent's way, unless it ended already. */
  private void end(
      Session s, String taskId, TaskState state, String message, TaskStatus.Reason reason) {
    if (s.ended.add(taskId)) {
      sink.status(taskId, state, message, reason, null);
    }
  }

  /**
   * Destroys the executor's container: the executor and every process it started (found by the
   * executor ID in their environment, as a cgroup would hold them).
   */
  private void destroy(Session s) {
    Process p = s.process;
    if (p != null && p.isAlive()) {
      ProcessRunner.signalGroup(p.pid(), "KILL");
    }
    String marker = "MESOS_EXECUTOR_ID=" + s.executorId() + "\0";
    String framework = "MESOS_FRAMEWORK_ID=" + s.first().frameworkId() + "\0";
    ProcessHandle.allProcesses()
        .forEach(
            h -> {
              try {
                String environ =
                    Files.readString(
                        Path.of("/proc", Long.toString(h.pid()), "environ"),
                        StandardCharsets.ISO_8859_1);
                if (environ.contains(marker) && environ.contains(framework)) {
                  h.destroyForcibly();
                }
              } catch (IOException | RuntimeException e) {
                // gone, or not ours to read
              }
            });
  }

  /** Hands a scheduler's MESSAGE to the executor, if it is subscribed; else it is dropped. */
  void message(String frameworkId, String executorId, com.google.protobuf.ByteString data) {
    Session s = byExecutor.get(executorId);
    Subscription stream = s == null ? null : s.stream;
    if (s == null || !s.first().frameworkId().equals(frameworkId) || stream == null) {
      log.warn("framework message dropped: no such executor subscribed executor_id={}", executorId);
      return;
    }
    stream.sendMessage(
        Event.newBuilder()
            .setType(Event.Type.MESSAGE)
            .setMessage(Event.Message.newBuilder().setData(data))
            .build());
  }

  /** Asks the executor to kill its task (sent when it subscribes, if it has not yet). */
  void kill(String taskId, Duration grace) {
    Session s = byTask.get(taskId);
    if (s == null || s.ended.contains(taskId)) {
      return;
    }
    s.pendingKills.put(taskId, grace);
    Subscription stream = s.stream;
    if (stream != null && stream.isOpen()) {
      stream.sendMessage(killEvent(taskId, grace));
    } else if (!s.launched) {
      // Never launched: there is nothing to kill but the executor, once its tasks are all gone.
      end(s, taskId, TaskState.TASK_KILLED, "Killed before the executor subscribed", null);
      if (s.allEnded()) {
        destroy(s);
      }
    }
  }

  private static Event killEvent(String taskId, Duration grace) {
    return Event.newBuilder()
        .setType(Event.Type.KILL)
        .setKill(
            Event.Kill.newBuilder()
                .setTaskId(TaskID.newBuilder().setValue(taskId))
                .setKillPolicy(
                    KillPolicy.newBuilder()
                        .setGracePeriod(DurationInfo.newBuilder().setNanoseconds(grace.toNanos()))))
        .build();
  }

  /** Kills the executor process abruptly (fault injection: executor kill -9). */
  void crash(String taskId) {
    Session s = byTask.get(taskId);
    if (s != null && s.process != null) {
      s.process.destroyForcibly();
    }
  }

  Optional<Long> pid(String taskId) {
    Session s = byTask.get(taskId);
    return s == null || s.process == null ? Optional.empty() : Optional.of(s.process.pid());
  }

  Optional<Path> sandbox(String taskId) {
    return Optional.ofNullable(sandboxes.get(taskId));
  }

  boolean ran(String taskId) {
    return sandboxes.containsKey(taskId);
  }

  /**
   * The agent process restarts: its executor API is gone for {@code down} (streams cut, calls
   * refused), then back on the same address; executors that checkpoint re-subscribe.
   */
  synchronized void restart(Duration down) {
    if (server == null) {
      return;
    }
    int was = port;
    server.stop(0);
    server = null;
    for (Session s : byExecutor.values()) {
      Subscription stream = s.stream;
      if (stream != null) {
        stream.cut();
      }
    }
    timers.schedule(
        () -> {
          synchronized (this) {
            try {
              listen(was);
              log.info("agent executor API back agent_id={} port={}", agentId, was);
            } catch (IOException e) {
              log.error("agent executor API cannot listen again port={}: {}", was, e.getMessage());
            }
          }
        },
        down.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  void shutdown() {
    for (Session s : byExecutor.values()) {
      s.ended.addAll(s.taskIds());
      destroy(s);
    }
    synchronized (this) {
      if (server != null) {
        server.stop(0);
        server = null;
      }
    }
    httpThreads.shutdownNow();
  }

  // --- /api/v1/executor --------------------------------------------------------------------------

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("POST")) {
        respond(exchange, 405, "Expecting 'POST'");
        return;
      }
      Wire in = Wire.ofContentType(exchange.getRequestHeaders().getFirst("Content-Type"));
      Wire out = Wire.ofAccept(exchange.getRequestHeaders().getFirst("Accept"));
      if (in == null || out == null) {
        respond(
            exchange,
            415,
            "Expecting 'Content-Type' of application/json or application/x-protobuf");
        return;
      }
      byte[] body = exchange.getRequestBody().readNBytes(16 << 20);
      Call call;
      try {
        call = decode(in, body);
      } catch (InvalidProtocolBufferException e) {
        respond(exchange, 400, "Failed to parse body into Call: " + e.getMessage());
        return;
      }
      Session s = byExecutor.get(call.getExecutorId().getValue());
      if (s == null || !s.first().frameworkId().equals(call.getFrameworkId().getValue())) {
        respond(exchange, 400, "Executor " + call.getExecutorId().getValue() + " is not known");
        return;
      }
      switch (call.getType()) {
        case SUBSCRIBE -> subscribe(exchange, s, call.getSubscribe(), out);
        case UPDATE -> {
          String problem = update(s, call.getUpdate().getStatus());
          respond(exchange, problem == null ? 202 : 400, problem == null ? "" : problem);
        }
        case MESSAGE -> {
          sink.executorMessage(
              s.first().frameworkId(), s.executorId(), call.getMessage().getData());
          respond(exchange, 202, "");
        }
        default -> respond(exchange, 400, "Expecting 'type' to be SUBSCRIBE, UPDATE or MESSAGE");
      }
    } catch (RuntimeException e) {
      log.error("executor API failed", e);
    }
  }

  private static Call decode(Wire wire, byte[] body) throws InvalidProtocolBufferException {
    if (wire == Wire.PROTOBUF) {
      return Call.parseFrom(body);
    }
    Call.Builder b = Call.newBuilder();
    JsonFormat.parser().ignoringUnknownFields().merge(new String(body, StandardCharsets.UTF_8), b);
    return b.build();
  }

  private void subscribe(HttpExchange exchange, Session s, Call.Subscribe sub, Wire wire)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", wire.mediaType);
    exchange.sendResponseHeaders(200, 0);
    Subscription stream = new Subscription(null, s.first().frameworkId(), wire, exchange);
    Subscription before = s.stream;
    if (before != null) {
      before.close();
    }
    s.stream = stream;
    ScheduledFuture<?> r = s.registration;
    if (r != null) {
      r.cancel(false);
    }
    log.info("executor subscribed executor_id={} resubscription={}", s.executorId(), s.launched);
    stream.sendMessage(
        Event.newBuilder()
            .setType(Event.Type.SUBSCRIBED)
            .setSubscribed(
                Event.Subscribed.newBuilder()
                    .setExecutorInfo(s.info)
                    .setFrameworkInfo(s.first().framework())
                    .setAgentInfo(
                        AgentInfo.newBuilder()
                            .setId(AgentID.newBuilder().setValue(agentId))
                            .setHostname(host)
                            .setPort(port)))
            .build());
    for (var pending : sub.getUnacknowledgedUpdatesList()) {
      update(s, pending.getStatus());
    }
    if (!s.launched) {
      s.launched = true;
      if (s.group) {
        TaskGroupInfo.Builder g = TaskGroupInfo.newBuilder();
        s.launches.forEach(l -> g.addTasks(l.task()));
        stream.sendMessage(
            Event.newBuilder()
                .setType(Event.Type.LAUNCH_GROUP)
                .setLaunchGroup(Event.LaunchGroup.newBuilder().setTaskGroup(g))
                .build());
      } else {
        stream.sendMessage(
            Event.newBuilder()
                .setType(Event.Type.LAUNCH)
                .setLaunch(Event.Launch.newBuilder().setTask(s.first().task()))
                .build());
      }
    }
    s.pendingKills.forEach(
        (taskId, grace) -> {
          if (!s.ended.contains(taskId)) {
            stream.sendMessage(killEvent(taskId, grace));
          }
        });
    stream.pump();
    if (s.stream == stream) {
      s.stream = null;
    }
  }

  /** Forwards an executor's update once per uuid and acknowledges it; returns a problem or null. */
  private String update(Session s, TaskStatus status) {
    if (!status.hasUuid() || status.getUuid().size() != 16) {
      return "Status update must have a 16-byte uuid";
    }
    String taskId = status.getTaskId().getValue();
    if (!s.has(taskId)) {
      return "Task " + taskId + " is not a task of this executor";
    }
    boolean first;
    synchronized (s) {
      first = s.seen.add(status.getUuid());
    }
    if (first && !s.ended.contains(taskId)) {
      if (Master.isTerminal(status.getState())) {
        s.ended.add(taskId);
      }
      sink.status(status);
    }
    Subscription stream = s.stream;
    if (stream != null) {
      stream.sendMessage(
          Event.newBuilder()
              .setType(Event.Type.ACKNOWLEDGED)
              .setAcknowledged(
                  Event.Acknowledged.newBuilder()
                      .setTaskId(status.getTaskId())
                      .setUuid(status.getUuid()))
              .build());
    }
    return null;
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
  }

  // --- the fetcher -------------------------------------------------------------------------------

  /** Fetches one URI into the sandbox, through a cache under the agent's work dir when asked. */
  private void fetch(CommandInfo.URI uri, Path sandbox) throws IOException {
    Fetcher.fetch(uri, sandbox, workDir.resolve("fetcher-cache"));
  }
}
