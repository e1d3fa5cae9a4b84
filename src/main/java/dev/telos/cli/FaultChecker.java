package dev.telos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telos.cluster.TaskIds;
import dev.telos.controller.StatusView;
import dev.telos.local.LocalCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The invariants {@link FaultHarness} checks, read from the master's own state ({@code
 * /master/state}) and the repository's model, never from what Telos says about itself:
 *
 * <ul>
 *   <li>continuously: no app runs more than {@code instances + maxSurge} tasks (STAGING, STARTING
 *       or RUNNING; the largest {@code instances} of the newest two commits counts);
 *   <li>every kill has a reason, and none happens while the newest commit is invalid, the
 *       repository unreachable or a mass prune held;
 *   <li>after every round: the cluster converged to the newest valid commit; no task outlives its
 *       app (orphans 0); the framework ID never changed; every task the master runs is one Telos
 *       knows.
 * </ul>
 */
final class FaultChecker {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LocalCluster cluster;
  private final Map<String, int[]> model;
  private final Map<String, int[]> jobs;
  private final int surge;
  private final Map<FaultHarness.Fault, Integer> injected = new EnumMap<>(FaultHarness.Fault.class);
  private final List<Duration> convergence = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private final Map<String, Integer> previousInstances = new HashMap<>();
  private volatile String killsHeldBecause;

  /**
   * Tasks of an agent that was partitioned away for longer than the unreachable timeout: Telos
   * rightly replaced them, and when the agent returns Mesos reports them RUNNING again until Telos
   * kills the extras, so they are not Telos's surge. Convergence still requires them gone.
   */
  private final Set<String> returnedAfterTimeout =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private boolean sampledViolation;
  private volatile boolean sampling;
  private Thread sampler;
  private int round;
  private long kills;
  private long jobRuns;
  private List<String> trace = List.of();

  /** The harness's event trace of the current round, quoted in violations. */
  synchronized void trace(List<String> current) {
    this.trace = current;
  }

  /** The one app under the Telos executor (always 1 instance), or null. */
  private final String executed;

  FaultChecker(
      LocalCluster cluster,
      Map<String, int[]> model,
      Map<String, int[]> jobs,
      int surge,
      String executed) {
    this.executed = executed;
    this.cluster = cluster;
    this.model = model;
    this.jobs = jobs;
    this.surge = surge;
  }

  synchronized void count(FaultHarness.Fault fault) {
    injected.merge(fault, 1, Integer::sum);
    round++;
    sampledViolation = false;
  }

  // --- continuous checks -------------------------------------------------------------------------

  /** When the CronJob was first committed: how many times it may have fired since. */
  private final java.time.Instant cronSince = java.time.Instant.now();

  private long cronRuns;

