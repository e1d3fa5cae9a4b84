package dev.telos.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telos.controller.ApiHarness;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's guards against a live controller: TLS and mutual TLS handshakes, each role against each
 * endpoint, sessions, slow and oversized requests, rate limits and the audit log.
 */
class SecurityIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String READ = "read-token-0123456789";
  static final String ADMIN = "admin-token-0123456789";
  @TempDir Path dir;
  ApiHarness h;
  String revision;
  Path tokens;
  Path audit;

  @BeforeEach
  void setUp() throws Exception {
    h = new ApiHarness(dir.resolve("h"));
    revision =
        h.commit(
            "web.yaml",
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n"
                + "spec:\n  instances: 1\n  command: exec sleep 600\n"
                + "  resources: {cpus: 0.01, mem: 8}\n",
            "add web");
    h.start();
    h.awaitSynced(revision);
    tokens =
        Files.writeString(
            dir.resolve("tokens"), "# roles\nread " + READ + "\nadmin " + ADMIN + "\n");
    audit = dir.resolve("audit.log");
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  ApiServer.Security security(
      Path cert, Path key, Path clientCa, boolean requireAuth, double rate, Duration readTimeout) {
    return new ApiServer.Security(
        cert, key, clientCa, tokens, requireAuth, audit, rate, readTimeout, 64);
  }

  ApiServer start(ApiServer.Security security) throws Exception {
    return h.startApi(new ApiServer.Options("127.0.0.1", 0, null, null, "main", security));
  }

  static HeldCertificate ca(String name) {
    return new HeldCertificate.Builder().certificateAuthority(0).commonName(name).build();
  }

  static HeldCertificate leaf(HeldCertificate issuer, long notBefore, long notAfter) {
    return new HeldCertificate.Builder()
        .signedBy(issuer)
        .commonName("telos")
        .addSubjectAlternativeName("localhost")
        .addSubjectAlternativeName("127.0.0.1")
        .validityInterval(notBefore, notAfter)
        .build();
  }

  static HeldCertificate leaf(HeldCertificate issuer) {
    long now = System.currentTimeMillis();
    return leaf(issuer, now - 60_000, now + 3_600_000);
  }

  /** Writes a certificate (with its issuer) and its key as PEM files; returns {cert, key}. */
  Path[] pem(String name, HeldCertificate cert, HeldCertificate issuer) throws IOException {
    Path c = dir.resolve(name + ".crt");
    Path k = dir.resolve(name + ".key");
    Files.writeString(c, cert.certificatePem() + issuer.certificatePem());
    Files.writeString(k, cert.privateKeyPkcs8Pem());
    return new Path[] {c, k};
  }

  static HttpClient trusting(HeldCertificate root, HeldCertificate clientCert) {
    HandshakeCertificates.Builder b =
        new HandshakeCertificates.Builder().addTrustedCertificate(root.certificate());
    if (clientCert != null) {
      b.heldCertificate(clientCert);
    }
    return HttpClient.newBuilder()
        .sslContext(b.build().sslContext())
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  static HttpResponse<String> get(HttpClient http, String url, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void tlsServesWithAGoodCertificateRefusesWrongCaAndExpiredAndReloadsARenewedOne()
      throws Exception {
    HeldCertificate root = ca("root");
    HeldCertificate other = ca("other");
    Path[] files = pem("server", leaf(root), root);
    ApiServer api = start(security(files[0], files[1], null, false, 100, Duration.ofSeconds(10)));
    String url = "https://localhost:" + api.port() + "/api/v1/status";
    HttpResponse<String> ok = get(trusting(root, null), url, Map.of());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.headers().firstValue("Strict-Transport-Security")).isPresent();
    assertThatThrownBy(() -> get(trusting(other, null), url, Map.of()))
        .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    assertThatThrownBy(
            () ->
                get(
                    HttpClient.newHttpClient(),
                    "http://localhost:" + api.port() + "/healthz",
                    Map.of()))
        .isInstanceOf(IOException.class); // plain HTTP to a TLS port is not answered as HTTP

    // Renewed by another CA (as a rotation would): served without a restart.
    Path[] renewed = pem("renewed", leaf(other), other);
    Files.move(renewed[1], files[1], java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.move(renewed[0], files[0], java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(
        files[0], java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> get(trusting(other, null), url, Map.of()).statusCode() == 200);

    // An expired certificate fails every client that checks dates.
    long now = System.currentTimeMillis();
    Path[] expired = pem("expired", leaf(root, now - 7_200_000, now - 3_600_000), root);
    ApiServer old =
        start(security(expired[0], expired[1], null, false, 100, Duration.ofSeconds(10)));
    assertThatThrownBy(
            () ->
                get(trusting(root, null), "https://localhost:" + old.port() + "/healthz", Map.of()))
        .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
  }

  @Test
  void theCliReadsAndSyncsOverTlsWithAPrivateCaAndTokens() throws Exception {
    HeldCertificate root = ca("root");
    Path[] files = pem("server", leaf(root), root);
    Path caFile = Files.writeString(dir.resolve("ca.pem"), root.certificatePem());
    ApiServer api = start(security(files[0], files[1], null, true, 100, Duration.ofSeconds(10)));
    String server = "https://localhost:" + api.port();
    Path admin = Files.writeString(dir.resolve("admin"), ADMIN + "\n");
    Path read = Files.writeString(dir.resolve("read"), READ + "\n");
    assertThat(
            dev.telos.cli.Main.run(
                "status",
                "--server",
                server,
                "--ca-file",
                caFile.toString(),
                "--token-file",
                read.toString()))
        .isZero();
    assertThat(
            dev.telos.cli.Main.run(
                "sync",
                "--server",
                server,
                "--ca-file",
                caFile.toString(),
                "--token-file",
                admin.toString()))
        .isZero();
    assertThat(
            dev.telos.cli.Main.run(
                "sync",
                "--server",
                server,
                "--ca-file",
                caFile.toString(),
                "--token-file",
                read.toString()))
        .as("a read token cannot sync")
        .isNotZero();
    assertThat(
            dev.telos.cli.Main.run("status", "--server", server, "--token-file", read.toString()))
        .as("without the CA, the JVM's CAs do not know the server")
        .isNotZero();
  }

  @Test
  void mutualTlsNeedsAClientCertificateFromTheClientCa() throws Exception {
    HeldCertificate root = ca("root");
    HeldCertificate clients = ca("clients");
    HeldCertificate stranger = ca("stranger");
    Path[] files = pem("server", leaf(root), root);
    Path clientCa = Files.writeString(dir.resolve("clients.pem"), clients.certificatePem());
    ApiServer api =
        start(security(files[0], files[1], clientCa, false, 100, Duration.ofSeconds(10)));
    String url = "https://localhost:" + api.port() + "/healthz";
    HeldCertificate good =
        new HeldCertificate.Builder().signedBy(clients).commonName("ops").build();
    HeldCertificate bad =
        new HeldCertificate.Builder().signedBy(stranger).commonName("ops").build();
    assertThat(get(trusting(root, good), url, Map.of()).statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> get(trusting(root, null), url, Map.of()))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> get(trusting(root, bad), url, Map.of()))
        .isInstanceOf(IOException.class);
  }

  record Call(String method, String path, boolean write) {}

  static final List<Call> ENDPOINTS =
      List.of(
          new Call("GET", "/api/v1/status", false),
          new Call("GET", "/api/v1/apps", false),
          new Call("GET", "/api/v1/apps/shop/web", false),
          new Call("GET", "/api/v1/apps/shop/web/spec", false),
          new Call("GET", "/api/v1/history", false),
          new Call("GET", "/metrics", false),
          new Call("GET", "/api/v1/files/read?task=nope", false),
          new Call("GET", "/api/v1/events", false),
          new Call("POST", "/api/v1/sync", true),
          new Call("POST", "/api/v1/suspend?app=shop/web", true),
          new Call("POST", "/api/v1/resume?app=shop/web", true),
          new Call("POST", "/api/v1/prunes/approve?revision=abc", true));

  static final List<String> OPEN = List.of("/healthz", "/readyz", "/", "/ui/app.js");

  int call(String base, Call c, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + c.path())).timeout(Duration.ofSeconds(20));
    b.method(c.method(), HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<InputStream> r =
        HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    r.body().close(); // the event stream does not end by itself
    return r.statusCode();
  }

  @Test
  void eachRoleAgainstEachEndpoint() throws Exception {
    for (boolean requireAuth : new boolean[] {true, false}) {
      ApiServer api = start(security(null, null, null, requireAuth, 1000, Duration.ofSeconds(10)));
      String base = "http://127.0.0.1:" + api.port();
      for (Call c : ENDPOINTS) {
        int none = call(base, c, null);
        int read = call(base, c, READ);
        int admin = call(base, c, ADMIN);
        int bad = call(base, c, "not-a-token-at-all");
        String what = (requireAuth ? "require-auth " : "") + c.method() + " " + c.path();
        if (c.write() || requireAuth) {
          assertThat(none).as(what + " anonymous").isEqualTo(401);
        } else {
          assertThat(none).as(what + " anonymous").isNotIn(401, 403, 429);
        }
        if (c.write()) {
          assertThat(read).as(what + " read").isEqualTo(403);
        } else {
          assertThat(read).as(what + " read").isNotIn(401, 403, 429);
        }
        assertThat(admin).as(what + " admin").isNotIn(401, 403, 429);
        assertThat(bad).as(what + " bad token").isEqualTo(401);
      }
      for (String path : OPEN) {
        assertThat(call(base, new Call("GET", path, false), null)).as(path).isEqualTo(200);
      }
    }
    // The sync the admin asked for was recorded, with its token's fingerprint, never a token.
    String log = Files.readString(audit);
    assertThat(log).doesNotContain(READ).doesNotContain(ADMIN).doesNotContain("not-a-token");
    List<JsonNode> lines = new ArrayList<>();
    for (String line : log.strip().split("\n")) {
      lines.add(JSON.readTree(line));
    }
    assertThat(lines)
        .anySatisfy(
            l -> {
              assertThat(l.path("path").asText()).isEqualTo("/api/v1/sync");
              assertThat(l.path("status").asInt()).isEqualTo(202);
              assertThat(l.path("role").asText()).isEqualTo("admin");
              assertThat(l.path("token").asText()).startsWith("sha256:");
              assertThat(l.path("remote").asText()).isEqualTo("127.0.0.1");
              assertThat(l.path("result").asText()).isEqualTo("ok");
            })
        .anySatisfy(
            l -> {
              assertThat(l.path("path").asText()).isEqualTo("/api/v1/sync");
              assertThat(l.path("status").asInt()).isEqualTo(403);
              assertThat(l.path("role").asText()).isEqualTo("read");
              assertThat(l.path("result").asText()).isEqualTo("denied");
            })
        .anySatisfy(l -> assertThat(l.path("status").asInt()).isEqualTo(401));
  }

  @Test
  void aChangedTokensFileIsReadAgainAndABrokenOneKeepsTheTokensBefore() throws Exception {
    ApiServer api = start(security(null, null, null, true, 1000, Duration.ofSeconds(10)));
    String url = "http://127.0.0.1:" + api.port() + "/api/v1/status";
    HttpClient http = HttpClient.newHttpClient();
    assertThat(get(http, url, Map.of("Authorization", "Bearer " + READ)).statusCode())
        .isEqualTo(200);
    String rotated = "rotated-read-token-0123456789";
    Files.writeString(tokens, "read " + rotated + "\nadmin " + ADMIN + "\n");
    Files.setLastModifiedTime(
        tokens, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 2000));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> get(http, url, Map.of("Authorization", "Bearer " + rotated)).statusCode() == 200);
    assertThat(get(http, url, Map.of("Authorization", "Bearer " + READ)).statusCode())
        .as("the removed token no longer reads")
        .isEqualTo(401);
    // A broken file: the tokens before stay.
    Files.writeString(tokens, "reader only-one-field\n");
    Files.setLastModifiedTime(
        tokens, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 4000));
    String metrics = "http://127.0.0.1:" + api.port() + "/metrics";
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                get(http, metrics, Map.of("Authorization", "Bearer " + rotated))
                    .body()
                    .contains("telos_api_tokens_reloads_total{result=\"failed\"} 1.0"));
    assertThat(get(http, url, Map.of("Authorization", "Bearer " + rotated)).statusCode())
        .isEqualTo(200);
  }

  @Test
  void aSessionCookieLetsABrowserReadButNeverWrite() throws Exception {
    ApiServer api = start(security(null, null, null, true, 1000, Duration.ofSeconds(10)));
    String base = "http://127.0.0.1:" + api.port();
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> refused =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/session"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(401);
    HttpResponse<String> session =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/session"))
                .header("Authorization", "Bearer " + ADMIN)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(session.statusCode()).isEqualTo(200);
    String setCookie = session.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict").doesNotContain(ADMIN);
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    assertThat(get(http, base + "/api/v1/status", Map.of("Cookie", cookie)).statusCode())
        .isEqualTo(200);
    assertThat(
            http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/v1/sync"))
                        .header("Cookie", cookie)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .as("a cookie never authorises a write")
        .isEqualTo(401);
    http.send(
        HttpRequest.newBuilder(URI.create(base + "/api/v1/session"))
            .header("Cookie", cookie)
            .DELETE()
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(get(http, base + "/api/v1/status", Map.of("Cookie", cookie)).statusCode())
        .isEqualTo(401);
  }

  /** Sends the start of a request, then one more header line every 200 ms, until cut off. */
  static Thread slowSender(Socket s, String head, List<Long> cutAfterMillis) {
    Thread t =
        new Thread(
            () -> {
              long start = System.nanoTime();
              try {
                OutputStream out = s.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                for (int i = 0; i < 300; i++) {
                  Thread.sleep(200);
                  out.write("X".getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                  if (s.getInputStream().available() > 0) {
                    break;
                  }
                }
              } catch (IOException | InterruptedException e) {
                // cut off
              }
              synchronized (cutAfterMillis) {
                cutAfterMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
              }
            });
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void slowHeadsAndBodiesAreCutOffWhileOthersAreServed() throws Exception {
    ApiServer api = start(security(null, null, null, false, 1000, Duration.ofSeconds(1)));
    String base = "http://127.0.0.1:" + api.port();
    List<Long> cut = new ArrayList<>();
    List<Socket> sockets = new ArrayList<>();
    List<Thread> senders = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), api.port());
        sockets.add(s);
        String head =
            i % 2 == 0
                ? "GET /api/v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: "
                : "POST /api/v1/webhooks/git HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
                    + "Content-Type: application/json\r\n\r\n{";
        senders.add(slowSender(s, head, cut));
      }
      // Meanwhile, a normal client is served.
      assertThat(get(HttpClient.newHttpClient(), base + "/api/v1/status", Map.of()).statusCode())
          .isEqualTo(200);
      for (Thread t : senders) {
        t.join(Duration.ofSeconds(30).toMillis());
      }
      assertThat(cut).hasSize(20);
      // Cut after the 1 s read timeout (checked each second), long before the 60 s they would take.
      assertThat(cut).allSatisfy(ms -> assertThat(ms).isBetween(900L, 15_000L));
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  @Test
  void oversizedBodiesAndHeadersAreRefusedWithJsonAndNoStackTrace() throws Exception {
    ApiServer api = start(security(null, null, null, false, 1000, Duration.ofSeconds(10)));
    String base = "http://127.0.0.1:" + api.port();
    HttpClient http = HttpClient.newHttpClient();
    // Refused from its Content-Length, before the body is read: a client still sending 6 MiB
    // could see a reset instead of the answer (a race seen once), so the body is not all sent.
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), api.port())) {
      s.getOutputStream()
          .write(
              ("POST /api/v1/webhooks/git HTTP/1.1\r\nHost: x\r\nX-GitHub-Event: push\r\n"
                      + "Content-Type: application/json\r\nContent-Length: "
                      + 6 * 1024 * 1024
                      + "\r\n\r\n{")
                  .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      String answer = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      assertThat(answer).isEqualTo("HTTP/1.1 413");
    }
    HttpResponse<String> header =
        get(http, base + "/api/v1/status", Map.of("X-Big", "a".repeat(20_000)));
    assertThat(header.statusCode()).isEqualTo(431);
    assertThat(header.body()).startsWith("{\"error\"").doesNotContain("at org.");
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), api.port())) {
      s.getOutputStream()
          .write("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readNBytes(2000), StandardCharsets.US_ASCII);
      assertThat(answer)
          .startsWith("HTTP/1.1 400")
          .contains("{\"error\"")
          .doesNotContain("at org.");
    }
  }

  @Test
  void writesAreRateLimitedPerClientWithRetryAfter() throws Exception {
    ApiServer api = start(security(null, null, null, false, 1, Duration.ofSeconds(10)));
    String base = "http://127.0.0.1:" + api.port();
    List<Integer> statuses = new ArrayList<>();
    String retryAfter = null;
    for (int i = 0; i < 8; i++) {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(base + "/api/v1/sync"))
                      .header("Authorization", "Bearer " + ADMIN)
                      .POST(HttpRequest.BodyPublishers.noBody())
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      statuses.add(r.statusCode());
      if (r.statusCode() == 429) {
        retryAfter = r.headers().firstValue("Retry-After").orElse(null);
      }
    }
    // A burst of two (twice the rate of 1/s), then refusals; reads are never limited.
    assertThat(statuses.subList(0, 2)).containsOnly(202);
    assertThat(statuses).contains(429);
    assertThat(retryAfter).isNotNull();
    assertThat(get(HttpClient.newHttpClient(), base + "/api/v1/status", Map.of()).statusCode())
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> call(base, new Call("POST", "/api/v1/sync", true), ADMIN) == 202);
  }
}
