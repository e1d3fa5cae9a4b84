package dev.telos.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telos.controller.ApiHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The web UI in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) against a
 * live controller on the embedded cluster: each page against the API, a scale commit appearing
 * without a reload, a task's log read and followed, and "Sync now" with a token. Screenshots of
 * each page go to {@code target/ui-screenshots/}.
 */
class UiIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String TOKEN = "ui-token-789";
  static final Path SHOTS = Path.of("target", "ui-screenshots");

  @TempDir Path dir;
  ApiHarness h;
  String base;
  String revision;
  WebDriver browser;
  final HttpClient http = HttpClient.newHttpClient();

  static String web(int instances) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n"
        + "spec:\n  instances: "
        + instances
        + "\n  command: 'echo hello-from-web; while true; do echo tick-$$-$(date +%s%N); sleep 0.3;"
        + " done'\n  resources: {cpus: 0.01, mem: 8}\n  ports: [{name: http}]\n";
  }

  @BeforeEach
  void setUp() throws Exception {
    h = new ApiHarness(dir);
    h.commit(
        "worker.yaml",
        "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: worker, namespace: jobs}\n"
            + "spec:\n  instances: 1\n  command: exec sleep 600\n"
            + "  resources: {cpus: 0.01, mem: 8}\n",
        "add worker");
    revision = h.commit("web.yaml", web(2), "add web");
    h.start();
    base = h.startApi(TOKEN, null);
    h.awaitSynced(revision);
    browser = chromium();
  }

  static WebDriver chromium() {
    Path driver = Path.of("/usr/bin/chromedriver");
    if (!Files.isExecutable(driver)) {
      throw new IllegalStateException(
          "the browser tests need Debian's chromium and chromium-driver:"
              + " apt-get install -y chromium chromium-driver (.ci/run installs them)");
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900");
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile()).build();
    return new ChromeDriver(service, options);
  }

  @AfterEach
  void tearDown() {
    if (browser != null) {
      browser.quit();
    }
    h.close();
  }

  JsonNode api(String path) throws Exception {
    return api(http, base + path);
  }

  /** The API's JSON answer to a GET of {@code url}. */
  static JsonNode api(HttpClient http, String url) throws Exception {
    return JSON.readTree(
        http.send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }

  void shot(String name) throws Exception {
    Files.createDirectories(SHOTS);
    Files.write(
        SHOTS.resolve(name + ".png"),
        ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }

  /** The text of the first element matching, or "" (also when a redraw replaced it meanwhile). */
  String text(String css) {
    try {
      List<WebElement> found = browser.findElements(By.cssSelector(css));
      return found.isEmpty() ? "" : found.get(0).getText();
    } catch (org.openqa.selenium.StaleElementReferenceException e) {
      return "";
    }
  }

  /**
   * The {@code data-NAME} of every table row that has one, read in one go in the page (a redraw
   * between reads of single rows would replace them).
   */
  Object rowKeys(String name) {
    return ((org.openqa.selenium.JavascriptExecutor) browser)
        .executeScript(
            "return [...document.querySelectorAll('tr[data-"
                + name
                + "]')]"
                + ".map(r => r.dataset."
                + name
                + ")");
  }

  /** Types into a field, again if a redraw replaced it meanwhile. */
  void type(String id, String keys) {
    await()
        .ignoreException(org.openqa.selenium.StaleElementReferenceException.class)
        .until(
            () -> {
              browser.findElement(By.id(id)).sendKeys(keys);
              return true;
            });
  }

  /** Selects a value of a select element, again if a redraw replaced the element meanwhile. */
  void select(String id, String value) {
    await()
        .ignoreException(org.openqa.selenium.StaleElementReferenceException.class)
        .until(
            () -> {
              new org.openqa.selenium.support.ui.Select(browser.findElement(By.id(id)))
                  .selectByValue(value);
              return true;
            });
  }

  @Test
  void theOverviewShowsWhatTheStatusSays() throws Exception {
    browser.get(base + "/");
    JsonNode status = api("/api/v1/status");
    await().until(() -> text("#overview-sync").equals(status.get("syncStatus").asText()));
    assertThat(text("#overview-health")).isEqualTo(status.get("health").asText());
    assertThat(text("#overview-revision")).isEqualTo(revision.substring(0, 7));
    assertThat(text("#overview-mesos")).isEqualTo(status.get("mesosConnection").asText());
    assertThat(text("main")).contains("add web").contains("TASK_RUNNING");
    assertThat(text("#live")).startsWith("live");
    shot("overview");
    browser.manage().window().setSize(new Dimension(390, 844));
    shot("overview-phone");
  }

  @Test
  void theAppsTableListsEveryAppFiltersAndShowsAScaleCommitLive() throws Exception {
    browser.get(base + "/#/apps");
    JsonNode apps = api("/api/v1/apps");
    await().until(() -> browser.findElements(By.cssSelector("tr[data-app]")).size() == apps.size());
    for (JsonNode a : apps) {
      String key = a.get("namespace").asText() + "/" + a.get("name").asText();
      await().until(() -> text("tr[data-app='" + key + "']").contains(a.get("status").asText()));
    }
    shot("apps");

    // Filter by namespace, then search.
    select("apps-namespace", "jobs");
    await().until(() -> browser.findElements(By.cssSelector("tr[data-app]")).size() == 1);
    await().until(() -> text("tr[data-app]").contains("worker"));
    select("apps-namespace", "");
    await().until(() -> browser.findElements(By.cssSelector("tr[data-app]")).size() == apps.size());
    type("apps-search", "web\n");
    await().until(() -> browser.findElements(By.cssSelector("tr[data-app]")).size() == 1);

    // A scale commit appears without a reload, through the event stream.
    String scaled = h.commit("web.yaml", web(3), "scale web to 3");
    http.send(
        HttpRequest.newBuilder(URI.create(base + "/api/v1/sync"))
            .header("Authorization", "Bearer " + TOKEN)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.discarding());
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> text("tr[data-app='shop/web'] .instances").equals("3 / 3 / 3"));
    await().until(() -> text("tr[data-app='shop/web']").contains(scaled.substring(0, 7)));
  }

  @Test
  void theAppPageShowsItsTasksAndSpecAndReadsAndFollowsATaskLog() throws Exception {
    browser.get(base + "/#/apps/shop/web");
    JsonNode app = api("/api/v1/apps/shop/web");
    await().until(() -> browser.findElements(By.cssSelector("tr[data-task]")).size() == 2);
    for (JsonNode t : app.get("tasks")) {
      assertThat(
              browser.findElements(By.cssSelector("tr[data-task='" + t.get("id").asText() + "']")))
          .hasSize(1);
    }
    // Its rollouts: the commits whose history record names it.
    List<String> rollouts = new ArrayList<>();
    for (JsonNode r : api("/api/v1/history")) {
      for (JsonNode k : r.get("apps")) {
        if (k.asText().equals("shop/web")) {
          rollouts.add(r.get("revision").asText());
        }
      }
    }
    assertThat(rollouts).containsExactly(revision);
    await().until(() -> rollouts.equals(rowKeys("rollout")));
    await().until(() -> text("#app-spec").contains("instances: 2"));
    assertThat(text("#app-spec")).contains("shop").contains(app.get("specHash").asText());

    browser.findElement(By.cssSelector("tr[data-task] button[data-path='stdout']")).click();
    await().until(() -> text("#log-text").contains("hello-from-web"));
    browser.findElement(By.id("log-follow")).click();
    int before = text("#log-text").split("\n").length;
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> text("#log-text").split("\n").length > before + 3);
    shot("app");
  }

  @Test
  void theHistoryListsEveryCommitTheApiHas() throws Exception {
    browser.get(base + "/#/history");
    JsonNode history = api("/api/v1/history");
    List<String> expected = new ArrayList<>();
    history.forEach(r -> expected.add(r.get("revision").asText()));
    await().until(() -> expected.equals(rowKeys("revision")));
    assertThat(text("main")).contains("add web").contains("Synced");
    shot("history");
  }

  @Test
  void syncNowAsksForTheTokenRefusesAWrongOneAndSyncsWithTheRightOne() throws Exception {
    browser.get(base + "/");
    await().until(() -> text("#live").startsWith("live"));
    long before = api("/api/v1/status").get("checkedRequest").asLong();
    browser.findElement(By.id("sync")).click();
    await().until(() -> browser.findElement(By.id("token-dialog")).isDisplayed());
    browser.findElement(By.id("token-input")).sendKeys("wrong");
    browser.findElement(By.id("token-ok")).click();
    await().until(() -> text("#live").contains("refused"));

    browser.findElement(By.id("sync")).click();
    await().until(() -> browser.findElement(By.id("token-dialog")).isDisplayed());
    browser.findElement(By.id("token-input")).sendKeys(TOKEN);
    browser.findElement(By.id("token-ok")).click();
    await().until(() -> text("#live").contains("sync requested"));
    await().until(() -> api("/api/v1/status").get("checkedRequest").asLong() > before);

    // Without a token configured, no token is asked for.
    base = h.startApi(null, null);
    browser.get(base + "/");
    await().until(() -> text("#live").startsWith("live"));
    browser.findElement(By.id("sync")).click();
    await().until(() -> text("#live").contains("sync requested"));
    assertThat(browser.findElement(By.id("token-dialog")).isDisplayed()).isFalse();
  }

  @Test
  void underRequireAuthThePageSignsInWithAReadTokenAndStaysLive() throws Exception {
    Path tokens =
        java.nio.file.Files.writeString(dir.resolve("tokens"), "read ui-reader-0123456789\n");
    ApiServer api =
        h.startApi(
            new ApiServer.Options(
                "127.0.0.1",
                0,
                TOKEN,
                null,
                "main",
                new ApiServer.Security(
                    null,
                    null,
                    null,
                    tokens,
                    true,
                    null,
                    100,
                    java.time.Duration.ofSeconds(10),
                    64)));
    base = "http://127.0.0.1:" + api.port();
    browser.get(base + "/");
    await().until(() -> browser.findElement(By.id("token-dialog")).isDisplayed());
    assertThat(text("#token-ok")).isEqualTo("Sign in");
    browser.findElement(By.id("token-input")).sendKeys("wrong-token-0123456789");
    browser.findElement(By.id("token-ok")).click();
    await().until(() -> text("#live").contains("refused"));
    await().until(() -> browser.findElement(By.id("token-dialog")).isDisplayed());
    browser.findElement(By.id("token-input")).sendKeys("ui-reader-0123456789");
    browser.findElement(By.id("token-ok")).click();
    await().until(() -> text("#live").startsWith("live"));
    await().until(() -> text("#overview-revision").equals(revision.substring(0, 7)));
    // A read token cannot sync: the page asks for another token.
    browser.findElement(By.id("sync")).click();
    await().until(() -> browser.findElement(By.id("token-dialog")).isDisplayed());
    assertThat(text("#token-ok")).isEqualTo("Sync");
  }

  @Test
  void thePlanPageShowsWhatABranchWouldChange() throws Exception {
    h.servePlans(base);
    h.commitOnBranch("more-web", "web.yaml", web(4), "web to 4");
    JsonNode viaApi = api("/api/v1/plan?revision=more-web");
    assertThat(viaApi.get("exitCode").asInt()).as(viaApi.toString()).isEqualTo(2);
    browser.get(base + "/#/plan");
    await().until(() -> !browser.findElements(By.id("plan-revision")).isEmpty());
    type("plan-revision", "more-web\n");
    await().atMost(Duration.ofSeconds(60)).until(() -> text("#plan-verdict").contains("changes"));
    assertThat(text("#plan-text")).isEqualTo(viaApi.get("markdown").asText().strip());
    assertThat(text("#plan-text")).contains("shop/web");
    shot("plan");

    assertThat(api("/api/v1/plan?revision=--offline").get("error").asText())
        .contains("branch, tag or SHA");
    assertThat(api("/api/v1/plan?revision=main").get("exitCode").asInt()).isZero();
  }

  @Test
  void pagesAreKeyboardNavigableDarkWhenTheSystemIsAndFitAPhone() throws Exception {
    browser.get(base + "/");
    await().until(() -> text("#live").startsWith("live"));
    // From the top of the page, Tab reaches the Apps link and Enter opens it.
    org.openqa.selenium.interactions.Actions keys =
        new org.openqa.selenium.interactions.Actions(browser);
    boolean reached = false;
    for (int i = 0; i < 10 && !reached; i++) {
      keys.sendKeys(org.openqa.selenium.Keys.TAB).perform();
      reached = browser.switchTo().activeElement().getText().equals("Apps");
    }
    assertThat(reached).as("Tab reaches the Apps link").isTrue();
    keys.sendKeys(org.openqa.selenium.Keys.ENTER).perform();
    await().until(() -> text("h1").startsWith("Apps"));

    // Dark, when the system prefers it.
    ((ChromeDriver) browser)
        .executeCdpCommand(
            "Emulation.setEmulatedMedia",
            java.util.Map.of(
                "features",
                List.of(java.util.Map.of("name", "prefers-color-scheme", "value", "dark"))));
    browser.get(base + "/");
    await().until(() -> text("#overview-sync").equals("Synced"));
    assertThat(
            ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript("return getComputedStyle(document.body).backgroundColor"))
        .isEqualTo("rgb(15, 18, 22)");
    shot("overview-dark");

    // A phone's width: no page scrolls sideways (wide tables scroll inside their own box).
    browser.manage().window().setSize(new Dimension(390, 844));
    for (String page : List.of("/", "/#/apps", "/#/apps/shop/web", "/#/history")) {
      browser.get(base + page);
      await().until(() -> !text("h1").isEmpty() && !text("main").contains("Loading"));
      assertThat(
              ((org.openqa.selenium.JavascriptExecutor) browser)
                  .executeScript(
                      "return document.documentElement.scrollWidth <= window.innerWidth"))
          .as(page)
          .isEqualTo(true);
    }
  }

  @Test
  void pagesComeWithSecurityHeadersAndUnknownFilesAre404() throws Exception {
    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
        .contains("frame-ancestors 'none'");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(page.body()).contains("/ui/app.js");
    HttpResponse<String> js =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/ui/app.js")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(js.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
    for (String path : List.of("/ui/../pom.xml", "/ui/nope.js", "/ui/")) {
      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create(base + path)).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .as(path)
          .isEqualTo(404);
    }
  }
}
