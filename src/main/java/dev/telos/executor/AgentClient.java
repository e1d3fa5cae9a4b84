package dev.telos.executor;

import dev.telos.mesos.RecordIoDecoder;
import dev.telos.mesos.RecordIoException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.mesos.v1.executor.Protos.Call;
import org.apache.mesos.v1.executor.Protos.Event;

/**
 * The agent's {@code /api/v1/executor} over HTTP/1.1 with protobuf bodies: SUBSCRIBE as a streaming
 * response decoded with the scheduler client's RecordIO decoder, other calls on their own
 * connections answered 202. The JDK's HTTP client keeps the executor's memory small.
 */
final class AgentClient {
  static final String PROTOBUF = "application/x-protobuf";
  private static final long MAX_EVENT = 64L << 20;

  private final URI endpoint;
  private final String token;
  private final HttpClient http;
  private volatile InputStream stream;

  AgentClient(String agentEndpoint, String token) {
    this.endpoint = URI.create("http://" + agentEndpoint + "/api/v1/executor");
    this.token = token;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  private HttpRequest.Builder request(Call call) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(endpoint)
            .header("Content-Type", PROTOBUF)
            .header("Accept", PROTOBUF)
            .POST(HttpRequest.BodyPublishers.ofByteArray(call.toByteArray()));
    if (token != null && !token.isEmpty()) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  /**
   * Subscribes and hands every event to {@code events} until the stream ends (returns) or breaks
   * (throws).
   */
  void subscribe(Call subscribe, Consumer<Event> events) throws IOException, InterruptedException {
    HttpResponse<InputStream> r =
        http.send(request(subscribe).build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = r.body()) {
      stream = in;
      if (r.statusCode() != 200) {
        String body = new String(in.readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8);
        throw new IOException("SUBSCRIBE answered " + r.statusCode() + ": " + body.strip());
      }
      IOException[] bad = new IOException[1];
      RecordIoDecoder decoder =
          new RecordIoDecoder(
              MAX_EVENT,
              record -> {
                try {
                  events.accept(Event.parseFrom(record));
                } catch (IOException e) {
                  bad[0] = e;
                }
              });
      byte[] buffer = new byte[65536];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        decoder.feed(buffer, 0, n);
        if (bad[0] != null) {
          throw bad[0];
        }
      }
    } catch (RecordIoException e) {
      throw new IOException("bad event stream: " + e.getMessage(), e);
    }
  }

  /** Ends the current subscription (its {@link #subscribe} returns or throws soon after). */
  void closeStream() {
    InputStream in = stream;
    if (in != null) {
      try {
        in.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  /** Sends a call; returns the HTTP status (202 when accepted). */
  int call(Call call) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            request(call).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    return r.statusCode();
  }
}
