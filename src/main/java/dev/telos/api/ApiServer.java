package dev.telos.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import dev.telos.controller.ControlPlane;
import dev.telos.controller.StatusView;
import dev.telos.git.Webhooks;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's HTTP API on the JDK's HTTP server. Every error is JSON {@code {"error": ...}},
 * never a stack trace. Write endpoints require {@code Authorization: Bearer TOKEN} when a token is
 * configured.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  private static final int MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;

  /** Options of the API. */
  public record Options(
      String bindAddress,
      int port,
      String apiToken,
      String webhookSecret,
      String branch,
      Security security) {
    public Options(
        String bindAddress, int port, String apiToken, String webhookSecret, String branch) {
      this(bindAddress, port, apiToken, webhookSecret, branch, Security.DEFAULT);
    }

    @Override
    public String toString() {
      return "ApiServer.Options{bind="
          + bindAddress
          + ":"
          + port
          + ", apiToken="
          + (apiToken == null ? "none" : "****")
          + ", webhookSecret="
          + (webhookSecret == null ? "none" : "****")
          + ", "
          + security
          + "}";
    }
  }

  /**
   * How the API is guarded.
   *
   * @param tlsCertificate PEM certificate chain, with {@code tlsKey}; null serves plain HTTP
   * @param tlsClientCa PEM CAs whose client certificates are required (mutual TLS), or null
   * @param tokensFile {@code ROLE TOKEN} lines, or null
   * @param requireAuth reads need a token too
   * @param auditLog where write calls and refusals are recorded, or null
   * @param writesPerSecond per client address, on write endpoints, webhooks, plans and bad tokens
   * @param readTimeout the longest a request may take to arrive
   * @param maxConnections connections held at once
   */
  public record Security(
      java.nio.file.Path tlsCertificate,
      java.nio.file.Path tlsKey,
      java.nio.file.Path tlsClientCa,
      java.nio.file.Path tokensFile,
      boolean requireAuth,
      java.nio.file.Path auditLog,
      double writesPerSecond,
      java.time.Duration readTimeout,
      int maxConnections) {
    public static final Security DEFAULT =
        new Security(
            null,
            null,
            null,
            null,
            false,
            null,
            10,
            WebServer.Limits.DEFAULT.readTimeout(),
            WebServer.Limits.DEFAULT.maxConnections());

    public boolean tls() {
      return tlsCertificate != null;
    }
  }

  private final ControlPlane controller;
  private final Options options;
  private final WebServer server;
  private volatile Access access;
  private volatile long tokensModified;
  private final java.util.concurrent.ScheduledExecutorService tokenWatch;
  private final RateLimiter writes;
  private final AuditLog audit;
  private final ObjectMapper json =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  private final Metrics metrics;

  public ApiServer(ControlPlane controller, Options options, Metrics metrics) throws IOException {
    this.controller = controller;
    this.options = options;
    this.metrics = metrics;
    Security security = options.security();
    this.access = Access.of(options.apiToken(), security.tokensFile(), security.requireAuth());
    if (security.tokensFile() != null) {
      tokensModified = java.nio.file.Files.getLastModifiedTime(security.tokensFile()).toMillis();
      tokenWatch =
          java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "telos-api-tokens");
                t.setDaemon(true);
                return t;
              });
      tokenWatch.scheduleWithFixedDelay(this::reloadTokens, 5, 5, TimeUnit.SECONDS);
    } else {
      tokenWatch = null;
    }
    this.writes =
        new RateLimiter(
            security.writesPerSecond(),
            (int) Math.max(1, Math.ceil(2 * security.writesPerSecond())));
    this.audit = security.auditLog() == null ? null : new AuditLog(security.auditLog(), 16 << 20);
    if ((security.tlsCertificate() == null) != (security.tlsKey() == null)) {
      throw new IllegalArgumentException("give both --tls-cert and --tls-key, or neither");
    }
    this.server =
        new WebServer(
            options.bindAddress(),
            options.port(),
            security.tls()
                ? new WebServer.Tls(
                    security.tlsCertificate(), security.tlsKey(), security.tlsClientCa())
                : null,
            new WebServer.Limits(
                security.readTimeout(),
                WebServer.Limits.DEFAULT.idleTimeout(),
                security.maxConnections(),
                WebServer.Limits.DEFAULT.maxThreads()),
            this::route,
            () -> metrics.boundHit("read-timeout"));
  }

  /**
   * The JSON of a read endpoint ({@code /api/v1/status}, {@code /api/v1/apps}), in this process:
   * what {@code GET /api/v1/plan} plans against, whatever guards the API over the network.
   */
  public com.fasterxml.jackson.databind.JsonNode read(String path) {
    return switch (path) {
      case "/api/v1/status" ->
          json.valueToTree(
              status(controller.view(), controller.leaderAddress(), controller.repository()));
      case "/api/v1/apps" -> json.valueToTree(controller.view().apps());
      default -> throw new IllegalArgumentException("not read in process: " + path);
    };
  }

  /**
   * Reads {@code --api-tokens-file} again when it changed: a token added works, a token removed
   * stops working (with the sessions it opened: every browser signs in again). A file that does not
   * load is logged and the tokens before it kept.
   */
  private void reloadTokens() {
    Security security = options.security();
    try {
      long modified = java.nio.file.Files.getLastModifiedTime(security.tokensFile()).toMillis();
      if (modified == tokensModified) {
        return;
      }
      access = Access.of(options.apiToken(), security.tokensFile(), security.requireAuth());
      tokensModified = modified;
      metrics.tokensReloaded(true);
      log.info("API tokens reloaded file={}", security.tokensFile());
    } catch (IOException | RuntimeException e) {
      metrics.tokensReloaded(false);
      log.warn(
          "API tokens file changed but cannot be loaded; the previous tokens stay: {}",
          e.getMessage());
    }
  }

  /** Whether the API is served over TLS. */
  public boolean secure() {
    return server.secure();
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return server.port();
  }

  /** What an endpoint asks of its caller. */
  enum Need {
    /** Anyone: probes, the UI's files, the executor jar, webhooks (signed by their own secret). */
    PUBLIC,
    /** A {@code read} or {@code admin} token, under {@code --require-auth}. */
    READ,
    /** An {@code admin} token, when tokens are configured. */
    ADMIN
  }

  static Need need(String path, String method) {
    if (path.equals("/healthz")
        || path.equals("/readyz")
        || path.equals("/")
        || path.startsWith("/ui/")
        || path.startsWith("/executor/")
        || path.equals("/api/v1/webhooks/git")
        || path.equals("/api/v1/session")) {
      return Need.PUBLIC;
    }
    if (path.equals("/api/v1/sync")
        || path.equals("/api/v1/suspend")
        || path.equals("/api/v1/resume")
        || path.equals("/api/v1/prunes/approve")) {
      return method.equals("POST") ? Need.ADMIN : Need.PUBLIC; // other methods: 405
    }
    return Need.READ;
  }

  /** Endpoints that write or cost much, rate-limited per client address. */
  private static boolean limited(String path, String method) {
    return need(path, method) == Need.ADMIN
        || path.equals("/api/v1/webhooks/git")
        || path.equals("/api/v1/session")
        || path.equals("/api/v1/plan");
  }

  static final String SESSION_COOKIE = "telos_session";

  private void route(HttpExchange ex) throws IOException {
    long started = System.nanoTime();
    String path = ex.getRequestURI().getPath();
    String method = ex.getRequestMethod();
    securityHeaders(ex);
    try {
      Access.Caller caller = admit(ex, path, method);
      if (path.equals("/healthz")) {
        onlyGet(ex);
        send(ex, 200, Map.of("status", "ok"));
      } else if (path.equals("/api/v1/session")) {
        session(ex, method, caller);
      } else if (!controller.leading() && standby(ex, path, method)) {
        return; // answered as a standby: from the leader, or sent there
      } else if (path.equals("/readyz")) {
        onlyGet(ex);
        StatusView v = controller.view();
        send(ex, v.ready() ? 200 : 503, Map.of("ready", v.ready()));
      } else if (path.equals("/api/v1/status")) {
        onlyGet(ex);
        send(
            ex,
            200,
            status(controller.view(), controller.leaderAddress(), controller.repository()));
      } else if (path.equals("/api/v1/apps")) {
        onlyGet(ex);
        send(ex, 200, controller.view().apps());
      } else if (path.equals("/") || path.startsWith("/ui/")) {
        onlyGet(ex);
        ui(ex, path);
      } else if (path.startsWith("/api/v1/apps/") && path.endsWith("/spec")) {
        onlyGet(ex);
        String[] parts = path.substring("/api/v1/apps/".length()).split("/");
        if (parts.length != 3) {
          throw new ApiError(404, "use /api/v1/apps/{namespace}/{name}/spec");
        }
        dev.telos.manifest.App app = controller.desiredApp(parts[0] + "/" + parts[1]);
        if (app == null) {
          throw new ApiError(404, "no desired app " + parts[0] + "/" + parts[1]);
        }
        send(ex, 200, Map.of("yaml", SpecYaml.of(app)));
      } else if (path.startsWith("/api/v1/apps/")) {
        onlyGet(ex);
        String[] parts = path.substring("/api/v1/apps/".length()).split("/");
        if (parts.length != 2) {
          throw new ApiError(404, "use /api/v1/apps/{namespace}/{name}");
        }
        StatusView.AppView app =
            controller.view().apps().stream()
                .filter(a -> a.namespace().equals(parts[0]) && a.name().equals(parts[1]))
                .findFirst()
                .orElseThrow(() -> new ApiError(404, "no app " + parts[0] + "/" + parts[1]));
        send(ex, 200, app);
      } else if (path.equals("/api/v1/history")) {
        onlyGet(ex);
        send(ex, 200, controller.view().history());
      } else if (path.equals("/api/v1/sync")) {
        if (!method.equals("POST")) {
          throw new ApiError(405, "use POST");
        }
        long request = controller.requestSync();
        send(ex, 202, Map.of("accepted", true, "request", request));
      } else if (path.equals("/api/v1/plan")) {
        onlyGet(ex);
        plan(ex);
      } else if (path.equals("/api/v1/files/follow")) {
        onlyGet(ex);
        follow(ex);
      } else if (path.equals("/api/v1/files/read") || path.equals("/api/v1/files/browse")) {
        onlyGet(ex);
        files(ex, path.endsWith("/read"));
      } else if (path.equals("/api/v1/suspend") || path.equals("/api/v1/resume")) {
        if (!method.equals("POST")) {
          throw new ApiError(405, "use POST");
        }
        String app = queryParam(ex, "app");
        if (app != null && !app.matches("[^/\\s]+/[^/\\s]+")) {
          throw new ApiError(400, "app must be NAMESPACE/NAME, got " + app);
        }
        boolean suspend = path.endsWith("/suspend");
        String refused = suspend ? controller.suspend(app) : controller.resume(app);
        if (refused != null) {
          throw new ApiError(409, refused);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(suspend ? "suspended" : "resumed", app == null ? "sync" : app);
        send(ex, 202, body);
      } else if (path.equals("/api/v1/prunes/approve")) {
        if (!method.equals("POST")) {
          throw new ApiError(405, "use POST");
        }
        String revision = queryParam(ex, "revision");
        if (revision == null) {
          throw new ApiError(400, "give ?revision=SHA of the revision whose prune is held");
        }
        String refused = controller.approvePrune(revision);
        if (refused != null) {
          throw new ApiError(409, refused);
        }
        send(ex, 202, Map.of("approved", true, "revision", controller.view().revision()));
      } else if (path.equals("/api/v1/webhooks/git")) {
        if (!method.equals("POST")) {
          throw new ApiError(405, "use POST");
        }
        webhook(ex);
      } else if (path.equals("/api/v1/events")) {
        onlyGet(ex);
        events(ex);
      } else if (path.equals("/executor/telos.jar") || path.equals("/executor/telos.jar.sha256")) {
        onlyGet(ex);
        executorJar(ex, path.endsWith(".sha256"));
      } else if (path.equals("/metrics")) {
        onlyGet(ex);
        sendBytes(
            ex,
            "text/plain; version=0.0.4; charset=utf-8",
            metrics.scrape().getBytes(StandardCharsets.UTF_8));
      } else {
        throw new ApiError(404, "no such endpoint: " + path);
      }
    } catch (ApiError e) {
      if (e.status == 401) {
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"telos\"");
      } else if (e.status == 429) {
        ex.getResponseHeaders()
            .set(
                "Retry-After",
                Long.toString(writes.retryAfterSeconds(client(ex), System.nanoTime())));
      }
      send(ex, e.status, Map.of("error", e.getMessage()));
    } catch (RuntimeException e) {
      log.error("API request failed path={}", path, e);
      send(ex, 500, Map.of("error", "internal error (" + e.getClass().getSimpleName() + ")"));
    } finally {
      ex.close();
      audit(ex, path, method, (Access.Caller) ex.getAttribute(CALLER), started);
    }
  }

  /**
   * Lets a request through, or refuses it: a token that is not valid (401), none where one is
   * needed (401), a read token on a write endpoint (403), too many writes from one address (429).
   * Returns the caller (null when anonymous). A session cookie counts for reads only: writes carry
   * their token in a header, which another site's page cannot make a browser send.
   */
  private static final String CALLER = "telos.caller";

  private Access.Caller admit(HttpExchange ex, String path, String method) {
    Access access = this.access;
    Need need = need(path, method);
    boolean read = method.equals("GET") || method.equals("HEAD");
    Access.Caller caller = null;
    if (access.enabled()) {
      String bearer = bearer(ex);
      if (bearer != null) {
        caller = access.authenticate(bearer);
        ex.setAttribute(CALLER, caller);
        if (caller == null && (need != Need.PUBLIC || path.equals("/api/v1/session"))) {
          limit(ex, "bad token");
          throw new ApiError(401, "the token is not valid");
        }
      } else if (read) {
        caller = access.session(cookie(ex, SESSION_COOKIE));
        ex.setAttribute(CALLER, caller);
      }
    }
    if (limited(path, method)) {
      limit(ex, path);
    }
    if (!access.enabled() || need == Need.PUBLIC) {
      return caller;
    }
    if (caller == null && (need == Need.ADMIN || access.requireAuth())) {
      throw new ApiError(401, "a valid 'Authorization: Bearer <token>' header is required");
    }
    if (need == Need.ADMIN && caller.role() != Access.Role.ADMIN) {
      throw new ApiError(403, "this token may read, not write (it has the read role)");
    }
    return caller;
  }

  private void limit(HttpExchange ex, String what) {
    if (!writes.tryAcquire(client(ex), System.nanoTime())) {
      metrics.boundHit("rate-limit");
      throw new ApiError(429, "too many requests from " + client(ex) + "; slow down");
    }
  }

  private static String client(HttpExchange ex) {
    return ex.getRemoteAddress().getHostString();
  }

  private static String bearer(HttpExchange ex) {
    String header = ex.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).strip();
    return token.isEmpty() ? null : token;
  }

  private static String cookie(HttpExchange ex, String name) {
    for (String header : ex.getRequestHeaders().getOrDefault("Cookie", java.util.List.of())) {
      for (String pair : header.split(";")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).strip().equals(name)) {
          return pair.substring(eq + 1).strip();
        }
      }
    }
    return null;
  }

  /**
   * {@code POST /api/v1/session} with a token in the header: a cookie that lets this browser read
   * (the UI's event streams cannot send headers); {@code DELETE} ends it; {@code GET} says whether
   * reads need a token and who the caller is.
   */
  private void session(HttpExchange ex, String method, Access.Caller caller) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("authEnabled", access.enabled());
    body.put("requireAuth", access.requireAuth());
    switch (method) {
      case "GET" -> {
        body.put("role", caller == null ? null : caller.role().label());
        send(ex, 200, body);
      }
      case "POST" -> {
        if (access.enabled()) {
          if (caller == null || bearer(ex) == null) {
            throw new ApiError(401, "sign in with 'Authorization: Bearer <token>'");
          }
          ex.getResponseHeaders()
              .add(
                  "Set-Cookie",
                  SESSION_COOKIE
                      + "="
                      + access.openSession(caller)
                      + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                      + Access.SESSION_TTL.toSeconds()
                      + (server.secure() ? "; Secure" : ""));
        }
        body.put("role", access.enabled() ? caller.role().label() : "admin");
        send(ex, 200, body);
      }
      case "DELETE" -> {
        access.revoke(cookie(ex, SESSION_COOKIE));
        ex.getResponseHeaders()
            .add("Set-Cookie", SESSION_COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        body.put("role", null);
        send(ex, 200, body);
      }
      default -> throw new ApiError(405, "use GET, POST or DELETE");
    }
  }

  private void securityHeaders(HttpExchange ex) {
    var headers = ex.getResponseHeaders();
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-Frame-Options", "DENY");
    headers.set("Referrer-Policy", "no-referrer");
    if (server.secure()) {
      headers.set("Strict-Transport-Security", "max-age=31536000");
    }
  }

  /** Records writes, webhooks, sign-ins and every refusal; reads that succeed are not recorded. */
  private void audit(
      HttpExchange ex, String path, String method, Access.Caller caller, long started) {
    int status = ex.getResponseCode();
    boolean write = !(method.equals("GET") || method.equals("HEAD"));
    boolean refused = status == 401 || status == 403 || status == 429;
    if (audit == null || !(write || refused)) {
      return;
    }
    audit.write(
        new AuditLog.Entry(
            java.time.Instant.now(),
            client(ex),
            method,
            path,
            ex.getRequestURI().getRawQuery(),
            status,
            caller == null ? null : caller.role().label(),
            caller == null ? null : caller.token(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
  }

  private volatile java.net.http.HttpClient leaderClient;

  /** How a standby asks its leader: over TLS with this instance's certificate when it has one. */
  private java.net.http.HttpClient leaderClient() throws IOException {
    java.net.http.HttpClient c = leaderClient;
    if (c == null) {
      java.net.http.HttpClient.Builder b =
          java.net.http.HttpClient.newBuilder()
              .connectTimeout(java.time.Duration.ofSeconds(2))
              .followRedirects(java.net.http.HttpClient.Redirect.NEVER);
      Security security = options.security();
      if (security.tls()) {
        b.sslContext(Pem.peer(security.tlsCertificate(), security.tlsKey()));
      }
      c = b.build();
      leaderClient = c;
    }
    return c;
  }

  /**
   * A standby's answer, when the request is one the leader answers: reads come from the leader (the
   * status marked {@code leader: false} with the leader's address), writes and the event stream are
   * sent there with a 307. Returns false for what every instance serves itself (health, metrics,
   * the executor jar).
   */
  private boolean standby(HttpExchange ex, String path, String method) throws IOException {
    String leader = controller.leaderAddress();
    String query = ex.getRequestURI().getRawQuery();
    String target = leader == null ? null : leader + path + (query == null ? "" : "?" + query);
    if (path.equals("/readyz")) {
      onlyGet(ex);
      // A standby is ready when it could take over: connected, with a leader in office.
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("ready", leader != null);
      body.put("leader", false);
      body.put("leaderAddress", leader);
      send(ex, leader != null ? 200 : 503, body);
      return true;
    }
    boolean read =
        path.equals("/api/v1/status")
            || path.equals("/api/v1/apps")
            || path.startsWith("/api/v1/apps/")
            || path.equals("/api/v1/history")
            || path.equals("/api/v1/plan")
            || (path.startsWith("/api/v1/files/") && !path.equals("/api/v1/files/follow"));
    boolean write =
        path.equals("/api/v1/sync")
            || path.equals("/api/v1/prunes/approve")
            || path.equals("/api/v1/suspend")
            || path.equals("/api/v1/resume")
            || path.equals("/api/v1/webhooks/git")
            || path.equals("/api/v1/events")
            || path.equals("/api/v1/files/follow");
    if (!read && !write) {
      return false;
    }
    if (read) {
      onlyGet(ex);
    }
    if (write || target == null) {
      if (target == null) {
        if (path.equals("/api/v1/status")) {
          send(ex, 200, status(controller.view(), null, null));
          return true;
        }
        throw new ApiError(503, "this Telos instance is a standby and no leader is known yet");
      }
      ex.getResponseHeaders().set("Location", target);
      send(ex, 307, Map.of("error", "this Telos instance is a standby; the leader is " + leader));
      return true;
    }
    java.net.http.HttpResponse<byte[]> answer;
    try {
      java.net.http.HttpRequest.Builder ask =
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(target))
              .timeout(java.time.Duration.ofSeconds(5))
              .GET();
      String authorization = ex.getRequestHeaders().getFirst("Authorization");
      if (authorization != null) {
        ask.header("Authorization", authorization); // the leader checks it again
      }
      String session = cookie(ex, SESSION_COOKIE);
      if (session != null && authorization == null) {
        ask.header("Cookie", SESSION_COOKIE + "=" + session); // signed: the leader checks it too
      }
      answer =
          leaderClient().send(ask.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError(503, "interrupted while asking the leader");
    } catch (IOException e) {
      if (path.equals("/api/v1/status")) {
        send(ex, 200, status(controller.view(), leader, null));
        return true;
      }
      throw new ApiError(503, "the leader at " + leader + " does not answer: " + e.getMessage());
    }
    byte[] body = answer.body();
    if (path.equals("/api/v1/status") && answer.statusCode() == 200) {
      Map<String, Object> status =
          json.readValue(body, new com.fasterxml.jackson.core.type.TypeReference<>() {});
      status.put("leader", false);
      status.put("leaderAddress", leader);
      send(ex, 200, status);
      return true;
    }
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(answer.statusCode(), body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
    return true;
  }

  /**
   * Serves the jar this process runs from, which agents fetch to start the Telos executor, with its
   * SHA-256 (also at {@code .sha256}, and in a {@code Digest} header).
   */
  private void executorJar(HttpExchange ex, boolean checksumOnly) throws IOException {
    java.nio.file.Path jar = runningJar();
    if (jar == null) {
      throw new ApiError(404, "this Telos does not run from telos.jar, so it cannot serve it");
    }
    String sha = jarSha256(jar);
    if (checksumOnly) {
      sendBytes(
          ex,
          "text/plain; charset=utf-8",
          (sha + "  telos.jar\n").getBytes(StandardCharsets.UTF_8));
      return;
    }
    ex.getResponseHeaders().set("Content-Type", "application/java-archive");
    ex.getResponseHeaders()
        .set(
            "Digest",
            "sha-256="
                + java.util.Base64.getEncoder()
                    .encodeToString(java.util.HexFormat.of().parseHex(sha)));
    ex.getResponseHeaders().set("X-Checksum-Sha256", sha);
    boolean head = ex.getRequestMethod().equals("HEAD");
    long size = java.nio.file.Files.size(jar);
    ex.sendResponseHeaders(200, head ? -1 : size);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        java.nio.file.Files.copy(jar, out);
      }
    }
  }

  private volatile String jarDigest;
  private volatile long jarDigestOf;

  private String jarSha256(java.nio.file.Path jar) throws IOException {
    long modified = java.nio.file.Files.getLastModifiedTime(jar).toMillis();
    if (jarDigest == null || jarDigestOf != modified) {
      try (java.io.InputStream in = java.nio.file.Files.newInputStream(jar)) {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
          md.update(buf, 0, n);
        }
        jarDigest = java.util.HexFormat.of().formatHex(md.digest());
        jarDigestOf = modified;
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
    return jarDigest;
  }

  /** The jar this process was started from ({@code java -jar telos.jar}), or null. */
  public static java.nio.file.Path runningJar() {
    try {
      java.net.URL where = ApiServer.class.getProtectionDomain().getCodeSource().getLocation();
      java.nio.file.Path p = java.nio.file.Path.of(where.toURI());
      return java.nio.file.Files.isRegularFile(p) && p.toString().endsWith(".jar") ? p : null;
    } catch (java.net.URISyntaxException | RuntimeException e) {
      return null;
    }
  }

  static Map<String, Object> status(StatusView v, String leaderAddress, String repository) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("revision", v.revision());
    m.put("syncStatus", v.syncStatus());
    m.put("health", v.health());
    m.put("lastError", v.lastError());
    m.put("frameworkId", v.frameworkId());
    m.put("leader", v.leader());
    m.put("leaderAddress", leaderAddress);
    m.put("ready", v.ready());
    m.put("mesosConnection", v.mesosConnection());
    m.put("heldPrune", v.heldPrune());
    m.put("updatedAt", v.updatedAt());
    m.put("checkedAt", v.checkedAt());
    m.put("checkedRequest", v.checkedRequest());
    m.put("syncSuspended", v.hold().syncSuspended());
    m.put("suspendedApps", v.hold().suspendedApps());
    m.put("syncBlocked", v.hold().syncBlocked());
    m.put("pendingRevision", v.hold().pendingRevision());
    m.put("sources", v.sources());
    m.put("repository", repository);
    return m;
  }

  private final FilesProxy files = new FilesProxy(this::masterUrl);

  private String masterUrl() {
    return controller.masterUrl();
  }

  /**
   * A task's sandbox through its agent's files API: {@code task} (required), {@code path} (relative
   * to the sandbox; {@code stdout} for a read), {@code offset} and {@code length} as Mesos takes
   * them, {@code agent} for a task that has ended.
   */
  private void files(HttpExchange ex, boolean read) throws IOException {
    String task = queryParam(ex, "task");
    if (task == null) {
      throw new ApiError(400, "give ?task=TASK_ID");
    }
    String agent = agentOf(ex, task);
    FilesProxy.Answer answer;
    try {
      answer =
          read
              ? files.read(
                  task,
                  agent,
                  queryParam(ex, "path"),
                  queryParam(ex, "offset"),
                  queryParam(ex, "length"))
              : files.browse(task, agent, queryParam(ex, "path"));
    } catch (FilesProxy.Refused e) {
      throw new ApiError(e.status, e.getMessage());
    }
    if (answer.status() != 200) {
      throw new ApiError(
          answer.status() == 404 ? 404 : answer.status() >= 500 ? 502 : answer.status(),
          "the agent answered "
              + answer.status()
              + (answer.body().isBlank() ? "" : ": " + answer.body().strip()));
    }
    sendBytes(ex, "application/json", answer.body().getBytes(StandardCharsets.UTF_8));
  }

  /** A 200 with {@code body} of {@code type}. */
  private static void sendBytes(HttpExchange ex, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  /** What a sync of a revision would do, as {@code telos plan -o markdown} says it. */
  public interface Plans {
    /**
     * @param exitCode as {@code telos plan}'s: 0 no change, 2 changes, 1 error
     * @param markdown its output: the plan, or the errors ({@code FILE:LINE:COLUMN: message})
     */
    record Answer(int exitCode, String markdown) {}

    Answer plan(String revision);
  }

  private volatile Plans plans;
  private final java.util.concurrent.Semaphore planning = new java.util.concurrent.Semaphore(1);

  /** Serves {@code GET /api/v1/plan} with {@code plans}. */
  public void plansWith(Plans plans) {
    this.plans = plans;
  }

  /** A revision as git rev-parse takes it, never an option: letters, digits and {@code ._/~^@-}. */
  private static final java.util.regex.Pattern REVISION =
      java.util.regex.Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_./~^@-]{0,199}");

  private void plan(HttpExchange ex) throws IOException {
    Plans p = plans;
    if (p == null) {
      throw new ApiError(404, "plans are served with one repository (--repo), not here");
    }
    String revision = queryParam(ex, "revision");
    if (revision == null || !REVISION.matcher(revision).matches()) {
      throw new ApiError(400, "give ?revision= a branch, tag or SHA (as git rev-parse takes it)");
    }
    if (!planning.tryAcquire()) {
      throw new ApiError(429, "a plan is being made; try again when it is done");
    }
    try {
      Plans.Answer answer = p.plan(revision);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("revision", revision);
      body.put("exitCode", answer.exitCode());
      body.put("markdown", answer.markdown());
      send(ex, 200, body);
    } finally {
      planning.release();
    }
  }

  /** The agent a task runs on: {@code ?agent=}, else where the status shows it; or null. */
  private String agentOf(HttpExchange ex, String task) {
    String agent = queryParam(ex, "agent");
    if (agent == null) {
      for (StatusView.AppView a : controller.view().apps()) {
        for (StatusView.TaskView t : a.tasks()) {
          if (t.id().equals(task)) {
            agent = t.agentId();
          }
        }
      }
    }
    return agent;
  }

  /** How often a followed file is read again while nothing new was written to it. */
  static final long FOLLOW_POLL_MILLIS = 1000;

  /**
   * Follows a file of a task's sandbox from {@code offset}: an event stream of {@code data} events,
   * {@code {"data", "offset"}} as the agent's files API reads them (at most 64 KiB each), read
   * again each second while nothing new comes; an {@code error} event ends it. Counts against the
   * event-stream clients.
   */
  private void follow(HttpExchange ex) throws IOException {
    String task = queryParam(ex, "task");
    if (task == null) {
      throw new ApiError(400, "give ?task=TASK_ID");
    }
    String path = queryParam(ex, "path") == null ? "stdout" : queryParam(ex, "path");
    long offset;
    try {
      offset = Long.parseLong(queryParam(ex, "offset") == null ? "0" : queryParam(ex, "offset"));
    } catch (NumberFormatException e) {
      throw new ApiError(400, "offset must be a number of bytes");
    }
    if (offset < 0) {
      throw new ApiError(400, "offset must be 0 or more");
    }
    String agent = agentOf(ex, task);
    claimEventStream();
    try {
      OutputStream out = openEventStream(ex);
      long quietSince = System.nanoTime();
      while (true) {
        FilesProxy.Answer answer;
        try {
          answer = files.read(task, agent, path, Long.toString(offset), "65536");
        } catch (FilesProxy.Refused e) {
          answer = new FilesProxy.Answer(e.status, e.getMessage());
        }
        if (answer.status() != 200) {
          out.write(
              ("event: error\ndata: "
                      + json.writeValueAsString(
                          Map.of("error", "the agent answered " + answer.status()))
                      + "\n\n")
                  .getBytes(StandardCharsets.UTF_8));
          out.flush();
          return;
        }
        com.fasterxml.jackson.databind.JsonNode read = json.readTree(answer.body());
        String data = read.path("data").asText("");
        if (!data.isEmpty()) {
          Map<String, Object> event = new LinkedHashMap<>();
          event.put("data", data);
          event.put("offset", offset);
          out.write(
              ("event: data\ndata: " + json.writeValueAsString(event) + "\n\n")
                  .getBytes(StandardCharsets.UTF_8));
          out.flush();
          offset += data.getBytes(StandardCharsets.UTF_8).length;
          quietSince = System.nanoTime();
          continue;
        }
        if (System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(15)) {
          out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
          quietSince = System.nanoTime();
        }
        Thread.sleep(FOLLOW_POLL_MILLIS);
      }
    } catch (IOException | InterruptedException e) {
      // client gone, or shutting down
    } finally {
      sseClients.decrementAndGet();
    }
  }

  /** The web UI's files, from the jar: {@code /} is its page. */
  private static final Map<String, String> UI_FILES =
      Map.of(
          "/", "index.html",
          "/ui/index.html", "index.html",
          "/ui/app.js", "app.js",
          "/ui/app.css", "app.css");

  private void ui(HttpExchange ex, String path) throws IOException {
    String file = UI_FILES.get(path);
    if (file == null) {
      throw new ApiError(404, "no such file: " + path);
    }
    byte[] body;
    try (java.io.InputStream in = ApiServer.class.getResourceAsStream("/ui/" + file)) {
      if (in == null) {
        throw new ApiError(404, "no such file: " + path);
      }
      body = in.readAllBytes();
    }
    String type =
        file.endsWith(".js")
            ? "text/javascript; charset=utf-8"
            : file.endsWith(".css") ? "text/css; charset=utf-8" : "text/html; charset=utf-8";
    var headers = ex.getResponseHeaders();
    headers.set("Cache-Control", "no-cache");
    headers.set(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    sendBytes(ex, type, body);
  }

  /** A query parameter, decoded; null when absent or empty. */
  private static String queryParam(HttpExchange ex, String name) {
    String query = ex.getRequestURI().getRawQuery();
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key =
          java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      if (key.equals(name) && eq >= 0) {
        String value = java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        return value.isEmpty() ? null : value;
      }
    }
    return null;
  }

  private static void onlyGet(HttpExchange ex) {
    if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
      throw new ApiError(405, "use GET");
    }
  }

  private void webhook(HttpExchange ex) throws IOException {
    String declared = ex.getRequestHeaders().getFirst("Content-Length");
    if (declared != null
        && declared.matches("\\d{1,18}")
        && Long.parseLong(declared) > MAX_WEBHOOK_BYTES) {
      throw new ApiError(413, "payload too large (at most " + MAX_WEBHOOK_BYTES + " bytes)");
    }
    byte[] body = ex.getRequestBody().readNBytes(MAX_WEBHOOK_BYTES + 1);
    if (body.length > MAX_WEBHOOK_BYTES) {
      throw new ApiError(413, "payload too large");
    }
    Map<String, String> headers = new HashMap<>();
    ex.getRequestHeaders().forEach((k, v) -> headers.put(k, v.isEmpty() ? "" : v.get(0)));
    try {
      Webhooks.Push push = Webhooks.parse(headers, body, options.webhookSecret());
      boolean matches =
          options.branch() == null
              || push.shortRef().equals(options.branch())
              || push.ref().equals(options.branch());
      if (matches) {
        controller.requestSync();
      }
      log.info(
          "webhook push provider={} ref={} after={} sync={}",
          push.provider(),
          push.ref(),
          push.after(),
          matches);
      send(ex, 202, Map.of("accepted", true, "sync", matches, "ref", push.ref()));
    } catch (Webhooks.Rejected r) {
      if (r.status() == 202) {
        send(ex, 202, Map.of("accepted", false, "reason", r.getMessage()));
      } else {
        throw new ApiError(r.status(), r.getMessage());
      }
    }
  }

  /**
   * Event-stream clients held at once: each holds a server thread, so an unbounded number would
   * starve every other request.
   */
  static final int MAX_SSE_CLIENTS = 64;

  private final java.util.concurrent.atomic.AtomicInteger sseClients =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Server-sent events: one {@code status} event per change of the published view. */
  private void events(HttpExchange ex) throws IOException {
    claimEventStream();
    try {
      streamEvents(ex);
    } finally {
      sseClients.decrementAndGet();
    }
  }

  /**
   * Counts one more event-stream client (the status stream or a followed file), refusing one past
   * {@link #MAX_SSE_CLIENTS}; the caller gives it back when its stream ends.
   */
  private void claimEventStream() {
    if (sseClients.incrementAndGet() > MAX_SSE_CLIENTS) {
      sseClients.decrementAndGet();
      log.warn("event stream refused: too many clients max={}", MAX_SSE_CLIENTS);
      metrics.boundHit("sse-clients");
      throw new ApiError(
          503, "too many event-stream clients (at most " + MAX_SSE_CLIENTS + "); try again later");
    }
  }

  private static OutputStream openEventStream(HttpExchange ex) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "text/event-stream");
    ex.getResponseHeaders().set("Cache-Control", "no-cache");
    ex.sendResponseHeaders(200, 0);
    return ex.getResponseBody();
  }

  private void streamEvents(HttpExchange ex) throws IOException {
    openEventStream(ex);
    LinkedBlockingQueue<StatusView> queue = new LinkedBlockingQueue<>(100);
    Consumer<StatusView> watcher =
        v -> {
          if (!queue.offer(v)) {
            queue.clear();
            queue.offer(v);
          }
        };
    controller.watch(watcher);
    try (OutputStream out = ex.getResponseBody()) {
      write(out, "status", controller.view());
      while (true) {
        StatusView v = queue.poll(15, TimeUnit.SECONDS);
        if (v == null) {
          out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
        } else {
          write(out, "status", v);
        }
      }
    } catch (IOException | InterruptedException e) {
      // client gone, or shutting down
    } finally {
      controller.unwatch(watcher);
    }
  }

  private void write(OutputStream out, String event, StatusView v) throws IOException {
    Map<String, Object> body = status(v, controller.leaderAddress(), controller.repository());
    body.put(
        "apps",
        v.apps().stream()
            .map(
                a ->
                    Map.of(
                        "namespace",
                        a.namespace(),
                        "name",
                        a.name(),
                        "status",
                        a.status(),
                        "runningInstances",
                        a.runningInstances(),
                        "healthyInstances",
                        a.healthyInstances(),
                        "desiredInstances",
                        a.desiredInstances()))
            .toList());
    out.write(
        ("event: " + event + "\ndata: " + json.writeValueAsString(body) + "\n\n")
            .getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private void send(HttpExchange ex, int status, Object body) throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    if (tokenWatch != null) {
      tokenWatch.shutdownNow();
    }
    server.close();
  }

  /** An answer other than success, with a message safe to show. */
  private static final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    ApiError(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
