package dev.telos.controller;

import com.fasterxml.jackson.databind.JavaType;
import dev.telos.cluster.LiveState;
import dev.telos.cluster.LiveTask;
import dev.telos.git.ManifestSource;
import dev.telos.git.PollResult;
import dev.telos.git.Snapshot;
import dev.telos.manifest.App;
import dev.telos.manifest.CronJob;
import dev.telos.manifest.Job;
import dev.telos.manifest.ManifestError;
import dev.telos.manifest.Service;
import dev.telos.mesos.FrameworkIdStore;
import dev.telos.mesos.MesosClient;
import dev.telos.mesos.MesosClientConfig;
import dev.telos.mesos.MesosFatalException;
import dev.telos.mesos.SchedulerListener;
import dev.telos.reconcile.AppHistory;
import dev.telos.reconcile.Plan;
import dev.telos.reconcile.Planner;
import dev.telos.reconcile.PlannerSettings;
import dev.telos.store.StateStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconcile loop. One thread ({@code telos-controller}) owns every field below the
 * constructor's; inputs arrive as tasks on its queue, and inputs that arrive during a pass merge
 * into one more pass. The git poller runs on its own thread (I/O never blocks the loop) and only
 * queues its results.
 *
 * <p>This class is the loop engine and says so: it holds the order of operations that the protocol
 * requires (record, then acknowledge; persist intents, then ACCEPT; reconcile before acting after a
 * subscribe) in one place.
 */
public final class Controller implements AutoCloseable, ControlPlane {
  private static final Logger log = LoggerFactory.getLogger(Controller.class);

  /** How long a task the master reports TASK_UNKNOWN is remembered (then it is forgotten). */
  private static final Duration FORGET_UNKNOWN_AFTER = Duration.ofHours(1);

  /** The state document naming the last valid commit, restored before the first poll. */
  private static final String LAST_GOOD = "last-good";

  private static final Duration DECLINE_IDLE = Duration.ofSeconds(120);
  private static final Duration DECLINE_BUSY = Duration.ofSeconds(5);

  /** What is remembered of a launched task, persisted before the ACCEPT that launches it. */
  record TaskRecord(String agentId, String host, List<Long> ports) {}

  private final ControllerSettings settings;
  private final ManifestSource source;
  private final StateStore store;
  private final InstantSource clock;
  private final MesosClientConfig.Builder mesosConfig;
  private PlannerSettings plannerSettings;

  /**
   * Inputs waiting for the loop. Bounded: when the loop falls behind a flood of events, their
   * producers (the Mesos stream's reader, the git poller, timers) wait, which holds the flood back
   * in the network instead of in this heap.
   */
  private final BlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>(MAX_INBOX);

  static final int MAX_INBOX = 100_000;
  private final ScheduledExecutorService timers;
  private final ExecutorService poller;
  private final Thread loop;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicReference<StatusView> view = new AtomicReference<>(StatusView.initial());
  private final List<Consumer<StatusView>> watchers = new CopyOnWriteArrayList<>();
  private final AtomicBoolean pollQueued = new AtomicBoolean();
  private volatile ControllerEvents events = ControllerEvents.NONE;
  private volatile CrashPoints crashPoints = CrashPoints.NONE;

  // --- loop-owned state ------------------------------------------------------------------------
  private final LiveState live = new LiveState();
  private final Map<String, TaskRecord> records = new LinkedHashMap<>();
  private final Map<String, AppHistory> history = new HashMap<>();

  /** Where resident instances' persistent volumes are, by {@code namespace/name#i}. */
  private final Map<String, dev.telos.reconcile.VolumeRecord> volumes = new LinkedHashMap<>();

  private SyncLog syncs;
  private RunLog runs;
  private volatile MesosClient client;
  private Snapshot desired;
  private StatusView.ErrorView lastError;
  private boolean subscribed;
  private boolean reconciled;

  /**
   * The ID of a task nobody launched whose explicit reconciliation was asked once the implicit
   * round was accepted, or null. The master queues its answers to a RECONCILE before it accepts the
   * call, and the event stream keeps their order, so the fence's answer arrives after every answer
   * of the implicit round: then launches and kills may go, instead of a second later.
   */
  private String fence;

  static final String FENCE_PREFIX = "telos-reconciliation-fence-";
  private final OfferFlow offerFlow = new OfferFlow();
  private final IncrementalPlanner incremental = new IncrementalPlanner();
  private final AppViews appViews = new AppViews();
  private boolean planActed;
  private long planAgents = -1;
  private long planOffers = -1;
  private Map<String, Map<String, String>> agentFields = Map.of();
  private long passes;
  private ScheduledFuture<?> wakeup;
  private ScheduledFuture<?> reconcileTimer;
  private String mesosState = "DISCONNECTED";
  private String fatal;
  private String storeError;
  private long subscription;
  private Instant checkedAt;
  private Instant reconcileStartedAt = Instant.EPOCH;

  /** The tasks known when the reconciliation round began: the only ones its retries ask about. */
  private java.util.Set<String> reconcileRound = java.util.Set.of();

  private final Map<String, Instant> heardAt = new HashMap<>();

