package dev.telos.mesos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.ByteString;
import dev.telos.testing.ScriptedMaster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The client against a scripted master: every byte on the wire is the test's to choose. */
class MesosClientIT {
  static final FrameworkInfo FRAMEWORK =
      FrameworkInfo.newBuilder()
          .setName("telos-test")
          .setUser("nobody")
          .setFailoverTimeout(604800)
          .setCheckpoint(true)
          .addCapabilities(
              FrameworkInfo.Capability.newBuilder()
                  .setType(FrameworkInfo.Capability.Type.PARTITION_AWARE))
          .build();
  static final BackoffPolicy FAST =
      new BackoffPolicy(Duration.ofMillis(20), Duration.ofMillis(200));

  final List<MesosClient> clients = new ArrayList<>();
  final List<ScriptedMaster> masters = new ArrayList<>();
  final Recorder listener = new Recorder();

  @BeforeEach
  void setUp() {}

  @AfterEach
  void tearDown() throws Exception {
    for (MesosClient c : clients) {
      c.close();
    }
    for (ScriptedMaster m : masters) {
      m.close();
    }
  }

  ScriptedMaster master() throws Exception {
    ScriptedMaster m = new ScriptedMaster();
    masters.add(m);
    return m;
  }

  MesosClient start(MesosClientConfig.Builder config) throws Exception {
    MesosClient c = MesosClient.start(config.build(), listener);
    clients.add(c);
    return c;
  }

  MesosClientConfig.Builder config(ScriptedMaster m) {
    return MesosClientConfig.builder(m.url(), FRAMEWORK).backoff(FAST);
  }

  @Test
  void subscribesWithoutAStreamIdAndDeliversEventsInOrder() throws Exception {
    ScriptedMaster m = master();
    FrameworkIdStore store = FrameworkIdStore.inMemory();
    listener.store = store;
    MesosClient client = start(config(m).frameworkIdStore(store));

    ScriptedMaster.Received subscribe = m.nextSubscribe();
    assertThat(subscribe.http().method()).isEqualTo("POST");
    assertThat(subscribe.http().path()).isEqualTo("/api/v1/scheduler");
    assertThat(subscribe.http().header("content-type")).isEqualTo("application/x-protobuf");
    assertThat(subscribe.http().header("accept")).isEqualTo("application/x-protobuf");
    assertThat(subscribe.http().header("mesos-stream-id")).isNull();
    assertThat(subscribe.call().hasFrameworkId()).isFalse();
    assertThat(subscribe.call().getSubscribe().getFrameworkInfo()).isEqualTo(FRAMEWORK);

    ScriptedMaster.Stream stream = m.nextStream();
    stream.subscribed("fw-1", Duration.ofSeconds(15));
    stream.send(offers("o-1"));
    stream.send(update("t-1", TaskState.TASK_RUNNING));
    stream.heartbeat();

    await().until(() -> listener.events.size() == 4);
    assertThat(listener.events)
        .extracting(Event::getType)
        .containsExactly(
            Event.Type.SUBSCRIBED, Event.Type.OFFERS, Event.Type.UPDATE, Event.Type.HEARTBEAT);
    assertThat(listener.threads).containsOnly("telos-mesos-subscriber");
    assertThat(client.state()).isEqualTo(ConnectionState.SUBSCRIBED);
    assertThat(client.frameworkId()).contains("fw-1");
    assertThat(store.load()).contains("fw-1");
    assertThat(listener.frameworkIdSavedBeforeSubscribed).isTrue();
  }

