package dev.telos.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's HTTP face: {@code POST /api/v1/scheduler} exactly as Mesos answers it (status codes
 * and messages included), {@code GET /master/state}, {@code GET /redirect}, and the fault endpoints
 * when enabled. A server that is no longer the leader answers 307 with the leader's scheme-relative
 * address, as Mesos does.
 */
final class MasterServer {
  private static final Logger log = LoggerFactory.getLogger(MasterServer.class);
  private static final int MAX_BODY = 16 * 1024 * 1024;

  private final Master master;
  private final HttpServer server;
  private final ExecutorService threads;
  private final Function<String, String> stateJson;
  private final FaultEndpoints faults;
  private volatile String leaderAddress;

  MasterServer(Master master, int port, Function<String, String> stateJson, FaultEndpoints faults)
      throws IOException {
    this.master = master;
    this.stateJson = stateJson;
    this.faults = faults;
    this.server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
    this.threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "telos-master-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(threads);
    server.createContext("/api/v1/scheduler", this::scheduler);
    server.createContext("/master/state", this::state);
    server.createContext("/state", this::state);
    server.createContext("/redirect", this::redirect);
    server.createContext("/master/redirect", this::redirect);
    if (faults != null) {
      server.createContext("/faults/", this::fault);
    }
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  String hostPort() {
    return "127.0.0.1:" + port();
  }

  /** From now on, answer 307 to the given leader ({@code host:port}). */
  void redirectTo(String leader) {
    this.leaderAddress = leader;
  }

  void stop() {
    server.stop(0);
    threads.shutdownNow();
  }

  private void scheduler(HttpExchange exchange) throws IOException {
    try {
      if (leaderAddress != null) {
        exchange
            .getResponseHeaders()
            .set("Location", "//" + leaderAddress + exchange.getRequestURI().getRawPath());
        respond(exchange, 307, "");
        return;
      }
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "POST");
        respond(
            exchange,
            405,
            "Expecting one of { 'POST' }, but received '" + exchange.getRequestMethod() + "'");
        return;
      }
      String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
      if (contentType == null) {
        respond(exchange, 400, "Expecting 'Content-Type' to be present");
        return;
      }
      Wire wire = Wire.ofContentType(contentType);
      if (wire == null) {
        respond(
            exchange,
            415,
            "Expecting 'Content-Type' of application/json or" + " application/x-protobuf");
        return;
      }
      byte[] body = readBody(exchange.getRequestBody());
      if (body == null) {
        respond(exchange, 413, "Request body exceeds " + MAX_BODY + " bytes");
        return;
      }
      Call call;
      try {
        call = wire.decodeCall(body);
      } catch (IOException | RuntimeException e) {
        respond(exchange, 400, "Failed to parse body into Call: " + e.getMessage());
        return;
      }
      if (!call.hasType() || call.getType() == Call.Type.UNKNOWN) {
        respond(
            exchange, 400, "Failed to validate scheduler::Call: Expecting 'type' to be present");
        return;
      }
      String streamId = exchange.getRequestHeaders().getFirst("Mesos-Stream-Id");
      if (call.getType() == Call.Type.SUBSCRIBE) {
        subscribe(exchange, call, streamId);
        return;
      }
      CallFaults.Mode fault;
      try {
        Master.Framework framework = master.authorize(call, streamId);
        fault = master.callFaults.next(call.getType());
        if (fault == CallFaults.Mode.UNAVAILABLE) {
          respond(exchange, 503, "Master has not finished recovery");
          return;
        }
        if (fault != CallFaults.Mode.LOST) {
          master.handle(framework, call);
        }
      } catch (Master.Refusal refusal) {
        respond(exchange, refusal.status, refusal.getMessage());
        return;
      }
      if (fault == CallFaults.Mode.ERROR_AFTER_EFFECT) {
        respond(exchange, 500, "Internal Server Error");
        return;
      }
      respond(exchange, 202, "");
    } catch (RuntimeException e) {
      log.error("scheduler endpoint failed", e);
      respond(exchange, 500, "Internal error: " + e.getClass().getSimpleName());
    }
  }

  private void subscribe(HttpExchange exchange, Call call, String streamIdHeader)
      throws IOException {
    if (streamIdHeader != null) {
      respond(exchange, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
      return;
    }
    Wire accept = Wire.ofAccept(exchange.getRequestHeaders().getFirst("Accept"));
    if (accept == null) {
      respond(
          exchange,
          406,
          "Expecting 'Accept' to allow application/json or" + " application/x-protobuf");
      return;
    }
    try {
      Master.validateSubscribe(call);
    } catch (Master.Refusal refusal) {
      respond(exchange, refusal.status, refusal.getMessage());
      return;
    }
    Subscription[] opened = new Subscription[1];
    master.subscribe(
        call,
        frameworkId -> {
          String streamId = UUID.randomUUID().toString();
          Subscription s = new Subscription(streamId, frameworkId, accept, exchange);
          exchange.getResponseHeaders().set("Content-Type", accept.mediaType);
          exchange.getResponseHeaders().set("Mesos-Stream-Id", streamId);
          exchange.getResponseHeaders().set("Cache-Control", "no-cache");
          try {
            exchange.sendResponseHeaders(200, 0);
          } catch (IOException e) {
            s.cut();
          }
          opened[0] = s;
          return s;
        });
    Subscription s = opened[0];
    s.pump();
    master.onStreamClosed(s);
  }

  private void state(HttpExchange exchange) throws IOException {
    if (!"GET".equals(exchange.getRequestMethod())) {
      respond(exchange, 405, "Expecting 'GET'");
      return;
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    respond(exchange, 200, stateJson.apply(leaderAddress));
  }

  private void redirect(HttpExchange exchange) throws IOException {
    String leader = leaderAddress != null ? leaderAddress : hostPort();
    exchange.getResponseHeaders().set("Location", "//" + leader);
    respond(exchange, 307, "");
  }

  private void fault(HttpExchange exchange) throws IOException {
    if (!"POST".equals(exchange.getRequestMethod())) {
      respond(exchange, 405, "{\"error\":\"faults are injected with POST\"}");
      return;
    }
    URI uri = exchange.getRequestURI();
    String name = uri.getPath().substring("/faults/".length());
    Map<String, String> query = new HashMap<>();
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          query.put(
              java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    FaultEndpoints.Result result = faults.inject(name, query);
    respond(exchange, result.status(), result.json());
  }

  private static byte[] readBody(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_BODY + 1);
    return body.length > MAX_BODY ? null : body;
  }

  private static final int MAX_REFUSALS = 100;
  private final java.util.Deque<String> refusals = new java.util.ArrayDeque<>();

  /**
   * The last calls to the scheduler endpoint that were refused (4xx/5xx), newest last, as {@code
   * STATUS message}: tests fail on the first one instead of waiting for a timeout.
   */
  List<String> refusals() {
    synchronized (refusals) {
      return List.copyOf(refusals);
    }
  }

  private void respond(HttpExchange exchange, int status, String body) throws IOException {
    if (status >= 400 && exchange.getRequestURI().getPath().endsWith("/api/v1/scheduler")) {
      synchronized (refusals) {
        refusals.addLast(status + " " + body);
        while (refusals.size() > MAX_REFUSALS) {
          refusals.removeFirst();
        }
      }
    }
    send(exchange, status, body);
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (!exchange.getResponseHeaders().containsKey("Content-Type")) {
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    }
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }

  /** The {@code /faults/*} endpoints: name and query in, status and JSON out. */
  interface FaultEndpoints {
    record Result(int status, String json) {}

    Result inject(String name, Map<String, String> query);
  }
}
