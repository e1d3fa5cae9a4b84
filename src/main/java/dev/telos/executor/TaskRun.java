package dev.telos.executor;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.Environment;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task under the executor: fetch and verify its artifacts, run its preStart hooks, run its
 * command in its own process group with rotated output, and stop it on request (preStop, the kill
 * signal, SIGKILL of the whole group after the grace period). Reports every state change.
 */
final class TaskRun {
  private static final Logger log = LoggerFactory.getLogger(TaskRun.class);
  static final Duration DEFAULT_GRACE = Duration.ofSeconds(3);
  private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  /** Where state changes go. */
  interface Reporter {
    void update(
        TaskState state,
        String message,
        TaskStatus.Reason reason,
        Map<String, String> labels,
        Boolean healthy,
        org.apache.mesos.v1.Protos.CheckStatusInfo check);

    default void update(
        TaskState state,
        String message,
        TaskStatus.Reason reason,
        Map<String, String> labels,
        Boolean healthy) {
      update(state, message, reason, labels, healthy, null);
    }

    default void update(
        TaskState state, String message, TaskStatus.Reason reason, Map<String, String> labels) {
      update(state, message, reason, labels, null, null);
    }
  }

  private final TaskInfo task;
  private final TaskSpec spec;
  private final Path sandbox;
  private final Map<String, String> baseEnv;
  private final Reporter reporter;
  private final Object lock = new Object();
  private Process process;
  private RotatingLog stdout;
  private RotatingLog stderr;
  private boolean killRequested;
  private volatile String killedByHealthCheck;
  private boolean finished;

  TaskRun(
      TaskInfo task, TaskSpec spec, Path sandbox, Map<String, String> baseEnv, Reporter reporter) {
    this.task = task;
    this.spec = spec;
    this.sandbox = sandbox;
    this.baseEnv = Map.copyOf(baseEnv);
    this.reporter = reporter;
  }

  String id() {
    return task.getTaskId().getValue();
  }

  /** The task's own kill grace period (its KillPolicy), or Mesos's default of 3 s. */
  Duration grace() {
    if (task.hasKillPolicy() && task.getKillPolicy().hasGracePeriod()) {
      return Duration.ofNanos(task.getKillPolicy().getGracePeriod().getNanoseconds());
    }
    return DEFAULT_GRACE;
  }

