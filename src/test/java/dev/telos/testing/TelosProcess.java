package dev.telos.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * The packaged {@code target/telos.jar} run as a separate process, as users run it. Stdout lines
 * are collected for {@link #awaitOutput}; {@link #close()} kills the process and its children.
 */
public final class TelosProcess implements AutoCloseable {
  private final Process process;
  private final List<String> stdout = new CopyOnWriteArrayList<>();
  private final Path stderr;
  private final Thread reader;
  private final String command;

  /** What stderr held when the process was closed: its file may be deleted with the test's. */
  private volatile List<String> stderrAtClose;

  /** Every process started since the last {@link #startedSinceReset()}, for failure reports. */
  private static final List<TelosProcess> STARTED = new CopyOnWriteArrayList<>();

  private TelosProcess(Process process, Path stderr, String command) {
    this.process = process;
    this.stderr = stderr;
    this.command = command;
    this.reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  stdout.add(line);
                }
              } catch (IOException e) {
                // process gone
              }
            },
            "telos-process-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * {@code telos cluster} on a free port with heartbeats every second and its sandboxes under
   * {@code dir/sandboxes}, plus {@code extra} arguments; its URL comes from {@code
   * awaitOutput("Mesos master listening on (http://\\S+)")}.
   */
  public static TelosProcess cluster(Path dir, String... extra) throws IOException {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "cluster",
                "--port",
                "0",
                "--heartbeat-interval",
                "1s",
                "--work-dir",
                dir.resolve("sandboxes").toString()));
    args.addAll(List.of(extra));
    return start(dir, args.toArray(String[]::new));
  }

  /** Runs {@code java -jar target/telos.jar ARGS} with stderr into a file under {@code dir}. */
  public static TelosProcess start(Path dir, String... args) throws IOException {
    return start(dir, List.of(), args);
  }

  /** As {@link #start(Path, String...)}, with JVM options such as {@code -Xmx16m}. */
  public static TelosProcess start(Path dir, List<String> jvmOptions, String... args)
      throws IOException {
    return start(dir, jvmOptions, java.util.Map.of(), args);
  }

  /** As {@link #start(Path, String...)}, with JVM options and environment variables. */
  public static TelosProcess start(
      Path dir, List<String> jvmOptions, java.util.Map<String, String> env, String... args)
      throws IOException {
    Path jar = Path.of("target", "telos.jar").toAbsolutePath();
    if (!Files.exists(jar)) {
      throw new IllegalStateException("target/telos.jar is missing: run mvn package first");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    return run(dir, command, env, "telos " + String.join(" ", args));
  }

  /** Starts {@code command} with stderr into a file under {@code dir}, known as {@code label}. */
  static TelosProcess run(
      Path dir, List<String> command, java.util.Map<String, String> env, String label)
      throws IOException {
    Path stderr = Files.createTempFile(dir, "telos-", ".stderr");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(stderr.toFile()));
    builder.environment().putAll(env);
    Process p = builder.start();
    TelosProcess started = new TelosProcess(p, stderr, label);
    STARTED.add(started);
    return started;
  }

  /** The tail of one process's output, for {@link ProcessOutputOnFailure}. */
  public record Tail(long pid, String command, List<String> out, List<String> err) {
    List<String> stdout(int lines) {
      return out.subList(Math.max(0, out.size() - lines), out.size());
    }

    List<String> stderr(int lines) {
      return err.subList(Math.max(0, err.size() - lines), err.size());
    }
  }

  /** The processes started since the last call, as tails of their output; forgets them. */
  static List<Tail> startedSinceReset() {
    List<Tail> tails = new ArrayList<>();
    for (TelosProcess p : STARTED) {
      tails.add(new Tail(p.pid(), p.command, p.stdout(), p.stderrLines()));
    }
    STARTED.clear();
    return tails;
  }

  private List<String> stderrLines() {
    List<String> closed = stderrAtClose;
    if (closed != null) {
      return closed;
    }
    try (java.util.stream.Stream<String> lines = Files.lines(stderr)) {
      java.util.ArrayDeque<String> last = new java.util.ArrayDeque<>();
      lines.forEach(
          l -> {
            if (last.size() == ProcessOutputOnFailure.TAIL) {
              last.removeFirst();
            }
            last.addLast(l);
          });
      return List.copyOf(last);
    } catch (IOException e) {
      return List.of("(stderr unreadable: " + e + ")");
    }
  }

  /** Waits for a stdout line matching {@code regex}; returns its first group (or the line). */
  public String awaitOutput(String regex) {
    Pattern pattern = Pattern.compile(regex);
    String[] found = new String[1];
    Awaitility.await("stdout line matching " + regex)
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              for (String line : stdout) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                  found[0] = m.groupCount() > 0 ? m.group(1) : line;
                  return true;
                }
              }
              if (!process.isAlive()) {
                throw new AssertionError(
                    "telos exited with "
                        + process.exitValue()
                        + "; stderr:\n"
                        + Files.readString(stderr));
              }
              return false;
            });
    return found[0];
  }

  /** Waits for the process to exit on its own; returns its exit code. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("telos did not exit within " + timeout);
    }
    // Let the reader drain what the process wrote before it exited.
    Awaitility.await().until(() -> !readerAlive());
    return process.exitValue();
  }

  private boolean readerAlive() {
    return reader.isAlive();
  }

  /** What the process wrote to stderr so far. */
  public String stderr() throws IOException {
    return Files.readString(stderr);
  }

  /** Every stdout line so far. */
  public List<String> stdout() {
    return List.copyOf(stdout);
  }

  /** The OS pid. */
  public long pid() {
    return process.pid();
  }

  /**
   * Starts {@code telos local} on {@code repo}'s {@code path} with a free API port, a 300 ms poll
   * and a data directory under {@code dir}, then the flags {@code more}.
   */
  public static TelosProcess local(Path dir, String repo, String path, String... more)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "local",
                "--repo",
                repo,
                "--path",
                path,
                "--http-port",
                "0",
                "--poll",
                "300ms",
                "--data-dir",
                dir.resolve("data").toString()));
    args.addAll(List.of(more));
    return start(dir, args.toArray(new String[0]));
  }

  /** GETs {@code url} and reads its body as JSON. */
  public static com.fasterxml.jackson.databind.JsonNode json(String url) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(
            java.net.http.HttpClient.newHttpClient()
                .send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString())
                .body());
  }

  /**
   * Waits until the Telos API at {@code api} reports {@code revision} as its last error (the commit
   * was read and rejected), and returns that {@code lastError}.
   */
  public static com.fasterxml.jackson.databind.JsonNode awaitRejected(String api, String revision)
      throws Exception {
    Awaitility.await("rejection of " + revision)
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                revision.equals(
                    json(api + "/api/v1/status").path("lastError").path("revision").asText()));
    return json(api + "/api/v1/status").path("lastError");
  }

  /** Waits until the Telos API at {@code api} reports {@code syncStatus: Synced}. */
  public static void awaitSynced(String api) {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    Awaitility.await("Synced at " + api)
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(
                        http.send(
                                java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create(api + "/api/v1/status"))
                                    .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString())
                            .body())
                    .path("syncStatus")
                    .asText()
                    .equals("Synced"));
  }

  /** Sends SIGTERM and waits for the exit code. */
  public int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("telos did not stop within " + timeout + " after SIGTERM");
    }
    return process.exitValue();
  }

  /** Sends SIGKILL, as a crash or kill -9 would. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    stderrAtClose = stderrLines();
  }
}
