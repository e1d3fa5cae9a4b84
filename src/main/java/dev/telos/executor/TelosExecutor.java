package dev.telos.executor;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Label;
import org.apache.mesos.v1.Protos.Labels;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.executor.Protos.Call;
import org.apache.mesos.v1.executor.Protos.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's protocol side: subscribes to its agent, runs what LAUNCH and LAUNCH_GROUP give it,
 * kills on KILL and SHUTDOWN, and delivers every status reliably: an UPDATE carries a fresh uuid
 * and stays in the unacknowledged list, resent every {@code resendEvery} and with every
 * re-SUBSCRIBE, until the agent's ACKNOWLEDGED for it. After a disconnection it re-subscribes with
 * backoff (at most {@code MESOS_SUBSCRIPTION_BACKOFF_MAX} apart) for {@code MESOS_RECOVERY_TIMEOUT}
 * when the framework checkpoints, with its unacknowledged tasks and updates; otherwise, or past
 * that, it kills its tasks and exits.
 */
public final class TelosExecutor {
  private static final Logger log = LoggerFactory.getLogger(TelosExecutor.class);
  static final Duration RESEND_EVERY = Duration.ofSeconds(10);

  private final ExecutorEnv env;
  private final AgentClient agent;
  private final ExecutorService workers =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "telos-executor-task");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, TaskRun> runs = new ConcurrentHashMap<>();
  private final Map<String, TaskInfo> unacknowledgedTasks = new LinkedHashMap<>();
  private final Map<ByteString, Call.Update> unacknowledgedUpdates = new LinkedHashMap<>();
  private final Map<ByteString, Long> sentAt = new LinkedHashMap<>();
  private final Map<String, Boolean> terminal = new ConcurrentHashMap<>();
  private volatile FrameworkInfo framework;
  private volatile boolean shuttingDown;
  private volatile boolean subscribed;

  TelosExecutor(ExecutorEnv env) {
    this.env = env;
    this.agent = new AgentClient(env.agentEndpoint(), env.authToken());
  }

  /**
   * The executor's own entry point, without the CLI around it (fewer classes loaded, a smaller
   * resident set): {@code java -cp telos.jar dev.telos.executor.TelosExecutor}.
   */
  public static void main(String[] args) {
    System.exit(main(System.getenv()));
  }

  /** Runs until the executor's work is done; returns the process exit code. */
  /** This process's environment, where the agent put the task's secrets. */
  private Map<String, String> processEnv = System.getenv();

  public static int main(Map<String, String> environment) {
    ExecutorEnv env;
    try {
      env = ExecutorEnv.from(environment);
    } catch (IllegalArgumentException e) {
      System.err.println("telos executor: " + e.getMessage());
      return 2;
    }
    log.info("executor starting {}", env);
    TelosExecutor executor = new TelosExecutor(env);
    executor.processEnv = Map.copyOf(environment);
    return executor.run();
  }

  int run() {
    long disconnectedSince = System.nanoTime();
    Duration backoff = Duration.ofMillis(100);
    Thread resender = new Thread(this::resendLoop, "telos-executor-resend");
    resender.setDaemon(true);
    resender.start();
    try {
      while (!done()) {
        try {
          agent.subscribe(subscribeCall(), this::onEvent);
          log.info("the agent closed the event stream");
        } catch (IOException e) {
          log.warn("disconnected from the agent: {}", e.getMessage());
        }
        if (subscribed) {
          disconnectedSince = System.nanoTime();
          backoff = Duration.ofMillis(100);
        }
        subscribed = false;
        if (done()) {
          break;
        }
        if (!env.checkpoint()) {
          log.warn("framework does not checkpoint: killing the tasks and exiting");
          break;
        }
        if (System.nanoTime() - disconnectedSince > env.recoveryTimeout().toNanos()) {
          log.warn(
              "agent not back within {}: killing the tasks and exiting", env.recoveryTimeout());
          break;
        }
        Thread.sleep(backoff.toMillis());
        backoff = min(backoff.multipliedBy(2), env.subscriptionBackoffMax());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      resender.interrupt();
    }
    for (TaskRun r : runs.values()) {
      r.killNow();
    }
    workers.shutdown();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Done once shut down, or once every task ended and its last update was acknowledged. */
  private synchronized boolean done() {
    if (shuttingDown
        && runs.values().stream().allMatch(r -> terminal.containsKey(r.id()))
        && unacknowledgedUpdates.isEmpty()) {
      return true;
    }
    return !runs.isEmpty()
        && terminal.size() == runs.size()
        && unacknowledgedUpdates.isEmpty()
        && unacknowledgedTasks.isEmpty();
  }

  private synchronized Call subscribeCall() {
    Call.Subscribe.Builder s = Call.Subscribe.newBuilder();
    s.addAllUnacknowledgedTasks(unacknowledgedTasks.values());
    s.addAllUnacknowledgedUpdates(unacknowledgedUpdates.values());
    return base(Call.Type.SUBSCRIBE).setSubscribe(s).build();
  }

  private Call.Builder base(Call.Type type) {
    return Call.newBuilder()
        .setType(type)
        .setFrameworkId(FrameworkID.newBuilder().setValue(env.frameworkId()))
        .setExecutorId(ExecutorID.newBuilder().setValue(env.executorId()));
  }

  void onEvent(Event event) {
    switch (event.getType()) {
      case SUBSCRIBED -> {
        subscribed = true;
        framework = event.getSubscribed().getFrameworkInfo();
        log.info("subscribed agent_id={}", event.getSubscribed().getAgentInfo().getId().getValue());
      }
      case LAUNCH -> launch(event.getLaunch().getTask(), env.sandbox());
      case LAUNCH_GROUP -> {
        // As Mesos's default executor does for the nested containers of a group: each task of
        // a group runs in a directory of its own, tasks/TASK_ID, under the executor's sandbox.
        for (TaskInfo task : event.getLaunchGroup().getTaskGroup().getTasksList()) {
          launch(task, env.sandbox().resolve("tasks").resolve(task.getTaskId().getValue()));
        }
      }
      case KILL -> kill(event.getKill().getTaskId().getValue(), grace(event.getKill()));
      case ACKNOWLEDGED -> acknowledged(event.getAcknowledged());
      case MESSAGE -> onMessage(event.getMessage().getData());
      case SHUTDOWN -> shutdown();
      case ERROR -> log.warn("agent error: {}", event.getError().getMessage());
      case HEARTBEAT -> {}
      default -> log.debug("ignored event type={}", event.getType());
    }
  }

  private Duration grace(Event.Kill kill) {
    if (kill.hasKillPolicy() && kill.getKillPolicy().hasGracePeriod()) {
      return Duration.ofNanos(kill.getKillPolicy().getGracePeriod().getNanoseconds());
    }
    TaskRun r = runs.get(kill.getTaskId().getValue());
    return r == null ? TaskRun.DEFAULT_GRACE : r.grace();
  }

  private void launch(TaskInfo task, java.nio.file.Path sandbox) {
    String id = task.getTaskId().getValue();
    synchronized (this) {
      if (runs.containsKey(id)) {
        return; // a redelivered LAUNCH
      }
      unacknowledgedTasks.put(id, task);
    }
    try {
      java.nio.file.Files.createDirectories(sandbox);
    } catch (IOException e) {
      log.warn("cannot create the task's directory {}: {}", sandbox, e.getMessage());
    }
    TaskSpec spec;
    try {
      spec = TaskSpec.parse(task.getData().toByteArray());
    } catch (IOException e) {
      spec = TaskSpec.NONE;
      TaskRun failed = new TaskRun(task, spec, sandbox, baseEnv(), reporter(task));
      runs.put(id, failed);
      reporter(task)
          .update(
              TaskState.TASK_FAILED,
              "cannot read the task's executor settings: " + e.getMessage(),
              TaskStatus.Reason.REASON_TASK_INVALID,
              Map.of());
      return;
    }
    Map<String, String> base = baseEnv();
    for (String name : spec.secretEnvironment()) {
      String value = processEnv.get(name);
      if (value == null) {
        TaskRun failed = new TaskRun(task, spec, sandbox, base, reporter(task));
        runs.put(id, failed);
        reporter(task)
            .update(
                TaskState.TASK_FAILED,
                "secret " + name + " is not in the executor's environment (the agent resolves it)",
                TaskStatus.Reason.REASON_TASK_INVALID,
                Map.of());
        return;
      }
      base.put(name, value);
    }
    TaskRun run = new TaskRun(task, spec, sandbox, base, reporter(task));
    runs.put(id, run);
    workers.execute(run::run);
  }

  private Map<String, String> baseEnv() {
    Map<String, String> e = new LinkedHashMap<>();
    e.put("MESOS_FRAMEWORK_ID", env.frameworkId());
    e.put("MESOS_EXECUTOR_ID", env.executorId());
    e.put("MESOS_DIRECTORY", env.directory().toString());
    return e;
  }

  private void kill(String taskId, Duration grace) {
    TaskRun r = runs.get(taskId);
    if (r == null) {
      return;
    }
    boolean killing =
        framework != null
            && framework.getCapabilitiesList().stream()
                .anyMatch(c -> c.getType() == FrameworkInfo.Capability.Type.TASK_KILLING_STATE);
    workers.execute(() -> r.kill(grace, killing));
  }

  private void shutdown() {
    log.info("shutdown requested; killing every task within {}", env.shutdownGracePeriod());
    shuttingDown = true;
    for (TaskRun r : runs.values()) {
      workers.execute(() -> r.kill(env.shutdownGracePeriod(), false));
    }
  }

  private TaskRun.Reporter reporter(TaskInfo task) {
    return (state, message, reason, labels, healthy, check) ->
        update(task, state, message, reason, labels, healthy, check);
  }

  private void update(
      TaskInfo task,
      TaskState state,
      String message,
      TaskStatus.Reason reason,
      Map<String, String> labels,
      Boolean healthy,
      org.apache.mesos.v1.Protos.CheckStatusInfo check) {
    TaskStatus.Builder s =
        TaskStatus.newBuilder()
            .setTaskId(task.getTaskId())
            .setState(state)
            .setSource(TaskStatus.Source.SOURCE_EXECUTOR)
            .setExecutorId(ExecutorID.newBuilder().setValue(env.executorId()))
            .setTimestamp(System.currentTimeMillis() / 1000d)
            .setUuid(uuid());
    if (task.hasAgentId()) {
      s.setAgentId(task.getAgentId());
    }
    if (message != null) {
      s.setMessage(message);
    }
    if (reason != null) {
      s.setReason(reason);
    }
    if (healthy != null) {
      s.setHealthy(healthy);
    }
    if (check != null) {
      s.setCheckStatus(check);
    }
    if (!labels.isEmpty()) {
      Labels.Builder l = Labels.newBuilder();
      labels.forEach((k, v) -> l.addLabels(Label.newBuilder().setKey(k).setValue(v)));
      s.setLabels(l);
    }
    Call.Update update = Call.Update.newBuilder().setStatus(s).build();
    synchronized (this) {
      unacknowledgedUpdates.put(s.getUuid(), update);
      sentAt.put(s.getUuid(), System.nanoTime());
      if (isTerminal(state)) {
        terminal.put(task.getTaskId().getValue(), true);
      }
    }
    log.info("task_id={} state={} message=\"{}\"", task.getTaskId().getValue(), state, message);
    send(update);
  }

  private void send(Call.Update update) {
    try {
      int status = agent.call(base(Call.Type.UPDATE).setUpdate(update).build());
      if (status != 202) {
        log.warn("UPDATE answered {}; it is sent again", status);
      }
    } catch (IOException e) {
      log.warn("UPDATE not delivered ({}); it is sent again", e.getMessage());
    }
  }

  private void acknowledged(Event.Acknowledged ack) {
    synchronized (this) {
      unacknowledgedUpdates.remove(ack.getUuid());
      sentAt.remove(ack.getUuid());
      unacknowledgedTasks.remove(ack.getTaskId().getValue());
    }
    if (done()) {
      log.info("every task ended and its last update was acknowledged; exiting");
      agent.closeStream();
    }
  }

  /** How often the executor tells its scheduler what its tasks use. */
  static final Duration USAGE_EVERY = Duration.ofSeconds(30);

  /** The scheduler's request for a usage report now, as MESSAGE data. */
  public static final String USAGE_REQUEST = "{\"telos\":\"usage?\"}";

  /** A scheduler's MESSAGE: a usage request is answered at once; anything else is logged. */
  private void onMessage(ByteString data) {
    String text = data.toStringUtf8();
    if (text.strip().equals(USAGE_REQUEST)) {
      workers.execute(() -> reportUsage());
    } else {
      log.info("message from the scheduler ignored bytes={}", data.size());
    }
  }

  /**
   * Sends the scheduler a MESSAGE with what each running task uses: {@code {"telos": "usage",
   * "tasks": [{"taskId", "rssBytes", "cpuSeconds"}]}}. Messages are unreliable; the next report
   * follows in {@link #USAGE_EVERY}.
   */
  boolean reportUsage() {
    List<Map<String, Object>> tasks = new ArrayList<>();
    for (Map.Entry<String, TaskRun> e : runs.entrySet()) {
      e.getValue()
          .usage()
          .ifPresent(
              u -> {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("taskId", e.getKey());
                t.put("rssBytes", (long) u[0]);
                t.put("cpuSeconds", Math.round(u[1] * 1000) / 1000d);
                tasks.add(t);
              });
    }
    if (tasks.isEmpty() || !subscribed) {
      return false;
    }
    try {
      byte[] json =
          com.fasterxml.jackson.jr.ob.JSON.std.asBytes(Map.of("telos", "usage", "tasks", tasks));
      int status =
          agent.call(
              base(Call.Type.MESSAGE)
                  .setMessage(Call.Message.newBuilder().setData(ByteString.copyFrom(json)))
                  .build());
      if (status != 202) {
        log.debug("usage MESSAGE answered {}", status);
      }
      return status == 202;
    } catch (IOException e) {
      log.debug("usage MESSAGE not delivered: {}", e.getMessage());
      return false;
    }
  }

  /** Sends again what stays unacknowledged while subscribed, and the usage reports. */
  private void resendLoop() {
    long lastUsage = System.nanoTime();
    boolean reported = false;
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
      if (!subscribed) {
        continue;
      }
      // Every few seconds until a first report went out (the task has just started), then
      // every USAGE_EVERY.
      long every = reported ? USAGE_EVERY.toNanos() : TimeUnit.SECONDS.toNanos(3);
      if (System.nanoTime() - lastUsage >= every) {
        lastUsage = System.nanoTime();
        reported |= reportUsage();
      }
      List<Call.Update> due = new ArrayList<>();
      long now = System.nanoTime();
      synchronized (this) {
        for (Map.Entry<ByteString, Long> e : sentAt.entrySet()) {
          if (now - e.getValue() >= RESEND_EVERY.toNanos()) {
            due.add(unacknowledgedUpdates.get(e.getKey()));
            e.setValue(now);
          }
        }
      }
      due.forEach(this::send);
    }
  }

  static boolean isTerminal(TaskState state) {
    return switch (state) {
      case TASK_FINISHED,
          TASK_FAILED,
          TASK_KILLED,
          TASK_ERROR,
          TASK_LOST,
          TASK_DROPPED,
          TASK_GONE,
          TASK_GONE_BY_OPERATOR ->
          true;
      default -> false;
    };
  }

  private static ByteString uuid() {
    UUID u = UUID.randomUUID();
    ByteBuffer b = ByteBuffer.allocate(16);
    b.putLong(u.getMostSignificantBits());
    b.putLong(u.getLeastSignificantBits());
    return ByteString.copyFrom(b.array());
  }
}
