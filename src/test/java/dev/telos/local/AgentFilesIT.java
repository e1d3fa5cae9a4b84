package dev.telos.local;

import static dev.telos.local.ClusterFixture.accept;
import static dev.telos.local.ClusterFixture.firstOffer;
import static dev.telos.local.ClusterFixture.frameworkInfo;
import static dev.telos.local.ClusterFixture.shell;
import static dev.telos.local.ClusterFixture.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telos.testing.RawScheduler;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A process agent's {@code /state} and files API, answering as a Mesos agent does
 * (src/files/files.cpp): what the Mesos web UI, Singularity and Telos read sandboxes with.
 */
class AgentFilesIT extends EmbeddedClusterTest {
  final HttpClient http = HttpClient.newHttpClient();

  HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void aTasksSandboxIsFoundThroughTheStatesAndReadAndBrowsedAsMesosAnswers() throws Exception {
    RawScheduler s = subscribe(frameworkInfo(60, "PARTITION_AWARE")).autoAcknowledge();
    JsonNode offer = firstOffer(s);
    // 70,000 bytes of stdout (more than one read), a line with a two-byte character on stderr.
    String command =
        "head -c 70000 /dev/zero | tr '\\0' a; echo; echo 'gr\u00fc\u00dfe' >&2; exec sleep 300";
    s.call(accept(s, offer, task(offer, "logged", shell(command), "")));
    s.nextUpdate("logged", "TASK_RUNNING");

    JsonNode master = RawScheduler.JSON.readTree(get(cluster.url() + "/master/state").body());
    String agentId = offer.at("/agent_id/value").asText();
    String pid = null;
    for (JsonNode slave : master.path("slaves")) {
      if (slave.path("id").asText().equals(agentId)) {
        pid = slave.path("pid").asText();
      }
    }
    assertThat(pid).matches("slave\\(1\\)@127\\.0\\.0\\.1:\\d+");
    String agent = "http://" + pid.substring(pid.indexOf('@') + 1);

    JsonNode state = RawScheduler.JSON.readTree(get(agent + "/state").body());
    assertThat(state.path("id").asText()).isEqualTo(agentId);
    JsonNode executor = state.at("/frameworks/0/executors/0");
    assertThat(executor.path("id").asText()).isEqualTo("logged");
    assertThat(executor.at("/tasks/0/id").asText()).isEqualTo("logged");
    String dir = executor.path("directory").asText();
    assertThat(Path.of(dir)).isDirectory();
    assertThat(get(agent + "/slave(1)/state").statusCode()).isEqualTo(200);

    String stdout = dir + "/stdout";
    await().until(() -> Files.size(Path.of(stdout)) == 70_001);
    JsonNode size = json(get(agent + "/files/read?path=" + q(stdout) + "&offset=-1"));
    assertThat(size.path("offset").asLong()).isEqualTo(70_001);
    assertThat(size.path("data").asText()).isEmpty();

    JsonNode first = json(get(agent + "/files/read?path=" + q(stdout) + "&offset=0"));
    assertThat(first.path("offset").asLong()).isZero();
    assertThat(first.path("data").asText()).hasSize(AgentFiles.MAX_READ).matches("a+");
    JsonNode rest =
        json(get(agent + "/files/read?path=" + q(stdout) + "&offset=" + AgentFiles.MAX_READ));
    assertThat(rest.path("data").asText()).hasSize(70_001 - AgentFiles.MAX_READ).endsWith("a\n");
    JsonNode five = json(get(agent + "/files/read?path=" + q(stdout) + "&offset=10&length=5"));
    assertThat(five.path("data").asText()).isEqualTo("aaaaa");
    assertThat(five.path("offset").asLong()).isEqualTo(10);
    JsonNode past = json(get(agent + "/files/read?path=" + q(stdout) + "&offset=90000"));
    assertThat(past.path("data").asText()).isEmpty();
    assertThat(past.path("offset").asLong()).isEqualTo(90_000);
    JsonNode minusOne =
        json(get(agent + "/files/read?path=" + q(stdout) + "&offset=70000&length=-1"));
    assertThat(minusOne.path("data").asText()).isEqualTo("\n");

    await()
        .until(
            () ->
                json(get(agent + "/files/read?path=" + q(dir + "/stderr") + "&offset=0"))
                    .path("data")
                    .asText()
                    .equals("gr\u00fc\u00dfe\n"));

    assertThat(get(agent + "/files/read").statusCode()).isEqualTo(400);
    assertThat(get(agent + "/files/read?path=" + q(stdout) + "&offset=-2").body())
        .isEqualTo("Negative offset provided: -2.\n");
    assertThat(get(agent + "/files/read?path=" + q(stdout) + "&length=x").statusCode())
        .isEqualTo(400);
    HttpResponse<String> directory = get(agent + "/files/read?path=" + q(dir));
    assertThat(directory.statusCode()).isEqualTo(400);
    assertThat(directory.body()).isEqualTo("Cannot read a directory.\n");
    assertThat(get(agent + "/files/read?path=" + q("/etc/passwd")).statusCode())
        .as("nothing outside the agent's sandboxes")
        .isEqualTo(404);
    assertThat(get(agent + "/files/read?path=" + q(dir + "/../../../../../../x")).statusCode())
        .isEqualTo(404);
    assertThat(get(agent + "/files/read?path=" + q(dir + "/nope")).statusCode()).isEqualTo(404);

    JsonNode listing = json(get(agent + "/files/browse?path=" + q(dir)));
    List<String> names = new ArrayList<>();
    listing.forEach(f -> names.add(f.path("path").asText()));
    assertThat(names).containsSubsequence(dir + "/stderr", dir + "/stdout");
    JsonNode out = null;
    for (JsonNode f : listing) {
      if (f.path("path").asText().endsWith("/stdout")) {
        out = f;
      }
    }
    assertThat(out.path("size").asLong()).isEqualTo(70_001);
    assertThat(out.path("mode").asText()).startsWith("-rw");
    assertThat(out.path("nlink").asInt()).isEqualTo(1);
    assertThat(out.path("uid").asText()).isNotBlank();
    assertThat(out.path("mtime").asLong()).isPositive();
    assertThat(json(get(agent + "/files/browse?path=" + q(stdout)))).isEmpty();

    // An ended task's sandbox stays readable: its executor moves to completed_executors.
    s.call(ClusterFixture.simple(s, "KILL", "\"kill\":{\"task_id\":{\"value\":\"logged\"}}"));
    s.nextUpdate("logged", "TASK_KILLED");
    await()
        .until(
            () ->
                RawScheduler.JSON
                    .readTree(get(agent + "/state").body())
                    .at("/frameworks/0/completed_executors/0/completed_tasks/0/id")
                    .asText()
                    .equals("logged"));
    assertThat(
            json(get(agent + "/files/read?path=" + q(stdout) + "&offset=-1"))
                .path("offset")
                .asLong())
        .isEqualTo(70_001);
  }

  JsonNode json(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
    return RawScheduler.JSON.readTree(r.body());
  }

  @Test
  void aReadNeverEndsInsideACharacter() {
    byte[] two = "a\u00fc".getBytes(StandardCharsets.UTF_8); // 61 c3 bc
    assertThat(AgentFiles.completeUtf8(two, 3)).isEqualTo(3);
    assertThat(AgentFiles.completeUtf8(two, 2)).as("c3 alone").isEqualTo(1);
    byte[] four = "\ud83d\ude00".getBytes(StandardCharsets.UTF_8); // f0 9f 98 80
    assertThat(AgentFiles.completeUtf8(four, 3)).isZero();
    assertThat(AgentFiles.completeUtf8(four, 4)).isEqualTo(4);
    assertThat(AgentFiles.completeUtf8("abc".getBytes(StandardCharsets.UTF_8), 3)).isEqualTo(3);
  }
}