  /** Runs the task to its end; call on a thread of its own. */
  void run() {
    reporter.update(TaskState.TASK_STARTING, null, null, labels(null));
    if (command().getValue().isBlank()) {
      end(
          TaskState.TASK_FAILED,
          "the task has no command",
          TaskStatus.Reason.REASON_TASK_INVALID,
          null);
      return;
    }
    try {
      for (TaskSpec.Artifact a : spec.fetch()) {
        String problem = fetch(a);
        if (problem != null) {
          end(
              TaskState.TASK_FAILED,
              problem,
              TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED,
              null);
          return;
        }
      }
      for (String hook : spec.preStart()) {
        if (killed()) {
          end(TaskState.TASK_KILLED, "killed before it started", null, null);
          return;
        }
        HookResult r = hook(hook, Duration.ofMinutes(30));
        if (r.exitCode != 0) {
          end(
              TaskState.TASK_FAILED,
              "preStart '" + hook + "' exited with " + r.exitCode + tailMessage(r.stderrTail),
              TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED,
              null);
          return;
        }
      }
      synchronized (lock) {
        if (killRequested) {
          end(TaskState.TASK_KILLED, "killed before it started", null, null);
          return;
        }
        stdout =
            new RotatingLog(
                sandbox.resolve("stdout"), spec.logMaxBytesOrDefault(), spec.logKeepOrDefault());
        stderr =
            new RotatingLog(
                sandbox.resolve("stderr"), spec.logMaxBytesOrDefault(), spec.logKeepOrDefault());
        process = start(argv(command()), stdout, stderr);
      }
      log.info("task started task_id={} pid={}", id(), process.pid());
      // With a general check, RUNNING says which check there is, with no result yet (as Mesos's
      // executors do); each change of its result follows as an update of its own.
      reporter.update(
          TaskState.TASK_RUNNING,
          null,
          null,
          labels(null),
          null,
          task.hasCheck() ? Checks.empty(task.getCheck()) : null);
      Checks checks = null;
      if (task.hasCheck()) {
        checks =
            new Checks(
                task.getCheck(),
                sandbox,
                environment(),
                status ->
                    reporter.update(
                        TaskState.TASK_RUNNING,
                        null,
                        TaskStatus.Reason.REASON_TASK_CHECK_STATUS_UPDATED,
                        labels(null),
                        null,
                        status));
        checks.start();
      }
      HealthChecks health = null;
      if (task.hasHealthCheck()) {
        health =
            new HealthChecks(
                task.getHealthCheck(),
                sandbox,
                environment(),
                new HealthChecks.Listener() {
                  @Override
                  public void healthChanged(boolean healthy) {
                    reporter.update(
                        TaskState.TASK_RUNNING,
                        healthy ? null : "health check failed",
                        TaskStatus.Reason.REASON_TASK_HEALTH_CHECK_STATUS_UPDATED,
                        labels(null),
                        healthy);
                  }

                  @Override
                  public void failedTooOften(String why) {
                    killedByHealthCheck = why;
                    kill(grace(), false);
                  }
                });
        health.start();
      }
      int code = process.waitFor();
      if (checks != null) {
        checks.close();
      }
      if (health != null) {
        health.close();
      }
      drain();
      boolean wasKilled;
      synchronized (lock) {
        wasKilled = killRequested;
      }
      if (wasKilled && killedByHealthCheck != null) {
        end(
            TaskState.TASK_KILLED,
            "Task was killed since health check failed: " + killedByHealthCheck,
            TaskStatus.Reason.REASON_TASK_HEALTH_CHECK_STATUS_UPDATED,
            code);
      } else if (wasKilled) {
        end(TaskState.TASK_KILLED, "Command terminated by " + describe(code), null, code);
      } else if (code == 0) {
        end(TaskState.TASK_FINISHED, "Command exited with status 0", null, code);
      } else {
        end(
            TaskState.TASK_FAILED,
            "Command " + describe(code) + tailMessage(stderr.tail()),
            TaskStatus.Reason.REASON_COMMAND_EXECUTOR_FAILED,
            code);
      }
    } catch (IOException e) {
      end(
          TaskState.TASK_FAILED,
          "Failed to launch: " + e.getMessage(),
          TaskStatus.Reason.REASON_COMMAND_EXECUTOR_FAILED,
          null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      killGroup("KILL");
      end(TaskState.TASK_KILLED, "the executor is stopping", null, null);
    }
  }

  /**
   * Stops the task: TASK_KILLING, the preStop hook (within the grace period), the kill signal to
   * its process group, then SIGKILL of the group once {@code grace} has passed. Idempotent.
   */
  /**
   * What the task's processes use now: resident memory in bytes and CPU time in seconds, summed
   * over the command's process and its descendants; empty before it starts and once it ended.
   */
  java.util.Optional<double[]> usage() {
    Process p;
    synchronized (lock) {
      p = finished ? null : process;
    }
    if (p == null || !p.isAlive()) {
      return java.util.Optional.empty();
    }
    double rss = 0;
    double cpu = 0;
    List<ProcessHandle> all = new ArrayList<>();
    all.add(p.toHandle());
    p.descendants().forEach(all::add);
    for (ProcessHandle h : all) {
      rss += residentBytes(h.pid());
      cpu += h.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0d);
    }
    return java.util.Optional.of(new double[] {rss, cpu});
  }

