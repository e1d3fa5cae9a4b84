package dev.telos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small client of a running controller's API, for the CLI. */
final class ApiClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private final String server;
  private final String token;
  private final HttpClient http;

  /** With the JVM's CAs, or those of {@code $TELOS_CA_FILE} (PEM) when set. */
  ApiClient(String server, String token) throws IOException {
    this(server, token, caFromEnvironment());
  }

  /**
   * @param caFile PEM CAs to trust for an {@code https://} server, or null for the JVM's
   */
  ApiClient(String server, String token, java.nio.file.Path caFile) throws IOException {
    this.server = server.replaceAll("/+$", "");
    this.token = token;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    if (caFile != null) {
      b.sslContext(dev.telos.api.Pem.trusting(caFile));
    }
    this.http = b.build();
  }

  static java.nio.file.Path caFromEnvironment() {
    String env = System.getenv("TELOS_CA_FILE");
    return env == null || env.isBlank() ? null : java.nio.file.Path.of(env.strip());
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(server + path)).GET());
  }

  JsonNode post(String path) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create(server + path))
            .POST(HttpRequest.BodyPublishers.noBody()));
  }

  private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r;
    try {
      r =
          http.send(
              request.timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (java.net.ConnectException e) {
      throw new IOException(
          "cannot reach the Telos API at "
              + server
              + " (is telos running? --server sets the address)");
    }
    JsonNode body = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    if (r.statusCode() >= 400) {
      throw new IOException(
          "the API answered " + r.statusCode() + ": " + body.path("error").asText(r.body()));
    }
    return body;
  }
}
