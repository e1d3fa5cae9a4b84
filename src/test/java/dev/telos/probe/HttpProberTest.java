package dev.telos.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.telos.testing.ScriptedHttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The prober against real HTTP and HTTPS servers on loopback. */
class HttpProberTest {
  final List<String> passed = new CopyOnWriteArrayList<>();
  final HttpProber prober = new HttpProber(passed::add);
  final List<ScriptedHttpServer> servers = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    prober.close();
    for (ScriptedHttpServer s : servers) {
      s.close();
    }
  }

  static HttpProber.Check check(ScriptedHttpServer s, String path, Set<Integer> codes) {
    return check("http://127.0.0.1:" + s.port() + path, codes);
  }

  static HttpProber.Check check(String url, Set<Integer> codes) {
    return new HttpProber.Check(url, codes, Duration.ofMillis(50), Duration.ofSeconds(5));
  }

  ScriptedHttpServer server(ScriptedHttpServer.Handler h) throws Exception {
    ScriptedHttpServer s = new ScriptedHttpServer(h);
    servers.add(s);
    return s;
  }

  static void answer(ScriptedHttpServer.Exchange x, int code) throws java.io.IOException {
    x.respond(code, Map.of(), "x".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anIdPassesAtTheFirstAnswerWithAListedStatusAndIsThenNoLongerAsked() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    List<String> paths = new CopyOnWriteArrayList<>();
    ScriptedHttpServer s =
        server(
            (r, x) -> {
              paths.add(r.path());
              answer(x, asked.incrementAndGet() < 3 ? 503 : 202);
            });
    prober.watch("t1", List.of(check(s, "/ready", Set.of(200, 202))));
    await().until(() -> passed.contains("t1"));
    int after = asked.get();
    assertThat(after).as("one request at a time, none after the first 202").isEqualTo(3);
    assertThat(paths).containsOnly("/ready");
    assertThat(prober.watched()).isEmpty();
    await().during(Duration.ofMillis(300)).until(() -> asked.get() == after);
    assertThat(passed).containsExactly("t1");
  }

  @Test
  void everyCheckMustPassAndAForgottenIdIsNeitherAskedNorReported() throws Exception {
    AtomicInteger neverAsked = new AtomicInteger();
    ScriptedHttpServer fine = server((r, x) -> answer(x, 200));
    ScriptedHttpServer never =
        server(
            (r, x) -> {
              neverAsked.incrementAndGet();
              answer(x, 500);
            });
    prober.watch("t2", List.of(check(fine, "/", Set.of(200)), check(never, "/", Set.of(200))));
    await().until(() -> neverAsked.get() >= 3);
    assertThat(passed).isEmpty();
    prober.forget("t2");
    int after = neverAsked.get();
    await().during(Duration.ofMillis(300)).until(() -> neverAsked.get() <= after + 1);
    assertThat(passed).isEmpty();
    assertThat(prober.watched()).isEmpty();
  }

  @Test
  void aRefusedConnectionDoesNotPassAndTheSameChecksAgainKeepOneWatch() throws Exception {
    java.net.ServerSocket closed = new java.net.ServerSocket(0);
    int port = closed.getLocalPort();
    closed.close();
    List<HttpProber.Check> checks = List.of(check("http://127.0.0.1:" + port + "/", Set.of(200)));
    prober.watch("t3", checks);
    prober.watch("t3", List.copyOf(checks));
    assertThat(prober.watched()).containsExactly("t3");
    await().during(Duration.ofMillis(300)).until(passed::isEmpty);
  }

  @Test
  void otherChecksForAWatchedIdStartOver() throws Exception {
    ScriptedHttpServer fine = server((r, x) -> answer(x, 200));
    java.net.ServerSocket closed = new java.net.ServerSocket(0);
    int port = closed.getLocalPort();
    closed.close();
    prober.watch("t5", List.of(check("http://127.0.0.1:" + port + "/", Set.of(200))));
    prober.watch("t5", List.of(check(fine, "/", Set.of(200))));
    await().until(() -> passed.contains("t5"));
  }

  @Test
  void httpsIsCheckedWithoutTrustingTheCertificate() throws Exception {
    HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).build();
    HeldCertificate cert =
        new HeldCertificate.Builder()
            .addSubjectAlternativeName("service.example")
            .signedBy(ca)
            .build();
    HandshakeCertificates certs =
        new HandshakeCertificates.Builder().heldCertificate(cert, ca.certificate()).build();
    ScriptedHttpServer s =
        new ScriptedHttpServer(
            certs.sslContext().getServerSocketFactory(), (r, x) -> answer(x, 200));
    servers.add(s);
    prober.watch("t4", List.of(check("https://127.0.0.1:" + s.port() + "/", Set.of(200))));
    await().until(() -> passed.contains("t4"));
  }
}