  void start() {
    sampling = true;
    sampler = new Thread(this::sample, "telos-fault-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  void stop() {
    sampling = false;
    if (sampler != null) {
      sampler.interrupt();
    }
  }

  private void sample() {
    while (sampling) {
      try {
        Map<String, Integer> active = activePerApp(tasks(), returnedAfterTimeout);
        Map<String, Integer> bound = new HashMap<>();
        synchronized (this) {
          for (Map.Entry<String, int[]> e : model.entrySet()) {
            String key = FaultHarness.NAMESPACE + "/" + e.getKey();
            int now = e.getValue()[0];
            int before = previousInstances.getOrDefault(key, now);
            bound.put(key, Math.max(now, before) + surge);
          }
          // concurrencyPolicy: Forbid: never two runs at once
          bound.put(FaultHarness.NAMESPACE + "/" + FaultHarness.CRON, 1);
          if (executed != null) {
            bound.put(FaultHarness.NAMESPACE + "/" + executed, 1 + surge);
          }
          for (Map.Entry<String, Integer> e : active.entrySet()) {
            Integer max = bound.get(e.getKey());
            if (max != null && e.getValue() > max && !sampledViolation) {
              violation(
                  round,
                  e.getKey()
                      + " ran "
                      + e.getValue()
                      + " tasks, more than instances + maxSurge = "
                      + max
                      + ": "
                      + active,
                  List.copyOf(trace));
              sampledViolation = true;
            }
          }
        }
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        // the master is failing over: sample again
      }
    }
  }

  /**
   * The active tasks of {@code agent}, to be called before it is partitioned away and passed to
   * {@link #returnedAfterTimeout} if it stays away past the unreachable timeout.
   */
  List<String> activeTasksOn(String agent) throws IOException {
    List<String> ids = new ArrayList<>();
    for (JsonNode t : tasks()) {
      if (active(t.path("state").asText()) && agent.equals(t.path("slave_id").asText())) {
        ids.add(t.path("id").asText());
      }
    }
    return ids;
  }

  /** These tasks come back from a partition Telos was right to give up on: see the field. */
  void returnedAfterTimeout(List<String> taskIds) {
    returnedAfterTimeout.addAll(taskIds);
  }

  /** Kills from here on are violations, for {@code why}. */
  void holdKills(String why) {
    killsHeldBecause = why;
  }

  void releaseKills() {
    killsHeldBecause = null;
  }

  synchronized void killed(String appKey, String taskId, String reason) {
    kills++;
    if (reason == null || reason.isBlank()) {
      violation(round, "task " + taskId + " was killed without a reason", List.copyOf(trace));
    }
    String held = killsHeldBecause;
    if (held != null) {
      violation(
          round, "task " + taskId + " killed (" + reason + ") while " + held, List.copyOf(trace));
    }
  }

  // --- after each round --------------------------------------------------------------------------

  synchronized void converged(Duration took) {
    convergence.add(took);
  }

  /** The round under way (0 before the first). */
  synchronized int round() {
    return round;
  }

  private final List<Duration> takeOvers = new ArrayList<>();

  /** A standby led this long after the leader died or was cut off from ZooKeeper. */
  synchronized void tookOver(Duration after) {
    takeOvers.add(after);
  }

  synchronized void afterRound(int round, StatusView view, String frameworkId, List<String> trace)
      throws IOException {
    if (!frameworkId.equals(view.frameworkId())) {
      violation(round, "framework ID changed to " + view.frameworkId(), trace);
    }
    JsonNode tasks = tasks();
    Set<String> known = new HashSet<>();
    for (StatusView.AppView app : view.apps()) {
      for (StatusView.TaskView t : app.tasks()) {
        known.add(t.id());
      }
    }
    for (JsonNode t : tasks) {
      String id = t.path("id").asText();
      String state = t.path("state").asText();
      if (!active(state)) {
        continue;
      }
      String app = TaskIds.parse(id).map(TaskIds.Parsed::appKey).orElse(null);
      String name = app == null ? null : app.substring(app.indexOf('/') + 1);
      if (app == null
          || !(model.containsKey(name)
              || jobs.containsKey(name)
              || FaultHarness.CRON.equals(name)
              || name.equals(executed))) {
        violation(round, "orphan: task " + id + " (" + state + ") outlived its app", trace);
      }
      if (!known.contains(id)) {
        violation(round, "lost: the master runs " + id + " but Telos does not know it", trace);
      }
    }
    // A Job's spec never runs more often than its retries allow.
    Map<String, Integer> runs = new TreeMap<>();
    for (JsonNode t : allTasks()) {
      TaskIds.parse(t.path("id").asText())
          .filter(p -> jobs.containsKey(p.name()))
          .ifPresent(p -> runs.merge(p.appKey() + " spec " + p.specHash(), 1, Integer::sum));
    }
    runs.forEach(
        (spec, n) -> {
          if (n > FaultHarness.JOB_RETRIES + 1) {
            violation(
                round,
                "Job "
                    + spec
                    + " ran "
                    + n
                    + " times; retries "
                    + FaultHarness.JOB_RETRIES
                    + " allow "
                    + (FaultHarness.JOB_RETRIES + 1),
                trace);
          }
        });
    jobRuns += runs.values().stream().mapToInt(Integer::intValue).sum();
    // A CronJob runs at most retries + 1 times per fire, and fires once a minute at most.
    long crons = 0;
    for (JsonNode t : allTasks()) {
      if (TaskIds.parse(t.path("id").asText())
          .filter(p -> FaultHarness.CRON.equals(p.name()))
          .isPresent()) {
        crons++;
      }
    }
    long fires =
        java.time.Duration.between(
                    cronSince.truncatedTo(java.time.temporal.ChronoUnit.MINUTES),
                    java.time.Instant.now())
                .toMinutes()
            + 1;
    if (crons > fires * (FaultHarness.CRON_RETRIES + 1)) {
      violation(
          round,
          "CronJob ran "
              + crons
              + " times in "
              + fires
              + " possible fire(s); retries "
              + FaultHarness.CRON_RETRIES
              + " allow "
              + fires * (FaultHarness.CRON_RETRIES + 1),
          trace);
    }
    cronRuns = crons;
    previousInstances.clear();
    model.forEach((k, v) -> previousInstances.put(FaultHarness.NAMESPACE + "/" + k, v[0]));
  }

  /** Whether the master runs exactly the model's instances of every app, and nothing else. */
  synchronized boolean matchesModel() {
    try {
      Map<String, Integer> active = activePerApp(tasks());
      active.remove(FaultHarness.NAMESPACE + "/" + FaultHarness.CRON); // on its own schedule
      Map<String, Integer> wanted = new TreeMap<>();
      model.forEach(
          (k, v) -> {
            if (v[0] > 0) {
              wanted.put(FaultHarness.NAMESPACE + "/" + k, v[0]);
            }
          });
      if (executed != null) {
        wanted.put(FaultHarness.NAMESPACE + "/" + executed, 1);
      }
      return active.equals(wanted);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  String describeCluster() {
    try {
      return activePerApp(tasks()).toString();
    } catch (IOException | RuntimeException e) {
      return "unreadable: " + e.getMessage();
    }
  }

  List<String> agentsWithTasks() throws IOException {
    Set<String> agents = new java.util.TreeSet<>();
    for (JsonNode t : tasks()) {
      if (active(t.path("state").asText())) {
        agents.add(t.path("slave_id").asText());
      }
    }
    return new ArrayList<>(agents);
  }

  List<String> runningTasks() throws IOException {
    List<String> ids = new ArrayList<>();
    for (JsonNode t : tasks()) {
      if ("TASK_RUNNING".equals(t.path("state").asText())) {
        ids.add(t.path("id").asText());
      }
    }
    java.util.Collections.sort(ids);
    return ids;
  }

  synchronized void violation(int round, String what, List<String> trace) {
    String v = "round " + round + ": " + what;
    if (!trace.isEmpty()) {
      v += "\n    trace: " + String.join("\n           ", trace);
    }
    violations.add(v);
  }

  synchronized int violations() {
    return violations.size();
  }

  // --- the report --------------------------------------------------------------------------------

  synchronized void report(PrintStream out, long seed, int rounds, int ha, Duration took) {
    out.println(
        "fault harness: seed " + seed + ", " + rounds + " rounds in " + took.toSeconds() + " s");
    out.println("faults injected:");
    for (FaultHarness.Fault f : FaultHarness.Fault.values()) {
      if (f.needsHa() && ha == 0) {
        continue;
      }
      out.printf(
          "  %-28s %d%n", f.name().toLowerCase().replace('_', '-'), injected.getOrDefault(f, 0));
    }
    List<Duration> sorted = new ArrayList<>(convergence);
    sorted.sort(null);
    out.printf(
        "convergence: p50 %d ms, p99 %d ms, max %d ms over %d rounds%n",
        percentile(sorted, 0.50),
        percentile(sorted, 0.99),
        sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1).toMillis(),
        sorted.size());
    if (ha > 0) {
      List<Duration> t = new ArrayList<>(takeOvers);
      t.sort(null);
      out.printf(
          "leader take-overs (kill -9 or session expiry, %d instances, session %d ms): p50 %d ms,"
              + " max %d ms over %d%n",
          ha,
          FaultHarness.HA_SESSION.toMillis(),
          percentile(t, 0.50),
          t.isEmpty() ? 0 : t.get(t.size() - 1).toMillis(),
          t.size());
      out.println(
          "subscriptions the master failed over from an open one: "
              + cluster.openSubscriptionFailovers());
    }
    out.println("kills checked: " + kills);
    out.println("job runs checked (summed over rounds): " + jobRuns);
    out.println("cron runs checked: " + cronRuns);
    out.println("violations: " + violations.size());
    for (String v : violations) {
      out.println("  " + v);
    }
    if (!violations.isEmpty()) {
      out.println(
          "replay with: telos bench faults --seed "
              + seed
              + " --rounds "
              + rounds
              + (ha > 0 ? " --ha " + ha : ""));
    }
  }

  private static long percentile(List<Duration> sorted, double p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int i = (int) Math.ceil(p * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))).toMillis();
  }

