package dev.telos.executor;

import dev.telos.mesos.RecordIoDecoder;
import dev.telos.mesos.RecordIoException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.apache.mesos.v1.executor.Protos.Call;
import org.apache.mesos.v1.executor.Protos.Event;

/**
 * The agent's {@code /api/v1/executor} over HTTP/1.1 with protobuf bodies: SUBSCRIBE as a streaming
 * response decoded with the scheduler client's RecordIO decoder, other calls on their own requests
 * answered 202. {@link HttpURLConnection}, not the JDK's {@code HttpClient}: the latter sets up TLS
 * and a selector thread even for plain HTTP, about 10 MiB more in an executor that runs beside
 * every task.
 */
final class AgentClient {
  static final String PROTOBUF = "application/x-protobuf";
  private static final long MAX_EVENT = 64L << 20;
  private static final int CONNECT_TIMEOUT_MS = 5_000;
  private static final int CALL_TIMEOUT_MS = 10_000;

  private final URL endpoint;
  private final String token;
  private volatile HttpURLConnection stream;

  AgentClient(String agentEndpoint, String token) {
    try {
      this.endpoint = URI.create("http://" + agentEndpoint + "/api/v1/executor").toURL();
    } catch (java.net.MalformedURLException e) {
      throw new IllegalArgumentException("bad agent endpoint " + agentEndpoint, e);
    }
    this.token = token;
  }

  private HttpURLConnection post(Call call, int readTimeoutMs) throws IOException {
    HttpURLConnection c = (HttpURLConnection) endpoint.openConnection();
    c.setRequestMethod("POST");
    c.setConnectTimeout(CONNECT_TIMEOUT_MS);
    c.setReadTimeout(readTimeoutMs);
    c.setDoOutput(true);
    c.setInstanceFollowRedirects(false);
    c.setRequestProperty("Content-Type", PROTOBUF);
    c.setRequestProperty("Accept", PROTOBUF);
    if (token != null && !token.isEmpty()) {
      c.setRequestProperty("Authorization", "Bearer " + token);
    }
    byte[] body = call.toByteArray();
    c.setFixedLengthStreamingMode(body.length);
    try (OutputStream out = c.getOutputStream()) {
      out.write(body);
    }
    return c;
  }

  /**
   * Subscribes and hands every event to {@code events} until the stream ends (returns) or breaks
   * (throws).
   */
  void subscribe(Call subscribe, Consumer<Event> events) throws IOException {
    HttpURLConnection c = post(subscribe, 0); // the stream stays open: no read timeout
    stream = c;
    try {
      int status = c.getResponseCode();
      if (status != 200) {
        InputStream err = c.getErrorStream();
        String body =
            err == null ? "" : new String(err.readNBytes(4096), StandardCharsets.UTF_8).strip();
        throw new IOException("SUBSCRIBE answered " + status + ": " + body);
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
      try (InputStream in = c.getInputStream()) {
        byte[] buffer = new byte[65536];
        for (int n; (n = in.read(buffer)) >= 0; ) {
          decoder.feed(buffer, 0, n);
          if (bad[0] != null) {
            throw bad[0];
          }
        }
      }
    } catch (RecordIoException e) {
      throw new IOException("bad event stream: " + e.getMessage(), e);
    } finally {
      stream = null;
      c.disconnect();
    }
  }

  /** Ends the current subscription (its {@link #subscribe} returns or throws soon after). */
  void closeStream() {
    HttpURLConnection c = stream;
    if (c != null) {
      c.disconnect(); // closes the socket: a blocked read ends at once
    }
  }

  /** Sends a call; returns the HTTP status (202 when accepted). */
  int call(Call call) throws IOException {
    HttpURLConnection c = post(call, CALL_TIMEOUT_MS);
    int status = c.getResponseCode();
    InputStream body = status < 400 ? c.getInputStream() : c.getErrorStream();
    if (body != null) {
      try (body) {
        body.readAllBytes(); // read whole, so that the connection is kept for the next call
      }
    }
    return status;
  }
}