  /**
   * Tasks whose terminal update was already accounted for, newest last, so that a redelivered
   * update is not counted twice. Bounded: the agent redelivers only until acknowledged.
   */
  private final Map<String, TaskState> ended =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TaskState> eldest) {
          return size() > MAX_ENDED;
        }
      };

  private static final int MAX_ENDED = 10_000;
  private long checkedRequest;
  private final java.util.concurrent.atomic.AtomicLong syncRequests =
      new java.util.concurrent.atomic.AtomicLong();

  /** Makes the readiness checks of new tasks; what it finds comes back through the inbox. */
  private final dev.telos.probe.HttpProber readiness =
      new dev.telos.probe.HttpProber(id -> post(() -> onReady(id)));

  public Controller(
      ControllerSettings settings,
      ManifestSource source,
      MesosClientConfig.Builder mesosConfig,
      StateStore store,
      InstantSource clock) {
    this.settings = settings;
    this.source = source;
    this.store = store;
    this.clock = clock;
    this.mesosConfig = mesosConfig;
    this.plannerSettings =
        settings.planner().roles().isEmpty()
            ? settings.planner().withRoles(mesosConfig.frameworkInfo().getRolesList())
            : settings.planner();
    this.timers = Executors.newSingleThreadScheduledExecutor(daemon("telos-controller-timer"));
    this.poller = Executors.newSingleThreadExecutor(daemon("telos-git-poller"));
    this.loop = new Thread(this::run, "telos-controller");
    this.loop.setUncaughtExceptionHandler(
        (t, e) -> {
          if (e instanceof CrashPoints.Crash) {
            log.warn("controller loop stopped by an injected crash point={}", e.getMessage());
          } else {
            log.error("controller loop died", e);
          }
        });
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** The framework description Telos subscribes with, for the role {@code *}. */
  public static FrameworkInfo frameworkInfo(ControllerSettings settings) {
    return frameworkInfo(settings, List.of("*"));
  }

  /**
   * The framework description Telos subscribes with, for {@code roles} (MULTI_ROLE): offers come
   * only for these roles, so an app's {@code role} must be one of them.
   */
  public static FrameworkInfo frameworkInfo(ControllerSettings settings, List<String> roles) {
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("at least one role is needed");
    }
    FrameworkInfo.Builder info =
        FrameworkInfo.newBuilder()
            .setName(settings.frameworkName())
            .setUser(settings.user())
            .setFailoverTimeout(settings.failoverTimeout().toSeconds())
            .setCheckpoint(true)
            .addAllRoles(roles);
    for (FrameworkInfo.Capability.Type c :
        List.of(
            FrameworkInfo.Capability.Type.PARTITION_AWARE,
            FrameworkInfo.Capability.Type.TASK_KILLING_STATE,
            FrameworkInfo.Capability.Type.MULTI_ROLE,
            // Reservations (persistent volumes) in the `reservations` stack format.
            FrameworkInfo.Capability.Type.RESERVATION_REFINEMENT,
            // Without it Mesos offers nothing of agents that have GPUs; Telos places only tasks
            // that ask for gpus there.
            FrameworkInfo.Capability.Type.GPU_RESOURCES)) {
      info.addCapabilities(FrameworkInfo.Capability.newBuilder().setType(c));
    }
    return info.build();
  }

  private static String outcome(PollResult result) {
    if (result instanceof PollResult.Updated) {
      return "updated";
    }
    if (result instanceof PollResult.Unchanged) {
      return "unchanged";
    }
    return result instanceof PollResult.Invalid ? "invalid" : "failed";
  }

  /** Where a fault harness may crash the loop; set before {@link #start()}. */
  public void crashPoints(CrashPoints points) {
    this.crashPoints = points == null ? CrashPoints.NONE : points;
  }

  /** Whether the loop thread has ended while the controller was meant to run (a crash). */
  public boolean crashed() {
    return running.get() && !loop.isAlive() && loop.getState() == Thread.State.TERMINATED;
  }

  /** Where metrics go; set before {@link #start()}. */
  public void events(ControllerEvents sink) {
    this.events = sink == null ? ControllerEvents.NONE : sink;
  }

  /** Restores persisted state, starts the loop, the Mesos client and the poller. */
  public void start() throws IOException {
    Map<String, TaskRecord> saved =
        store
            .<TaskRecord>readMap(
                "tasks", store.mapper().getTypeFactory().constructType(TaskRecord.class))
            .orElse(Map.of());
    records.putAll(saved);
    saved.forEach((id, r) -> live.remember(id, r.agentId(), r.host(), r.ports()));
    history.putAll(
        store
            .<AppHistory>readMap(
                "apps", store.mapper().getTypeFactory().constructType(AppHistory.class))
            .orElse(Map.of()));
    volumes.putAll(
        store
            .<dev.telos.reconcile.VolumeRecord>readMap(
                VOLUMES,
                store
                    .mapper()
                    .getTypeFactory()
                    .constructType(dev.telos.reconcile.VolumeRecord.class))
            .orElse(Map.of()));
    JavaType syncType =
        store.mapper().getTypeFactory().constructCollectionType(List.class, SyncRecord.class);
    syncs =
        new SyncLog(
            store.<List<SyncRecord>>read("history", syncType).orElse(List.of()),
            this::persist,
            () -> events);
    runs =
        new RunLog(
            store
                .<List<RunRecord>>readMap(
                    RunLog.NAME,
                    store
                        .mapper()
                        .getTypeFactory()
                        .constructCollectionType(List.class, RunRecord.class))
                .orElse(Map.of()),
            this::persistChanges);
    Optional<String> lastGood =
        store
            .<Map<String, String>>read(
                LAST_GOOD,
                store
                    .mapper()
                    .getTypeFactory()
                    .constructMapType(HashMap.class, String.class, String.class))
            .map(m -> m.get("revision"));
    lastGood.flatMap(source::restore).ifPresent(s -> desired = s);
    store
        .<Map<String, Object>>read(
            SUSPENSION,
            store
                .mapper()
                .getTypeFactory()
                .constructMapType(HashMap.class, String.class, Object.class))
        .ifPresent(
            m -> {
              syncSuspended = Boolean.TRUE.equals(m.get("sync"));
              if (m.get("apps") instanceof List<?> apps) {
                apps.forEach(a -> suspendedApps.add(String.valueOf(a)));
              }
            });
    log.info(
        "controller starting known_tasks={} sync_records={} restored_revision={}",
        records.size(),
        syncs.size(),
        desired == null ? null : desired.commit().shortSha());
    loop.start();
    FrameworkIdStore ids =
        new FrameworkIdStore() {
          @Override
          public Optional<String> load() {
            return store.frameworkId();
          }

          @Override
          public void save(String frameworkId) {
            store.saveFrameworkId(frameworkId);
          }
        };
    client = MesosClient.start(mesosConfig.frameworkIdStore(ids).build(), new Listener());
    long period = settings.poll().toMillis();
    timers.scheduleWithFixedDelay(() -> sync(false), 0, period, TimeUnit.MILLISECONDS);
  }

  /**
   * From now on, apps with {@code executor: telos} are launched with the Telos executor as {@code
   * launch} says (where agents fetch it is known once the API listens).
   */
  public void useExecutor(dev.telos.reconcile.ExecutorLaunch launch) {
    post(
        () -> {
          plannerSettings = plannerSettings.withExecutor(launch);
          incremental.touchAll();
          log.info("Telos executor available uri={} java={}", launch.uri(), launch.java());
        });
  }

  /**
   * Fetches now and reconciles (the {@code sync} endpoint and webhooks call this). Returns the
   * request's number: once {@link StatusView#checkedRequest()} reaches it, the status reflects a
   * repository check that began after the request.
   */
  @Override
  public long requestSync() {
    return sync(true);
  }

  /**
   * A fetch now. {@code requested}: someone asked (the API, a webhook), so a new commit is likely:
   * offers are revived at once, when suppressed, to overlap the fetch. Timer polls revive nothing.
   */
  private long sync(boolean requested) {
    long id = syncRequests.incrementAndGet();
    if (requested && running.get()) {
      post(this::expectChange);
    }
    if (!running.get() || !pollQueued.compareAndSet(false, true)) {
      return id;
    }
    try {
      poller.execute(
          () -> {
            pollQueued.set(false);
            long covers = syncRequests.get();
            Instant began = clock.instant();
            long started = System.nanoTime();
            PollResult result = source.poll();
            events.gitPolled(Duration.ofNanos(System.nanoTime() - started), outcome(result));
            post(() -> onPoll(result, began, covers));
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      pollQueued.set(false);
    }
    return id;
  }

  /**
   * The revision whose held prune an operator approved, or null: for that revision only, apps
   * removed from git are pruned although they are more than {@code --max-prune} (kept in memory:
   * after a restart, a prune is held again until approved again).
   */
  private String approvedPrune;

  @Override
  public String approvePrune(String revision) {
    return onLoop(() -> approve(revision));
  }

  /**
   * Whether {@code wanted} (at least 7 characters) names {@code revision}: a prefix of it, or with
   * several sources of one of its {@code NAME@SHA} parts or SHAs (the source whose commit holds the
   * prune).
   */
  static boolean names(String revision, String wanted) {
    if (revision.startsWith(wanted)) {
      return true;
    }
    for (String part : revision.split(",")) {
      if (part.startsWith(wanted) || part.substring(part.indexOf('@') + 1).startsWith(wanted)) {
        return true;
      }
    }
    return false;
  }

  private String approve(String revision) {
    if (desired == null) {
      return "no revision runs yet";
    }
    String sha = desired.commit().sha();
    String wanted = revision == null ? "" : revision.strip().toLowerCase(java.util.Locale.ROOT);
    if (wanted.length() < 7 || !names(sha, wanted)) {
      return "'"
          + revision
          + "' is not the revision that runs ("
          + desired.commit().shortSha()
          + "); give at least 7 characters of its SHA";
    }
    if (view.get().heldPrune() == null) {
      return "no prune is held at " + desired.commit().shortSha();
    }
    approvedPrune = sha;
    incremental.touchAll();
    log.warn(
        "mass prune approved revision={} held=\"{}\"",
        desired.commit().shortSha(),
        view.get().heldPrune());
    return null;
  }

  @Override
  public App desiredApp(String key) {
    return onLoop(() -> appOf(key), null, null);
  }

  @Override
  public String repository() {
    return source.displayUrl();
  }

  @Override
  public int mesosCallsPending() {
    MesosClient c = client;
    return c == null ? 0 : c.callsPending();
  }

  @Override
  public String masterUrl() {
    MesosClient c = client;
    return c == null ? null : c.endpoint().replaceFirst("/api/v1/scheduler/?$", "");
  }

  /** The latest published view. */
  @Override
  public StatusView view() {
    return view.get();
  }

  /** Calls {@code watcher} with every new view (for server-sent events); never blocks the loop. */
  @Override
  public void watch(Consumer<StatusView> watcher) {
    watchers.add(watcher);
  }

  @Override
  public void unwatch(Consumer<StatusView> watcher) {
    watchers.remove(watcher);
  }

  private void post(Runnable input) {
    if (!running.get() || inbox.offer(input)) {
      return;
    }
    events.boundHit("controller-inbox");
    log.warn("controller inbox full; the producer waits for the loop size={}", MAX_INBOX);
    try {
      while (running.get() && !inbox.offer(input, 1, TimeUnit.SECONDS)) {
        // the loop drains it, or the controller stops
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // --- the loop --------------------------------------------------------------------------------

  private void run() {
    while (running.get()) {
      try {
        Runnable input = inbox.poll(1, TimeUnit.SECONDS);
        if (input == null) {
          continue;
        }
        handle(input);
        for (Runnable more; (more = inbox.poll()) != null; ) {
          handle(more);
        }
        pass();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.error("controller pass failed; the next input retries", e);
      }
    }
  }

  private static void handle(Runnable input) {
    try {
      input.run();
    } catch (RuntimeException e) {
      log.error("controller input failed", e);
    }
  }

  private void pass() {
    long started = System.nanoTime();
    Instant now = clock.instant();
    boolean act = subscribed && reconciled;
    if (act != planActed || live.agentsVersion() != planAgents) {
      // What every app plans from changed: acting or not, the agents.
      incremental.touchAll();
      planActed = act;
      if (live.agentsVersion() != planAgents) {
        planAgents = live.agentsVersion();
        Map<String, Map<String, String>> fields = new HashMap<>();
        for (Offer o : live.knownAgents()) {
          fields.put(o.getAgentId().getValue(), Planner.agentFields(o));
        }
        agentFields = Map.copyOf(fields); // immutable: each pass's input shares it, no copy
      }
    }
    if (live.offersVersion() != planOffers) {
      planOffers = live.offersVersion();
      incremental.offersChanged();
    }
    IncrementalPlanner.Result result = incremental.plan(planSource, ++passes, now);
    Plan plan = result.plan();
    watchReadiness(result.planned());
    if (act) {
      if (!plan.launches().isEmpty()
          || !plan.kills().isEmpty()
          || !result.releases().isEmpty()
          || !plan.reserves().isEmpty()) {
        writeAdoption();
      }
      release(result.releases());
      apply(plan, now);
    }
    writeAdoption();
    Instant next = plan.nextWakeup();
    if (act && offerFlow.holding(now) && !plan.declines().isEmpty()) {
      Instant ends = offerFlow.holdEnds();
      next = next == null || ends.isBefore(next) ? ends : next;
    }
    if (act && plan.wantsOffers()) {
      Instant revive = offerFlow.nextRevive();
      next = next == null || revive.isBefore(next) ? revive : next;
    }
    schedule(next, now);
    publish(result, now);
    events.passFinished(Duration.ofNanos(System.nanoTime() - started), result.full());
  }

  /** The name of the state document of resident instances' volumes. */
  static final String VOLUMES = "volumes";

  /**
   * DESTROY and UNRESERVE the volumes of deleted apps, one ACCEPT per offer; their records go. A
   * failed ACCEPT changes nothing: the volumes come back in offers and are released again.
   */
  private void release(List<Plan.Release> releases) {
    for (Plan.Release r : releases) {
      log.info(
          "releasing persistent volumes apps={} agent={} (the apps were deleted)",
          r.appKeys(),
          r.agentId());
      live.removeOffer(r.offerId());
      checked(
          "ACCEPT",
          client.accept(
              List.of(OfferID.newBuilder().setValue(r.offerId()).build()),
              r.operations(),
              dev.telos.mesos.Calls.refuseFor(Duration.ofSeconds(1))));
      List<String> gone = new ArrayList<>();
      for (String key : volumes.keySet()) {
        for (String app : r.appKeys()) {
          if (key.startsWith(app + "#")) {
            gone.add(key);
          }
        }
      }
      if (!gone.isEmpty()) {
        gone.forEach(volumes::remove);
        persistVolumes(Map.of(), gone);
      }
    }
  }

  /** Writes changed volume records; a failed write is retried with the next change. */
  private boolean persistVolumes(
      Map<String, dev.telos.reconcile.VolumeRecord> puts, List<String> removes) {
    try {
      store.update(VOLUMES, puts, removes, volumes);
      return true;
    } catch (java.io.UncheckedIOException e) {
      log.error("state write failed for volume records error=\"{}\"", e.getMessage());
      return false;
    }
  }

  /**
   * Records where resident instances' volumes are (seen in offers, or about to be made: recorded
   * before the RESERVE is sent, so that a crash cannot make them twice), and returns the volume
   * operations to send per offer.
   */
  private Map<String, List<org.apache.mesos.v1.Protos.Offer.Operation>> volumes(
      Plan plan, Instant now) {
    Map<String, dev.telos.reconcile.VolumeRecord> puts = new LinkedHashMap<>();
    plan.volumesSeen()
        .forEach(
            (key, agent) -> {
              App app = appOf(key.substring(0, key.lastIndexOf('#')));
              if (app != null) {
                puts.put(
                    key, new dev.telos.reconcile.VolumeRecord(agent, true, now, app.task().role()));
              }
            });
    for (Plan.Reserve r : plan.reserves()) {
      puts.put(
          dev.telos.reconcile.Resident.key(r.appKey(), r.instance()),
          new dev.telos.reconcile.VolumeRecord(
              r.agentId(), false, now, appOf(r.appKey()).task().role()));
    }
    if (puts.isEmpty()) {
      return new LinkedHashMap<>();
    }
    Map<String, dev.telos.reconcile.VolumeRecord> before = new HashMap<>();
    puts.keySet().forEach(k -> before.put(k, volumes.get(k)));
    volumes.putAll(puts);
    if (!persistVolumes(puts, List.of())) {
      before.forEach(
          (k, v) -> {
            if (v == null) {
              volumes.remove(k);
            } else {
              volumes.put(k, v);
            }
          });
      return new LinkedHashMap<>(); // no record kept, no volume made
    }
    Map<String, List<org.apache.mesos.v1.Protos.Offer.Operation>> ops = new LinkedHashMap<>();
    for (Plan.Reserve r : plan.reserves()) {
      log.info(
          "making persistent volumes app={} instance={} agent={}",
          r.appKey(),
          r.instance(),
          r.agentId());
      ops.computeIfAbsent(r.offerId(), k -> new ArrayList<>()).addAll(r.operations());
      incremental.touch(r.appKey());
    }
    return ops;
  }

  /**
   * The launch operations of one offer's launches: one LAUNCH of the plain tasks, and one
   * LAUNCH_GROUP per pod (its containers' tasks under its default executor).
   */
  static List<org.apache.mesos.v1.Protos.Offer.Operation> launchOperations(
      List<Plan.Launch> launches) {
    List<org.apache.mesos.v1.Protos.TaskInfo> plain = new ArrayList<>();
    Map<String, org.apache.mesos.v1.Protos.Offer.Operation.LaunchGroup.Builder> groups =
        new LinkedHashMap<>();
    for (Plan.Launch l : launches) {
      if (l.group() == null) {
        plain.add(l.task());
      } else {
        groups
            .computeIfAbsent(
                l.group().getExecutorId().getValue(),
                k ->
                    org.apache.mesos.v1.Protos.Offer.Operation.LaunchGroup.newBuilder()
                        .setExecutor(l.group()))
            .getTaskGroupBuilder()
            .addTasks(l.task());
      }
    }
    List<org.apache.mesos.v1.Protos.Offer.Operation> ops = new ArrayList<>();
    if (!plain.isEmpty()) {
      ops.add(
          org.apache.mesos.v1.Protos.Offer.Operation.newBuilder()
              .setType(org.apache.mesos.v1.Protos.Offer.Operation.Type.LAUNCH)
              .setLaunch(
                  org.apache.mesos.v1.Protos.Offer.Operation.Launch.newBuilder()
                      .addAllTaskInfos(plain))
              .build());
    }
    groups
        .values()
        .forEach(
            g ->
                ops.add(
                    org.apache.mesos.v1.Protos.Offer.Operation.newBuilder()
                        .setType(org.apache.mesos.v1.Protos.Offer.Operation.Type.LAUNCH_GROUP)
                        .setLaunchGroup(g)
                        .build()));
    return ops;
  }

  private void apply(Plan plan, Instant now) {
    Map<String, List<org.apache.mesos.v1.Protos.Offer.Operation>> volumeOps = volumes(plan, now);
    // Intents first: a crash after ACCEPT must still know the tasks it launched.
    Map<String, List<Plan.Launch>> byOffer = new LinkedHashMap<>();
    Map<String, TaskRecord> intents = new LinkedHashMap<>();
    for (Plan.Launch l : plan.launches()) {
      byOffer.computeIfAbsent(l.offerId(), k -> new ArrayList<>()).add(l);
      TaskRecord r = new TaskRecord(l.agentId(), l.host(), l.ports());
      records.put(l.taskId(), r);
      intents.put(l.taskId(), r);
    }
    if (!plan.launches().isEmpty()) {
      try {
        // Only the new intents are appended: rewriting every record on each launch or end
        // made state writes grow with the cluster.
        store.update("tasks", intents, List.of(), records);
        storeError = null;
      } catch (java.io.UncheckedIOException e) {
        // No intent kept, no launch: a task Telos could forget after a crash must never start.
        for (Plan.Launch l : plan.launches()) {
          records.remove(l.taskId());
        }
        byOffer.clear();
        storeError = "cannot record launches, so none is made: " + e.getMessage();
        log.error("state write failed; launching nothing error=\"{}\"", e.getMessage());
      }
    }
    if (!byOffer.isEmpty()) {
      crashPoints.reached(CrashPoints.BEFORE_ACCEPT);
    }
    for (Map.Entry<String, List<Plan.Launch>> e : byOffer.entrySet()) {
      for (Plan.Launch l : e.getValue()) {
        live.launching(l.taskId(), l.agentId(), l.host(), l.ports(), now);
        incremental.touch(l.appKey());
        App app = appOf(l.appKey());
        if (app instanceof Job || app instanceof CronJob) {
          Instant fire =
              plan.cronEvents().stream()
                  .filter(c -> c.started() && c.appKey().equals(l.appKey()))
                  .map(Plan.CronEvent::fireTime)
                  .findFirst()
                  .orElse(null);
          runs.add(
              l.appKey(),
              new RunRecord(l.taskId(), app.specHash(), fire, now, null, "Running", l.reason()));
        }
        log.info(
            "launching task={} app={} host={} reason=\"{}\"",
            l.taskId(),
            l.appKey(),
            l.host(),
            l.reason());
      }
      live.removeOffer(e.getKey());
      List<String> launched = e.getValue().stream().map(Plan.Launch::taskId).toList();
      List<org.apache.mesos.v1.Protos.Offer.Operation> ops =
          new ArrayList<>(volumeOps.getOrDefault(e.getKey(), List.of()));
      boolean makesVolumes = volumeOps.remove(e.getKey()) != null;
      ops.addAll(launchOperations(e.getValue()));
      checked(
              "ACCEPT",
              client.accept(
                  List.of(OfferID.newBuilder().setValue(e.getKey()).build()),
                  ops,
                  // New volumes are offered back at once, for their task to launch on.
                  dev.telos.mesos.Calls.refuseFor(
                      makesVolumes ? Duration.ZERO : Duration.ofSeconds(1))))
          .exceptionally(
              failed -> {
                // Launched or not, only the master knows: ask it (the ACCEPT is never resent).
                post(() -> reconcileExplicitly(launched));
                return null;
              });
    }
    for (Map.Entry<String, List<org.apache.mesos.v1.Protos.Offer.Operation>> e :
        volumeOps.entrySet()) {
      live.removeOffer(e.getKey());
      checked(
          "ACCEPT",
          client.accept(
              List.of(OfferID.newBuilder().setValue(e.getKey()).build()),
              e.getValue(),
              dev.telos.mesos.Calls.refuseFor(Duration.ZERO)));
    }
    if (!plan.declines().isEmpty() && offerFlow.holding(now)) {
      // Held for the commit a requested fetch may bring; declined once it is read, or at the end.
    } else if (!plan.declines().isEmpty()) {
      List<OfferID> ids = new ArrayList<>();
      for (String id : plan.declines()) {
        ids.add(OfferID.newBuilder().setValue(id).build());
        live.removeOffer(id);
      }
      checked("DECLINE", client.decline(ids, plan.wantsOffers() ? DECLINE_BUSY : DECLINE_IDLE));
      events.offersDeclined(ids.size());
    }
    for (Plan.Kill k : plan.kills()) {
      log.info("killing task={} app={} reason=\"{}\"", k.taskId(), k.appKey(), k.reason());
      events.killing(k.appKey(), k.taskId(), k.reason());
      live.killRequested(k.taskId(), now);
      incremental.touch(k.appKey());
      checked(
          "KILL",
          client.kill(
              TaskID.newBuilder().setValue(k.taskId()).build(),
              k.agentId() == null
                  ? null
                  : org.apache.mesos.v1.Protos.AgentID.newBuilder().setValue(k.agentId()).build(),
              k.gracePeriod()));
      if (k.reason().startsWith("launch timed out")) {
        reconcileExplicitly(List.of(k.taskId())); // its real state, if the master has one
      }
    }
    for (Plan.CronEvent c : plan.cronEvents()) {
      incremental.touch(c.appKey());
      if (!c.started()) {
        App app = appOf(c.appKey());
        runs.add(
            c.appKey(),
            new RunRecord(
                null,
                app == null ? null : app.specHash(),
                c.fireTime(),
                now,
                now,
                "Skipped",
                c.reason()));
      }
      history.put(
          c.appKey(),
          history
              .getOrDefault(c.appKey(), AppHistory.EMPTY)
              .withCronFire(c.fireTime(), c.started()));
      log.info(
          "cron {} app={} fire_time={} reason=\"{}\"",
          c.started() ? "run" : "skipped",
          c.appKey(),
          c.fireTime(),
          c.reason());
    }
    for (String key : plan.backoffResets()) {
      AppHistory h = history.get(key);
      if (h != null && h.consecutiveFailures() > 0) {
        history.put(key, h.withRecovery());
        incremental.touch(key);
        log.info("restart backoff reset app={} after_failures={}", key, h.consecutiveFailures());
      }
    }
    for (Plan.Rollback r : plan.rollbacks()) {
      AppHistory h = history.getOrDefault(r.appKey(), AppHistory.EMPTY);
      history.put(r.appKey(), h.withRollback(r.fromSpec()));
      incremental.touch(r.appKey());
      String what =
          r.appKey()
              + ": spec "
              + r.fromSpec()
              + " -> "
              + r.toSpec()
              + " after "
              + r.failures()
              + " failures";
      syncs.rolledBack(what);
      log.warn(
          "rolled back app={} from_spec={} to_spec={} failures={}",
          r.appKey(),
          r.fromSpec(),
          r.toSpec(),
          r.failures());
    }
    if (!plan.cronEvents().isEmpty()
        || !plan.backoffResets().isEmpty()
        || !plan.rollbacks().isEmpty()) {
      Map<String, AppHistory> changed = new HashMap<>();
      for (Plan.Rollback r : plan.rollbacks()) {
        changed.put(r.appKey(), history.get(r.appKey()));
      }
      for (Plan.CronEvent c : plan.cronEvents()) {
        changed.put(c.appKey(), history.get(c.appKey()));
      }
      for (String key : plan.backoffResets()) {
        if (history.containsKey(key)) {
          changed.put(key, history.get(key));
        }
      }
      persistChanges("apps", changed, List.of(), history);
    }
    reviveOrSuppress(plan, now);
    syncs.count(plan.launches().size(), plan.kills().size());
    if (!plan.launches().isEmpty()) {
      events.launched(plan.launches().size());
    }
    if (!plan.kills().isEmpty()) {
      events.killed(plan.kills().size());
    }
  }

  /**
   * Writes a record whose loss a crash would only make stale (sync history, job runs, cron fire
   * times): a failed write is reported in the status and retried with the next change, and never
   * stops the pass.
   */
  private void persist(String name, Object value) {
    try {
      store.write(name, value);
    } catch (java.io.UncheckedIOException e) {
      storeError = "cannot write state file " + name + ": " + e.getMessage();
      log.error("state write failed name={} error=\"{}\"", name, e.getMessage());
    }
  }

  /** Map documents whose last change could not be kept: the next change writes them whole. */
  private final java.util.Set<String> owedWhole = new java.util.HashSet<>();

  /**
   * Like {@link #persist}, for a map document: only the change is written (a journal line), so a
   * change of one app costs the same with 10 apps or 10,000.
   */
  private void persistChanges(
      String name,
      Map<String, ?> puts,
      java.util.Collection<String> removes,
      Map<String, ?> whole) {
    try {
      if (owedWhole.remove(name)) {
        store.write(name, whole);
      } else {
        store.update(name, puts, removes, whole);
      }
    } catch (java.io.UncheckedIOException e) {
      owedWhole.add(name);
      storeError = "cannot write state file " + name + ": " + e.getMessage();
      log.error("state write failed name={} error=\"{}\"", name, e.getMessage());
    }
  }

  /** On the loop: a REVIVE ahead of a requested fetch, and offers held until it is read. */
  private void expectChange() {
    if (!subscribed || !reconciled || desired == null) {
      return;
    }
    Instant now = clock.instant();
    OfferFlow.Call call = offerFlow.speculate(now);
    if (call instanceof OfferFlow.Revive r) {
      checked("REVIVE", client.revive(r.roles()));
    }
  }

  private void reviveOrSuppress(Plan plan, Instant now) {
    OfferFlow.Call call = offerFlow.after(plan, now);
    if (call instanceof OfferFlow.Revive r) {
      checked("REVIVE", client.revive(r.roles()));
    } else if (call instanceof OfferFlow.Suppress) {
      checked("SUPPRESS", client.suppress(List.of()));
    }
  }

  private void schedule(Instant at, Instant now) {
    if (wakeup != null) {
      wakeup.cancel(false);
      wakeup = null;
    }
    if (at != null && running.get()) {
      long delay = Math.max(0, Duration.between(now, at).toMillis()) + 5;
      wakeup = timers.schedule(() -> post(() -> {}), delay, TimeUnit.MILLISECONDS);
    }
  }

  // --- inputs ----------------------------------------------------------------------------------

  private void onPoll(PollResult result, Instant began, long covers) {
    Instant now = clock.instant();
    offerFlow.fetchRead(); // this pass uses the held offers or declines them
    checkedAt = began;
    checkedRequest = Math.max(checkedRequest, covers);
    if (result instanceof PollResult.Updated u) {
      Snapshot s = u.snapshot();
      if (source.problems()) {
        // Another source's commit is invalid or it cannot be read: the next poll says which,
        // and the error it leaves stays shown meanwhile.
        requestSync();
      } else {
        lastError = null;
      }
      String blocked = desired == null ? null : syncBlocked(now);
      if (blocked != null) {
        if (pending == null || !pending.commit().sha().equals(s.commit().sha())) {
          log.info("new revision waits revision={} reason=\"{}\"", s.commit().shortSha(), blocked);
        }
        pending = s;
        return;
      }
      adopt(s, now);
    } else if (result instanceof PollResult.Unchanged u) {
      if (desired == null) {
        desired = u.snapshot();
        incremental.touchAll();
        initialiseCrons(now);
      } else if (pending != null && syncBlocked(now) == null) {
        adopt(pending, now);
      }
      lastError = null;
    } else if (result instanceof PollResult.Invalid inv) {
      invalid(inv, now);
    } else if (result instanceof PollResult.Failed f) {
      lastError = new StatusView.ErrorView(f.message(), null, null, null, null);
      log.warn("source unavailable: {}", f.message());
    }
  }

  /**
   * Per app key, the app as it was before its spec last changed (kept in memory: what {@code
   * upgrade.autoRollback} goes back to). Immutable, replaced at each new revision.
   */
  private Map<String, App> previous = Map.of();

  /**
   * The Services of {@code next} with {@code upgrade.autoRollback} whose spec differs from {@code
   * before}'s remember before's; the others keep what {@code kept} had for them.
   */
  static Map<String, App> previous(Snapshot before, Snapshot next, Map<String, App> kept) {
    Map<String, App> old = new HashMap<>();
    if (before != null) {
      for (App a : before.apps()) {
        old.put(a.key(), a);
      }
    }
    Map<String, App> out = new HashMap<>();
    for (App a : next.apps()) {
      if (!(a instanceof Service s) || s.upgrade().rollbackAfter() == 0) {
        continue; // only what can roll back is kept: an old App per changed app costs memory
      }
      App was = old.get(a.key());
      if (was != null && !was.specHash().equals(a.specHash())) {
        out.put(a.key(), was);
      } else if (kept.containsKey(a.key())) {
        out.put(a.key(), kept.get(a.key()));
      }
    }
    return Map.copyOf(out);
  }

  /** Makes {@code s} the desired state: a new sync starts. */
  private void adopt(Snapshot s, Instant now) {
    {
      pending = null;
      boolean first = desired == null;
      previous = previous(desired, s, previous);
      // What the next pass plans again, and what the history says the commit changed.
      IncrementalPlanner.Changes changes =
          IncrementalPlanner.changes(desired == null ? null : desired.apps(), s.apps());
      incremental.desiredChanged(changes);
      desired = s;
      lastError = null;
      initialiseCrons(now);
      // Written by the next pass: after a REVIVE it sends, before any ACCEPT, KILL or release
      // (see writeAdoption), so that the fsyncs overlap the wait for offers.
      syncs.hold();
      syncs.started(s.commit(), s.apps(), changes.apps(), now);
      adoptionUnwritten = true;
      forgetRemovedApps();
      log.info(
          "new revision revision={} author=\"{}\" apps={} first={}",
          s.commit().shortSha(),
          s.commit().author(),
          s.apps().size(),
          first);
    }
  }

  /** Whether the adopted revision and its history record still wait to be written. */
  private boolean adoptionUnwritten;

  /**
   * Writes the adopted revision ({@code last-good}) and the history: before anything of the new
   * revision acts on the cluster, so that a controller restarted after a crash restores the
   * revision whose tasks it launched or killed. A REVIVE may go before: it changes nothing.
   */
  private void writeAdoption() {
    if (!adoptionUnwritten) {
      return;
    }
    adoptionUnwritten = false;
    persist(LAST_GOOD, Map.of("revision", desired.commit().sha()));
    syncs.flush();
  }

  /** The invalid commit last recorded in the history, so that it is recorded once. */
  private String rejectedRevision;

  private void invalid(PollResult.Invalid inv, Instant now) {
    {
      ManifestError e = inv.errors().get(0);
      String message =
          inv.errors().size() == 1
              ? e.toString()
              : e + " (and " + (inv.errors().size() - 1) + " more)";
      StatusView.ErrorView error =
          new StatusView.ErrorView(message, e.file(), e.line(), e.column(), inv.commit().sha());
      // Recorded once per commit, even when an outage came between two reports of it.
      boolean changed = !inv.commit().sha().equals(rejectedRevision);
      lastError = error;
      if (changed) {
        rejectedRevision = inv.commit().sha();
        syncs.rejected(inv.commit(), message, now);
        log.warn(
            "commit rejected revision={} errors={} first=\"{}\"",
            inv.commit().shortSha(),
            inv.errors().size(),
            e);
      }
    }
  }

  // --- suspension and sync windows ---------------------------------------------------------------

  /** The state document of what an operator suspended: it holds across restarts. */
  private static final String SUSPENSION = "suspension";

  private boolean syncSuspended;
  private final java.util.TreeSet<String> suspendedApps = new java.util.TreeSet<>();

  /** The newest valid commit while new commits wait (suspended, or a sync window), or null. */
  private Snapshot pending;

  private volatile List<SyncWindow> windows = List.of();

  /** New commits are synced only as these windows allow (before {@link #start()}). */
  public void syncWindows(List<SyncWindow> windows) {
    this.windows = List.copyOf(windows);
  }

  /** Why new commits wait now, or null. */
  private String syncBlocked(Instant now) {
    if (syncSuspended) {
      return "sync suspended by an operator (telos resume)";
    }
    return SyncWindow.blocked(windows, now);
  }

  @Override
  public String suspend(String app) {
    return onLoop(() -> hold(app, true));
  }

  @Override
  public String resume(String app) {
    return onLoop(() -> hold(app, false));
  }

  private String onLoop(java.util.function.Supplier<String> action) {
    return onLoop(action, "the controller did not answer", "interrupted");
  }

  /** What {@code action} answers on the loop thread, or a fallback when it does not answer. */
  private <T> T onLoop(java.util.function.Supplier<T> action, T unanswered, T interrupted) {
    java.util.concurrent.CompletableFuture<T> answer =
        new java.util.concurrent.CompletableFuture<>();
    post(() -> answer.complete(action.get()));
    try {
      return answer.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return unanswered;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return interrupted;
    }
  }

  private String hold(String app, boolean suspend) {
    if (app == null) {
      syncSuspended = suspend;
    } else {
      boolean known = appOf(app) != null || !live.tasksOf(app).isEmpty();
      if (suspend && !known) {
        return "no app " + app;
      }
      if (!(suspend ? suspendedApps.add(app) : suspendedApps.remove(app))) {
        return app + (suspend ? " is suspended already" : " is not suspended");
      }
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("sync", syncSuspended);
    doc.put("apps", List.copyOf(suspendedApps));
    persist(SUSPENSION, doc);
    incremental.touchAll();
    log.warn(
        "{} {}", suspend ? "suspended" : "resumed", app == null ? "the sync of new commits" : app);
    Instant now = clock.instant();
    if (!suspend && app == null && pending != null && syncBlocked(now) == null) {
      adopt(pending, now);
    }
    return null;
  }

  /**
   * Drops the histories and run records of apps that are neither in the new snapshot nor have a
   * task left: they would otherwise grow with every app ever deleted.
   */
  private void forgetRemovedApps() {
    java.util.Set<String> keep = new java.util.HashSet<>();
    for (App a : desired.apps()) {
      keep.add(a.key());
    }
    keep.addAll(live.appKeys());
    List<String> goneHistories = new ArrayList<>(history.keySet());
    goneHistories.removeAll(keep);
    goneHistories.forEach(history::remove);
    lastFailures.keySet().retainAll(keep);
    if (!goneHistories.isEmpty()) {
      persistChanges("apps", Map.of(), goneHistories, history);
    }
    int dropped = goneHistories.size() + runs.retain(keep);
    if (dropped > 0) {
      log.info("forgot the records of removed apps records={}", dropped);
    }
  }

  private void initialiseCrons(Instant now) {
    Map<String, AppHistory> changed = new HashMap<>();
    for (App app : desired.apps()) {
      if (app instanceof CronJob
          && history.getOrDefault(app.key(), AppHistory.EMPTY).lastCronFire() == null) {
        history.put(
            app.key(), history.getOrDefault(app.key(), AppHistory.EMPTY).withCronFire(now, false));
        changed.put(app.key(), history.get(app.key()));
      }
    }
    if (!changed.isEmpty()) {
      persistChanges("apps", changed, List.of(), history);
    }
  }

  private final class Listener implements SchedulerListener {
    @Override
    public void onEvent(Event event) {
      post(() -> onMesosEvent(event));
    }

    @Override
    public void onDisconnected(String reason) {
      post(
          () -> {
            subscribed = false;
            reconciled = false;
            live.clearOffers();
            mesosState = "DISCONNECTED";
          });
    }

    @Override
    public void onFatal(MesosFatalException error) {
      post(
          () -> {
            subscribed = false;
            fatal = error.getMessage();
            mesosState = "STOPPED";
          });
    }
  }

  private void onMesosEvent(Event event) {
    Instant now = clock.instant();
    switch (event.getType()) {
      case SUBSCRIBED -> {
        subscription++;
        subscribed = true;
        reconciled = false;
        fence = null;
        offerFlow.subscribed();
        mesosState = "SUBSCRIBED";
        live.clearOffers();
        startReconciliation();
      }
      case OFFERS -> {
        live.addOffers(event.getOffers().getOffersList());
        events.offersReceived(event.getOffers().getOffersCount());
      }
      case RESCIND -> live.removeOffer(event.getRescind().getOfferId().getValue());
      case UPDATE -> onUpdate(event.getUpdate().getStatus(), now);
      case FAILURE -> {
        if (event.getFailure().hasAgentId() && !event.getFailure().hasExecutorId()) {
          live.removeOffersOfAgent(event.getFailure().getAgentId().getValue());
        }
      }
      case MESSAGE -> onExecutorMessage(event.getMessage());
      default -> {}
    }
  }

  /** The latest resource use the Telos executor reported for each running task. */
  private final Map<String, StatusView.TaskUsage> usage = new HashMap<>();

  private static final com.fasterxml.jackson.databind.ObjectMapper MESSAGE_JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * A MESSAGE from an executor. The Telos executor reports what its tasks use ({@code {"telos":
   * "usage", "tasks": [{"taskId", "rssBytes", "cpuSeconds"}]}}); anything else, or a report for a
   * task that is not live, is ignored. Messages are unreliable: the next report comes anyway.
   */
  private void onExecutorMessage(Event.Message message) {
    com.fasterxml.jackson.databind.JsonNode json;
    try {
      json = MESSAGE_JSON.readTree(message.getData().toByteArray());
    } catch (IOException e) {
      log.debug("executor message ignored: not JSON executor_id={}", message.getExecutorId());
      return;
    }
    if (json == null || !json.path("telos").asText().equals("usage")) {
      return;
    }
    Instant now = clock.instant();
    for (com.fasterxml.jackson.databind.JsonNode t : json.path("tasks")) {
      LiveTask task = live.task(t.path("taskId").asText());
      if (task == null || task.terminal() || task.appKey() == null) {
        continue;
      }
      usage.put(
          task.id(),
          new StatusView.TaskUsage(
              t.path("rssBytes").asLong(), t.path("cpuSeconds").asDouble(), now));
      incremental.touch(task.appKey());
    }
  }

  /**
   * Repeats explicit reconciliation, with backoff (1 s doubling to a minute), for the tasks that
   * have had no update since the round began, until every one has been answered: a master
   * recovering from failover may not answer for agents that have not re-registered yet.
   */
  private void scheduleReconcileRetry(long epoch, int attempt) {
    later(retryDelay(attempt), () -> retryReconciliation(epoch, attempt));
  }

  private void retryReconciliation(long epoch, int attempt) {
    if (!subscribed || epoch != subscription) {
      return;
    }
    List<String> unanswered = new ArrayList<>();
    for (LiveTask t : live.tasks()) {
      Instant heard = heardAt.get(t.id());
      // A task launched since the round began is not the round's: its launch timeout watches it.
      if (!t.terminal()
          && reconcileRound.contains(t.id())
          && (heard == null || heard.isBefore(reconcileStartedAt))) {
        unanswered.add(t.id());
      }
    }
    if (unanswered.isEmpty()) {
      return;
    }
    log.info(
        "reconciling again tasks_without_answer={} attempt={}", unanswered.size(), attempt + 1);
    reconcileExplicitly(unanswered);
    scheduleReconcileRetry(epoch, attempt + 1);
  }

  /**
   * Explicit reconciliation of every task we know, then implicit, then periodically. Launches and
   * kills wait until the implicit round was accepted (202) and its answers had a second to arrive;
   * a failed round is sent again with backoff until one is accepted.
   */
  private void startReconciliation() {
    long epoch = subscription;
    reconcileStartedAt = clock.instant();
    scheduleReconcileRetry(epoch, 0);
    List<String> known = new ArrayList<>();
    for (LiveTask t : live.tasks()) {
      known.add(t.id());
    }
    reconcileRound = new java.util.HashSet<>(known);
    reconcileExplicitly(known);
    reconcileImplicitly(epoch, 0);
    if (reconcileTimer != null) {
      reconcileTimer.cancel(false);
    }
    long every = settings.reconcileInterval().toMillis();
    reconcileTimer =
        timers.scheduleWithFixedDelay(
            () ->
                post(
                    () -> {
                      forgetLongUnknownTasks();
                      if (subscribed) {
                        checked("RECONCILE", client.reconcile(List.of()));
                        events.reconciliation(false);
                      }
                    }),
            every,
            every,
            TimeUnit.MILLISECONDS);
  }

  /**
   * Forgets tasks the master has reported TASK_UNKNOWN for an hour. Run with the periodic
   * reconciliation, not on every pass: it scans every task.
   */
  private void forgetLongUnknownTasks() {
    List<String> unknown = live.forgetUnknownSince(clock.instant().minus(FORGET_UNKNOWN_AFTER));
    if (unknown.isEmpty()) {
      return;
    }
    unknown.forEach(records::remove);
    incremental.touchAll();
    try {
      store.update("tasks", Map.of(), unknown, records);
    } catch (java.io.UncheckedIOException e) {
      storeError = "cannot write state: " + e.getMessage();
    }
    events.boundHit("unknown-tasks");
    log.info("forgot tasks unknown to the master for an hour tasks={}", unknown.size());
  }

  private void reconcileImplicitly(long epoch, int attempt) {
    if (!subscribed || epoch != subscription) {
      return;
    }
    events.reconciliation(false);
    client
        .reconcile(List.of())
        .whenComplete(
            (r, e) -> {
              if (e == null && r.status() == 202) {
                // The master queues the answers before its 202; once they have arrived (the
                // fence's answer says so), act. A master that does not answer for an unknown
                // task (Mesos, while agents still re-register after its failover) leaves it to
                // the second's wait.
                post(() -> askFence(epoch));
                later(
                    Duration.ofSeconds(1),
                    () -> {
                      if (epoch == subscription) {
                        reconciled = subscribed;
                      }
                    });
                return;
              }
              Duration delay = retryDelay(attempt);
              log.warn(
                  "implicit reconciliation failed; nothing is launched or killed until it succeeds"
                      + " attempt={} retry_in={}ms reason=\"{}\"",
                  attempt + 1,
                  delay.toMillis(),
                  e == null ? "answered " + r.status() : rootMessage(e));
              later(delay, () -> reconcileImplicitly(epoch, attempt + 1));
            });
  }

  private void askFence(long epoch) {
    if (!subscribed || epoch != subscription || reconciled) {
      return;
    }
    fence = FENCE_PREFIX + epoch + "-" + java.util.UUID.randomUUID();
    checked(
        "RECONCILE",
        client.reconcile(
            List.of(
                dev.telos.mesos.Calls.reconcileTask(
                    TaskID.newBuilder().setValue(fence).build(), null))));
  }

  /** Asks the master for the state of these tasks (with their agents, for better answers). */
  private void reconcileExplicitly(List<String> taskIds) {
    if (!subscribed || taskIds.isEmpty()) {
      return;
    }
    List<Call.Reconcile.Task> tasks = new ArrayList<>();
    for (String id : taskIds) {
      if (ended.containsKey(id)) {
        continue; // its end is recorded; the master has nothing more to say about it
      }
      LiveTask t = live.task(id);
      String agent =
          t != null ? t.agentId() : records.containsKey(id) ? records.get(id).agentId() : null;
      tasks.add(
          dev.telos.mesos.Calls.reconcileTask(
              TaskID.newBuilder().setValue(id).build(),
              agent == null
                  ? null
                  : org.apache.mesos.v1.Protos.AgentID.newBuilder().setValue(agent).build()));
    }
    checked("RECONCILE", client.reconcile(tasks));
    events.reconciliation(true);
  }

  /** 1 s doubling to a minute. */
  private static Duration retryDelay(int attempt) {
    return Duration.ofMillis(Math.min(60_000L, 1000L << Math.min(attempt, 6)));
  }

  /** Runs {@code input} on the loop after {@code delay}; nothing once stopped. */
  private void later(Duration delay, Runnable input) {
    try {
      timers.schedule(() -> post(input), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      // shutting down
    }
  }

  /**
   * Logs a call that failed: every call's outcome is checked. Returns the same future, for callers
   * that act on a failure too.
   */
  private java.util.concurrent.CompletableFuture<dev.telos.mesos.CallResponse> checked(
      String what, java.util.concurrent.CompletableFuture<dev.telos.mesos.CallResponse> call) {
    call.whenComplete(
        (r, e) -> {
          if (e != null && !running.get()) {
            // Stopping: calls still waiting in the client are refused, one log line each.
            log.debug("call not sent, stopping call={} reason=\"{}\"", what, rootMessage(e));
          } else if (e != null) {
            log.warn("call to the master failed call={} reason=\"{}\"", what, rootMessage(e));
            events.callFailed(what);
          }
        });
    return call;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  /**
   * Has the readiness of the new tasks of the apps in {@code keys} checked, and stops checking
   * tasks that no longer need it (ready, killed, superseded, or their app dropped its checks).
   */
  private void watchReadiness(java.util.Set<String> keys) {
    for (String key : gatedApps()) {
      if (keys.contains(key) && appOf(key) instanceof Service s) {
        for (LiveTask t : live.tasksOf(key)) {
          List<dev.telos.probe.HttpProber.Check> checks =
              needsReadiness(s, t) ? readinessChecks(t, s.readinessChecks()) : null;
          if (checks != null) {
            readiness.watch(t.id(), checks);
          } else {
            readiness.forget(t.id());
          }
        }
      }
    }
    if (readiness.idle()) {
      return;
    }
    for (String id : readiness.watched()) {
      LiveTask t = live.task(id);
      if (t == null || !(appOf(t.appKey()) instanceof Service s) || !needsReadiness(s, t)) {
        readiness.forget(id);
      }
    }
  }

  /** The keys of the desired Services with readiness checks, per snapshot. */
  private final AppKeys gated =
      new AppKeys(a -> a instanceof Service s && !s.readinessChecks().isEmpty());

  private java.util.Set<String> gatedApps() {
    return gated.of(desired);
  }

  /** Whether {@code t} is a task of {@code s}'s spec that runs (healthy, if checked) unready. */
  private static boolean needsReadiness(Service s, LiveTask t) {
    return !s.readinessChecks().isEmpty()
        && t.state() == TaskState.TASK_RUNNING
        && t.killRequestedAt() == null
        && t.readySince() == null
        && s.specHash().equals(t.specHash())
        && (s.task().healthCheck() == null || Boolean.TRUE.equals(t.healthy()));
  }

  /**
   * The requests of {@code checks} for task {@code t}, at its agent's host and its ports; null when
   * the task's host or one of the ports is not known.
   */
  static List<dev.telos.probe.HttpProber.Check> readinessChecks(
      LiveTask t, List<dev.telos.manifest.ReadinessCheck> checks) {
    List<dev.telos.probe.HttpProber.Check> out = new ArrayList<>();
    for (dev.telos.manifest.ReadinessCheck c : checks) {
      if (t.host() == null || c.port() >= t.ports().size()) {
        return null;
      }
      String scheme =
          c.scheme() == dev.telos.manifest.ReadinessCheck.Scheme.HTTPS ? "https" : "http";
      out.add(
          new dev.telos.probe.HttpProber.Check(
              scheme + "://" + t.host() + ":" + t.ports().get(c.port()) + c.path(),
              c.statusCodes(),
              c.interval(),
              c.timeout()));
    }
    return out;
  }

  /** The prober found {@code id} ready. */
  private void onReady(String id) {
    LiveTask t = live.ready(id, clock.instant());
    if (t != null) {
      incremental.touch(t.appKey());
    }
  }

  private void onUpdate(TaskStatus status, Instant now) {
    String id = status.getTaskId().getValue();
    if (id.startsWith(FENCE_PREFIX)) {
      // Never a task: the master's answer about the fence (no UUID, nothing to acknowledge).
      if (id.equals(fence)) {
        fence = null;
        reconciled = subscribed;
        log.debug("implicit reconciliation answered in full");
      }
      return;
    }
    events.statusUpdate(status.getState().name());
    heardAt.put(id, now);
    if (ended.containsKey(id)) {
      if (LiveTask.isTerminal(status.getState())) {
        // Delivery is at least once: a terminal update redelivered after a lost ACK changes
        // nothing; it is only acknowledged again.
        acknowledge(status);
        return;
      }
      if (!LiveTask.isAlive(status.getState())) {
        // TASK_UNKNOWN or TASK_UNREACHABLE for a task that ended: the master's answer to a
        // reconciliation asked while the task still ran, arriving after it ended. It says
        // nothing new; made live again, the task would stay "unknown" and hold its app (a Job
        // stayed Running with no task at all).
        acknowledge(status);
        return;
      }
      // A task reported ended is running after all (a master's guess about a task it did not
      // know yet, say): it is live again, and the planner decides what to do with it.
      ended.remove(id);
    }
    LiveTask before = live.task(id);
    if (contradicts(before, status)) {
      log.warn(
          "update contradicts what the agent last said; reconciling instead of acting task={}"
              + " known_state={} update={} reason={}",
          id,
          before.state(),
          status.getState(),
          status.getReason());
      reconcileExplicitly(List.of(id));
      acknowledge(status);
      return;
    }
    LiveTask task = live.update(status, now);
    String key = task.appKey();
    incremental.touch(key);
    AppHistory historyBefore = key == null ? null : history.get(key);
    TaskRecord record = null;
    boolean historyChanged = false;
    try {
      if (key != null && task.terminal() && (before == null || !before.terminal())) {
        historyChanged = recordEnd(key, task, status, now);
      }
      if (task.terminal()) {
        record = records.remove(id);
        if (record != null) {
          store.update("tasks", Map.of(), List.of(id), records);
        }
      }
      if (historyChanged) {
        store.update("apps", Map.of(key, history.get(key)), List.of(), history);
      }
    } catch (java.io.UncheckedIOException e) {
      // Not recorded, so not acknowledged: the agent redelivers it, and it is applied again then.
      live.restore(id, before);
      if (record != null) {
        records.put(id, record);
      }
      if (key != null) {
        if (historyBefore == null) {
          history.remove(key);
        } else {
          history.put(key, historyBefore);
        }
      }
      storeError = "cannot record status updates: " + e.getMessage();
      log.error("state write failed; update left unacknowledged task={}", id);
      return;
    }
    if (record != null || historyChanged) {
      storeError = null;
    }
    if (task.terminal()) {
      readiness.forget(id);
      heardAt.remove(id);
      live.forgetTerminal();
      ended.put(id, task.state());
      usage.remove(id);
    }
    // Recorded first; acknowledged only now.
    if (status.hasUuid()) {
      crashPoints.reached(CrashPoints.BEFORE_ACK);
    }
    acknowledge(status);
  }

  /**
   * Whether a master-made update says a task never launched (a retried or stale ACCEPT answered
   * REASON_INVALID_OFFERS) while its agent already reported it started: acting on it would replace
   * a healthy task.
   */
  private static boolean contradicts(LiveTask known, TaskStatus status) {
    if (known == null
        || status.getSource() != TaskStatus.Source.SOURCE_MASTER
        || status.getReason() != TaskStatus.Reason.REASON_INVALID_OFFERS) {
      return false;
    }
    return switch (known.state()) {
      case TASK_STARTING, TASK_RUNNING, TASK_KILLING -> true;
      default -> false;
    };
  }

  private void acknowledge(TaskStatus status) {
    if (status.hasUuid() && client != null) {
      checked(
          "ACKNOWLEDGE",
          client.acknowledge(status.getAgentId(), status.getTaskId(), status.getUuid()));
    }
  }

  /** How each app's last unexpectedly ended task ended (in memory: for operators, not planning). */
  private final Map<String, StatusView.TaskEnd> lastFailures = new HashMap<>();

  private boolean recordEnd(String key, LiveTask task, TaskStatus status, Instant now) {
    App app = appOf(key);
    AppHistory h = history.getOrDefault(key, AppHistory.EMPTY);
    boolean expected = task.killRequestedAt() != null || task.state() == TaskState.TASK_KILLED;
    if (!expected && task.state() != TaskState.TASK_FINISHED) {
      lastFailures.put(key, taskEnd(task, status, now));
    }
    if (app instanceof Job || app instanceof CronJob) {
      runs.end(key, task, now);
      if (task.state() == TaskState.TASK_FINISHED) {
        history.put(key, h.withSuccess(app instanceof Job ? task.specHash() : null));
      } else if (!expected) {
        history.put(key, h.withFailedAttempt(task.specHash(), now));
      } else {
        return false;
      }
      log.info("job run ended app={} task={} state={}", key, task.id(), task.state());
      return true;
    }
    if (expected) {
      return false;
    }
    // Counted per spec too: upgrade.autoRollback weighs the failures of a rollout's new spec.
    history.put(key, h.withFailedAttempt(task.specHash() == null ? "" : task.specHash(), now));
    events.restarted(key);
    log.warn(
        "task ended unexpectedly app={} task={} state={} message=\"{}\"",
        key,
        task.id(),
        task.state(),
        status.getMessage());
    return true;
  }

  /** A task's end as its status tells it; the Telos executor adds an {@code exit_code} label. */
  static StatusView.TaskEnd taskEnd(LiveTask task, TaskStatus status, Instant now) {
    Integer exitCode = null;
    for (org.apache.mesos.v1.Protos.Label l : status.getLabels().getLabelsList()) {
      if (l.getKey().equals("exit_code")) {
        try {
          exitCode = Integer.valueOf(l.getValue());
        } catch (NumberFormatException e) {
          exitCode = null;
        }
      }
    }
    return new StatusView.TaskEnd(
        task.id(),
        task.state().name(),
        status.hasReason() ? status.getReason().name() : null,
        status.hasMessage() ? status.getMessage() : null,
        exitCode,
        now);
  }

  private App appOf(String key) {
    if (desired == null) {
      return null;
    }
    if (indexed != desired) {
      Map<String, App> index = new HashMap<>(desired.apps().size() * 2);
      for (App a : desired.apps()) {
        index.put(a.key(), a);
      }
      appsByKey = index;
      indexed = desired;
    }
    return appsByKey.get(key);
  }

  /**
   * {@link #desired}'s apps by key, rebuilt when the snapshot changes (a linear search per lookup
   * made the status view quadratic in the number of apps).
   */
  private Snapshot indexed;

  private Map<String, App> appsByKey = Map.of();

  /** The label that suspends an app from git, as {@code telos suspend} does from the API. */
  static final String SUSPEND_LABEL = "telos.dev/suspended";

  /** The apps of {@link #desired} labelled {@code telos.dev/suspended: "true"}, per snapshot. */
  private final AppKeys labelledKeys =
      new AppKeys(a -> "true".equals(a.metadata().labels().get(SUSPEND_LABEL)));

  private java.util.Set<String> suspendedByLabel() {
    return labelledKeys.of(desired);
  }

  /** The keys of a snapshot's apps that {@code test} picks, found again only for a new snapshot. */
  private static final class AppKeys {
    private final java.util.function.Predicate<App> test;
    private Snapshot read;
    private java.util.Set<String> keys = java.util.Set.of();

    AppKeys(java.util.function.Predicate<App> test) {
      this.test = test;
    }

    java.util.Set<String> of(Snapshot snapshot) {
      if (snapshot == null) {
        return java.util.Set.of();
      }
      if (read != snapshot) {
        java.util.Set<String> found = new java.util.HashSet<>();
        for (App a : snapshot.apps()) {
          if (test.test(a)) {
            found.add(a.key());
          }
        }
        keys = java.util.Set.copyOf(found);
        read = snapshot;
      }
      return keys;
    }
  }

  // --- the published view ----------------------------------------------------------------------

  private void publish(IncrementalPlanner.Result result, Instant now) {
    java.util.Set<String> keys = new java.util.HashSet<>(result.planned());
    keys.addAll(incremental.touched()); // launched or killed by this pass: shown at once
    boolean appsChanged = appViews.update(viewSource, result.statuses(), keys, result.full());
    String sync = syncStatus(result.plan());
    if (sync.equals("Synced")) {
      syncs.finish("Synced", now);
    }
    if (desired != null && subscribed && reconciled) {
      syncs.health(appViews.health());
    }
    boolean ready = subscribed && reconciled && desired != null;
    StatusView.ErrorView error = lastError;
    if (storeError != null && error == null) {
      error = new StatusView.ErrorView(storeError, null, null, null, null);
    }
    if (fatal != null) {
      error = new StatusView.ErrorView(fatal, null, null, null, null);
    }
    StatusView v =
        new StatusView(
            desired == null ? null : desired.commit().sha(),
            sync,
            error,
            client == null ? store.frameworkId().orElse(null) : client.frameworkId().orElse(null),
            true,
            client == null ? mesosState : client.state().name(),
            ready,
            result.plan().heldPrune(),
            now,
            checkedAt,
            checkedRequest,
            appViews.list(),
            syncs.snapshot(),
            appViews.health(),
            new StatusView.Hold(
                syncSuspended,
                List.copyOf(suspendedApps),
                desired == null ? null : syncBlocked(now),
                pending == null ? null : pending.commit().sha()),
            source.states());
    StatusView previous = view.getAndSet(v);
    if (appsChanged || !sameContent(previous, v)) {
      for (Consumer<StatusView> w : watchers) {
        try {
          w.accept(v);
        } catch (RuntimeException e) {
          log.warn("status watcher failed", e);
        }
      }
    }
  }

  /** Whether the top of the view is the same (the apps' views are compared as they are built). */
  private static boolean sameContent(StatusView a, StatusView b) {
    return a != null
        && java.util.Objects.equals(a.revision(), b.revision())
        && a.syncStatus().equals(b.syncStatus())
        && a.health().equals(b.health())
        && a.hold().equals(b.hold())
        && java.util.Objects.equals(a.lastError(), b.lastError())
        && a.sources().equals(b.sources())
        && a.ready() == b.ready();
  }

  private String syncStatus(Plan plan) {
    boolean error = fatal != null || lastError != null || storeError != null;
    if (error || (desired == null && !subscribed)) {
      return error ? "Error" : "Progressing";
    }
    if (desired == null) {
      return "Progressing";
    }
    if (plan.heldPrune() != null
        || pending != null
        || appViews.count(AppViews.Standing.OUT_OF_SYNC) > 0) {
      return "OutOfSync";
    }
    boolean progressing =
        !subscribed || !reconciled || appViews.count(AppViews.Standing.PROGRESSING) > 0;
    return progressing ? "Progressing" : "Synced";
  }

  /** What the incremental planner reads, straight from the loop's state. */
  private final IncrementalPlanner.Source planSource =
      new IncrementalPlanner.Source() {
        @Override
        public Map<String, App> previous() {
          return previous;
        }

        @Override
        public List<App> desired() {
          return desired == null ? null : desired.apps();
        }

        @Override
        public App app(String key) {
          return appOf(key);
        }

        @Override
        public String revision() {
          return desired == null ? null : desired.commit().sha();
        }

        @Override
        public LiveState live() {
          return live;
        }

        @Override
        public List<Offer> offers() {
          return planActed ? live.offers() : List.of();
        }

        @Override
        public Map<String, Map<String, String>> agentFields() {
          return agentFields;
        }

        @Override
        public Map<String, AppHistory> history() {
          return history;
        }

        @Override
        public Map<String, dev.telos.reconcile.VolumeRecord> volumes() {
          return volumes;
        }

        @Override
        public PlannerSettings settings() {
          PlannerSettings s =
              desired != null && desired.commit().sha().equals(approvedPrune)
                  ? plannerSettings.withAllowMassPrune(true)
                  : plannerSettings;
          java.util.Set<String> labelled = suspendedByLabel();
          if (suspendedApps.isEmpty() && labelled.isEmpty()) {
            return s;
          }
          java.util.Set<String> all = new java.util.HashSet<>(suspendedApps);
          all.addAll(labelled);
          return s.withSuspended(all);
        }
      };

  /** What the status view is built from. */
  private final AppViews.Source viewSource =
      new AppViews.Source() {
        @Override
        public List<StatusView.VolumeView> volumes(String appKey) {
          App app = appOf(appKey);
          if (volumes.isEmpty() || (app != null && !dev.telos.reconcile.Resident.resident(app))) {
            return List.of(); // views are built for every app: scan only for those with volumes
          }
          List<StatusView.VolumeView> out = new ArrayList<>();
          volumes.forEach(
              (key, v) -> {
                int hash = key.lastIndexOf('#');
                if (key.substring(0, hash).equals(appKey)) {
                  out.add(
                      new StatusView.VolumeView(
                          Integer.parseInt(key.substring(hash + 1)),
                          v.agentId(),
                          v.confirmed(),
                          v.since()));
                }
              });
          out.sort(java.util.Comparator.comparingInt(StatusView.VolumeView::instance));
          return out;
        }

        @Override
        public Snapshot desired() {
          return desired;
        }

        @Override
        public App app(String key) {
          return appOf(key);
        }

        @Override
        public List<LiveTask> tasksOf(String appKey) {
          return live.tasksOf(appKey);
        }

        @Override
        public TaskRecord record(String taskId) {
          return records.get(taskId);
        }

        @Override
        public List<RunRecord> runs(String appKey) {
          return runs.of(appKey);
        }

        @Override
        public StatusView.TaskUsage usage(String taskId) {
          return usage.get(taskId);
        }

        @Override
        public StatusView.TaskEnd lastFailure(String appKey) {
          return lastFailures.get(appKey);
        }

        @Override
        public AppHistory planState(String appKey) {
          return history.get(appKey);
        }
      };

  /**
   * Stops at once whatever reaches the cluster, for a leader that lost its office: the Mesos client
   * first (its stream closed, no further call leaves), then the rest as {@link #close()} does.
   */
  public void halt() {
    MesosClient c = client;
    if (c != null) {
      c.close();
    }
    close();
  }

  /** Stops the loop and the client; the framework and its tasks stay registered with Mesos. */
  @Override
  public void close() {
    running.set(false);
    timers.shutdownNow();
    poller.shutdownNow();
    // Woken, not interrupted: an interrupt closes a FileChannel mid-write (a state file).
    inbox.offer(() -> {});
    try {
      loop.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (client != null) {
      client.close();
    }
    readiness.close();
    source.close();
  }
}
