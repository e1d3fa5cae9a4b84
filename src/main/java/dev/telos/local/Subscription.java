package dev.telos.local;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * One framework's event stream: events are queued by the master (never blocking it) and written,
 * RecordIO-framed, by the HTTP thread that answered SUBSCRIBE.
 */
final class Subscription {
  /** Opens the stream of a framework: sends the 200 and the stream ID, returns the stream. */
  @FunctionalInterface
  interface Factory {
    Subscription open(String frameworkId);
  }

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Subscription.class);
  private static final byte[] END = new byte[0];
  private static final byte[] CUT = new byte[0];

  final String streamId;
  final String frameworkId;
  final Wire wire;
  private final HttpExchange exchange;
  private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();

  /** Events a stream may hold for a framework that does not read them (64 MiB). */
  static final long MAX_QUEUED_BYTES = 64L << 20;

  private final java.util.concurrent.atomic.AtomicLong queuedBytes =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean closed;
  volatile ScheduledFuture<?> heartbeat;
  volatile boolean heartbeatsPaused;

  Subscription(String streamId, String frameworkId, Wire wire, HttpExchange exchange) {
    this.streamId = streamId;
    this.frameworkId = frameworkId;
    this.wire = wire;
    this.exchange = exchange;
  }

  boolean isOpen() {
    return !closed;
  }

  /** Flushes the pump has made (each after writing what was queued). */
  private final java.util.concurrent.atomic.AtomicLong flushes =
      new java.util.concurrent.atomic.AtomicLong();

  /**
   * Whether the scheduler still holds this stream. libprocess notices a closed connection at once;
   * this server notices only when it writes. So before a new subscription is taken for a failover
   * from an open one, two heartbeats are written: to a client that has closed its connection the
   * second write fails (on loopback at once), and the stream counts as closed.
   */
  boolean stillHeld(com.google.protobuf.Message heartbeat, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    for (int i = 0; i < 2 && !closed; i++) {
      long before = flushes.get();
      sendMessage(heartbeat);
      while (!closed && flushes.get() == before && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      if (i == 0) {
        Thread.sleep(20); // time for the peer's reset to come back
      }
    }
    return !closed;
  }

  /** Queues an event; a closed stream drops it (Mesos drops events of disconnected frameworks). */
  void send(Event event) {
    sendMessage(event);
  }

  /** Queues any event message (a scheduler's or an executor's stream). */
  void sendMessage(com.google.protobuf.Message event) {
    if (closed) {
      return;
    }
    byte[] record = wire.encode(event);
    byte[] prefix = (record.length + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] framed = new byte[prefix.length + record.length];
    System.arraycopy(prefix, 0, framed, 0, prefix.length);
    System.arraycopy(record, 0, framed, prefix.length, record.length);
    if (queuedBytes.addAndGet(framed.length) > MAX_QUEUED_BYTES) {
      // A framework that does not read its stream would make the master hold every event for
      // it: drop the connection instead; it resubscribes and reconciles.
      log.warn(
          "event stream cut: the framework reads too slowly framework_id={} queued_bytes={}",
          frameworkId,
          queuedBytes.get());
      cut();
      return;
    }
    queue.add(framed);
  }

  /** Ends the stream cleanly after the events already queued. */
  void close() {
    if (!closed) {
      closed = true;
      queue.add(END);
    }
    cancelHeartbeat();
  }

  /** Cuts the connection at once, as a network failure would. */
  void cut() {
    closed = true;
    queue.add(CUT);
    cancelHeartbeat();
  }

  private void cancelHeartbeat() {
    ScheduledFuture<?> h = heartbeat;
    if (h != null) {
      h.cancel(false);
    }
  }

  /**
   * Writes queued events until the stream ends; runs on the HTTP thread of the SUBSCRIBE request.
   * Returns when the stream is closed by the master or broken by the client.
   */
  void pump() {
    OutputStream out = exchange.getResponseBody();
    try {
      while (true) {
        byte[] next = queue.take();
        if (next == END) {
          out.close();
          return;
        }
        if (next == CUT) {
          exchange.close();
          return;
        }
        out.write(next);
        queuedBytes.addAndGet(-next.length);
        byte[] more;
        while ((more = queue.peek()) != null && more != END && more != CUT) {
          byte[] polled = queue.poll();
          out.write(polled);
          queuedBytes.addAndGet(-polled.length);
        }
        out.flush();
        flushes.incrementAndGet();
      }
    } catch (IOException e) {
      closed = true;
      exchange.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
      exchange.close();
    }
  }
}
