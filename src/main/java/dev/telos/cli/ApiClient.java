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
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  ApiClient(String server, String token) {
    this.server = server.replaceAll("/+$", "");
    this.token = token;
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
