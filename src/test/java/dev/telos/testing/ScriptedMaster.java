package dev.telos.testing;

import dev.telos.mesos.ContentType;
import dev.telos.mesos.RecordIoDecoder;
import dev.telos.testing.ScriptedHttpServer.Exchange;
import dev.telos.testing.ScriptedHttpServer.Recorded;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * A master whose every answer the test scripts: SUBSCRIBE opens a {@link Stream} the test writes
 * events (or raw bytes) into; calls answer 202 unless a scripted answer is queued. Records every
 * request with its decoded call.
 */
public final class ScriptedMaster implements AutoCloseable {
  /** A request seen by the master, with its call decoded from protobuf or JSON. */
  public record Received(Recorded http, Call call, long atNanos) {}

  /** A canned answer to the next request. */
  public record Answer(int code, Map<String, String> headers, String body, long delayMillis) {
    public Answer(int code, Map<String, String> headers, String body) {
      this(code, headers, body, 0);
    }
  }

  public final ScriptedHttpServer server;
  public final BlockingQueue<Received> subscribes = new LinkedBlockingQueue<>();
  public final BlockingQueue<Received> calls = new LinkedBlockingQueue<>();
  public final BlockingQueue<Stream> streams = new LinkedBlockingQueue<>();
  public final ConcurrentLinkedDeque<Answer> nextAnswers = new ConcurrentLinkedDeque<>();
  public final AtomicInteger requests = new AtomicInteger();

  /** Calls (not subscriptions) being answered now, and the most there ever were at once. */
  public final AtomicInteger callsInFlight = new AtomicInteger();

  public final AtomicInteger maxCallsInFlight = new AtomicInteger();

  /** When set, every call waits for it before it is answered. */
  public volatile CountDownLatch holdCalls;

  public ScriptedMaster() throws IOException {
    this(ServerSocketFactory.getDefault());
  }

  public ScriptedMaster(ServerSocketFactory factory) throws IOException {
    this.server = new ScriptedHttpServer(factory, this::handle);
  }

  public String url() {
    return server.url("http");
  }

  private void handle(Recorded http, Exchange exchange) throws IOException, InterruptedException {
    requests.incrementAndGet();
    Call call = decode(http);
    Received received = new Received(http, call, System.nanoTime());
    if (call != null && call.getType() == Call.Type.SUBSCRIBE) {
      subscribes.add(received);
    } else {
      maxCallsInFlight.accumulateAndGet(callsInFlight.incrementAndGet(), Math::max);
      try {
        calls.add(received);
        CountDownLatch hold = holdCalls;
        if (hold != null) {
          hold.await();
        }
        answer(http, call, exchange);
      } finally {
        callsInFlight.decrementAndGet();
      }
      return;
    }
    answer(http, call, exchange);
  }

  private void answer(Recorded http, Call call, Exchange exchange)
      throws IOException, InterruptedException {
    Answer answer = nextAnswers.pollFirst();
    if (answer != null && answer.delayMillis() > 0) {
      Thread.sleep(answer.delayMillis());
    }
    if (answer != null) {
      exchange.respond(
          answer.code(), answer.headers(), answer.body().getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (call != null && call.getType() == Call.Type.SUBSCRIBE) {
      ContentType accept =
          "application/json".equals(http.header("accept"))
              ? ContentType.JSON
              : ContentType.PROTOBUF;
      Stream stream = new Stream(exchange, accept, "stream-" + UUID.randomUUID());
      exchange.startChunked(
          200, Map.of("Mesos-Stream-Id", stream.id, "Content-Type", accept.mediaType()));
      streams.add(stream);
      stream.closed.await();
      return;
    }
    exchange.respond(202, Map.of(), new byte[0]);
  }

  private static Call decode(Recorded http) {
    try {
      if ("application/json".equals(http.header("content-type"))) {
        Call.Builder b = Call.newBuilder();
        com.google.protobuf.util.JsonFormat.parser()
            .merge(new String(http.body(), StandardCharsets.UTF_8), b);
        return b.build();
      }
      return Call.parseFrom(http.body());
    } catch (IOException e) {
      return null;
    }
  }

  public Stream nextStream() throws InterruptedException {
    Stream s = streams.poll(20, TimeUnit.SECONDS);
    if (s == null) {
      throw new AssertionError("no SUBSCRIBE stream opened within 20 s");
    }
    return s;
  }

  public Received nextSubscribe() throws InterruptedException {
    Received r = subscribes.poll(20, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no SUBSCRIBE within 20 s");
    }
    return r;
  }

  public Received nextCall() throws InterruptedException {
    Received r = calls.poll(20, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no call within 20 s");
    }
    return r;
  }

  @Override
  public void close() throws IOException {
    for (Stream s : streams) {
      s.closed.countDown();
    }
    server.close();
  }

  /** One open event stream. */
  public static final class Stream {
    public final Exchange exchange;
    public final ContentType encoding;
    public final String id;
    public final CountDownLatch closed = new CountDownLatch(1);

    Stream(Exchange exchange, ContentType encoding, String id) {
      this.exchange = exchange;
      this.encoding = encoding;
      this.id = id;
    }

    public byte[] frame(Event event) {
      byte[] record =
          switch (encoding) {
            case PROTOBUF -> event.toByteArray();
            case JSON -> {
              try {
                yield com.google.protobuf.util.JsonFormat.printer()
                    .preservingProtoFieldNames()
                    .print(event)
                    .getBytes(StandardCharsets.UTF_8);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            }
          };
      return RecordIoDecoder.encode(record);
    }

    public void send(Event event) throws IOException {
      exchange.chunk(frame(event));
    }

    public void sendRaw(byte[] bytes) throws IOException {
      exchange.chunk(bytes);
    }

    public void subscribed(String frameworkId, Duration heartbeat) throws IOException {
      send(
          Event.newBuilder()
              .setType(Event.Type.SUBSCRIBED)
              .setSubscribed(
                  Event.Subscribed.newBuilder()
                      .setFrameworkId(
                          org.apache.mesos.v1.Protos.FrameworkID.newBuilder().setValue(frameworkId))
                      .setHeartbeatIntervalSeconds(heartbeat.toMillis() / 1000d))
              .build());
    }

    public void heartbeat() throws IOException {
      send(Event.newBuilder().setType(Event.Type.HEARTBEAT).build());
    }

    public void end() throws IOException {
      exchange.endChunks();
      closed.countDown();
    }

    public void cut() throws IOException {
      exchange.cut();
      closed.countDown();
    }
  }
}
