package dev.telos.api;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngineResult;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's HTTP server: Jetty with a bounded worker pool, a bounded number of connections, a
 * deadline on reading each request (head and body: a client that sends a byte now and then is cut
 * off), an idle timeout, capped header sizes, errors as JSON without stack traces, and TLS from PEM
 * files that are read again when they change (optionally requiring client certificates).
 */
final class WebServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebServer.class);

  /**
   * TLS from PEM files; {@code clientCa} non-null asks every client for a certificate it signed.
   */
  record Tls(Path certificate, Path key, Path clientCa) {}

  /**
   * @param readTimeout the longest a request's head and body may take to arrive
   * @param idleTimeout how long a connection may stay silent (above the event streams' 15 s
   *     keep-alive)
   * @param maxConnections connections held at once; more wait in the kernel's backlog
   * @param maxThreads the worker pool; event streams hold one each
   */
  record Limits(Duration readTimeout, Duration idleTimeout, int maxConnections, int maxThreads) {
    static final Limits DEFAULT =
        new Limits(Duration.ofSeconds(10), Duration.ofSeconds(30), 1024, 200);
  }

  /** What serves one request. */
  interface Route {
    void handle(HttpExchange exchange) throws IOException;
  }

  private final Server server;
  private final ServerConnector connector;
  private final SslContextFactory.Server ssl;
  private final Tls tls;
  private final Limits limits;
  private final ScheduledExecutorService watch =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "telos-api-watch");
            t.setDaemon(true);
            return t;
          });
  private final Map<EndPoint, Long> readingSince = new IdentityHashMap<>();
  private final Map<Path, Long> tlsFilesModified = new HashMap<>();
  private final Runnable onCut;

  /**
   * @param onCut told each time a request is cut off for not arriving within the read timeout
   */
  WebServer(String host, int port, Tls tls, Limits limits, Route route, Runnable onCut)
      throws IOException {
    this.onCut = onCut;
    this.tls = tls;
    this.limits = limits;
    QueuedThreadPool pool = new QueuedThreadPool(limits.maxThreads(), 4);
    pool.setName("telos-api");
    pool.setDaemon(true);
    server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setRequestHeaderSize(16 * 1024);
    http.setIdleTimeout(limits.idleTimeout().toMillis());
    HttpConnectionFactory h1 = new HttpConnectionFactory(http);
    if (tls != null) {
      ssl = new SslContextFactory.Server();
      ssl.setKeyStore(loadKeyStore());
      ssl.setKeyStorePassword(new String(Pem.PASSWORD));
      if (tls.clientCa() != null) {
        ssl.setTrustStore(Pem.trustStore(tls.clientCa()));
        ssl.setNeedClientAuth(true);
      }
      remember();
      connector =
          new ServerConnector(
              server, 1, 1, new org.eclipse.jetty.server.SslConnectionFactory(ssl, "http/1.1"), h1);
    } else {
      ssl = null;
      connector = new ServerConnector(server, 1, 1, h1);
    }
    connector.setHost(host);
    connector.setPort(port);
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    server.addConnector(connector);
    server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
    server.setErrorHandler(WebServer::error);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            URI uri;
            try {
              uri = URI.create(request.getHttpURI().getPathQuery());
            } catch (IllegalArgumentException e) {
              Response.writeError(request, response, callback, 400, "malformed request target");
              return true;
            }
            JettyExchange exchange = new JettyExchange(request, response, uri);
            try {
              route.handle(exchange);
              exchange.close();
              callback.succeeded();
            } catch (Throwable t) {
              callback.failed(t);
            }
            return true;
          }
        });
    try {
      server.start();
    } catch (Exception e) {
      close();
      throw new IOException(
          "cannot serve the API on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    watch.scheduleWithFixedDelay(this::cutSlowReads, 1, 1, TimeUnit.SECONDS);
    if (tls != null) {
      watch.scheduleWithFixedDelay(this::reloadTls, 5, 5, TimeUnit.SECONDS);
    }
  }

  int port() {
    return connector.getLocalPort();
  }

  boolean secure() {
    return tls != null;
  }

  private KeyStore loadKeyStore() throws IOException {
    return Pem.keyStore(tls.certificate(), tls.key());
  }

  private void remember() throws IOException {
    for (Path p : new Path[] {tls.certificate(), tls.key(), tls.clientCa()}) {
      if (p != null) {
        tlsFilesModified.put(p, Files.getLastModifiedTime(p).toMillis());
      }
    }
  }

  /** Reads the PEM files again when one changed (a renewed certificate); a bad set is ignored. */
  private void reloadTls() {
    try {
      boolean changed = false;
      for (Map.Entry<Path, Long> e : tlsFilesModified.entrySet()) {
        changed |= Files.getLastModifiedTime(e.getKey()).toMillis() != e.getValue();
      }
      if (!changed) {
        return;
      }
      KeyStore keys = loadKeyStore();
      KeyStore trust = tls.clientCa() == null ? null : Pem.trustStore(tls.clientCa());
      ssl.reload(
          f -> {
            f.setKeyStore(keys);
            f.setKeyStorePassword(new String(Pem.PASSWORD));
            if (trust != null) {
              f.setTrustStore(trust);
            }
          });
      remember();
      log.info("TLS certificate reloaded certificate={}", tls.certificate());
    } catch (Exception e) {
      log.warn(
          "TLS files changed but cannot be loaded; still serving the previous certificate: {}",
          e.getMessage());
    }
  }

  /**
   * Closes each connection whose request (or TLS handshake) has been arriving for longer than the
   * read timeout: slow senders hold no worker thread, but would hold connections forever.
   */
  private void cutSlowReads() {
    try {
      long now = System.nanoTime();
      long limit = limits.readTimeout().toNanos();
      Map<EndPoint, Long> seen = new IdentityHashMap<>();
      for (EndPoint endPoint : connector.getConnectedEndPoints()) {
        if (!reading(endPoint)) {
          continue;
        }
        long since = readingSince.getOrDefault(endPoint, now);
        if (now - since > limit) {
          onCut.run();
          log.warn(
              "request cut off: not received within {} ms remote={}",
              limits.readTimeout().toMillis(),
              endPoint.getRemoteSocketAddress());
          endPoint.close();
        } else {
          seen.put(endPoint, since);
        }
      }
      readingSince.clear();
      readingSince.putAll(seen);
    } catch (RuntimeException e) {
      log.warn("checking slow requests failed: {}", e.toString());
    }
  }

  /** Whether a request's head or body (or the TLS handshake before it) is still on its way. */
  private static boolean reading(EndPoint endPoint) {
    Connection c = endPoint.getConnection();
    if (c instanceof SslConnection s) {
      SSLEngineResult.HandshakeStatus hs = s.getSSLEngine().getHandshakeStatus();
      if (hs != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
        return true;
      }
      c = s.getSslEndPoint().getConnection();
    }
    if (c instanceof HttpConnection http) {
      HttpParser.State state = http.getParser().getState();
      return state != HttpParser.State.START
          && state != HttpParser.State.END
          && state != HttpParser.State.CLOSE
          && state != HttpParser.State.CLOSED;
    }
    return false;
  }

  /** Jetty's own errors (a malformed request, a header too large) as JSON, never a page. */
  private static boolean error(Request request, Response response, Callback callback) {
    int status = response.getStatus();
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    String body = "{\"error\":\"" + HttpStatus.getMessage(status).replace("\"", "'") + "\"}";
    response.write(true, StandardCharsets.UTF_8.encode(body), callback);
    return true;
  }

  @Override
  public void close() {
    watch.shutdownNow();
    try {
      server.stop();
    } catch (Exception e) {
      log.debug("stopping the API server: {}", e.toString());
    }
  }
}