  @Test
  void everyCallCarriesTheStreamIdAndTheExactBytes() throws Exception {
    ScriptedMaster m = master();
    MesosClient client = start(config(m));
    ScriptedMaster.Stream stream = m.nextStream();
    stream.subscribed("fw-1", Duration.ofSeconds(15));
    await().until(() -> client.state() == ConnectionState.SUBSCRIBED);

    FrameworkID fw = FrameworkID.newBuilder().setValue("fw-1").build();
    OfferID offer = OfferID.newBuilder().setValue("o-1").build();
    TaskID task = TaskID.newBuilder().setValue("default.web.abc.1").build();
    AgentID agent = AgentID.newBuilder().setValue("a-1").build();
    ByteString uuid = ByteString.copyFromUtf8("0123456789abcdef");
    Offer.Operation launch =
        Offer.Operation.newBuilder().setType(Offer.Operation.Type.LAUNCH).build();

    List<CompletableFuture<CallResponse>> sent =
        List.of(
            client.accept(List.of(offer), List.of(launch), Calls.refuseFor(Duration.ofSeconds(5))),
            client.decline(List.of(offer), Duration.ofSeconds(120)),
            client.kill(task, agent, Duration.ofSeconds(3)),
            client.acknowledge(agent, task, uuid),
            client.reconcile(List.of(Calls.reconcileTask(task, agent))),
            client.revive(List.of("*")),
            client.suppress(List.of()),
            client.teardown());
    for (CompletableFuture<CallResponse> f : sent) {
      assertThat(f.get(20, TimeUnit.SECONDS).status()).isEqualTo(202);
    }
    List<Call> expected =
        List.of(
            Calls.accept(
                fw, List.of(offer), List.of(launch), Calls.refuseFor(Duration.ofSeconds(5))),
            Calls.decline(fw, List.of(offer), Duration.ofSeconds(120)),
            Calls.kill(fw, task, agent, Duration.ofSeconds(3)),
            Calls.acknowledge(fw, agent, task, uuid),
            Calls.reconcile(fw, List.of(Calls.reconcileTask(task, agent))),
            Calls.revive(fw, List.of("*")),
            Calls.suppress(fw, List.of()),
            Calls.teardown(fw));
    List<Call.Type> seen = new ArrayList<>();
    for (int i = 0; i < expected.size(); i++) {
      ScriptedMaster.Received r = m.nextCall();
      assertThat(r.http().header("mesos-stream-id")).isEqualTo(stream.id);
      assertThat(r.http().header("content-type")).isEqualTo("application/x-protobuf");
      Call expectedCall =
          expected.stream()
              .filter(c -> c.getType() == r.call().getType())
              .findFirst()
              .orElseThrow();
      assertThat(r.http().body()).isEqualTo(expectedCall.toByteArray());
      seen.add(r.call().getType());
    }
    assertThat(seen)
        .containsExactlyInAnyOrder(expected.stream().map(Call::getType).toArray(Call.Type[]::new));
  }

  @Test
  void recordsSplitAcrossAnyChunkBoundaryDecode() throws Exception {
    ScriptedMaster m = master();
    start(config(m));
    ScriptedMaster.Stream stream = m.nextStream();
    byte[] all =
        concat(
            stream.frame(subscribedEvent("fw-1", 15)),
            stream.frame(offers("o-1")),
            stream.frame(update("t-1", TaskState.TASK_STARTING)));
    // One byte per chunk for the first 40 bytes, then uneven chunks.
    int i = 0;
    for (; i < 40; i++) {
      stream.sendRaw(new byte[] {all[i]});
    }
    int size = 3;
    while (i < all.length) {
      int n = Math.min(size, all.length - i);
      stream.sendRaw(java.util.Arrays.copyOfRange(all, i, i + n));
      i += n;
      size = size * 2 + 1;
    }
    await().until(() -> listener.events.size() == 3);
    assertThat(listener.events.get(1).getOffers().getOffers(0).getId().getValue()).isEqualTo("o-1");
    assertThat(listener.events.get(2).getUpdate().getStatus().getState())
        .isEqualTo(TaskState.TASK_STARTING);
  }

  @Test
  void followsAScriptRelativeRedirectToTheLeaderForTheStreamAndForCalls() throws Exception {
    ScriptedMaster leader = master();
    ScriptedMaster follower = master();
    follower.nextAnswers.add(
        new ScriptedMaster.Answer(
            307,
            Map.of("Location", "//127.0.0.1:" + leader.server.port() + "/master/redirect"),
            ""));
    MesosClient client = start(config(follower));
    follower.nextSubscribe();
    ScriptedMaster.Stream stream = leader.nextStream();
    assertThat(leader.nextSubscribe().http().path()).isEqualTo("/api/v1/scheduler");
    stream.subscribed("fw-1", Duration.ofSeconds(15));
    await().until(() -> client.state() == ConnectionState.SUBSCRIBED);
    assertThat(client.endpoint())
        .isEqualTo("http://127.0.0.1:" + leader.server.port() + "/api/v1/scheduler");

    client.revive(List.of()).get(20, TimeUnit.SECONDS);
    assertThat(leader.nextCall().call().getType()).isEqualTo(Call.Type.REVIVE);
    assertThat(follower.calls).isEmpty();
  }