  /** VmRSS of a process from /proc, in bytes; 0 when it is gone or /proc is not there. */
  static long residentBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone meanwhile
    }
    return 0;
  }

  void kill(Duration grace, boolean reportKilling) {
    Process p;
    synchronized (lock) {
      if (killRequested || finished) {
        return;
      }
      killRequested = true;
      p = process;
    }
    if (p == null) {
      return; // still fetching or in preStart: it stops before starting the command
    }
    if (reportKilling) {
      reporter.update(TaskState.TASK_KILLING, null, null, labels(null));
    }
    long deadline = System.nanoTime() + grace.toNanos();
    if (spec.preStop() != null && !spec.preStop().isBlank()) {
      try {
        HookResult r = hook(spec.preStop(), grace);
        log.info("preStop ran task_id={} exit_code={}", id(), r.exitCode);
      } catch (IOException e) {
        log.warn("preStop failed task_id={} error={}", id(), e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    killGroup(spec.killSignalOrDefault());
    long left = Math.max(0, deadline - System.nanoTime());
    try {
      if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
        log.info("grace period over; SIGKILL task_id={}", id());
        killGroup("KILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      killGroup("KILL");
    }
  }

  /** Kills at once, as when the executor must exit. */
  void killNow() {
    synchronized (lock) {
      killRequested = true;
    }
    killGroup("KILL");
  }

  private boolean killed() {
    synchronized (lock) {
      return killRequested;
    }
  }

  private void killGroup(String signal) {
    Process p;
    synchronized (lock) {
      p = process;
    }
    if (p != null && p.isAlive()) {
      signalGroup(p.pid(), signal);
    }
  }

  private void end(TaskState state, String message, TaskStatus.Reason reason, Integer exitCode) {
    synchronized (lock) {
      if (finished) {
        return;
      }
      finished = true;
    }
    Map<String, String> labels = labels(exitCode);
    if (exitCode != null && exitCode != 0 && stderr != null) {
      labels.put("stderr_tail", String.join("\n", stderr.tail()));
    }
    reporter.update(state, message, reason, labels);
  }

  private Map<String, String> labels(Integer exitCode) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (spec.revision() != null) {
      labels.put("revision", spec.revision());
    }
    if (exitCode != null) {
      labels.put("exit_code", Integer.toString(exitCode));
    }
    return labels;
  }

  private void drain() throws InterruptedException {
    // The copy threads end when the process group closes its pipes; give stragglers a moment.
    for (Thread t : copiers) {
      t.join(2000);
    }
  }

  private final List<Thread> copiers = new ArrayList<>();

  private Process start(List<String> argv, RotatingLog out, RotatingLog err) throws IOException {
    ProcessBuilder b = new ProcessBuilder(argv).directory(sandbox.toFile());
    b.environment().clear();
    b.environment().putAll(environment());
    Process p = b.start();
    p.getOutputStream().close();
    copiers.add(copier(p.getInputStream(), out, "stdout"));
    copiers.add(copier(p.getErrorStream(), err, "stderr"));
    return p;
  }

  private Thread copier(InputStream in, RotatingLog to, String name) {
    Thread t =
        new Thread(
            () -> {
              try {
                to.copy(in);
              } catch (IOException e) {
                log.warn("cannot write {} of task_id={}: {}", name, id(), e.getMessage());
              }
            },
            "telos-task-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** What to run: the spec's shell command, else the TaskInfo's own CommandInfo. */
  private CommandInfo command() {
    if (spec.command() != null && !spec.command().isBlank()) {
      return CommandInfo.newBuilder().setShell(true).setValue(spec.command()).build();
    }
    return task.getCommand();
  }

  /** The task's environment: what a Mesos command executor gives, and the task's own. */
  Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", PATH);
    env.putAll(baseEnv);
    env.put("MESOS_SANDBOX", sandbox.toString());
    env.put("MESOS_TASK_ID", id());
    for (Environment.Variable v : task.getCommand().getEnvironment().getVariablesList()) {
      if (v.getType() != Environment.Variable.Type.SECRET) {
        env.put(v.getName(), v.getValue());
      }
    }
    env.putAll(spec.environment());
    return env;
  }

  private record HookResult(int exitCode, List<String> stderrTail) {}

  private HookResult hook(String command, Duration timeout)
      throws IOException, InterruptedException {
    RotatingLog err = new RotatingLog(sandbox.resolve("hooks.stderr"), 1 << 20, 1);
    RotatingLog out = new RotatingLog(sandbox.resolve("hooks.stdout"), 1 << 20, 1);
    Process p;
    List<Thread> threads = new ArrayList<>();
    ProcessBuilder b =
        new ProcessBuilder(List.of("setsid", "/bin/sh", "-c", command)).directory(sandbox.toFile());
    b.environment().clear();
    b.environment().putAll(environment());
    p = b.start();
    p.getOutputStream().close();
    threads.add(copier(p.getInputStream(), out, "hook-stdout"));
    threads.add(copier(p.getErrorStream(), err, "hook-stderr"));
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      signalGroup(p.pid(), "KILL");
      p.waitFor();
    }
    for (Thread t : threads) {
      t.join(2000);
    }
    return new HookResult(p.exitValue(), err.tail());
  }

  /** Downloads or copies one artifact and checks its SHA-256; returns the problem, or null. */
  String fetch(TaskSpec.Artifact a) throws IOException, InterruptedException {
    if (a.uri() == null || a.uri().isBlank()) {
      return "artifact without a uri";
    }
    if (a.sha256() == null || !a.sha256().matches("[0-9a-fA-F]{64}")) {
      return "artifact " + a.uri() + ": a sha256 (64 hex digits) is required";
    }
    String name = a.outputFile();
    if (name == null || name.isBlank()) {
      String path = a.uri().replaceAll("[?#].*$", "");
      name = path.substring(path.lastIndexOf('/') + 1);
    }
    if (name.isEmpty() || name.contains("/") || name.equals("..")) {
      return "artifact " + a.uri() + ": bad output file name '" + name + "'";
    }
    Path target = sandbox.resolve(name);
    Path partial = sandbox.resolve("." + name + ".part");
    if (a.uri().startsWith("http://") || a.uri().startsWith("https://")) {
      java.net.HttpURLConnection c =
          (java.net.HttpURLConnection) URI.create(a.uri()).toURL().openConnection();
      c.setConnectTimeout(30_000);
      c.setReadTimeout(600_000);
      try {
        int status = c.getResponseCode();
        if (status != 200) {
          return "artifact " + a.uri() + ": HTTP " + status;
        }
        try (java.io.InputStream in = c.getInputStream()) {
          Files.copy(in, partial, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        c.disconnect();
      }
    } else {
      Path source =
          Path.of(a.uri().startsWith("file://") ? URI.create(a.uri()).getPath() : a.uri());
      if (!Files.isRegularFile(source)) {
        return "artifact " + a.uri() + ": no such file";
      }
      Files.copy(source, partial, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    String actual = sha256(partial);
    if (!actual.equalsIgnoreCase(a.sha256())) {
      Files.deleteIfExists(partial);
      return "artifact "
          + a.uri()
          + ": sha256 mismatch (expected "
          + a.sha256().toLowerCase()
          + ", got "
          + actual
          + "); refused";
    }
    Files.move(partial, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    if (Boolean.TRUE.equals(a.executable())) {
      target.toFile().setExecutable(true);
    }
    return null;
  }

  static String sha256(Path file) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      try (InputStream in = Files.newInputStream(file)) {
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) > 0; ) {
          md.update(buf, 0, n);
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String tailMessage(List<String> tail) {
    if (tail.isEmpty()) {
      return "";
    }
    List<String> last = tail.subList(Math.max(0, tail.size() - 3), tail.size());
    return "; stderr: " + String.join(" | ", last);
  }

  /** How a process ended: {@code exited with 3}, or {@code killed by signal 9 (KILL)}. */
  static String describe(int code) {
    if (code > 128 && code < 160) {
      return "killed by signal " + (code - 128);
    }
    return "exited with status " + code;
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
      List<String> args = command.getArgumentsList();
      argv.addAll(args.isEmpty() ? List.of() : args.subList(1, args.size()));
    }
    return argv;
  }

  /** Signals a whole process group (started with setsid, so its pgid is its pid). */
  static void signalGroup(long pgid, String signal) {
    try {
      Process kill =
          new ProcessBuilder("/bin/sh", "-c", "kill -" + signal + " -" + pgid + " 2>/dev/null")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      kill.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      log.warn("cannot signal process group pgid={} signal={}: {}", pgid, signal, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
