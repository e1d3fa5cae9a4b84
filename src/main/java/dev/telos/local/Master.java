package dev.telos.local;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.Attribute;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.MasterInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.Value;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's state machine: frameworks, agents, offers, tasks and their status-update streams.
 *
 * <p>This is the protocol engine of the embedded cluster and is deliberately one class: every rule
 * of the master side of the v1 scheduler API lives here, under one lock, so the order of events a
 * framework sees is the order of decisions taken. Nothing here blocks: events are queued to each
 * framework's {@link Subscription}, processes are started by the agents' runners.
 */
final class Master {
  private static final Logger log = LoggerFactory.getLogger(Master.class);
  static final String VERSION = "1.11.0";
  private static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(3);
  private static final Duration MAX_UPDATE_RETRY = Duration.ofMinutes(10);
  private static final int MAX_COMPLETED_TASKS = 1000;

  /** An HTTP-level refusal: the status code and Mesos's message. */
  static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    Refusal(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  static final class Agent {
    final String id;
    final String hostname;
    final Resources total;
    final Resources free;
    final TaskRunner runner;
    final List<Attribute> attributes;
    boolean reachable = true;

    /**
     * False after a master failover until the agent re-registers: the new master does not know its
     * tasks yet, answers no reconciliation for them, offers nothing of it and holds its updates (as
     * a recovering Mesos master does for up to {@code agent_reregister_timeout}).
     */
    boolean registered = true;

    /**
     * False while the agent process restarts (with checkpointing): as a Mesos master does for a
     * disconnected agent, its offers are rescinded and none made, kills wait for it to re-register,
     * and its tasks keep their last known state (and keep running); updates wait on the agent.
     */
    boolean connected = true;

    /** Persistent volumes created on the agent: "role/persistence ID". */
    final java.util.Set<String> volumes = new java.util.HashSet<>();

    /** Updates the agent could not deliver while unreachable, in order. */
    final List<Runnable> held = new ArrayList<>();

    Agent(String id, String hostname, Resources total, TaskRunner runner, List<Attribute> attrs) {
      this.id = id;
      this.hostname = hostname;
      this.total = total;
      this.free = total.copy();
      this.runner = runner;
      this.attributes = List.copyOf(attrs);
    }
  }

  static final class Task {
    final TaskInfo info;
    final String frameworkId;
    final String agentId;
    final String role;
    final Resources resources;
    final String executorId;
    TaskState state = TaskState.TASK_STAGING;
    TaskStatus latest;
    final StatusUpdateManager.Queue updates = new StatusUpdateManager.Queue();
    boolean resourcesReleased;
    Duration pendingKillGrace;

    Task(
        TaskInfo info,
        String frameworkId,
        String agentId,
        String role,
        Resources resources,
        String executorId) {
      this.info = info;
      this.frameworkId = frameworkId;
      this.agentId = agentId;
      this.role = role;
      this.resources = resources;
      this.executorId = executorId;
    }

    String id() {
      return info.getTaskId().getValue();
    }
  }

  static final class Framework {
    final String id;
    FrameworkInfo info;
    Subscription subscription;
    final Set<String> suppressedRoles = new HashSet<>();

    /** (agent id + " " + role) → refuse offers until, in nanoTime. */
    final Map<String, Long> filters = new HashMap<>();

    final Map<String, Task> tasks = new LinkedHashMap<>();
    final ArrayDeque<Task> completedTasks = new ArrayDeque<>();
    ScheduledFuture<?> failoverTimer;
    final long registeredAt = System.currentTimeMillis();

    Framework(String id, FrameworkInfo info) {
      this.id = id;
      this.info = info;
    }

    boolean connected() {
      return subscription != null && subscription.isOpen();
    }

    boolean has(FrameworkInfo.Capability.Type capability) {
      return info.getCapabilitiesList().stream().anyMatch(c -> c.getType() == capability);
    }

    boolean partitionAware() {
      return has(FrameworkInfo.Capability.Type.PARTITION_AWARE);
    }

    boolean gpuResources() {
      return has(FrameworkInfo.Capability.Type.GPU_RESOURCES);
    }

    List<String> roles() {
      if (has(FrameworkInfo.Capability.Type.MULTI_ROLE) && info.getRolesCount() > 0) {
        return info.getRolesList();
      }
      @SuppressWarnings("deprecation")
      String role = info.hasRole() ? info.getRole() : "*";
      return List.of(role);
    }
  }

  static final class OfferRecord {
    final String id;
    final String frameworkId;
    final String agentId;
    final String role;
    final Resources resources;

    OfferRecord(String id, String frameworkId, String agentId, String role, Resources r) {
      this.id = id;
      this.frameworkId = frameworkId;
      this.agentId = agentId;
      this.role = role;
      this.resources = r;
    }
  }

  private final LocalClusterConfig config;
  private final ScheduledExecutorService timers;
  final String masterId = UUID.randomUUID().toString();
  private final Map<String, Framework> frameworks = new LinkedHashMap<>();

  /** Subscriptions that replaced a still-open one of the same framework: two schedulers at once. */
  private final java.util.concurrent.atomic.AtomicLong openFailovers =
      new java.util.concurrent.atomic.AtomicLong();

  long openSubscriptionFailovers() {
    return openFailovers.get();
  }

  private final Map<String, Framework> completedFrameworks = new LinkedHashMap<>();
  private final Map<String, Agent> agents = new LinkedHashMap<>();
  private final Allocator allocator = new Allocator(masterId);
  private long frameworkCounter;
  private boolean allocationScheduled;
  private volatile String address = "127.0.0.1:0";

  private final StatusUpdateManager statusUpdates;

  Master(LocalClusterConfig config, ScheduledExecutorService timers) {
    this.config = config;
    this.timers = timers;
    this.statusUpdates =
        new StatusUpdateManager(
            config.updateRetryInitial(),
            MAX_UPDATE_RETRY,
            (action, delay) ->
                later(
                    () -> {
                      synchronized (this) {
                        action.run();
                      }
                    },
                    delay),
            (framework, status) -> send(framework, update(status)),
            frameworks::get);
  }

  void setAddress(String hostPort) {
    this.address = hostPort;
  }

  String address() {
    return address;
  }

  synchronized void addAgent(Agent agent) {
    agents.put(agent.id, agent);
  }

  /**
   * Adds a resource kept apart from the plain amounts (a PATH or MOUNT disk, a static reservation)
   * to an agent's resources.
   */
  synchronized void addResource(String agentId, org.apache.mesos.v1.Protos.Resource resource) {
    Agent agent = agents.get(agentId);
    agent.total.keep(resource);
    agent.free.keep(resource);
  }

  synchronized Collection<Agent> agents() {
    return List.copyOf(agents.values());
  }

  synchronized Agent agent(String id) {
    return agents.get(id);
  }

  void startAllocator() {
    timers.scheduleWithFixedDelay(
        () -> {
          try {
            allocate();
          } catch (RuntimeException e) {
            log.error("allocation failed", e);
          }
        },
        config.allocationInterval().toMillis(),
        config.allocationInterval().toMillis(),
        TimeUnit.MILLISECONDS);
  }

  // ---------------------------------------------------------------------------------------------
  // Subscription

  /**
   * Validates a SUBSCRIBE call before any stream opens.
   *
   * @throws Refusal with 400 when the call is invalid, as Mesos answers
   */
  static void validateSubscribe(Call call) throws Refusal {
    if (!call.hasSubscribe() || !call.getSubscribe().hasFrameworkInfo()) {
      throw new Refusal(
          400, "Failed to validate scheduler::Call: Expecting 'subscribe' to be present");
    }
    FrameworkInfo info = call.getSubscribe().getFrameworkInfo();
    if (info.getUser().isEmpty()) {
      throw new Refusal(
          400, "Failed to validate scheduler::Call: 'FrameworkInfo.user' must be set");
    }
    if (info.getName().isEmpty()) {
      throw new Refusal(
          400, "Failed to validate scheduler::Call: 'FrameworkInfo.name' must be set");
    }
    if (call.hasFrameworkId() != info.hasId()
        || (info.hasId() && !call.getFrameworkId().equals(info.getId()))) {
      throw new Refusal(
          400,
          "Failed to validate scheduler::Call: 'framework_id' differs from"
              + " 'subscribe.framework_info.id'");
    }
  }

  private static boolean stillHeld(Subscription s) {
    try {
      return s.stillHeld(Event.newBuilder().setType(Event.Type.HEARTBEAT).build(), 500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /** Opens (or fails over) a framework's subscription on a new stream. */
  synchronized void subscribe(Call call, Subscription.Factory streams) {
    FrameworkInfo info = call.getSubscribe().getFrameworkInfo();
    String requested = info.hasId() ? info.getId().getValue() : null;
    if (requested != null && completedFrameworks.containsKey(requested)) {
      Subscription s = streams.open(requested);
      s.send(error("Framework has been removed"));
      s.close();
      return;
    }
    Framework framework;
    if (requested != null && frameworks.containsKey(requested)) {
      framework = frameworks.get(requested);
      if (framework.failoverTimer != null) {
        framework.failoverTimer.cancel(false);
        framework.failoverTimer = null;
      }
      Subscription old = framework.subscription;
      if (old != null && old.isOpen() && !stillHeld(old)) {
        log.info(
            "the previous subscription's connection was closed already framework_id={}", requested);
        old.cut();
      }
      if (old != null && old.isOpen()) {
        // Two schedulers of one framework: the new one wins, the old one is told and cut off.
        log.warn("framework failed over from an open subscription framework_id={}", requested);
        openFailovers.incrementAndGet();
        old.send(error("Framework failed over"));
        old.close();
      }
      rescindOffersOf(framework, false);
      framework.info = info;
      log.info("framework re-subscribed framework_id={}", requested);
    } else {
      String id =
          requested != null
              ? requested
              : masterId + "-" + String.format("%04d", frameworkCounter++);
      framework =
          new Framework(id, info.toBuilder().setId(FrameworkID.newBuilder().setValue(id)).build());
      frameworks.put(id, framework);
      log.info("framework subscribed framework_id={} name={}", id, info.getName());
    }
    framework.suppressedRoles.clear();
    framework.suppressedRoles.addAll(call.getSubscribe().getSuppressedRolesList());
    Subscription s = streams.open(framework.id);
    framework.subscription = s;
    s.send(
        Event.newBuilder()
            .setType(Event.Type.SUBSCRIBED)
            .setSubscribed(
                Event.Subscribed.newBuilder()
                    .setFrameworkId(FrameworkID.newBuilder().setValue(framework.id))
                    .setHeartbeatIntervalSeconds(config.heartbeatInterval().toMillis() / 1000d)
                    .setMasterInfo(masterInfo()))
            .build());
    startHeartbeats(s);
    for (Task task : framework.tasks.values()) {
      statusUpdates.resubscribed(framework, task);
    }
    scheduleAllocation();
  }

  private MasterInfo masterInfo() {
    String[] hp = address.split(":");
    return MasterInfo.newBuilder()
        .setId(masterId)
        .setIp(0x0100007f)
        .setPort(Integer.parseInt(hp[1]))
        .setHostname(hp[0])
        .setVersion(VERSION)
        .build();
  }

  private void startHeartbeats(Subscription s) {
    long period = config.heartbeatInterval().toMillis();
    Runnable beat =
        () -> {
          if (!s.isOpen()) {
            onStreamClosed(s);
          } else if (!s.heartbeatsPaused) {
            s.send(Event.newBuilder().setType(Event.Type.HEARTBEAT).build());
          }
        };
    try {
      s.heartbeat = timers.scheduleAtFixedRate(beat, period, period, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      s.close(); // the cluster is stopping
    }
  }

  /** The stream of {@code s} ended (client gone, or cut): the framework is now disconnected. */
  synchronized void onStreamClosed(Subscription s) {
    s.close();
    Framework framework = frameworks.get(s.frameworkId);
    if (framework == null || framework.subscription != s) {
      return;
    }
    framework.subscription = null;
    rescindOffersOf(framework, false);
    double timeout = framework.info.getFailoverTimeout();
    log.info("framework disconnected framework_id={} failover_timeout_s={}", framework.id, timeout);
    long millis = (long) Math.max(0, timeout * 1000);
    framework.failoverTimer = later(() -> failoverTimedOut(framework.id), millis);
  }

  private synchronized void failoverTimedOut(String frameworkId) {
    Framework framework = frameworks.get(frameworkId);
    if (framework == null || framework.connected()) {
      return;
    }
    log.info("framework failover timeout passed, removing framework_id={}", frameworkId);
    removeFramework(framework);
  }

  private void removeFramework(Framework framework) {
    frameworks.remove(framework.id);
    completedFrameworks.put(framework.id, framework);
    rescindOffersOf(framework, false);
    for (Task task : List.copyOf(framework.tasks.values())) {
      statusUpdates.forget(task);
      if (!isTerminal(task.state)) {
        Agent agent = agents.get(task.agentId);
        agent.runner.kill(task.id(), Duration.ZERO);
      }
    }
    if (framework.subscription != null) {
      framework.subscription.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Calls

  /**
   * Checks a non-SUBSCRIBE call against the framework and stream it claims.
   *
   * @throws Refusal 400 for a missing or wrong stream or framework ID, 403 when not subscribed
   */
  synchronized Framework authorize(Call call, String streamId) throws Refusal {
    if (streamId == null || streamId.isEmpty()) {
      throw new Refusal(400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
    }
    if (!call.hasFrameworkId()) {
      throw new Refusal(
          400, "Failed to validate scheduler::Call: Expecting 'framework_id' to be present");
    }
    Framework framework = frameworks.get(call.getFrameworkId().getValue());
    if (framework == null) {
      throw new Refusal(400, "Framework cannot be found");
    }
    if (!framework.connected()) {
      throw new Refusal(403, "Framework is not subscribed");
    }
    if (!framework.subscription.streamId.equals(streamId)) {
      throw new Refusal(
          400,
          "The stream ID '"
              + streamId
              + "' included in this request didn't"
              + " match the stream ID currently associated with framework ID "
              + framework.id);
    }
    return framework;
  }

  /** Runs an authorized call. */
  synchronized void handle(Framework framework, Call call) throws Refusal {
    switch (call.getType()) {
      case ACCEPT -> accept(framework, call.getAccept());
      case DECLINE ->
          decline(
              framework,
              call.getDecline().getOfferIdsList(),
              call.getDecline().hasFilters() ? call.getDecline().getFilters() : null);
      case KILL -> kill(framework, call.getKill());
      case ACKNOWLEDGE -> acknowledge(framework, call.getAcknowledge());
      case RECONCILE -> reconcile(framework, call.getReconcile().getTasksList());
      case REVIVE -> revive(framework, call.getRevive().getRolesList());
      case SUPPRESS -> suppress(framework, call.getSuppress().getRolesList());
      case TEARDOWN -> {
        log.info("framework torn down framework_id={}", framework.id);
        removeFramework(framework);
      }
      case MESSAGE -> message(framework, call.getMessage());
      case REQUEST,
          SHUTDOWN,
          ACCEPT_INVERSE_OFFERS,
          DECLINE_INVERSE_OFFERS,
          ACKNOWLEDGE_OPERATION_STATUS,
          RECONCILE_OPERATIONS,
          UPDATE_FRAMEWORK -> {
        // Accepted and ignored: the embedded cluster has no inverse offers or operation
        // feedback.
      }
      default ->
          throw new Refusal(
              400, "Failed to validate scheduler::Call: unknown call type " + call.getType());
    }
  }

  private void accept(Framework framework, Call.Accept accept) {
    Filters filters = accept.hasFilters() ? accept.getFilters() : null;
    List<OfferRecord> used = new ArrayList<>();
    String invalid = null;
    for (OfferID id : accept.getOfferIdsList()) {
      OfferRecord offer = allocator.offer(id.getValue());
      if (offer == null || !offer.frameworkId.equals(framework.id)) {
        invalid = "Offer " + id.getValue() + " is no longer valid";
        continue;
      }
      if (!used.isEmpty() && !used.get(0).agentId.equals(offer.agentId)) {
        invalid = "Aggregated offers must belong to one single agent";
        continue;
      }
      used.add(offer);
    }
    if (accept.getOfferIdsCount() == 0) {
      invalid = "No offers specified";
    }
    if (invalid != null) {
      // Offers that were valid go back to the pool; every task is reported as not launched.
      for (OfferRecord o : used) {
        allocator.remove(o.id);
        agents.get(o.agentId).free.add(o.resources);
      }
      for (Offer.Operation op : accept.getOperationsList()) {
        for (TaskInfo task : tasksOf(op)) {
          TaskState state =
              framework.partitionAware() ? TaskState.TASK_DROPPED : TaskState.TASK_LOST;
          sendMasterUpdate(
              framework,
              task.getTaskId(),
              task.getAgentId().getValue(),
              state,
              TaskStatus.Reason.REASON_INVALID_OFFERS,
              invalid);
        }
      }
      scheduleAllocation();
      return;
    }
    Agent agent = agents.get(used.get(0).agentId);
    String role = used.get(0).role;
    Resources pool = new Resources();
    for (OfferRecord o : used) {
      allocator.remove(o.id);
      pool.add(o.resources);
    }
    for (Offer.Operation op : accept.getOperationsList()) {
      switch (op.getType()) {
        case LAUNCH -> {
          for (TaskInfo task : op.getLaunch().getTaskInfosList()) {
            launch(framework, agent, role, pool, task, null, new Resources());
          }
        }
        case LAUNCH_GROUP -> launchGroup(framework, agent, role, pool, op.getLaunchGroup());
        case RESERVE, UNRESERVE, CREATE, DESTROY -> {
          String problem = Volumes.apply(op, agent, framework.roles(), role, pool);
          if (problem != null) {
            // As Mesos: an invalid operation is dropped and the rest of the ACCEPT goes on.
            log.warn(
                "dropping {} operation framework_id={} agent_id={}: {}",
                op.getType(),
                framework.id,
                agent.id,
                problem);
          }
        }
        default ->
            log.warn("operation not supported by the embedded cluster type={}", op.getType());
      }
    }
    // What is left is declined, with the ACCEPT's filters.
    agent.free.add(pool);
    if (!pool.isEmpty()) {
      Allocator.filter(framework, agent.id, role, filters);
    }
    scheduleAllocation();
  }

  private static List<TaskInfo> tasksOf(Offer.Operation op) {
    return switch (op.getType()) {
      case LAUNCH -> op.getLaunch().getTaskInfosList();
      case LAUNCH_GROUP -> op.getLaunchGroup().getTaskGroup().getTasksList();
      default -> List.of();
    };
  }

  private void launchGroup(
      Framework framework,
      Agent agent,
      String role,
      Resources pool,
      Offer.Operation.LaunchGroup group) {
    String executorId = group.getExecutor().getExecutorId().getValue();
    String problem = null;
    Resources executor = new Resources();
    if (executorId.isEmpty()) {
      problem = "LAUNCH_GROUP needs an executor with an executor_id";
    } else if (group.getTaskGroup().getTasksCount() == 0) {
      problem = "Task group is empty";
    } else if (!group.getExecutor().hasFrameworkId()) {
      problem = "'ExecutorInfo.framework_id' must be set";
    } else if (!group.getExecutor().getFrameworkId().getValue().equals(framework.id)) {
      problem =
          "ExecutorInfo has an invalid FrameworkID (Actual: "
              + group.getExecutor().getFrameworkId().getValue()
              + " vs Expected: "
              + framework.id
              + ")";
    } else if (group.getExecutor().getType() == ExecutorInfo.Type.DEFAULT
        && group.getExecutor().hasCommand()) {
      problem = "'ExecutorInfo.command' must not be set for 'DEFAULT' executor";
    } else {
      try {
        executor = Resources.from(group.getExecutor().getResourcesList());
        if (!pool.contains(executor)) {
          problem = "Executor uses more resources than available";
        }
      } catch (IllegalArgumentException e) {
        problem = "Executor has invalid resources: " + e.getMessage();
      }
    }
    boolean custom = group.getExecutor().getType() == ExecutorInfo.Type.CUSTOM;
    if (problem == null && custom && !agent.runner.runsCustomExecutors()) {
      problem = "this agent runs no custom executors; use a DEFAULT executor";
    }
    boolean first = true;
    List<TaskRunner.Launch> launches = new ArrayList<>();
    for (TaskInfo task : group.getTaskGroup().getTasksList()) {
      if (problem != null) {
        sendMasterUpdate(
            framework,
            task.getTaskId(),
            agent.id,
            TaskState.TASK_ERROR,
            TaskStatus.Reason.REASON_TASK_GROUP_INVALID,
            problem);
      } else {
        // The executor's resources are held with the group's first task.
        TaskRunner.Launch l =
            launch(
                framework,
                agent,
                role,
                pool,
                task,
                group.getExecutor(),
                first ? executor : new Resources());
        if (l != null) {
          launches.add(l);
        }
        first = false;
      }
    }
    if (!launches.isEmpty()) {
      // One executor for the whole group: a custom one gets it as one LAUNCH_GROUP.
      agent.runner.launchGroup(launches, group.getExecutor());
    }
  }

  /**
   * Validates one task and, for a plain LAUNCH, starts it; a task of a group ({@code groupExecutor}
   * set) is only recorded and returned, for the group to start together. Returns null when the task
   * was refused.
   */
  private TaskRunner.Launch launch(
      Framework framework,
      Agent agent,
      String role,
      Resources pool,
      TaskInfo task,
      ExecutorInfo groupExecutor,
      Resources executorResources) {
    String groupExecutorId =
        groupExecutor == null ? null : groupExecutor.getExecutorId().getValue();
    String id = task.getTaskId().getValue();
    String problem = null;
    Resources needed = null;
    if (id.isEmpty()) {
      problem = "Task ID must not be empty";
    } else if (framework.tasks.containsKey(id)) {
      problem = "Task has duplicate ID: " + id;
    } else if (!task.getAgentId().getValue().equals(agent.id)) {
      problem =
          "Task uses agent "
              + task.getAgentId().getValue()
              + " but the offer is for agent "
              + agent.id;
    } else if (groupExecutorId == null && task.hasCommand() == task.hasExecutor()) {
      problem =
          "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present";
    } else if (groupExecutor != null
        && groupExecutor.getType() != ExecutorInfo.Type.CUSTOM
        && !task.hasCommand()) {
      problem = "Task in a group must have a CommandInfo";
    } else if (task.getResourcesCount() == 0) {
      problem = "Task uses no resources";
    } else {
      try {
        needed = Resources.from(task.getResourcesList());
        needed.add(executorResources);
        if (task.hasExecutor()) {
          needed.add(Resources.from(task.getExecutor().getResourcesList()));
        }
        for (var r : task.getResourcesList()) {
          if (r.hasAllocationInfo() && !r.getAllocationInfo().getRole().equals(role)) {
            problem =
                "Task resources are allocated to role '"
                    + r.getAllocationInfo().getRole()
                    + "' but the offer is for role '"
                    + role
                    + "'";
          }
        }
        if (problem == null && !pool.contains(needed)) {
          problem = "Task uses more resources " + needed + " than available " + pool;
        }
      } catch (IllegalArgumentException e) {
        problem = "Task has invalid resources: " + e.getMessage();
      }
      if (problem == null) {
        problem = Containers.masterProblem(task);
      }
      if (problem == null && task.hasCommand()) {
        String env = SecretValues.problem(task.getCommand().getEnvironment());
        problem = env == null ? null : "Task's `CommandInfo` is invalid: " + env;
      }
      if (problem == null && task.hasExecutor() && task.getExecutor().hasCommand()) {
        String env = SecretValues.problem(task.getExecutor().getCommand().getEnvironment());
        problem = env == null ? null : "Executor's `CommandInfo` is invalid: " + env;
      }
    }
    if (problem != null) {
      sendMasterUpdate(
          framework,
          task.getTaskId(),
          agent.id,
          TaskState.TASK_ERROR,
          TaskStatus.Reason.REASON_TASK_INVALID,
          problem);
      return null;
    }
    if (task.hasExecutor() && !agent.runner.runsCustomExecutors()) {
      sendMasterUpdate(
          framework,
          task.getTaskId(),
          agent.id,
          TaskState.TASK_FAILED,
          TaskStatus.Reason.REASON_EXECUTOR_TERMINATED,
          "this agent runs no custom executors; use a CommandInfo");
      return null;
    }
    pool.subtract(needed);
    String executorId =
        groupExecutorId != null
            ? groupExecutorId
            : task.hasExecutor() ? task.getExecutor().getExecutorId().getValue() : id;
    Task record = new Task(task, framework.id, agent.id, role, needed, executorId);
    framework.tasks.put(id, record);
    log.debug("launching task framework_id={} task_id={} agent_id={}", framework.id, id, agent.id);
    TaskRunner.Launch launch =
        new TaskRunner.Launch(
            task,
            framework.id,
            agent.id,
            role,
            framework.info.getCheckpoint(),
            executorId,
            framework.info);
    if (groupExecutor == null) {
      agent.runner.launch(launch);
    }
    return launch;
  }

  private void decline(Framework framework, List<OfferID> ids, Filters filters) {
    allocator.decline(framework, ids, filters, agents);
    scheduleAllocation();
  }

  private void kill(Framework framework, Call.Kill kill) {
    String id = kill.getTaskId().getValue();
    Task task = framework.tasks.get(id);
    // As Mesos: a terminal task, or one of an agent marked unreachable (Mesos keeps those apart
    // from its tasks), is unknown to a kill, which is answered by reconciliation and forgotten:
    // the scheduler kills it again once its agent returns.
    if (task == null || isTerminal(task.state) || !agents.get(task.agentId).reachable) {
      reconcile(
          framework,
          List.of(
              Call.Reconcile.Task.newBuilder()
                  .setTaskId(kill.getTaskId())
                  .setAgentId(kill.hasAgentId() ? kill.getAgentId() : AgentID.getDefaultInstance())
                  .build()));
      return;
    }
    Duration grace = DEFAULT_KILL_GRACE;
    if (kill.hasKillPolicy() && kill.getKillPolicy().hasGracePeriod()) {
      grace = Duration.ofNanos(kill.getKillPolicy().getGracePeriod().getNanoseconds());
    } else if (task.info.hasKillPolicy() && task.info.getKillPolicy().hasGracePeriod()) {
      grace = Duration.ofNanos(task.info.getKillPolicy().getGracePeriod().getNanoseconds());
    }
    Agent agent = agents.get(task.agentId);
    if (!agent.connected) {
      // Mesos: "Kill will be retried if the agent reregisters".
      task.pendingKillGrace = grace;
      return;
    }
    agent.runner.kill(id, grace);
  }

  private void acknowledge(Framework framework, Call.Acknowledge ack) throws Refusal {
    if (ack.getUuid().size() != 16) {
      throw new Refusal(400, "Failed to validate scheduler::Call: Not a valid UUID");
    }
    Task task = framework.tasks.get(ack.getTaskId().getValue());
    if (task == null) {
      task =
          framework.completedTasks.stream()
              .filter(t -> t.id().equals(ack.getTaskId().getValue()))
              .findFirst()
              .orElse(null);
    }
    if (task == null || !statusUpdates.acknowledge(framework, task, ack.getUuid())) {
      return; // unknown, or an old or duplicate acknowledgement
    }
    if (task.updates.isEmpty() && isTerminal(task.state)) {
      completeTask(framework, task);
    }
  }

  private void completeTask(Framework framework, Task task) {
    if (framework.tasks.remove(task.id()) != null) {
      framework.completedTasks.addLast(task);
      while (framework.completedTasks.size() > MAX_COMPLETED_TASKS) {
        framework.completedTasks.pollFirst();
      }
    }
  }

  /** Faults armed for the next calls of a type (fault injection). */
  final CallFaults callFaults = new CallFaults();

  private volatile boolean reconciliationHeld;

  /**
   * While held, RECONCILE gets no answer, as when agents are still re-registering after a master
   * failover (fault injection).
   */
  void holdReconciliation(boolean held) {
    reconciliationHeld = held;
  }

  private void reconcile(Framework framework, List<Call.Reconcile.Task> requested) {
    if (reconciliationHeld) {
      return;
    }
    if (requested.isEmpty()) {
      for (Task task : framework.tasks.values()) {
        if (agents.get(task.agentId).registered) {
          sendReconciliation(framework, task);
        }
      }
      return;
    }
    for (Call.Reconcile.Task r : requested) {
      Task task = framework.tasks.get(r.getTaskId().getValue());
      String agentId = r.hasAgentId() ? r.getAgentId().getValue() : "";
      Agent agent = agentId.isEmpty() ? null : agents.get(agentId);
      if (task != null
          ? !agents.get(task.agentId).registered
          : agent != null && !agent.registered) {
        continue; // not re-registered yet: the master cannot answer for it
      }
      if (task != null) {
        sendReconciliation(framework, task);
        continue;
      }
      TaskState state;
      if (agent != null && agent.reachable) {
        state = framework.partitionAware() ? TaskState.TASK_GONE : TaskState.TASK_LOST;
      } else if (agent != null) {
        state = framework.partitionAware() ? TaskState.TASK_UNREACHABLE : TaskState.TASK_LOST;
      } else if (agents.values().stream().anyMatch(a -> !a.registered)) {
        // As Mesos: an unknown task of no named agent, while agents recovered from the registry
        // have not re-registered yet: the task may be on one of them, so no answer.
        continue;
      } else {
        state = framework.partitionAware() ? TaskState.TASK_UNKNOWN : TaskState.TASK_LOST;
      }
      sendMasterUpdate(
          framework,
          r.getTaskId(),
          agentId,
          state,
          TaskStatus.Reason.REASON_RECONCILIATION,
          "Reconciliation: Task is unknown");
    }
  }

  private void sendReconciliation(Framework framework, Task task) {
    Agent agent = agents.get(task.agentId);
    TaskState state = task.state;
    if (!agent.reachable && !isTerminal(state)) {
      state = framework.partitionAware() ? TaskState.TASK_UNREACHABLE : TaskState.TASK_LOST;
    }
    TaskStatus.Builder status =
        (task.latest != null
                ? task.latest.toBuilder()
                : TaskStatus.newBuilder()
                    .setTaskId(task.info.getTaskId())
                    .setAgentId(AgentID.newBuilder().setValue(task.agentId)))
            .clearUuid()
            .setState(state)
            .setSource(TaskStatus.Source.SOURCE_MASTER)
            .setReason(TaskStatus.Reason.REASON_RECONCILIATION)
            .setMessage("Reconciliation: Latest task state")
            .setTimestamp(System.currentTimeMillis() / 1000d);
    send(framework, update(status.build()));
  }

  private void revive(Framework framework, List<String> roles) {
    Allocator.revive(framework, roles);
    scheduleAllocation();
  }

  private void suppress(Framework framework, List<String> roles) {
    // Mesos keeps outstanding offers; suppression only stops new ones.
    Allocator.suppress(framework, roles);
  }

  // ---------------------------------------------------------------------------------------------
  // Status updates

  /** Where an agent's runner reports: to this master, labels of executor updates included. */
  /**
   * A scheduler's MESSAGE to one of its executors: delivered at most once, as Mesos does (dropped,
   * with a log line, when the agent is unknown or away; the executor may be gone too).
   */
  private void message(Framework framework, Call.Message m) {
    Agent agent = agents.get(m.getAgentId().getValue());
    if (agent == null || !agent.registered || !agent.connected) {
      log.warn(
          "framework message dropped: agent not reachable framework_id={} agent_id={}",
          framework.id,
          m.getAgentId().getValue());
      return;
    }
    agent.runner.frameworkMessage(framework.id, m.getExecutorId().getValue(), m.getData());
  }

  /** An executor's MESSAGE to its scheduler: at most once, dropped while it is disconnected. */
  synchronized void executorMessage(
      String agentId, String frameworkId, String executorId, ByteString data) {
    Framework framework = frameworks.get(frameworkId);
    if (framework == null) {
      return;
    }
    send(
        framework,
        Event.newBuilder()
            .setType(Event.Type.MESSAGE)
            .setMessage(
                Event.Message.newBuilder()
                    .setAgentId(AgentID.newBuilder().setValue(agentId))
                    .setExecutorId(ExecutorID.newBuilder().setValue(executorId))
                    .setData(data))
            .build());
  }

  StatusSink sinkFor(String agentId) {
    return new StatusSink() {
      @Override
      public void executorMessage(String frameworkId, String executorId, ByteString data) {
        Master.this.executorMessage(agentId, frameworkId, executorId, data);
      }

      @Override
      public void status(
          String taskId, TaskState state, String message, TaskStatus.Reason reason, Boolean h) {
        agentStatus(agentId, taskId, state, message, reason, h, null);
      }

      @Override
      public void status(TaskStatus s) {
        agentStatus(
            agentId,
            s.getTaskId().getValue(),
            s.getState(),
            s.hasMessage() ? s.getMessage() : null,
            s.hasReason() ? s.getReason() : null,
            s.hasHealthy() ? s.getHealthy() : null,
            s);
      }
    };
  }

  /** An agent reports a task's new state (reliable: carries a uuid and is resent until acked). */
  synchronized void agentStatus(
      String agentId,
      String taskId,
      TaskState state,
      String message,
      TaskStatus.Reason reason,
      Boolean healthy) {
    agentStatus(agentId, taskId, state, message, reason, healthy, null);
  }

  synchronized void agentStatus(
      String agentId,
      String taskId,
      TaskState state,
      String message,
      TaskStatus.Reason reason,
      Boolean healthy,
      TaskStatus fromExecutor) {
    Agent agent = agents.get(agentId);
    if (agent == null) {
      return;
    }
    if (!agent.reachable || !agent.registered || !agent.connected) {
      agent.held.add(
          () -> agentStatus(agentId, taskId, state, message, reason, healthy, fromExecutor));
      return;
    }
    Task task = null;
    Framework framework = null;
    for (Framework f : frameworks.values()) {
      Task t = f.tasks.get(taskId);
      if (t != null && t.agentId.equals(agentId)) {
        task = t;
        framework = f;
        break;
      }
    }
    if (task == null) {
      // The framework is gone (removed or torn down): just free what the task held.
      releaseOrphan(agent, taskId, state);
      return;
    }
    if (isTerminal(task.state)) {
      return;
    }
    if (state == TaskState.TASK_KILLING
        && !framework.has(FrameworkInfo.Capability.Type.TASK_KILLING_STATE)) {
      return;
    }
    task.state = state;
    TaskStatus.Builder status =
        TaskStatus.newBuilder()
            .setTaskId(task.info.getTaskId())
            .setState(state)
            .setAgentId(AgentID.newBuilder().setValue(agentId))
            .setExecutorId(ExecutorID.newBuilder().setValue(task.executorId))
            .setSource(TaskStatus.Source.SOURCE_EXECUTOR)
            .setTimestamp(System.currentTimeMillis() / 1000d)
            .setUuid(randomUuid());
    if (message != null) {
      status.setMessage(message);
    }
    if (reason != null) {
      status.setReason(reason);
    }
    if (fromExecutor != null && fromExecutor.hasLabels()) {
      status.setLabels(fromExecutor.getLabels());
    }
    if (fromExecutor != null && fromExecutor.hasCheckStatus()) {
      status.setCheckStatus(fromExecutor.getCheckStatus());
    }
    if (healthy != null) {
      status.setHealthy(healthy);
    } else if (task.latest != null && task.latest.hasHealthy() && !isTerminal(state)) {
      status.setHealthy(task.latest.getHealthy());
    }
    task.latest = status.build();
    if (isTerminal(state)) {
      releaseResources(task);
    }
    statusUpdates.enqueue(framework, task, task.latest);
  }

  private void releaseOrphan(Agent agent, String taskId, TaskState state) {
    for (Framework f : completedFrameworks.values()) {
      Task t = f.tasks.get(taskId);
      if (t != null && isTerminal(state)) {
        t.state = state;
        releaseResources(t);
        f.tasks.remove(taskId);
      }
    }
  }

  private void releaseResources(Task task) {
    if (!task.resourcesReleased) {
      task.resourcesReleased = true;
      agents.get(task.agentId).free.add(task.resources);
      scheduleAllocation();
    }
  }

  /** A master-generated update: no uuid, so it is neither retried nor acknowledged. */
  private void sendMasterUpdate(
      Framework framework,
      TaskID taskId,
      String agentId,
      TaskState state,
      TaskStatus.Reason reason,
      String message) {
    TaskStatus.Builder status =
        TaskStatus.newBuilder()
            .setTaskId(taskId)
            .setState(state)
            .setSource(TaskStatus.Source.SOURCE_MASTER)
            .setReason(reason)
            .setMessage(message)
            .setTimestamp(System.currentTimeMillis() / 1000d);
    if (agentId != null && !agentId.isEmpty()) {
      status.setAgentId(AgentID.newBuilder().setValue(agentId));
    }
    send(framework, update(status.build()));
  }

  private static Event update(TaskStatus status) {
    return Event.newBuilder()
        .setType(Event.Type.UPDATE)
        .setUpdate(Event.Update.newBuilder().setStatus(status))
        .build();
  }

  private static Event error(String message) {
    return Event.newBuilder()
        .setType(Event.Type.ERROR)
        .setError(Event.Error.newBuilder().setMessage(message))
        .build();
  }

  private static ByteString randomUuid() {
    UUID uuid = UUID.randomUUID();
    ByteBuffer b = ByteBuffer.allocate(16);
    b.putLong(uuid.getMostSignificantBits());
    b.putLong(uuid.getLeastSignificantBits());
    return ByteString.copyFrom(b.array());
  }

  private static void send(Framework framework, Event event) {
    if (framework.connected()) {
      framework.subscription.send(event);
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

  // ---------------------------------------------------------------------------------------------
  // Offers

  void scheduleAllocation() {
    synchronized (this) {
      if (allocationScheduled) {
        return;
      }
      allocationScheduled = true;
    }
    later(this::allocate, 0);
  }

  /** Runs {@code action} on the timer threads after {@code delayMillis}; a no-op once stopping. */
  private ScheduledFuture<?> later(Runnable action, long delayMillis) {
    try {
      return timers.schedule(action, delayMillis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return null; // the cluster is stopping
    }
  }

  /** Offers every reachable agent's free resources to one framework role that wants them. */
  synchronized void allocate() {
    allocationScheduled = false;
    allocator
        .allocate(frameworks.values(), agents.values())
        .forEach(
            (f, list) ->
                send(
                    f,
                    Event.newBuilder()
                        .setType(Event.Type.OFFERS)
                        .setOffers(Event.Offers.newBuilder().addAllOffers(list))
                        .build()));
  }

  private void rescindOffersOf(Framework framework, boolean notify) {
    for (String id : allocator.rescindAll(framework, agents)) {
      if (notify) {
        send(framework, rescind(id));
      }
    }
    scheduleAllocation();
  }

  private static Event rescind(String offerId) {
    return Event.newBuilder()
        .setType(Event.Type.RESCIND)
        .setRescind(Event.Rescind.newBuilder().setOfferId(OfferID.newBuilder().setValue(offerId)))
        .build();
  }

  // ---------------------------------------------------------------------------------------------
  // Faults

  /** Cuts a framework's stream as a network failure would. */
  synchronized boolean cutStream(String frameworkId) {
    Framework f = frameworks.get(frameworkId);
    if (f == null || !f.connected()) {
      return false;
    }
    Subscription s = f.subscription;
    s.cut();
    onStreamClosed(s);
    return true;
  }

  /** Stops (or resumes) heartbeats to a framework's current stream. */
  synchronized boolean pauseHeartbeats(String frameworkId, boolean paused) {
    Framework f = frameworks.get(frameworkId);
    if (f == null || f.subscription == null) {
      return false;
    }
    f.subscription.heartbeatsPaused = paused;
    return true;
  }

  /**
   * After a failover, every agent is unknown to the new master until it re-registers {@code delay}
   * later: meanwhile its tasks are in no reconciliation answer and no state, its resources in no
   * offer, and its updates are held (then delivered, in order).
   */
  synchronized void agentsReregisterAfter(Duration delay) {
    if (delay.isZero() || delay.isNegative()) {
      return;
    }
    for (Agent agent : agents.values()) {
      agent.registered = false;
    }
    later(this::reregisterAgents, delay.toMillis());
  }

  private synchronized void reregisterAgents() {
    for (Agent agent : agents.values()) {
      if (agent.registered) {
        continue;
      }
      agent.registered = true;
      log.info("agent re-registered agent_id={}", agent.id);
      resumeIfAvailable(agent);
    }
    scheduleAllocation();
  }

  /** The agent drops off the network: its tasks become unreachable (or lost). */
  synchronized boolean loseAgent(String agentId) {
    Agent agent = agents.get(agentId);
    if (agent == null || !agent.reachable) {
      return false;
    }
    agent.reachable = false;
    for (Framework f : frameworks.values()) {
      for (OfferRecord o : allocator.outstanding()) {
        if (o.agentId.equals(agentId) && o.frameworkId.equals(f.id)) {
          allocator.remove(o.id);
          agent.free.add(o.resources);
          send(f, rescind(o.id));
        }
      }
      for (Task task : f.tasks.values()) {
        if (task.agentId.equals(agentId) && !isTerminal(task.state)) {
          TaskState state = f.partitionAware() ? TaskState.TASK_UNREACHABLE : TaskState.TASK_LOST;
          sendMasterUpdate(
              f,
              task.info.getTaskId(),
              agentId,
              state,
              TaskStatus.Reason.REASON_AGENT_REMOVED,
              "Agent " + agentId + " is unreachable");
        }
      }
      send(
          f,
          Event.newBuilder()
              .setType(Event.Type.FAILURE)
              .setFailure(
                  Event.Failure.newBuilder().setAgentId(AgentID.newBuilder().setValue(agentId)))
              .build());
    }
    return true;
  }

  /** The agent comes back: running tasks are reported RUNNING again, held updates delivered. */
  synchronized boolean restoreAgent(String agentId) {
    Agent agent = agents.get(agentId);
    if (agent == null || agent.reachable) {
      return false;
    }
    agent.reachable = true;
    for (Framework f : frameworks.values()) {
      for (Task task : f.tasks.values()) {
        if (task.agentId.equals(agentId) && task.state == TaskState.TASK_RUNNING) {
          sendMasterUpdate(
              f,
              task.info.getTaskId(),
              agentId,
              TaskState.TASK_RUNNING,
              TaskStatus.Reason.REASON_AGENT_REREGISTERED,
              "Agent " + agentId + " re-registered");
        }
      }
    }
    resumeIfAvailable(agent);
    scheduleAllocation();
    return true;
  }

  /**
   * Once an agent is reachable, registered and connected again: the kills asked for meanwhile go to
   * it ("Kill will be retried if the agent reregisters") and the updates it kept are delivered, in
   * order. One place for partitions, failovers and agent restarts alike.
   */
  private void resumeIfAvailable(Agent agent) {
    if (!agent.reachable || !agent.registered || !agent.connected) {
      return;
    }
    for (Framework f : frameworks.values()) {
      for (Task task : f.tasks.values()) {
        if (task.agentId.equals(agent.id) && task.pendingKillGrace != null) {
          agent.runner.kill(task.id(), task.pendingKillGrace);
          task.pendingKillGrace = null;
        }
      }
    }
    List<Runnable> held = List.copyOf(agent.held);
    agent.held.clear();
    held.forEach(Runnable::run);
  }

  /**
   * The agent process stops (its tasks keep running, checkpointed): the master marks it
   * disconnected and rescinds its offers, as Mesos does when an agent's connection breaks.
   */
  synchronized boolean disconnectAgent(String agentId) {
    Agent agent = agents.get(agentId);
    if (agent == null || !agent.connected) {
      return false;
    }
    agent.connected = false;
    log.info("agent disconnected agent_id={}", agentId);
    for (OfferRecord o : allocator.outstanding()) {
      if (o.agentId.equals(agentId)) {
        allocator.remove(o.id);
        agent.free.add(o.resources);
        Framework f = frameworks.get(o.frameworkId);
        if (f != null) {
          send(f, rescind(o.id));
        }
      }
    }
    return true;
  }

  /** {@link #disconnectAgent}, then {@link #reconnectAgent} {@code down} later. */
  synchronized boolean restartAgent(String agentId, Duration down) {
    if (!disconnectAgent(agentId)) {
      return false;
    }
    agents.get(agentId).runner.agentRestart(down);
    later(() -> reconnectAgent(agentId), down.toMillis());
    return true;
  }

  /**
   * The restarted agent re-registers: kills asked for meanwhile are sent to it, the updates it kept
   * are delivered in order, and its resources are offered again.
   */
  synchronized boolean reconnectAgent(String agentId) {
    Agent agent = agents.get(agentId);
    if (agent == null || agent.connected) {
      return false;
    }
    agent.connected = true;
    log.info("agent re-registered after a restart agent_id={}", agentId);
    resumeIfAvailable(agent);
    scheduleAllocation();
    return true;
  }

  /** Closes every stream (a leader change): frameworks must re-subscribe to the new leader. */
  synchronized void dropAllStreams() {
    for (Framework f : List.copyOf(frameworks.values())) {
      if (f.subscription != null) {
        Subscription s = f.subscription;
        s.cut();
        onStreamClosed(s);
      }
    }
    for (OfferRecord o : allocator.outstanding()) {
      allocator.remove(o.id);
      agents.get(o.agentId).free.add(o.resources);
    }
  }

  /** Where a task runs, for fault injection by task ID. */
  synchronized Agent agentById(String agentId) {
    return agents.get(agentId);
  }

  synchronized Agent agentOfTask(String taskId) {
    for (Framework f : frameworks.values()) {
      Task t = f.tasks.get(taskId);
      if (t != null) {
        return agents.get(t.agentId);
      }
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // State, for /master/state

  synchronized List<Framework> frameworksSnapshot() {
    return List.copyOf(frameworks.values());
  }

  synchronized List<Framework> completedFrameworksSnapshot() {
    return List.copyOf(completedFrameworks.values());
  }

  synchronized Map<String, Resources> offeredByAgent() {
    return allocator.offeredByAgent();
  }

  /** An attribute as a Mesos agent reads {@code --attributes}: a number is SCALAR, else TEXT. */
  static Attribute attribute(String name, String value) {
    if (value.matches("-?[0-9]+(\\.[0-9]+)?")) {
      return Attribute.newBuilder()
          .setName(name)
          .setType(Value.Type.SCALAR)
          .setScalar(Value.Scalar.newBuilder().setValue(Double.parseDouble(value)))
          .build();
    }
    return textAttribute(name, value);
  }

  static Attribute textAttribute(String name, String value) {
    return Attribute.newBuilder()
        .setName(name)
        .setType(Value.Type.TEXT)
        .setText(Value.Text.newBuilder().setValue(value))
        .build();
  }
}