  @Test
  void aCallRedirectedByAMasterThatLostLeadershipReachesTheNewLeader() throws Exception {
    ScriptedMaster first = master();
    ScriptedMaster second = master();
    MesosClient client = start(config(first));
    first.nextStream().subscribed("fw-1", Duration.ofSeconds(15));
    await().until(() -> client.state() == ConnectionState.SUBSCRIBED);
    first.nextAnswers.add(
        new ScriptedMaster.Answer(
            307,
            Map.of("Location", "//127.0.0.1:" + second.server.port() + "/api/v1/scheduler"),
            ""));
    assertThat(client.suppress(List.of()).get(20, TimeUnit.SECONDS).status()).isEqualTo(202);
    assertThat(second.nextCall().call().getType()).isEqualTo(Call.Type.SUPPRESS);
  }

  @Test
  void heartbeatLossDropsTheStreamAndResubscribesWithTheFrameworkId() throws Exception {
    ScriptedMaster m = master();
    MesosClient client = start(config(m).missedHeartbeats(3));
    m.nextSubscribe();
    ScriptedMaster.Stream stream = m.nextStream();
    stream.subscribed("fw-1", Duration.ofMillis(100));
    // Nothing more: after 3 intervals the client must give up on this stream.
    ScriptedMaster.Received again = m.nextSubscribe();
    assertThat(again.call().getFrameworkId().getValue()).isEqualTo("fw-1");
    assertThat(again.call().getSubscribe().getFrameworkInfo().getId().getValue()).isEqualTo("fw-1");
    await().until(() -> listener.disconnects.stream().anyMatch(r -> r.contains("no event for")));
    m.nextStream().subscribed("fw-1", Duration.ofSeconds(15));
    await().until(() -> client.state() == ConnectionState.SUBSCRIBED);
  }

