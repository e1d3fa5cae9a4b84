package dev.telos.mesos;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Offer.Operation;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Mesos v1 scheduler HTTP API client: one subscription stream kept alive, and calls sent on their
 * own connections.
 *
 * <p>This is the protocol engine of the package and deliberately holds the whole connection
 * lifecycle in one place: SUBSCRIBE with the saved framework ID, 307 redirects to the leader
 * (scheme-relative {@code Location} resolved against the request), RecordIO decoding, the heartbeat
 * watchdog, resubscription with jittered exponential backoff, and fatal ERROR events.
 *
 * <p>Threads: one subscriber thread reads the stream and calls the {@link SchedulerListener}, so
 * events arrive in order on that one thread. Calls may be sent from any thread; they complete on
 * OkHttp's threads. {@link #close()} stops everything without tearing the framework down.
 */
public final class MesosClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MesosClient.class);
  private static final String STREAM_ID = "Mesos-Stream-Id";
  private static final String SCHEDULER_PATH = "api/v1/scheduler";
  private static final int MAX_ERROR_BODY = 4096;

  private final MesosClientConfig config;
  private final SchedulerListener listener;
  private final OkHttpClient streamHttp;
  private final OkHttpClient callHttp;
  private final ScheduledExecutorService timers;
  private final Thread subscriber;
  private final CountDownLatch stopSignal = new CountDownLatch(1);

  private volatile HttpUrl endpoint;
  private volatile ConnectionState state = ConnectionState.DISCONNECTED;
  private volatile String streamId;
  private volatile FrameworkID frameworkId;
  private volatile String lastError;
  private volatile Call streamCall;
  private volatile long lastEventNanos;
  private volatile long heartbeatTimeoutNanos;
  private volatile String dropReason;
  private volatile MesosFatalException fatal;

  private MesosClient(MesosClientConfig config, SchedulerListener listener) throws IOException {
    this.config = config;
    this.listener = listener;
    this.endpoint = schedulerEndpoint(config.master);
    OkHttpClient.Builder base =
        new OkHttpClient.Builder()
            .followRedirects(false)
            .followSslRedirects(false)
            .retryOnConnectionFailure(false)
            // One request per connection at a time: the stream must never share its connection.
            .protocols(List.of(Protocol.HTTP_1_1))
            .connectTimeout(config.connectTimeout);
    if (config.caBundle != null) {
      Tls tls = Tls.trusting(config.caBundle);
      base.sslSocketFactory(tls.context.getSocketFactory(), tls.trustManager);
    }
    OkHttpClient shared = base.build();
    this.streamHttp =
        shared
            .newBuilder()
            .connectionPool(new ConnectionPool(1, 1, TimeUnit.SECONDS))
            .readTimeout(Duration.ZERO)
            .callTimeout(Duration.ZERO)
            .build();
    okhttp3.Dispatcher callDispatcher = new okhttp3.Dispatcher();
    // Acknowledgements of a burst of updates go out together; the master is one host.
    callDispatcher.setMaxRequestsPerHost(32);
    this.callHttp =
        shared
            .newBuilder()
            .dispatcher(callDispatcher)
            // Keeps a connection for each call in flight: the default pool keeps five idle, so a
            // burst of acknowledgements closed and reopened the rest on every burst.
            .connectionPool(new ConnectionPool(MAX_CALLS_IN_FLIGHT, 5, TimeUnit.MINUTES))
            .callTimeout(config.callTimeout)
            .readTimeout(config.callTimeout)
            .build();
    this.frameworkId =
        config
            .frameworkIdStore
            .load()
            .map(id -> FrameworkID.newBuilder().setValue(id).build())
            .orElse(null);
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "telos-mesos-timers");
              t.setDaemon(true);
              return t;
            });
    this.subscriber = new Thread(this::runSubscriber, "telos-mesos-subscriber");
    this.subscriber.setDaemon(true);
  }

  /**
   * Creates a client and starts subscribing at once.
   *
   * @throws IOException when the CA bundle cannot be read
   */
  public static MesosClient start(MesosClientConfig config, SchedulerListener listener)
      throws IOException {
    MesosClient client = new MesosClient(config, listener);
    client.subscriber.start();
    client.timers.scheduleWithFixedDelay(client::watchdog, 50, 50, TimeUnit.MILLISECONDS);
    return client;
  }

  /** The state of the subscription. */
  public ConnectionState state() {
    return state;
  }

  /** The framework ID, once the master assigned it or the store held one. */
  public Optional<String> frameworkId() {
    FrameworkID id = frameworkId;
    return id == null ? Optional.empty() : Optional.of(id.getValue());
  }

  /** The last reason the stream was lost or refused, for status reports. */
  public Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  /** The scheduler endpoint in use (the leader after redirects), without credentials. */
  public String endpoint() {
    return Redact.url(endpoint);
  }

  // ---------------------------------------------------------------------------------------------
  // Calls

  /** ACCEPT offers with operations (LAUNCH, LAUNCH_GROUP, ...). */
  public CompletableFuture<CallResponse> accept(
      Collection<OfferID> offers, List<Operation> operations, Filters filters) {
    return withFramework(id -> Calls.accept(id, offers, operations, filters));
  }

  /** DECLINE offers, refusing their resources for {@code refuse}. */
  public CompletableFuture<CallResponse> decline(Collection<OfferID> offers, Duration refuse) {
    return inOfferFlowOrder(() -> withFramework(id -> Calls.decline(id, offers, refuse)));
  }

  /** KILL a task, with a grace period overriding its kill policy (null: the task's own). */
  public CompletableFuture<CallResponse> kill(TaskID task, AgentID agent, Duration gracePeriod) {
    return withFramework(id -> Calls.kill(id, task, agent, gracePeriod));
  }

  /** ACKNOWLEDGE a status update; only updates that carry a uuid may be acknowledged. */
  public CompletableFuture<CallResponse> acknowledge(
      AgentID agent, TaskID task, com.google.protobuf.ByteString uuid) {
    return withFramework(id -> Calls.acknowledge(id, agent, task, uuid));
  }

  /** RECONCILE the given tasks; an empty collection asks for every task (implicit). */
  public CompletableFuture<CallResponse> reconcile(
      Collection<org.apache.mesos.v1.scheduler.Protos.Call.Reconcile.Task> tasks) {
    return withFramework(id -> Calls.reconcile(id, tasks));
  }

  /** REVIVE offers for roles (empty: all). */
  public CompletableFuture<CallResponse> revive(Collection<String> roles) {
    return inOfferFlowOrder(() -> withFramework(id -> Calls.revive(id, roles)));
  }

  /** SUPPRESS offers for roles (empty: all). */
  public CompletableFuture<CallResponse> suppress(Collection<String> roles) {
    return inOfferFlowOrder(() -> withFramework(id -> Calls.suppress(id, roles)));
  }

  private final Object offerFlowLock = new Object();
  private CompletableFuture<?> offerFlowTail = CompletableFuture.completedFuture(null);

  /**
   * Sends an offer-flow call (DECLINE, REVIVE, SUPPRESS) only once the previous one has been
   * answered: calls on separate connections may overtake each other, and a DECLINE with a filter
   * that reaches the master after the REVIVE meant to clear it leaves offers filtered for as long
   * as the filter lasts.
   */
  private CompletableFuture<CallResponse> inOfferFlowOrder(
      java.util.function.Supplier<CompletableFuture<CallResponse>> send) {
    synchronized (offerFlowLock) {
      CompletableFuture<CallResponse> next =
          offerFlowTail.handle((r, e) -> null).thenCompose(ignored -> send.get());
      offerFlowTail = next;
      return next;
    }
  }

  /** TEARDOWN the framework: every task is killed and the framework removed. Irreversible. */
  public CompletableFuture<CallResponse> teardown() {
    return withFramework(Calls::teardown);
  }

  /**
   * Sends any call of the current stream. The framework ID must already be set on it.
   *
   * <p>The future fails with {@link NotSubscribedException} when there is no subscribed stream,
   * with {@link MesosHttpException} on an error answer (after retries for 503 and 5xx), and with
   * {@link IOException} when the master stayed unreachable for every attempt.
   */
  public CompletableFuture<CallResponse> send(org.apache.mesos.v1.scheduler.Protos.Call call) {
    String sid = streamId;
    ConnectionState s = state;
    if (s != ConnectionState.SUBSCRIBED || sid == null) {
      return CompletableFuture.failedFuture(new NotSubscribedException(call.getType().name(), s));
    }
    CompletableFuture<CallResponse> result = new CompletableFuture<>();
    attemptCall(call, config.contentType.encode(call), sid, endpoint, 0, 0, result);
    return result;
  }

  private CompletableFuture<CallResponse> withFramework(
      java.util.function.Function<FrameworkID, org.apache.mesos.v1.scheduler.Protos.Call> build) {
    FrameworkID id = frameworkId;
    if (id == null || state != ConnectionState.SUBSCRIBED) {
      return CompletableFuture.failedFuture(new NotSubscribedException("call", state));
    }
    org.apache.mesos.v1.scheduler.Protos.Call call;
    try {
      call = build.apply(id);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    return send(call);
  }

  private void attemptCall(
      org.apache.mesos.v1.scheduler.Protos.Call call,
      byte[] body,
      String sid,
      HttpUrl url,
      int attempt,
      int redirects,
      CompletableFuture<CallResponse> result) {
    String type = call.getType().name();
    Request request =
        authorized(
                new Request.Builder()
                    .url(url)
                    .post(RequestBody.create(body, config.contentType.okHttpMediaType()))
                    .header("Accept", config.contentType.mediaType())
                    .header(STREAM_ID, sid))
            .build();
    dispatch(
        request,
        new Callback() {
          @Override
          public void onResponse(Call httpCall, Response response) {
            try (response) {
              int code = response.code();
              if (code == 200 || code == 202) {
                ResponseBody rb = response.body();
                result.complete(new CallResponse(code, rb == null ? new byte[0] : rb.bytes()));
                return;
              }
              if (code == 307) {
                HttpUrl leader = redirectTarget(url, response);
                if (leader != null && redirects < config.maxRedirects) {
                  log.info(
                      "call redirected to leading master type={} leader={}",
                      type,
                      Redact.url(leader));
                  endpoint = leader;
                  attemptCall(call, body, sid, leader, attempt, redirects + 1, result);
                  return;
                }
                result.completeExceptionally(
                    new MesosHttpException(type, code, "redirect without a usable Location"));
                return;
              }
              MesosHttpException error = new MesosHttpException(type, code, errorBody(response));
              if (error.retryable()) {
                retryCall(call, body, sid, url, attempt, result, error);
              } else {
                result.completeExceptionally(error);
              }
            } catch (IOException e) {
              retryCall(call, body, sid, url, attempt, result, e);
            } catch (RuntimeException e) {
              result.completeExceptionally(e);
            }
          }

          @Override
          public void onFailure(Call httpCall, IOException e) {
            retryCall(call, body, sid, url, attempt, result, e);
          }
        });
  }

  /** Calls in flight at most; the rest wait here, in the order they were made. */
  static final int MAX_CALLS_IN_FLIGHT = 32;

  private final Object callsLock = new Object();
  private final java.util.ArrayDeque<Runnable> waitingCalls = new java.util.ArrayDeque<>();
  private int callsInFlight;

  /**
   * Sends a call's request when fewer than {@value #MAX_CALLS_IN_FLIGHT} are in flight, else queues
   * it. OkHttp's own queue rescans every waiting call each time one finishes (quadratic in a burst
   * of tens of thousands of acknowledgements), so calls wait in this FIFO and reach OkHttp only
   * when they can go out at once.
   */
  /** Calls sent and not answered yet, plus those waiting to be sent. */
  public int callsPending() {
    synchronized (callsLock) {
      return callsInFlight + waitingCalls.size();
    }
  }

  private void dispatch(Request request, Callback callback) {
    Callback releasing =
        new Callback() {
          @Override
          public void onResponse(Call httpCall, Response response) throws IOException {
            try {
              callback.onResponse(httpCall, response);
            } finally {
              callDone();
            }
          }

          @Override
          public void onFailure(Call httpCall, IOException e) {
            try {
              callback.onFailure(httpCall, e);
            } finally {
              callDone();
            }
          }
        };
    Runnable start = () -> callHttp.newCall(request).enqueue(releasing);
    synchronized (callsLock) {
      if (callsInFlight >= MAX_CALLS_IN_FLIGHT) {
        waitingCalls.addLast(start);
        return;
      }
      callsInFlight++;
    }
    start.run();
  }

  private void callDone() {
    Runnable next;
    synchronized (callsLock) {
      next = waitingCalls.pollFirst();
      if (next == null) {
        callsInFlight--;
        return;
      }
    }
    // Once the client closes, OkHttp fails a call at once, in this thread, which would start the
    // next one from within this one: calls started here run one after another instead.
    java.util.ArrayDeque<Runnable> pending = STARTING.get();
    if (pending != null) {
      pending.addLast(next);
      return;
    }
    pending = new java.util.ArrayDeque<>();
    STARTING.set(pending);
    try {
      for (Runnable r = next; r != null; r = pending.pollFirst()) {
        r.run();
      }
    } finally {
      STARTING.remove();
    }
  }

  private static final ThreadLocal<java.util.ArrayDeque<Runnable>> STARTING = new ThreadLocal<>();

  private void retryCall(
      org.apache.mesos.v1.scheduler.Protos.Call call,
      byte[] body,
      String sid,
      HttpUrl url,
      int attempt,
      CompletableFuture<CallResponse> result,
      Exception cause) {
    String type = call.getType().name();
    if (attempt + 1 >= config.maxCallAttempts || stopSignal.getCount() == 0) {
      result.completeExceptionally(cause);
      return;
    }
    if (!idempotent(call.getType()) && !neverReachedMaster(cause)) {
      // A second ACCEPT of the same offers is answered with TASK_DROPPED for tasks that run; a
      // second KILL or TEARDOWN may act again. The caller learns the outcome from reconciliation.
      log.warn(
          "call failed and is not resent: it may have taken effect type={} reason={}",
          type,
          cause.getMessage());
      result.completeExceptionally(cause);
      return;
    }
    if (!sid.equals(streamId)) {
      // The stream this call belonged to is gone; the master would answer 400 to its stream ID.
      result.completeExceptionally(new NotSubscribedException(type, state));
      return;
    }
    Duration delay = config.backoff.delay(attempt, ThreadLocalRandom.current()::nextDouble);
    log.warn(
        "call failed, retrying type={} attempt={} in={}ms reason={}",
        type,
        attempt + 1,
        delay.toMillis(),
        cause.getMessage());
    try {
      timers.schedule(
          () -> attemptCall(call, body, sid, url, attempt + 1, 0, result),
          delay.toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      result.completeExceptionally(cause);
    }
  }

  /** Whether sending {@code type} twice has the same effect as sending it once. */
  static boolean idempotent(org.apache.mesos.v1.scheduler.Protos.Call.Type type) {
    return switch (type) {
      case ACCEPT, KILL, TEARDOWN, SHUTDOWN, MESSAGE -> false;
      default -> true;
    };
  }

  /**
   * Whether a failed attempt certainly never reached the master: the connection was never made, or
   * the master answered 503 (no leader, or still recovering), which it does before looking at the
   * call.
   */
  static boolean neverReachedMaster(Exception cause) {
    if (cause instanceof MesosHttpException http) {
      return http.status() == 503;
    }
    return cause instanceof java.net.ConnectException
        || cause instanceof java.net.UnknownHostException
        || cause instanceof java.net.NoRouteToHostException;
  }

  // ---------------------------------------------------------------------------------------------
  // The subscription

  private void runSubscriber() {
    int attempt = 0;
    while (stopSignal.getCount() > 0) {
      String reason;
      try {
        boolean subscribed = subscribeOnce();
        reason = dropReasonOr("the master closed the event stream");
        if (subscribed) {
          attempt = 0;
        }
      } catch (MesosFatalException e) {
        stopFatally(e);
        return;
      } catch (IOException | RuntimeException e) {
        reason = dropReasonOr(describe(e));
      } finally {
        Call c = streamCall;
        if (c != null) {
          c.cancel();
        }
        streamCall = null;
        streamId = null;
      }
      if (stopSignal.getCount() == 0) {
        break;
      }
      state = ConnectionState.DISCONNECTED;
      lastError = reason;
      Duration delay = config.backoff.delay(attempt++, ThreadLocalRandom.current()::nextDouble);
      log.warn("subscription lost reason=\"{}\" resubscribing_in={}ms", reason, delay.toMillis());
      notifyDisconnected(reason);
      try {
        if (stopSignal.await(delay.toNanos(), TimeUnit.NANOSECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (state != ConnectionState.STOPPED) {
      state = ConnectionState.STOPPED;
    }
  }

  /**
   * Runs one subscription until its stream ends.
   *
   * @return whether SUBSCRIBED arrived on it
   */
  private boolean subscribeOnce() throws IOException {
    state = ConnectionState.SUBSCRIBING;
    dropReason = null;
    if (config.leaderDetector != null) {
      String leader =
          config
              .leaderDetector
              .get()
              .orElseThrow(() -> new IOException("no leading Mesos master is known yet"));
      HttpUrl url = HttpUrl.parse(leader);
      if (url == null) {
        throw new IOException("the detected leader is not an http(s) URL: " + leader);
      }
      endpoint = schedulerEndpoint(url);
    }
    FrameworkInfo.Builder info = config.frameworkInfo.toBuilder();
    org.apache.mesos.v1.scheduler.Protos.Call.Builder call =
        org.apache.mesos.v1.scheduler.Protos.Call.newBuilder()
            .setType(org.apache.mesos.v1.scheduler.Protos.Call.Type.SUBSCRIBE);
    FrameworkID id = frameworkId;
    if (id != null) {
      info.setId(id);
      call.setFrameworkId(id);
    }
    if (config.credentials != null && !info.hasPrincipal()) {
      info.setPrincipal(config.credentials.principal());
    }
    call.setSubscribe(
        org.apache.mesos.v1.scheduler.Protos.Call.Subscribe.newBuilder().setFrameworkInfo(info));
    byte[] body = config.contentType.encode(call.build());

    HttpUrl url = endpoint;
    for (int redirects = 0; ; redirects++) {
      Request request =
          authorized(
                  new Request.Builder()
                      .url(url)
                      .post(RequestBody.create(body, config.contentType.okHttpMediaType()))
                      .header("Accept", config.contentType.mediaType()))
              .build();
      Call http = streamHttp.newCall(request);
      streamCall = http;
      heartbeatTimeoutNanos = config.initialHeartbeatTimeout.toNanos();
      lastEventNanos = System.nanoTime();
      if (stopSignal.getCount() == 0) {
        return false;
      }
      log.info(
          "subscribing endpoint={} framework_id={} content_type={}",
          Redact.url(url),
          id == null ? "(new)" : id.getValue(),
          config.contentType);
      Response response = http.execute();
      try (response) {
        if (response.code() == 307) {
          HttpUrl leader = redirectTarget(url, response);
          if (leader == null) {
            throw new IOException("307 from " + Redact.url(url) + " without a usable Location");
          }
          if (redirects >= config.maxRedirects) {
            throw new IOException("more than " + config.maxRedirects + " redirects subscribing");
          }
          log.info("redirected to leading master leader={}", Redact.url(leader));
          endpoint = leader;
          url = leader;
          continue;
        }
        if (response.code() != 200) {
          throw new MesosHttpException("SUBSCRIBE", response.code(), errorBody(response));
        }
        String sid = response.header(STREAM_ID);
        if (sid == null || sid.isEmpty()) {
          throw new IOException("SUBSCRIBE answered 200 without a " + STREAM_ID + " header");
        }
        streamId = sid;
        return readStream(response);
      }
    }
  }

  private boolean readStream(Response response) throws IOException {
    ResponseBody rb = response.body();
    if (rb == null) {
      throw new IOException("SUBSCRIBE answered without a body");
    }
    boolean[] subscribed = {false};
    RecordIoDecoder decoder =
        new RecordIoDecoder(config.maxRecordBytes, record -> subscribed[0] |= handleRecord(record));
    BufferedSource source = rb.source();
    byte[] buffer = new byte[16 * 1024];
    while (true) {
      int n = source.read(buffer);
      if (n == -1) {
        decoder.finish();
        return subscribed[0];
      }
      try {
        decoder.feed(buffer, 0, n);
      } catch (UncheckedEventException e) {
        throw e.getCause();
      }
    }
  }

  /** Decodes and dispatches one event; returns whether it was SUBSCRIBED. */
  private boolean handleRecord(byte[] record) {
    Event event;
    try {
      event = config.contentType.decodeEvent(record);
    } catch (IOException e) {
      throw new UncheckedEventException(
          new IOException("undecodable event (" + record.length + " bytes): " + e.getMessage(), e));
    }
    lastEventNanos = System.nanoTime();
    switch (event.getType()) {
      case SUBSCRIBED -> {
        Event.Subscribed subscribed = event.getSubscribed();
        FrameworkID assigned = subscribed.getFrameworkId();
        try {
          config.frameworkIdStore.save(assigned.getValue());
        } catch (RuntimeException e) {
          throw new UncheckedEventException(
              new IOException("cannot save framework ID " + assigned.getValue() + ": " + e, e));
        }
        frameworkId = assigned;
        double interval =
            subscribed.hasHeartbeatIntervalSeconds()
                ? subscribed.getHeartbeatIntervalSeconds()
                : 15d;
        heartbeatTimeoutNanos = (long) (interval * config.missedHeartbeats * 1e9);
        lastError = null;
        state = ConnectionState.SUBSCRIBED;
        log.info(
            "subscribed framework_id={} heartbeat_interval_s={}", assigned.getValue(), interval);
        dispatch(event);
        return true;
      }
      case ERROR -> {
        dispatch(event);
        throw fatalFor(event.getError().getMessage());
      }
      default -> {
        dispatch(event);
        return false;
      }
    }
  }

  private MesosFatalException fatalFor(String masterMessage) {
    String id = frameworkId().orElse("(none)");
    if (masterMessage.toLowerCase(java.util.Locale.ROOT).contains("removed")) {
      return new MesosFatalException(
          "The Mesos master removed framework "
              + id
              + " (its failover timeout passed, or it was torn down): its tasks are gone and"
              + " the ID cannot be used again. Telos will not register a new framework on its"
              + " own. To start over as a new framework, delete the saved framework ID and"
              + " restart Telos. Master said: "
              + masterMessage,
          masterMessage);
    }
    return new MesosFatalException(
        "The Mesos master ended the subscription of framework "
            + id
            + " with an ERROR; Telos stopped talking to Mesos. If another Telos instance took"
            + " over, this is expected; otherwise check the framework's settings and restart."
            + " Master said: "
            + masterMessage,
        masterMessage);
  }

  private void dispatch(Event event) {
    try {
      listener.onEvent(event);
    } catch (RuntimeException e) {
      log.error("scheduler listener failed on event type={}", event.getType(), e);
    }
  }

  private void notifyDisconnected(String reason) {
    try {
      listener.onDisconnected(reason);
    } catch (RuntimeException e) {
      log.error("scheduler listener failed on disconnect", e);
    }
  }

  private void stopFatally(MesosFatalException e) {
    fatal = e;
    lastError = e.getMessage();
    state = ConnectionState.STOPPED;
    streamId = null;
    log.error("mesos subscription stopped: {}", e.getMessage());
    stopSignal.countDown();
    timers.shutdownNow();
    try {
      listener.onFatal(e);
    } catch (RuntimeException listenerError) {
      log.error("scheduler listener failed on fatal error", listenerError);
    }
  }

  /** The fatal error that stopped the client, if one did. */
  public Optional<MesosFatalException> fatalError() {
    return Optional.ofNullable(fatal);
  }

  private void watchdog() {
    Call c = streamCall;
    ConnectionState s = state;
    if (c == null || (s != ConnectionState.SUBSCRIBED && s != ConnectionState.SUBSCRIBING)) {
      return;
    }
    long silent = System.nanoTime() - lastEventNanos;
    if (silent > heartbeatTimeoutNanos) {
      dropReason =
          s == ConnectionState.SUBSCRIBED
              ? "no event for "
                  + (silent / 1_000_000)
                  + " ms ("
                  + config.missedHeartbeats
                  + " heartbeat intervals)"
              : "no SUBSCRIBED event within " + (silent / 1_000_000) + " ms";
      c.cancel();
    }
  }

  private String dropReasonOr(String fallback) {
    String r = dropReason;
    return r != null ? r : fallback;
  }

  private Request.Builder authorized(Request.Builder request) {
    if (config.credentials != null) {
      request.header("Authorization", config.credentials.authorizationHeader());
    }
    return request;
  }

  private static HttpUrl redirectTarget(HttpUrl from, Response response) {
    String location = response.header("Location");
    if (location == null || location.isBlank()) {
      return null;
    }
    HttpUrl target = from.resolve(location.strip());
    if (target == null) {
      return null;
    }
    // Mesos names the leader as //host:port followed by the request's own path; when a proxy
    // names only the host, keep the path we asked for.
    if (!target.encodedPath().endsWith("/" + SCHEDULER_PATH)) {
      target = target.newBuilder().encodedPath(from.encodedPath()).build();
    }
    return target.newBuilder().query(null).fragment(null).build();
  }

  private static HttpUrl schedulerEndpoint(HttpUrl master) {
    if (master.encodedPath().endsWith("/" + SCHEDULER_PATH)) {
      return master.newBuilder().query(null).fragment(null).build();
    }
    String path = master.encodedPath();
    String prefix = path.endsWith("/") ? path : path + "/";
    return master
        .newBuilder()
        .encodedPath(prefix + SCHEDULER_PATH)
        .query(null)
        .fragment(null)
        .build();
  }

  private static String errorBody(Response response) throws IOException {
    ResponseBody rb = response.body();
    if (rb == null) {
      return "";
    }
    BufferedSource source = rb.source();
    source.request(MAX_ERROR_BODY);
    long size = Math.min(source.getBuffer().size(), MAX_ERROR_BODY);
    return source.getBuffer().readUtf8(size);
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /**
   * Stops the client: closes the stream, stops resubscribing and fails nothing already sent. The
   * framework stays registered with the master (its tasks keep running for its failover timeout).
   */
  @Override
  public void close() {
    stopSignal.countDown();
    Call c = streamCall;
    if (c != null) {
      c.cancel();
    }
    subscriber.interrupt();
    try {
      subscriber.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timers.shutdownNow();
    state = ConnectionState.STOPPED;
    streamHttp.dispatcher().executorService().shutdown();
    streamHttp.connectionPool().evictAll();
    callHttp.dispatcher().executorService().shutdown();
    callHttp.connectionPool().evictAll();
  }

  /** Carries an I/O failure out of the decoder's record consumer. */
  private static final class UncheckedEventException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UncheckedEventException(IOException cause) {
      super(cause);
    }

    @Override
    public synchronized IOException getCause() {
      return (IOException) super.getCause();
    }
  }
}
