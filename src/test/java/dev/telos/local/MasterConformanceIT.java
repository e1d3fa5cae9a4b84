package dev.telos.local;

import static dev.telos.local.ClusterFixture.accept;
import static dev.telos.local.ClusterFixture.alive;
import static dev.telos.local.ClusterFixture.firstOffer;
import static dev.telos.local.ClusterFixture.frameworkInfo;
import static dev.telos.local.ClusterFixture.shell;
import static dev.telos.local.ClusterFixture.simple;
import static dev.telos.local.ClusterFixture.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.RawScheduler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The embedded master driven by a scheduler written from the Mesos documentation, in JSON: the
 * exchange the scheduler HTTP API docs show, and Mesos's answers to bad requests.
 */
class MasterConformanceIT extends EmbeddedClusterTest {
  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void subscribeOfferLaunchAcknowledgeAndKillAsTheDocsShow() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60, "PARTITION_AWARE", "TASK_KILLING_STATE"));
    assertThat(s.status).isEqualTo(200);
    assertThat(s.streamId).isNotBlank();
    JsonNode subscribed = s.next("SUBSCRIBED");
    assertThat(subscribed.at("/subscribed/heartbeat_interval_seconds").asDouble()).isEqualTo(0.2);
    assertThat(subscribed.at("/subscribed/master_info/version").asText()).isEqualTo("1.11.0");

    JsonNode offer = firstOffer(s);
    assertThat(offer.at("/framework_id/value").asText()).isEqualTo(s.frameworkId);
    assertThat(offer.at("/allocation_info/role").asText()).isEqualTo("*");
    assertThat(offer.get("resources").findValuesAsText("name"))
        .containsExactly("cpus", "mem", "disk", "ports");
    JsonNode range = offer.get("resources").findValue("range").get(0);
    assertThat(range.get("begin").isNumber()).as("64-bit integers are JSON numbers").isTrue();
    assertThat(range.get("begin").asLong()).isEqualTo(31000);

    HttpResponse<String> accepted =
        s.call(accept(s, offer, task(offer, "web-1", shell("exec sleep 300"), "")));
    assertThat(accepted.statusCode()).isEqualTo(202);

    JsonNode starting = s.nextUpdate("web-1", "TASK_STARTING");
    assertThat(starting.at("/update/status/uuid").asText()).isNotEmpty();
    s.acknowledge(starting);
    JsonNode running = s.nextUpdate("web-1", "TASK_RUNNING");
    assertThat(running.at("/update/status/agent_id/value").asText())
        .isEqualTo(offer.at("/agent_id/value").asText());
    s.acknowledge(running);

    long pid = cluster.taskPid("web-1").orElseThrow();
    assertThat(alive(pid)).isTrue();
    JsonNode state = ClusterFixture.state(cluster);
    JsonNode task = state.at("/frameworks/0/tasks/0");
    assertThat(state.at("/frameworks/0/id").asText()).isEqualTo(s.frameworkId);
    assertThat(task.get("id").asText()).isEqualTo("web-1");
    assertThat(task.get("state").asText()).isEqualTo("TASK_RUNNING");
    assertThat(task.get("slave_id").asText()).isEqualTo(offer.at("/agent_id/value").asText());
    assertThat(task.at("/resources/cpus").asDouble()).isEqualTo(0.1);
    assertThat(state.at("/slaves/0/used_resources/mem").asDouble()).isEqualTo(32.0);

    HttpResponse<String> kill =
        s.call(
            simple(
                s,
                "KILL",
                "\"kill\":{\"task_id\":{\"value\":\"web-1\"},"
                    + "\"kill_policy\":{\"grace_period\":{\"nanoseconds\":2000000000}}}"));
    assertThat(kill.statusCode()).isEqualTo(202);
    s.acknowledge(s.nextUpdate("web-1", "TASK_KILLING"));
    JsonNode killed = s.nextUpdate("web-1", "TASK_KILLED");
    s.acknowledge(killed);
    await().until(() -> !alive(pid));
    await()
        .until(
            () ->
                ClusterFixture.state(cluster).at("/slaves/0/used_resources/mem").asDouble() == 0.0);
  }

  @Test
  void badRequestsAreAnsweredAsMesosAnswersThem() throws Exception {
    String url = cluster.url() + "/api/v1/scheduler";
    assertThat(send(HttpRequest.newBuilder(URI.create(url)).GET()).statusCode()).isEqualTo(405);
    assertThat(send(post(url, "{}", null)).statusCode()).isEqualTo(400);
    assertThat(send(post(url, "x", "text/plain")).statusCode()).isEqualTo(415);
    HttpResponse<String> malformed = send(post(url, "{not json", "application/json"));
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.body()).contains("Failed to parse body into Call");
    String subscribe =
        "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":" + frameworkInfo(1) + "}}";
    assertThat(
            send(post(url, subscribe, "application/json").header("Accept", "text/html"))
                .statusCode())
        .isEqualTo(406);
    HttpResponse<String> withStream =
        send(post(url, subscribe, "application/json").header("Mesos-Stream-Id", "x"));
    assertThat(withStream.statusCode()).isEqualTo(400);
    assertThat(withStream.body()).contains("should not include the 'Mesos-Stream-Id'");
    HttpResponse<String> noUser =
        send(
            post(
                url,
                "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"name\":\"x\"}}}",
                "application/json"));
    assertThat(noUser.statusCode()).isEqualTo(400);
    assertThat(noUser.body()).contains("user");

    RawScheduler s = subscribe(frameworkInfo(60));
    String revive = simple(s, "REVIVE", null);
    HttpResponse<String> noStreamId = send(post(url, revive, "application/json"));
    assertThat(noStreamId.statusCode()).isEqualTo(400);
    assertThat(noStreamId.body()).contains("Mesos-Stream-Id");
    HttpResponse<String> wrongStreamId =
        send(post(url, revive, "application/json").header("Mesos-Stream-Id", "not-it"));
    assertThat(wrongStreamId.statusCode()).isEqualTo(400);
    assertThat(wrongStreamId.body()).contains("didn't match");
    HttpResponse<String> unknownFramework =
        send(
            post(
                    url,
                    "{\"framework_id\":{\"value\":\"nope\"},\"type\":\"REVIVE\"}",
                    "application/json")
                .header("Mesos-Stream-Id", s.streamId));
    assertThat(unknownFramework.statusCode()).isEqualTo(400);
    HttpResponse<String> badUuid =
        s.call(
            simple(
                s,
                "ACKNOWLEDGE",
                "\"acknowledge\":{\"agent_id\":{\"value\":\"a\"},\"task_id\":{\"value\":\"t\"},"
                    + "\"uuid\":\"AAAA\"}"));
    assertThat(badUuid.statusCode()).isEqualTo(400);
    assertThat(s.call(revive).statusCode()).isEqualTo(202);
  }

  @Test
  void aFrameworkThatLostItsStreamIsNotSubscribed() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60));
    s.next("SUBSCRIBED");
    assertThat(cluster.cutStream(s.frameworkId)).isTrue();
    HttpResponse<String> r = s.call(simple(s, "REVIVE", null));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("Framework is not subscribed");
  }

  @Test
  void reconciliationAnswersForKnownAndUnknownTasksWithoutUuids() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60, "PARTITION_AWARE"));
    JsonNode offer = firstOffer(s);
    String agent = offer.at("/agent_id/value").asText();
    s.call(accept(s, offer, task(offer, "known", shell("exec sleep 300"), "")));
    s.acknowledge(s.nextUpdate("known", "TASK_STARTING"));
    s.acknowledge(s.nextUpdate("known", "TASK_RUNNING"));

    s.call(
        simple(
            s,
            "RECONCILE",
            "\"reconcile\":{\"tasks\":["
                + "{\"task_id\":{\"value\":\"known\"},\"agent_id\":{\"value\":\""
                + agent
                + "\"}},"
                + "{\"task_id\":{\"value\":\"ghost\"},\"agent_id\":{\"value\":\""
                + agent
                + "\"}},"
                + "{\"task_id\":{\"value\":\"nowhere\"}}]}"));
    JsonNode known = s.nextUpdate("known", "TASK_RUNNING").at("/update/status");
    assertThat(known.get("reason").asText()).isEqualTo("REASON_RECONCILIATION");
    assertThat(known.has("uuid")).isFalse();
    JsonNode ghost = s.nextUpdate("ghost", "TASK_GONE").at("/update/status");
    assertThat(ghost.get("reason").asText()).isEqualTo("REASON_RECONCILIATION");
    assertThat(ghost.has("uuid")).isFalse();
    s.nextUpdate("nowhere", "TASK_UNKNOWN");

    s.call(simple(s, "RECONCILE", "\"reconcile\":{}"));
    JsonNode implicit = s.nextUpdate("known", "TASK_RUNNING").at("/update/status");
    assertThat(implicit.get("reason").asText()).isEqualTo("REASON_RECONCILIATION");
  }

  @Test
  void anUnacknowledgedUpdateIsResentWithTheSameUuid() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60));
    JsonNode offer = firstOffer(s);
    s.call(accept(s, offer, task(offer, "t", shell("exec sleep 300"), "")));
    String uuid = s.nextUpdate("t", "TASK_STARTING").at("/update/status/uuid").asText();
    JsonNode again = s.nextUpdate("t", "TASK_STARTING");
    assertThat(again.at("/update/status/uuid").asText()).isEqualTo(uuid);
    s.acknowledge(again);
    // Only after the acknowledgement does the next update of the task flow.
    s.acknowledge(s.nextUpdate("t", "TASK_RUNNING"));
  }

  @Test
  void aTaskThatDoesNotFitOrIsInvalidIsRefusedWithTaskError() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60));
    JsonNode offer = firstOffer(s);
    String huge =
        task(offer, "huge", shell("true"), "")
            .replace(ClusterFixture.scalar("mem", 32), ClusterFixture.scalar("mem", 1_000_000));
    String noCommand =
        task(offer, "empty", shell("true"), "").replaceAll(",\"command\":.*\\}$", "}");
    s.call(accept(s, offer, huge, noCommand));
    JsonNode error = s.nextUpdate("huge", "TASK_ERROR").at("/update/status");
    assertThat(error.get("reason").asText()).isEqualTo("REASON_TASK_INVALID");
    assertThat(error.get("message").asText()).contains("more resources");
    assertThat(s.nextUpdate("empty", "TASK_ERROR").at("/update/status/message").asText())
        .contains("CommandInfo or ExecutorInfo");
  }

  @Test
  void anOfferUsedTwiceIsInvalidTheSecondTime() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60, "PARTITION_AWARE"));
    JsonNode offer = firstOffer(s);
    s.call(accept(s, offer, task(offer, "a", shell("exec sleep 300"), "")));
    s.call(accept(s, offer, task(offer, "b", shell("exec sleep 300"), "")));
    JsonNode dropped = s.nextUpdate("b", "TASK_DROPPED").at("/update/status");
    assertThat(dropped.get("reason").asText()).isEqualTo("REASON_INVALID_OFFERS");
  }

  @Test
  void declineFiltersTheAgentAndReviveClearsTheFilter() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60));
    JsonNode offer = firstOffer(s);
    s.call(
        simple(
            s,
            "DECLINE",
            "\"decline\":{\"offer_ids\":["
                + offer.get("id")
                + "],\"filters\":{\"refuse_seconds\":3600}}"));
    // While filtered, the allocator (every 50 ms) offers nothing; REVIVE clears the filter.
    long before = offersReceived(s);
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> offersReceived(s) == before);
    s.call(simple(s, "REVIVE", null));
    s.next("OFFERS");
  }

  @Test
  void suppressStopsNewOffersAndReviveResumesThem() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60));
    JsonNode offer = firstOffer(s);
    s.call(simple(s, "SUPPRESS", "\"suppress\":{}"));
    s.call(
        simple(
            s,
            "DECLINE",
            "\"decline\":{\"offer_ids\":["
                + offer.get("id")
                + "],\"filters\":{\"refuse_seconds\":0}}"));
    long before = offersReceived(s);
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> offersReceived(s) == before);
    s.call(simple(s, "REVIVE", "\"revive\":{}"));
    s.next("OFFERS");
  }

  static long offersReceived(RawScheduler s) {
    return s.received.stream().filter(e -> e.path("type").asText().equals("OFFERS")).count();
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpRequest.Builder post(String url, String body, String contentType) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return b;
  }
}