  @Test
  void heartbeatsKeepTheStreamAlive() throws Exception {
    ScriptedMaster m = master();
    MesosClient client = start(config(m).missedHeartbeats(3));
    m.nextSubscribe();
    ScriptedMaster.Stream stream = m.nextStream();
    stream.subscribed("fw-1", Duration.ofMillis(500));
    await().until(() -> client.state() == ConnectionState.SUBSCRIBED);
    // A master heartbeating every 100 ms: 30 beats span twice the 1.5 s silence that would
    // drop the stream, which leaves a wide margin for a busy machine.
    java.util.concurrent.atomic.AtomicInteger beats =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.ScheduledExecutorService beater =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try {
      beater.scheduleAtFixedRate(
          () -> {
            try {
              stream.heartbeat();
              beats.incrementAndGet();
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          },
          0,
          100,
          TimeUnit.MILLISECONDS);
      await().until(() -> beats.get() >= 30);
    } finally {
      beater.shutdownNow();
    }
    assertThat(m.subscribes).isEmpty();
    assertThat(listener.disconnects).isEmpty();
    assertThat(client.state()).isEqualTo(ConnectionState.SUBSCRIBED);
  }

  @Test
  void aStreamCutInsideARecordReconnectsAndDeliversNothingPartial() throws Exception {
    ScriptedMaster m = master();
    MesosClient client = start(config(m));
    m.nextSubscribe();
    ScriptedMaster.Stream stream = m.nextStream();
    stream.subscribed("fw-1", Duration.ofSeconds(15));
    byte[] offers = stream.frame(offers("o-1"));
    stream.sendRaw(java.util.Arrays.copyOf(offers, offers.length / 2));
    stream.cut();
    ScriptedMaster.Received again = m.nextSubscribe();
    assertThat(again.call().getFrameworkId().getValue()).isEqualTo("fw-1");
    assertThat(listener.events).extracting(Event::getType).containsExactly(Event.Type.SUBSCRIBED);
    await().until(() -> !listener.disconnects.isEmpty());
    m.nextStream().subscribed("fw-1", Duration.ofSeconds(15));
    await().until(() -> client.state() == ConnectionState.SUBSCRIBED);
  }

  @Test
  void aMalformedLengthPrefixDropsTheStreamWithAClearReasonAndReconnects() throws Exception {
    ScriptedMaster m = master();
    MesosClient client = start(config(m));
    m.nextSubscribe();
    ScriptedMaster.Stream stream = m.nextStream();
    stream.subscribed("fw-1", Duration.ofSeconds(15));
    stream.sendRaw("12a\n".getBytes(StandardCharsets.US_ASCII));
    m.nextSubscribe();
    await()
        .until(
            () ->
                listener.disconnects.stream()
                    .anyMatch(r -> r.contains("malformed record length prefix")));
    assertThat(client.state()).isNotEqualTo(ConnectionState.STOPPED);
  }

  @Test
  void a503IsRetriedForTheSubscriptionAndForCalls() throws Exception {
    ScriptedMaster m = master();
    m.nextAnswers.add(new ScriptedMaster.Answer(503, Map.of(), "No leader elected"));
    MesosClient client = start(config(m));
    m.nextSubscribe();
    m.nextSubscribe();
    m.nextStream().subscribed("fw-1", Duration.ofSeconds(15));
    await().until(() -> client.state() == ConnectionState.SUBSCRIBED);
    assertThat(listener.disconnects).anyMatch(r -> r.contains("503") && r.contains("No leader"));

    m.nextAnswers.add(new ScriptedMaster.Answer(503, Map.of(), "Master has not finished recovery"));
    m.nextAnswers.add(new ScriptedMaster.Answer(503, Map.of(), "Master has not finished recovery"));
    assertThat(client.revive(List.of()).get(20, TimeUnit.SECONDS).status()).isEqualTo(202);
    assertThat(List.of(m.nextCall(), m.nextCall(), m.nextCall()))
        .extracting(r -> r.call().getType())
        .containsOnly(Call.Type.REVIVE);
  }

  @Test
  void anAcceptThatMayHaveTakenEffectIsNeverSentAgain() throws Exception {
    // Regression: a retried ACCEPT is answered TASK_DROPPED / REASON_INVALID_OFFERS for tasks that
    // the first one launched and that run.
    ScriptedMaster m = master();
    MesosClient client = start(config(m));
    m.nextStream().subscribed("fw-1", Duration.ofSeconds(15));
    await().until(() -> client.state() == ConnectionState.SUBSCRIBED);
    m.nextAnswers.add(new ScriptedMaster.Answer(500, Map.of(), "Internal Server Error"));
    CompletableFuture<CallResponse> accept =
        client.accept(
            List.of(OfferID.newBuilder().setValue("o-1").build()),
            List.of(),
            Calls.refuseFor(Duration.ofSeconds(1)));
    assertThat(accept).failsWithin(Duration.ofSeconds(20));
    assertThat(m.nextCall().call().getType()).isEqualTo(Call.Type.ACCEPT);
    // An idempotent call with the same failure is retried.
    m.nextAnswers.add(new ScriptedMaster.Answer(500, Map.of(), "Internal Server Error"));
    assertThat(client.reconcile(List.of()).get(20, TimeUnit.SECONDS).status()).isEqualTo(202);
    assertThat(List.of(m.nextCall(), m.nextCall()))
        .extracting(r -> r.call().getType())
        .containsOnly(Call.Type.RECONCILE);
    assertThat(m.calls).as("no second ACCEPT").isEmpty();
  }

  @Test
  void anAcceptRefusedWith503IsSentAgainBecauseTheMasterNeverLookedAtIt() throws Exception {
    ScriptedMaster m = master();
    MesosClient client = start(config(m));
    m.nextStream().subscribed("fw-1", Duration.ofSeconds(15));
    await().until(() -> client.state() == ConnectionState.SUBSCRIBED);
    m.nextAnswers.add(new ScriptedMaster.Answer(503, Map.of(), "Master has not finished recovery"));
    CompletableFuture<CallResponse> accept =
        client.accept(
            List.of(OfferID.newBuilder().setValue("o-1").build()),
            List.of(),
            Calls.refuseFor(Duration.ofSeconds(1)));
    assertThat(accept.get(20, TimeUnit.SECONDS).status()).isEqualTo(202);
    assertThat(List.of(m.nextCall(), m.nextCall()))
        .extracting(r -> r.call().getType())
        .containsOnly(Call.Type.ACCEPT);
  }

  @Test
  void offerFlowCallsReachTheMasterInTheOrderTheyWereMade() throws Exception {
    ScriptedMaster m = master();
    MesosClient client = start(config(m));
    m.nextStream().subscribed("fw-1", Duration.ofSeconds(15));
    await().until(() -> client.state() == ConnectionState.SUBSCRIBED);
    // The DECLINE is answered slowly; the REVIVE made after it must not overtake it.
    m.nextAnswers.add(new ScriptedMaster.Answer(202, Map.of(), "", 300));
    client.decline(List.of(OfferID.newBuilder().setValue("o-1").build()), Duration.ofSeconds(5));
    CompletableFuture<CallResponse> revive = client.revive(List.of());
    CompletableFuture<CallResponse> suppress = client.suppress(List.of());
    assertThat(suppress.get(20, TimeUnit.SECONDS).status()).isEqualTo(202);
    assertThat(revive).isCompleted();
    ScriptedMaster.Received decline = m.nextCall();
    ScriptedMaster.Received second = m.nextCall();
    ScriptedMaster.Received third = m.nextCall();
    assertThat(List.of(decline, second, third))
        .extracting(r -> r.call().getType())
        .containsExactly(Call.Type.DECLINE, Call.Type.REVIVE, Call.Type.SUPPRESS);
    assertThat(Duration.ofNanos(second.atNanos() - decline.atNanos()))
        .as("REVIVE sent only once the DECLINE was answered")
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
  }

  /** A subscribed client whose calls the master holds until {@code m.holdCalls} is counted down. */
  MesosClient subscribedWithCallsHeld(ScriptedMaster m) throws Exception {
    MesosClient client = start(config(m));
    m.nextStream().subscribed("fw-1", Duration.ofSeconds(15));
    await().until(() -> client.state() == ConnectionState.SUBSCRIBED);
    m.holdCalls = new java.util.concurrent.CountDownLatch(1);
    return client;
  }

  List<CompletableFuture<CallResponse>> acknowledgements(MesosClient client, int n) {
    List<CompletableFuture<CallResponse>> acks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      acks.add(
          client.acknowledge(
              AgentID.newBuilder().setValue("a-1").build(),
              TaskID.newBuilder().setValue("t-" + i).build(),
              com.google.protobuf.ByteString.copyFromUtf8("uuid-" + i)));
    }
    return acks;
  }

