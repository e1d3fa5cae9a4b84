package dev.telos.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A scheduler written straight from the Mesos scheduler HTTP API documentation: JSON bodies,
 * RecordIO parsed by hand, {@code Mesos-Stream-Id} echoed. Shares no code with Telos's client, so
 * it checks the embedded master against the documented protocol rather than against our own reading
 * of it.
 */
public final class RawScheduler implements AutoCloseable {
  public static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String endpoint;
  private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
  private final java.util.concurrent.CountDownLatch firstEvent =
      new java.util.concurrent.CountDownLatch(1);

  /** Every event received, in order (heartbeats included). */
  public final List<JsonNode> received = new CopyOnWriteArrayList<>();

  public final int status;
  public final String streamId;
  public final String frameworkId;
  private final InputStream stream;
  private volatile boolean autoAcknowledge;
  private final Thread reader;

  private RawScheduler(String master, String frameworkInfo) throws Exception {
    this.endpoint = master + "/api/v1/scheduler";
    ObjectNode call = JSON.createObjectNode();
    call.put("type", "SUBSCRIBE");
    JsonNode info = JSON.readTree(frameworkInfo);
    call.putObject("subscribe").set("framework_info", info);
    if (info.has("id")) {
      call.set("framework_id", info.get("id"));
    }
    HttpResponse<InputStream> response =
        http.send(
            HttpRequest.newBuilder(URI.create(endpoint))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(call)))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    this.status = response.statusCode();
    this.streamId = response.headers().firstValue("Mesos-Stream-Id").orElse(null);
    this.stream = response.body();
    this.reader = new Thread(this::read, "raw-scheduler-reader");
    this.reader.setDaemon(true);
    this.reader.start();
    // Wait for the first event without taking it: next() must still see every event in order.
    if (!firstEvent.await(20, TimeUnit.SECONDS)) {
      throw new AssertionError("no first event within 20 s (status " + status + ")");
    }
    JsonNode first = events.peek();
    this.frameworkId = first.path("subscribed").path("framework_id").path("value").asText(null);
  }

  /** Subscribes with a FrameworkInfo given as JSON, exactly as the docs show. */
  public static RawScheduler subscribe(String master, String frameworkInfoJson) throws Exception {
    return new RawScheduler(master, frameworkInfoJson);
  }

  private void read() {
    try {
      while (true) {
        ByteArrayOutputStream digits = new ByteArrayOutputStream();
        int b;
        while ((b = stream.read()) != -1 && b != '\n') {
          digits.write(b);
        }
        if (b == -1) {
          events.add(JSON.createObjectNode().put("type", "__END__"));
          firstEvent.countDown();
          return;
        }
        int length = Integer.parseInt(digits.toString());
        byte[] record = stream.readNBytes(length);
        JsonNode event = JSON.readTree(record);
        received.add(event);
        events.add(event);
        if (autoAcknowledge
            && "UPDATE".equals(event.path("type").asText())
            && event.at("/update/status").has("uuid")) {
          try {
            acknowledge(event);
          } catch (Exception e) {
            throw new IOException("auto-acknowledge failed", e);
          }
        }
        firstEvent.countDown();
      }
    } catch (IOException e) {
      events.add(JSON.createObjectNode().put("type", "__END__"));
      firstEvent.countDown();
    }
  }

  /** The next event matching {@code filter}, skipping others; fails after 30 s. */
  public JsonNode next(Predicate<JsonNode> filter) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      JsonNode e = events.poll(200, TimeUnit.MILLISECONDS);
      if (e != null && filter.test(e)) {
        return e;
      }
    }
    throw new AssertionError("no matching event within 30 s; received: " + received);
  }

  /** The next event of a type (SUBSCRIBED, OFFERS, UPDATE, ERROR, ...). */
  public JsonNode next(String type) throws InterruptedException {
    return next(e -> type.equals(e.path("type").asText()));
  }

  /** The next UPDATE of a task in a given state. */
  public JsonNode nextUpdate(String taskId, String state) throws InterruptedException {
    return next(
        e ->
            "UPDATE".equals(e.path("type").asText())
                && taskId.equals(e.at("/update/status/task_id/value").asText())
                && state.equals(e.at("/update/status/state").asText()));
  }

  /** Posts a call (JSON) with this stream's ID; returns the answer. */
  public HttpResponse<String> call(String json) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(endpoint))
            .header("Content-Type", "application/json")
            .header("Mesos-Stream-Id", streamId)
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** From now on, acknowledges every update with a uuid as it arrives. */
  public RawScheduler autoAcknowledge() {
    this.autoAcknowledge = true;
    return this;
  }

  /** Acknowledges an UPDATE event that carries a uuid. */
  public void acknowledge(JsonNode update) throws Exception {
    JsonNode status = update.path("update").path("status");
    HttpResponse<String> r =
        call(
            "{\"framework_id\":{\"value\":\""
                + frameworkId
                + "\"},\"type\":\"ACKNOWLEDGE\","
                + "\"acknowledge\":{\"agent_id\":"
                + status.get("agent_id")
                + ",\"task_id\":"
                + status.get("task_id")
                + ",\"uuid\":\""
                + status.get("uuid").asText()
                + "\"}}");
    if (r.statusCode() != 202) {
      throw new AssertionError("ACKNOWLEDGE answered " + r.statusCode() + ": " + r.body());
    }
  }

  /** Closes the stream from this side, as a scheduler that exits would. */
  @Override
  public void close() throws IOException {
    stream.close();
    reader.interrupt();
  }
}
