package dev.telos.executor;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** What health checks and general checks share: their timers and their three kinds of probe. */
final class Probes {
  private Probes() {}

  /** Mesos's seconds as milliseconds, {@code fallback} seconds when unset (0 or less). */
  static long millis(double seconds, double fallback) {
    return Math.round((seconds > 0 ? seconds : fallback) * 1000);
  }

  /** A daemon timer thread for one task's checks. */
  static ScheduledExecutorService timer(String name) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * GET {@code uri}, redirects not followed (a 3xx is an answer, as in Mesos); returns the status
   * code.
   *
   * @throws IOException when nothing answered within {@code timeoutMs}
   */
  static int http(URI uri, int timeoutMs) throws IOException {
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
    c.setConnectTimeout(timeoutMs);
    c.setReadTimeout(timeoutMs);
    c.setInstanceFollowRedirects(false);
    try {
      return c.getResponseCode();
    } finally {
      c.disconnect();
    }
  }

  /**
   * Connects to {@code 127.0.0.1:port}.
   *
   * @throws IOException when refused or not connected within {@code timeoutMs}
   */
  static void tcp(int port, int timeoutMs) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
    }
  }

  /**
   * Runs {@code command} with {@code /bin/sh -c} in the sandbox with {@code env}; returns its exit
   * code, or null when it did not end within {@code timeoutMs} (it is killed).
   */
  static Integer command(String command, Path sandbox, Map<String, String> env, long timeoutMs)
      throws IOException, InterruptedException {
    ProcessBuilder b =
        new ProcessBuilder(List.of("/bin/sh", "-c", command))
            .directory(sandbox.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    b.environment().clear();
    b.environment().putAll(env);
    Process p = b.start();
    if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      return null;
    }
    return p.exitValue();
  }
}
