package dev.telos.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.controller.ApiHarness;
import dev.telos.testing.FirefoxBidi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI in headless Firefox (Debian's {@code firefox-esr}, over WebDriver BiDi): the same
 * pages as {@link UiIT} checks in Chromium show the API's content, and a scale commit appears
 * without a reload.
 */
class FirefoxUiIT {
  @TempDir Path dir;
  ApiHarness h;
  String base;
  String revision;
  FirefoxBidi firefox;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void setUp() throws Exception {
    h = new ApiHarness(dir);
    revision = h.commit("web.yaml", UiIT.web(2), "add web");
    h.start();
    base = h.startApi(null, null);
    h.awaitSynced(revision);
    firefox = FirefoxBidi.start(dir);
  }

  @AfterEach
  void tearDown() {
    if (firefox != null) {
      firefox.close();
    }
    h.close();
  }

  JsonNode api(String path) throws Exception {
    return UiIT.api(http, base + path);
  }

  String text(String css) throws Exception {
    return firefox.eval(
        "(document.querySelector(\"" + css + "\") || {textContent: ''}).textContent");
  }

  @Test
  void everyPageShowsWhatTheApiSaysAndAScaleAppearsLive() throws Exception {
    firefox.open(base + "/");
    JsonNode status = api("/api/v1/status");
    await().until(() -> text("#overview-sync").equals(status.get("syncStatus").asText()));
    assertThat(text("#overview-revision")).isEqualTo(revision.substring(0, 7));
    assertThat(text("#live")).startsWith("live");

    firefox.open(base + "/#/apps/shop/web");
    JsonNode app = api("/api/v1/apps/shop/web");
    await()
        .until(
            () ->
                firefox
                    .eval("String(document.querySelectorAll('tr[data-task]').length)")
                    .equals(String.valueOf(app.get("tasks").size())));
    await().until(() -> text("#app-spec").contains("instances: 2"));

    firefox.open(base + "/#/history");
    await()
        .until(
            () ->
                firefox
                    .eval("String(document.querySelectorAll('tr[data-revision]').length)")
                    .equals(String.valueOf(api("/api/v1/history").size())));

    firefox.open(base + "/#/apps");
    await().until(() -> text("tr[data-app='shop/web'] .instances").equals("2 / 2 / 2"));
    h.commit("web.yaml", UiIT.web(3), "scale web to 3");
    http.send(
        HttpRequest.newBuilder(URI.create(base + "/api/v1/sync"))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.discarding());
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> text("tr[data-app='shop/web'] .instances").equals("3 / 3 / 3"));
  }
}