  // --- the master's state ------------------------------------------------------------------------

  /** Every task of the framework the master knows: running and completed. */
  private JsonNode allTasks() throws IOException {
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode f : JSON.readTree(cluster.stateJson()).path("frameworks")) {
      f.path("tasks").forEach(all::add);
      f.path("completed_tasks").forEach(all::add);
    }
    return JSON.valueToTree(all);
  }

  private JsonNode tasks() throws IOException {
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode f : JSON.readTree(cluster.stateJson()).path("frameworks")) {
      f.path("tasks").forEach(all::add);
    }
    return JSON.valueToTree(all);
  }

  private static boolean active(String state) {
    return state.equals("TASK_STAGING")
        || state.equals("TASK_STARTING")
        || state.equals("TASK_RUNNING");
  }

  private static Map<String, Integer> activePerApp(JsonNode tasks) {
    return activePerApp(tasks, Set.of());
  }

  private static Map<String, Integer> activePerApp(JsonNode tasks, Set<String> exempt) {
    Map<String, Integer> counts = new TreeMap<>();
    for (JsonNode t : tasks) {
      if (active(t.path("state").asText()) && !exempt.contains(t.path("id").asText())) {
        String app =
            TaskIds.parse(t.path("id").asText()).map(TaskIds.Parsed::appKey).orElse("(foreign)");
        counts.merge(app, 1, Integer::sum);
      }
    }
    return counts;
  }
}
