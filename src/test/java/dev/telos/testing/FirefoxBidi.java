package dev.telos.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Firefox (Debian's {@code firefox-esr}) driven over WebDriver BiDi, the W3C protocol
 * Firefox speaks itself: no geckodriver (Debian has none) and no download. Enough for the UI's
 * tests: open a page, evaluate an expression in it. Closing ends the browser.
 */
public final class FirefoxBidi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING =
      Pattern.compile("WebDriver BiDi listening on (ws://\\S+)");

  private final Process process;
  private final WebSocket socket;
  private final Map<Long, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final String context;

  private FirefoxBidi(Process process, String endpoint) throws Exception {
    this.process = process;
    StringBuilder partial = new StringBuilder();
    this.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(
                URI.create(endpoint + "/session"),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    partial.append(data);
                    if (last) {
                      received(partial.toString());
                      partial.setLength(0);
                    }
                    ws.request(1);
                    return null;
                  }
                })
            .get(30, TimeUnit.SECONDS);
    send("session.new", JSON.createObjectNode().set("capabilities", JSON.createObjectNode()));
    JsonNode tree = send("browsingContext.getTree", JSON.createObjectNode());
    this.context = tree.path("contexts").get(0).path("context").asText();
  }

  /** Starts headless Firefox with a profile under {@code dir}; fails when it is not installed. */
  public static FirefoxBidi start(Path dir) throws Exception {
    Path firefox = Path.of("/usr/bin/firefox-esr");
    if (!Files.isExecutable(firefox)) {
      throw new IllegalStateException(
          "the Firefox tests need Debian's firefox-esr: apt-get install -y firefox-esr"
              + " (.ci/run installs it)");
    }
    Path profile = Files.createDirectories(dir.resolve("firefox-profile"));
    Process p =
        new ProcessBuilder(
                firefox.toString(),
                "--headless",
                "--no-remote",
                "--profile",
                profile.toString(),
                "--remote-debugging-port=0",
                "--window-size=1280,900",
                "about:blank")
            .redirectErrorStream(true)
            .start();
    CompletableFuture<String> endpoint = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    endpoint.complete(m.group(1));
                  }
                }
              } catch (java.io.IOException e) {
                endpoint.completeExceptionally(e);
              }
              endpoint.completeExceptionally(new IllegalStateException("firefox exited"));
            },
            "firefox-output");
    reader.setDaemon(true);
    reader.start();
    try {
      return new FirefoxBidi(p, endpoint.get(60, TimeUnit.SECONDS));
    } catch (Exception e) {
      p.destroyForcibly();
      throw e;
    }
  }

  private void received(String text) {
    try {
      JsonNode message = JSON.readTree(text);
      if (!message.has("id")) {
        return; // an event
      }
      CompletableFuture<JsonNode> f = waiting.remove(message.get("id").asLong());
      if (f == null) {
        return;
      }
      if ("error".equals(message.path("type").asText())) {
        f.completeExceptionally(
            new IllegalStateException(
                message.path("error").asText() + ": " + message.path("message").asText()));
      } else {
        f.complete(message.path("result"));
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private JsonNode send(String method, ObjectNode params) throws Exception {
    long id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    waiting.put(id, answer);
    ObjectNode message = JSON.createObjectNode();
    message.put("id", id);
    message.put("method", method);
    message.set("params", params);
    socket.sendText(JSON.writeValueAsString(message), true).get(30, TimeUnit.SECONDS);
    return answer.get(60, TimeUnit.SECONDS);
  }

  /** Opens {@code url} in the browser's tab and waits until the page has loaded. */
  public void open(String url) throws Exception {
    ObjectNode params = JSON.createObjectNode();
    params.put("context", context);
    params.put("url", url);
    params.put("wait", "complete");
    send("browsingContext.navigate", params);
  }

  /** Evaluates a JavaScript expression in the page; its value as text ("" for null). */
  public String eval(String expression) throws Exception {
    ObjectNode params = JSON.createObjectNode();
    params.put("expression", expression);
    params.set("target", JSON.createObjectNode().put("context", context));
    params.put("awaitPromise", false);
    JsonNode result = send("script.evaluate", params);
    if (!"success".equals(result.path("type").asText())) {
      throw new IllegalStateException("the page threw: " + result.path("exceptionDetails"));
    }
    JsonNode value = result.path("result");
    return value.has("value") ? value.get("value").asText() : "";
  }

  @Override
  public void close() {
    try {
      send("browser.close", JSON.createObjectNode());
    } catch (Exception e) {
      // ended anyway below
    }
    socket.abort();
    java.util.List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      for (ProcessHandle child : children) {
        child.onExit().get(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }
}
