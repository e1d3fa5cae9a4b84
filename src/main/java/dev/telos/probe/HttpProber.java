package dev.telos.probe;

import java.io.IOException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the HTTP checks of each watched ID ({@link #watch}) until every one has passed once, then
 * tells {@code passed} the ID and forgets it: the readiness checks of tasks. I/O only: what to
 * watch is the controller's decision, and what a passed check means is the planner's. Each check
 * runs at its own interval, one request at a time, bounded by its timeout; the requests run on
 * OkHttp's threads, never on the caller's.
 *
 * <p>HTTPS checks do not verify the task's certificate or host name (as Mesos's own HTTPS health
 * checks, which use {@code curl -k}): a task's certificate is usually issued for the service's
 * name, not the agent's, and a check sends nothing secret.
 */
public final class HttpProber implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpProber.class);

  /**
   * One check: {@code GET url} passes with a status in {@code statusCodes}.
   *
   * @param interval between requests while it has not passed
   * @param timeout of one request, connection included
   */
  public record Check(String url, Set<Integer> statusCodes, Duration interval, Duration timeout) {
    public Check {
      java.util.Objects.requireNonNull(url, "url");
      statusCodes = Set.copyOf(statusCodes);
      java.util.Objects.requireNonNull(interval, "interval");
      java.util.Objects.requireNonNull(timeout, "timeout");
    }
  }

  private final class Watch {
    final String taskId;
    final List<Check> target;
    final boolean[] passed;
    final AtomicBoolean[] inFlight;
    final List<ScheduledFuture<?>> timers = new java.util.ArrayList<>();

    Watch(String taskId, List<Check> target) {
      this.taskId = taskId;
      this.target = List.copyOf(target);
      this.passed = new boolean[target.size()];
      this.inFlight = new AtomicBoolean[passed.length];
      for (int i = 0; i < passed.length; i++) {
        inFlight[i] = new AtomicBoolean();
      }
    }

    void start() {
      for (int i = 0; i < passed.length; i++) {
        int check = i;
        long every = target.get(i).interval().toMillis();
        timers.add(
            timer.scheduleWithFixedDelay(
                () -> probe(this, check), 0, every, TimeUnit.MILLISECONDS));
      }
    }

    void stop() {
      timers.forEach(t -> t.cancel(false));
    }

    synchronized boolean pass(int check) {
      passed[check] = true;
      for (boolean p : passed) {
        if (!p) {
          return false;
        }
      }
      return true;
    }
  }

  private final Map<String, Watch> watches = new ConcurrentHashMap<>();
  private final Consumer<String> ready;
  private final OkHttpClient http;
  private final OkHttpClient https;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "telos-readiness");
            t.setDaemon(true);
            return t;
          });

  /** {@code passed} is called, from another thread, once per ID whose checks all passed. */
  public HttpProber(Consumer<String> passed) {
    this.ready = passed;
    this.http =
        new OkHttpClient.Builder().followRedirects(false).retryOnConnectionFailure(false).build();
    X509TrustManager anyCertificate =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {anyCertificate}, new SecureRandom());
      this.https =
          http.newBuilder()
              .sslSocketFactory(context.getSocketFactory(), anyCertificate)
              .hostnameVerifier((host, session) -> true)
              .build();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
  }

  /**
   * Asks {@code checks} for {@code taskId} until all passed; an ID already watched with the same
   * checks keeps its watch (and what passed), one with other checks starts over.
   */
  public void watch(String taskId, List<Check> checks) {
    List<Check> target = List.copyOf(checks);
    Watch w = watches.get(taskId);
    if (w != null && w.target.equals(target)) {
      return;
    }
    forget(taskId);
    Watch fresh = new Watch(taskId, target);
    watches.put(taskId, fresh);
    fresh.start();
  }

  /** Stops checking {@code taskId} (it ended, or needs no check). */
  public void forget(String taskId) {
    Watch w = watches.remove(taskId);
    if (w != null) {
      w.stop();
    }
  }

  /** Whether nothing is being checked. */
  public boolean idle() {
    return watches.isEmpty();
  }

  /** The IDs being checked. */
  public Set<String> watched() {
    return Set.copyOf(watches.keySet());
  }

  private void probe(Watch w, int check) {
    if (watches.get(w.taskId) != w
        || w.passed[check]
        || !w.inFlight[check].compareAndSet(false, true)) {
      return;
    }
    Check c = w.target.get(check);
    String url = c.url();
    OkHttpClient client = url.startsWith("https:") ? https : http;
    Call call =
        client.newCall(
            new Request.Builder().url(url).header("User-Agent", "telos-readiness").build());
    call.timeout().timeout(c.timeout().toMillis(), TimeUnit.MILLISECONDS);
    call.enqueue(
        new Callback() {
          @Override
          public void onResponse(Call call, Response response) {
            int code = response.code();
            response.close();
            w.inFlight[check].set(false);
            if (!c.statusCodes().contains(code)) {
              log.debug("check not passed id={} url={} status={}", w.taskId, url, code);
              return;
            }
            if (w.pass(check) && watches.remove(w.taskId, w)) {
              w.stop();
              log.info("checks passed id={} url={} status={}", w.taskId, url, code);
              ready.accept(w.taskId);
            }
          }

          @Override
          public void onFailure(Call call, IOException e) {
            w.inFlight[check].set(false);
            log.debug("check not passed id={} url={} error=\"{}\"", w.taskId, url, e.getMessage());
          }
        });
  }

  @Override
  public void close() {
    timer.shutdownNow();
    watches.clear();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