  @Test
  void aBurstOfCallsKeepsABoundedNumberInFlightAndEveryOneIsAnswered() throws Exception {
    ScriptedMaster m = master();
    MesosClient client = subscribedWithCallsHeld(m);
    List<CompletableFuture<CallResponse>> acks = acknowledgements(client, 2_000);
    await().until(() -> m.callsInFlight.get() == MesosClient.MAX_CALLS_IN_FLIGHT);
    assertThat(client.callsPending()).isEqualTo(2_000);
    m.holdCalls.countDown();
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    await().until(() -> client.callsPending() == 0);
    assertThat(acks).allSatisfy(a -> assertThat(a.join().status()).isEqualTo(202));
    assertThat(m.maxCallsInFlight.get()).isEqualTo(MesosClient.MAX_CALLS_IN_FLIGHT);
    assertThat(m.calls).hasSize(2_000);
  }

  @Test
  void closingWithManyCallsWaitingFailsEachOfThemOneAfterAnother() throws Exception {
    ScriptedMaster m = master();
    MesosClient client = subscribedWithCallsHeld(m);
    // Once closed, the HTTP client refuses each waiting call at once, in the thread that starts
    // it: started from one another's failures, 20,000 of them would overflow the stack.
    List<CompletableFuture<CallResponse>> acks = acknowledgements(client, 20_000);
    await().until(() -> m.callsInFlight.get() == MesosClient.MAX_CALLS_IN_FLIGHT);
    client.close();
    m.holdCalls.countDown();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> acks.stream().allMatch(CompletableFuture::isDone));
    assertThat(acks.stream().filter(CompletableFuture::isCompletedExceptionally).count())
        .isGreaterThanOrEqualTo(20_000 - MesosClient.MAX_CALLS_IN_FLIGHT);
    assertThat(acks)
        .filteredOn(CompletableFuture::isCompletedExceptionally)
        .allSatisfy(
            a -> assertThat(catchThrowable(a::join)).hasCauseInstanceOf(java.io.IOException.class));
  }

  @Test
  void aClientErrorIsTypedAndCarriesTheMastersMessage() throws Exception {
    ScriptedMaster m = master();
    MesosClient client = start(config(m));
    m.nextStream().subscribed("fw-1", Duration.ofSeconds(15));
    await().until(() -> client.state() == ConnectionState.SUBSCRIBED);
    m.nextAnswers.add(
        new ScriptedMaster.Answer(400, Map.of(), "Failed to validate call: bad uuid"));
    ExecutionException error =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> client.revive(List.of()).get(20, TimeUnit.SECONDS));
    assertThat(error.getCause()).isInstanceOf(MesosHttpException.class);
    MesosHttpException http = (MesosHttpException) error.getCause();
    assertThat(http.kind()).isEqualTo(MesosHttpException.Kind.BAD_REQUEST);
    assertThat(http.masterMessage()).isEqualTo("Failed to validate call: bad uuid");
    assertThat(http).hasMessageContaining("REVIVE answered 400: Failed to validate call");
    assertThat(m.calls).hasSize(1); // a 4xx is not retried
  }

  @Test
  void a401IsReportedAndBasicAuthIsSentWithoutLeakingTheSecret() throws Exception {
    String secret = "hunter2-" + System.nanoTime();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    try {
      ScriptedMaster m = master();
      m.nextAnswers.add(
          new ScriptedMaster.Answer(
              401, Map.of("WWW-Authenticate", "Basic realm=\"mesos\""), "Unauthorized"));
      MesosClient client =
          start(
              config(m)
                  .credentials(Credentials.of("telos", secret))
                  .frameworkIdStore(FrameworkIdStore.inMemory()));
      ScriptedMaster.Received refused = m.nextSubscribe();
      String expected =
          "Basic "
              + java.util.Base64.getEncoder()
                  .encodeToString(("telos:" + secret).getBytes(StandardCharsets.UTF_8));
      assertThat(refused.http().header("authorization")).isEqualTo(expected);
      await().until(() -> client.lastError().orElse("").contains("401"));
      // The listener hears of it on the client's thread, after lastError is set: wait for it.
      await()
          .until(
              () ->
                  listener.disconnects.stream()
                      .anyMatch(r -> r.contains("SUBSCRIBE answered 401")));

      ScriptedMaster.Received accepted = m.nextSubscribe();
      assertThat(accepted.call().getSubscribe().getFrameworkInfo().getPrincipal())
          .isEqualTo("telos");
      m.nextStream().subscribed("fw-1", Duration.ofSeconds(15));
      await().until(() -> client.state() == ConnectionState.SUBSCRIBED);
      client.revive(List.of()).get(20, TimeUnit.SECONDS);
      assertThat(m.nextCall().http().header("authorization")).isEqualTo(expected);

      assertThat(logs.list).isNotEmpty();
      String encoded = java.util.Base64.getEncoder().encodeToString(("telos:" + secret).getBytes());
      for (ILoggingEvent e : logs.list) {
        assertThat(e.getFormattedMessage()).doesNotContain(secret).doesNotContain(encoded);
      }
      assertThat(client.lastError().orElse("")).doesNotContain(secret);
    } finally {
      root.detachAppender(logs);
    }
  }

  @Test
  void aRemovedFrameworkStopsTheClientWithAnActionableMessage() throws Exception {
    ScriptedMaster m = master();
    FrameworkIdStore store = FrameworkIdStore.inMemory();
    store.save("fw-old");
    MesosClient client = start(config(m).frameworkIdStore(store));
    ScriptedMaster.Received subscribe = m.nextSubscribe();
    assertThat(subscribe.call().getFrameworkId().getValue()).isEqualTo("fw-old");
    m.nextStream()
        .send(
            Event.newBuilder()
                .setType(Event.Type.ERROR)
                .setError(Event.Error.newBuilder().setMessage("Framework has been removed"))
                .build());
    await().until(() -> listener.fatal.size() == 1);
    assertThat(client.state()).isEqualTo(ConnectionState.STOPPED);
    assertThat(listener.fatal.get(0))
        .hasMessageContaining("removed framework fw-old")
        .hasMessageContaining("will not register a new framework")
        .hasMessageContaining("delete the saved framework ID");
    assertThat(client.fatalError()).isPresent();
    // The subscriber has stopped for good: no new SUBSCRIBE, and calls are refused locally.
    assertThat(client.revive(List.of())).isCompletedExceptionally();
    assertThat(m.subscribes).isEmpty();
    assertThat(m.requests.get()).isEqualTo(1);
    assertThat(store.load()).contains("fw-old");
  }

  @Test
  void jsonModeUsesSnakeCaseOnTheWireAndDecodesJsonEvents() throws Exception {
    ScriptedMaster m = master();
    MesosClient client = start(config(m).contentType(ContentType.JSON));
    ScriptedMaster.Received subscribe = m.nextSubscribe();
    assertThat(subscribe.http().header("content-type")).isEqualTo("application/json");
    assertThat(subscribe.http().header("accept")).isEqualTo("application/json");
    String body = new String(subscribe.http().body(), StandardCharsets.UTF_8);
    assertThat(body)
        .contains("\"framework_info\"")
        .contains("\"failover_timeout\"")
        .contains("\"PARTITION_AWARE\"")
        .doesNotContain("frameworkInfo");

    ScriptedMaster.Stream stream = m.nextStream();
    assertThat(stream.encoding).isEqualTo(ContentType.JSON);
    String subscribed =
        "{\"type\":\"SUBSCRIBED\",\"subscribed\":{\"framework_id\":{\"value\":\"fw-json\"},"
            + "\"heartbeat_interval_seconds\":15.0}}";
    stream.sendRaw(RecordIoDecoder.encode(subscribed.getBytes(StandardCharsets.UTF_8)));
    await().until(() -> client.state() == ConnectionState.SUBSCRIBED);
    assertThat(client.frameworkId()).contains("fw-json");

    client
        .acknowledge(
            AgentID.newBuilder().setValue("a").build(),
            TaskID.newBuilder().setValue("t").build(),
            ByteString.copyFromUtf8("0123456789abcdef"))
        .get(20, TimeUnit.SECONDS);
    String ack = new String(m.nextCall().http().body(), StandardCharsets.UTF_8);
    assertThat(ack)
        .contains("\"framework_id\":{\"value\":\"fw-json\"}")
        .contains("\"agent_id\"")
        .contains("\"task_id\"")
        .contains("\"uuid\":\"MDEyMzQ1Njc4OWFiY2RlZg==\"");
  }

  @Test
  void speaksHttpsToAMasterSignedByAPrivateCa(@TempDir Path dir) throws Exception {
    HeldCertificate ca =
        new HeldCertificate.Builder().certificateAuthority(0).commonName("telos-test-ca").build();
    HeldCertificate server =
        new HeldCertificate.Builder().addSubjectAlternativeName("127.0.0.1").signedBy(ca).build();
    HandshakeCertificates serverCerts =
        new HandshakeCertificates.Builder().heldCertificate(server, ca.certificate()).build();
    ScriptedMaster m = new ScriptedMaster(serverCerts.sslContext().getServerSocketFactory());
    masters.add(m);
    Path bundle = Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());

    MesosClient client =
        start(
            MesosClientConfig.builder(m.server.url("https"), FRAMEWORK)
                .backoff(FAST)
                .caBundle(bundle));
    m.nextStream().subscribed("fw-tls", Duration.ofSeconds(15));
    await().until(() -> client.state() == ConnectionState.SUBSCRIBED);
    assertThat(client.revive(List.of()).get(20, TimeUnit.SECONDS).status()).isEqualTo(202);
  }

  @Test
  void anUntrustedCertificateIsRefused() throws Exception {
    HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).build();
    HeldCertificate server =
        new HeldCertificate.Builder().addSubjectAlternativeName("127.0.0.1").signedBy(ca).build();
    HandshakeCertificates serverCerts =
        new HandshakeCertificates.Builder().heldCertificate(server, ca.certificate()).build();
    ScriptedMaster m = new ScriptedMaster(serverCerts.sslContext().getServerSocketFactory());
    masters.add(m);
    MesosClient client =
        start(MesosClientConfig.builder(m.server.url("https"), FRAMEWORK).backoff(FAST));
    await().until(() -> client.lastError().orElse("").contains("SSL"));
    assertThat(client.state()).isNotEqualTo(ConnectionState.SUBSCRIBED);
  }

  @Test
  void closeStopsWithoutTearingDown() throws Exception {
    ScriptedMaster m = master();
    MesosClient client = start(config(m));
    m.nextStream().subscribed("fw-1", Duration.ofSeconds(15));
    await().until(() -> client.state() == ConnectionState.SUBSCRIBED);
    client.close();
    assertThat(client.state()).isEqualTo(ConnectionState.STOPPED);
    assertThat(m.calls).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------

  static Event subscribedEvent(String id, double heartbeat) {
    return Event.newBuilder()
        .setType(Event.Type.SUBSCRIBED)
        .setSubscribed(
            Event.Subscribed.newBuilder()
                .setFrameworkId(FrameworkID.newBuilder().setValue(id))
                .setHeartbeatIntervalSeconds(heartbeat))
        .build();
  }

  static Event offers(String id) {
    return Event.newBuilder()
        .setType(Event.Type.OFFERS)
        .setOffers(
            Event.Offers.newBuilder()
                .addOffers(
                    Offer.newBuilder()
                        .setId(OfferID.newBuilder().setValue(id))
                        .setFrameworkId(FrameworkID.newBuilder().setValue("fw-1"))
                        .setAgentId(AgentID.newBuilder().setValue("a-1"))
                        .setHostname("localhost")))
        .build();
  }

  static Event update(String task, TaskState state) {
    return Event.newBuilder()
        .setType(Event.Type.UPDATE)
        .setUpdate(
            Event.Update.newBuilder()
                .setStatus(
                    TaskStatus.newBuilder()
                        .setTaskId(TaskID.newBuilder().setValue(task))
                        .setState(state)
                        .setUuid(ByteString.copyFromUtf8("0123456789abcdef"))))
        .build();
  }

  static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** Records what the client reports, and on which thread. */
  static final class Recorder implements SchedulerListener {
    final List<Event> events = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();
    final List<String> disconnects = new CopyOnWriteArrayList<>();
    final List<MesosFatalException> fatal = new CopyOnWriteArrayList<>();

    /**
     * Whether, when SUBSCRIBED was dispatched, {@link #store} already held the framework ID the
     * event assigned (null until a SUBSCRIBED arrives while a store is set).
     */
    volatile Boolean frameworkIdSavedBeforeSubscribed;

    volatile FrameworkIdStore store;

    @Override
    public void onEvent(Event event) {
      events.add(event);
      threads.add(Thread.currentThread().getName());
      FrameworkIdStore s = store;
      if (event.getType() == Event.Type.SUBSCRIBED && s != null) {
        String assigned = event.getSubscribed().getFrameworkId().getValue();
        frameworkIdSavedBeforeSubscribed = s.load().map(assigned::equals).orElse(false);
      }
    }

    @Override
    public void onDisconnected(String reason) {
      disconnects.add(reason);
    }

    @Override
    public void onFatal(MesosFatalException error) {
      fatal.add(error);
    }
  }
}
