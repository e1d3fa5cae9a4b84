package dev.telos.notify;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.telos.controller.StatusView;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers {@link Event}s to the notifiers of a configuration file: generic webhooks (JSON,
 * HMAC-signed with a secret), Slack-compatible webhooks ({@code {"text"}}) and commit statuses on
 * GitHub, GitLab and Gitea. {@link #observe} runs on the controller's loop: it only compares views
 * and queues (a full queue drops the oldest delivery, with a log line); one worker thread sends,
 * retrying a failed delivery with backoff (1 s, doubling, 5 attempts). Secrets (webhook secrets,
 * tokens, Slack URLs) are read from files and never logged.
 */
public final class Notifier implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Notifier.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_QUEUE = 1000;
  static final int ATTEMPTS = 5;

  /** One notifier of the file. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public record Target(
      String name,
      String type,
      String url,
      Path urlFile,
      Path secretFile,
      Path tokenFile,
      String apiUrl,
      String repository,
      List<String> events,
      Map<String, String> headers) {}

  /** The file: {@code notifiers: [...]}. */
  record Config(List<Target> notifiers) {}

  private record Delivery(Target target, Set<Event.Type> events, Event event, int attempt) {}

  private final List<Target> targets;
  private final List<Set<Event.Type>> filters = new ArrayList<>();
  private final EventDetector detector = new EventDetector();
  private final BlockingQueue<Delivery> queue = new ArrayBlockingQueue<>(MAX_QUEUE);
  private final ScheduledExecutorService worker;
  private final Duration firstBackoff;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();

  Notifier(List<Target> targets, Duration firstBackoff) {
    this.targets = List.copyOf(targets);
    this.firstBackoff = firstBackoff;
    for (Target t : this.targets) {
      filters.add(events(t));
    }
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread th = new Thread(r, "telos-notifier");
              th.setDaemon(true);
              return th;
            });
    worker.scheduleWithFixedDelay(this::drain, 0, 100, TimeUnit.MILLISECONDS);
  }

  /**
   * Reads and checks a configuration file.
   *
   * @param repositoryUrl the repository Telos syncs: where commit statuses go unless a notifier
   *     names its {@code repository}
   */
  public static Notifier load(Path file, String repositoryUrl) throws IOException {
    return load(file, repositoryUrl, true);
  }

  /**
   * Reads and checks a configuration file.
   *
   * @param commitStatuses false with several sources: their composed revision ({@code
   *     NAME@SHA,...}) is no commit of a Git host, so commit-status notifiers are refused
   */
  public static Notifier load(Path file, String repositoryUrl, boolean commitStatuses)
      throws IOException {
    if (Files.size(file) > 1 << 20) {
      throw new IllegalArgumentException(file + " is over 1 MiB: not a notification file");
    }
    ObjectMapper yaml =
        new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    Config config;
    try {
      config = yaml.readValue(file.toFile(), Config.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": " + e.getOriginalMessage(), e);
    }
    if (config == null || config.notifiers() == null || config.notifiers().isEmpty()) {
      throw new IllegalArgumentException(file + ": no notifiers (notifiers: [...])");
    }
    List<Target> checked = new ArrayList<>();
    for (Target t : config.notifiers()) {
      checked.add(check(file, t, repositoryUrl, commitStatuses));
    }
    return new Notifier(checked, Duration.ofSeconds(1));
  }

  private static Target check(Path file, Target t, String repositoryUrl, boolean commitStatuses)
      throws IOException {
    String where = file + ": notifier " + (t.name() == null ? "(unnamed)" : t.name());
    if (t.name() == null || t.type() == null) {
      throw new IllegalArgumentException(where + ": name and type are required");
    }
    events(t); // names checked
    String repository = t.repository();
    switch (t.type()) {
      case "webhook", "slack" -> {
        if ((t.url() == null) == (t.urlFile() == null)) {
          throw new IllegalArgumentException(where + ": give url or urlFile (one of them)");
        }
        if (t.urlFile() != null) {
          readable(where, t.urlFile());
        }
      }
      case "github", "gitlab", "gitea" -> {
        if (!commitStatuses) {
          throw new IllegalArgumentException(
              where
                  + ": commit statuses need a single --repo; with several --source, notify a"
                  + " webhook or slack");
        }
        if (t.tokenFile() == null) {
          throw new IllegalArgumentException(where + ": tokenFile is required for " + t.type());
        }
        readable(where, t.tokenFile());
        if (t.type().equals("gitea") && t.apiUrl() == null) {
          throw new IllegalArgumentException(
              where + ": apiUrl is required for gitea (https://HOST/api/v1)");
        }
        if (repository == null) {
          repository = repositoryPath(repositoryUrl);
          if (repository == null) {
            throw new IllegalArgumentException(
                where + ": repository (OWNER/NAME) is required: the --repo URL does not name one");
          }
        }
      }
      default ->
          throw new IllegalArgumentException(
              where + ": type must be webhook, slack, github, gitlab or gitea, not " + t.type());
    }
    if (t.secretFile() != null) {
      readable(where, t.secretFile());
    }
    return new Target(
        t.name(),
        t.type(),
        t.url(),
        t.urlFile(),
        t.secretFile(),
        t.tokenFile(),
        t.apiUrl(),
        repository,
        t.events(),
        t.headers() == null ? Map.of() : Map.copyOf(t.headers()));
  }

  private static void readable(String where, Path p) {
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException(where + ": cannot read " + p);
    }
  }

  /** {@code OWNER/NAME} (or {@code GROUP/SUB/NAME}) of an https or ssh repository URL, or null. */
  static String repositoryPath(String url) {
    if (url == null) {
      return null;
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "^(?:https?://[^/]+/|ssh://[^/]+/|[^@/]+@[^:/]+:)([^?#]+?)(?:\\.git)?/?$")
            .matcher(url);
    return m.matches() && m.group(1).contains("/") ? m.group(1) : null;
  }

  private static Set<Event.Type> events(Target t) {
    if (t.events() == null || t.events().isEmpty()) {
      return EnumSet.allOf(Event.Type.class);
    }
    Set<Event.Type> set = EnumSet.noneOf(Event.Type.class);
    for (String e : t.events()) {
      set.add(Event.Type.of(e));
    }
    return set;
  }

  /** Views waiting to be compared: beyond this many, a view is skipped (with a log line). */
  static final int MAX_VIEWS = 1000;

  private final java.util.concurrent.atomic.AtomicInteger views =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * Hands the view to the notifier's own thread, which compares it with the last one and queues
   * what it brings: on the controller's loop this only counts and enqueues, whatever the number of
   * apps.
   */
  public void observe(StatusView v) {
    if (!v.leader()) {
      return;
    }
    if (views.incrementAndGet() > MAX_VIEWS) {
      views.decrementAndGet();
      log.warn("notifier behind: a status view skipped");
      return;
    }
    worker.execute(
        () -> {
          views.decrementAndGet();
          for (Event e : detector.next(v)) {
            deliverNow(e);
          }
        });
  }

  private void enqueue(Delivery d) {
    while (!queue.offer(d)) {
      Delivery oldest = queue.poll();
      if (oldest != null) {
        dropped.incrementAndGet();
        log.warn(
            "notification queue full; dropped the oldest notifier={} event={}",
            oldest.target().name(),
            oldest.event().type().label());
      }
    }
  }

  private void drain() {
    Delivery d;
    while ((d = queue.poll()) != null) {
      deliver(d);
    }
  }

  private void deliver(Delivery d) {
    try {
      int status = send(d.target(), d.event());
      if (status >= 200 && status < 300) {
        sent.incrementAndGet();
        log.info(
            "notified notifier={} event={} revision={}",
            d.target().name(),
            d.event().type().label(),
            EventDetector.shortSha(d.event().revision()));
        return;
      }
      retry(d, "answered " + status);
    } catch (IOException | RuntimeException e) {
      retry(d, e.getClass().getSimpleName() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void retry(Delivery d, String why) {
    if (d.attempt() >= ATTEMPTS) {
      failed.incrementAndGet();
      log.error(
          "notification not delivered notifier={} event={} attempts={} reason=\"{}\"",
          d.target().name(),
          d.event().type().label(),
          d.attempt(),
          why);
      return;
    }
    long delay = firstBackoff.toMillis() << (d.attempt() - 1);
    log.warn(
        "notification failed, retrying notifier={} event={} attempt={} in_ms={} reason=\"{}\"",
        d.target().name(),
        d.event().type().label(),
        d.attempt(),
        delay,
        why);
    Delivery next = new Delivery(d.target(), d.events(), d.event(), d.attempt() + 1);
    worker.schedule(() -> enqueue(next), delay, TimeUnit.MILLISECONDS);
  }

  /** Sends one notification; returns the HTTP status. */
  private int send(Target t, Event e) throws IOException, InterruptedException {
    HttpRequest.Builder request;
    String body;
    switch (t.type()) {
      case "webhook" -> {
        body = JSON.writeValueAsString(payload(e));
        request = post(url(t), body).header("X-Telos-Event", e.type().label());
        if (t.secretFile() != null) {
          request.header("X-Telos-Signature", "sha256=" + hmac(secret(t.secretFile()), body));
        }
      }
      case "slack" -> {
        body = JSON.writeValueAsString(Map.of("text", slackText(e)));
        request = post(url(t), body);
      }
      case "github", "gitea" -> {
        String state = commitState(e, "success", "failure", "pending");
        Map<String, String> status = new LinkedHashMap<>();
        status.put("state", state);
        status.put("context", "telos");
        status.put("description", truncate(e.message(), 140));
        body = JSON.writeValueAsString(status);
        String api = t.apiUrl() != null ? t.apiUrl() : "https://api.github.com";
        request =
            post(api + "/repos/" + t.repository() + "/statuses/" + e.revision(), body)
                .header(
                    "Authorization",
                    (t.type().equals("github") ? "Bearer " : "token ") + secret(t.tokenFile()));
        if (t.type().equals("github")) {
          request.header("Accept", "application/vnd.github+json");
        }
      }
      case "gitlab" -> {
        String state = commitState(e, "success", "failed", "running");
        String api = t.apiUrl() != null ? t.apiUrl() : "https://gitlab.com/api/v4";
        String query =
            "state="
                + state
                + "&name=telos&description="
                + URLEncoder.encode(truncate(e.message(), 255), StandardCharsets.UTF_8);
        body = "";
        request =
            post(
                    api
                        + "/projects/"
                        + URLEncoder.encode(t.repository(), StandardCharsets.UTF_8)
                        + "/statuses/"
                        + e.revision()
                        + "?"
                        + query,
                    body)
                .header("PRIVATE-TOKEN", secret(t.tokenFile()));
      }
      default -> throw new IllegalStateException("unknown notifier type " + t.type());
    }
    if (e.revision() == null && !t.type().equals("webhook") && !t.type().equals("slack")) {
      return 204; // a commit status needs a commit
    }
    t.headers().forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static HttpRequest.Builder post(String url, String body) {
    return HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .header("User-Agent", "telos")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  static Map<String, Object> payload(Event e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event", e.type().label());
    m.put("revision", e.revision());
    m.put("app", e.app());
    m.put("message", e.message());
    m.put("at", e.at() == null ? null : e.at().toString());
    return m;
  }

  static String slackText(Event e) {
    String icon =
        switch (e.type()) {
          case SYNCED, RECOVERED -> ":white_check_mark:";
          case SYNC_STARTED -> ":arrows_counterclockwise:";
          case PRUNE_HELD -> ":warning:";
          case DEGRADED, INVALID_COMMIT -> ":x:";
        };
    return icon + " *Telos* " + e.message();
  }

  /** A commit status for the event: success, failure or pending, in the host's own words. */
  static String commitState(Event e, String success, String failure, String pending) {
    return switch (e.type()) {
      case SYNCED, RECOVERED -> success;
      case SYNC_STARTED -> pending;
      case DEGRADED, INVALID_COMMIT, PRUNE_HELD -> failure;
    };
  }

  private static String url(Target t) throws IOException {
    return t.url() != null ? t.url() : secret(t.urlFile());
  }

  private static String secret(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8).strip();
  }

  static String hmac(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException ex) {
      throw new IllegalStateException(ex);
    }
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  /** The notifiers, as checked. */
  List<Target> targets() {
    return targets;
  }

  /** Queues {@code e} for every notifier that takes it. */
  void deliverNow(Event e) {
    for (int i = 0; i < targets.size(); i++) {
      if (filters.get(i).contains(e.type())) {
        enqueue(new Delivery(targets.get(i), filters.get(i), e, 1));
      }
    }
  }

  /** Delivered, given up on, dropped from a full queue: for tests and logs. */
  long[] counts() {
    return new long[] {sent.get(), failed.get(), dropped.get()};
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
