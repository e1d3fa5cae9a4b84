package dev.telos.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A task's sandbox read through its agent's files API, as the Mesos web UI reads it: the master's
 * {@code /master/state} names the task's agent ({@code pid}: {@code slave(1)@HOST:PORT}), the
 * agent's {@code /state} names the directory of the executor that ran the task (for a task of a
 * task group, its {@code tasks/TASK_ID} under it), and the agent's {@code /files/read} and {@code
 * /files/browse} answer, their JSON passed on unchanged. Lookups are cached; a failed read forgets
 * them.
 */
final class FilesProxy {
  /** An agent's answer, passed on: its status and JSON body. */
  record Answer(int status, String body) {}

  /** A request that cannot be answered: its status and message. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    Refused(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_AGENTS_SCANNED = 200;

  private final Supplier<String> master;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build();

  private final Map<String, String> agents = Collections.synchronizedMap(lru(1000));
  private final Map<String, String> directories = Collections.synchronizedMap(lru(1000));

  /**
   * @param master the leading master's base URL ({@code http://HOST:PORT}), or null
   */
  FilesProxy(Supplier<String> master) {
    this.master = master;
  }

  private static <V> Map<String, V> lru(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    };
  }

  Answer read(String taskId, String agentId, String path, String offset, String length) {
    String query =
        "path="
            + enc(sandbox(taskId, agentId) + "/" + relative(path, "stdout"))
            + (offset == null ? "" : "&offset=" + enc(offset))
            + (length == null ? "" : "&length=" + enc(length));
    return agentCall(taskId, agentId, "/files/read?" + query);
  }

  Answer browse(String taskId, String agentId, String path) {
    String rel = relative(path, "");
    String dir = sandbox(taskId, agentId) + (rel.isEmpty() ? "" : "/" + rel);
    return agentCall(taskId, agentId, "/files/browse?path=" + enc(dir));
  }

  private Answer agentCall(String taskId, String agentId, String pathAndQuery) {
    String agent = agentOf(taskId, agentId);
    try {
      HttpResponse<String> r = get(agent + pathAndQuery);
      if (r.statusCode() >= 400) {
        directories.remove(taskId);
      }
      return new Answer(r.statusCode(), r.body());
    } catch (IOException e) {
      directories.remove(taskId);
      agents.values().remove(agent);
      throw new Refused(502, "the agent at " + agent + " did not answer: " + e.getMessage());
    }
  }

  /** A path in the sandbox: relative, no {@code ..}. */
  static String relative(String path, String otherwise) {
    String p = path == null || path.isBlank() ? otherwise : path.strip();
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    for (String part : p.split("/")) {
      if (part.equals("..")) {
        throw new Refused(400, "path must stay inside the task's sandbox: " + path);
      }
    }
    return p;
  }

  /** The task's sandbox directory on its agent. */
  private String sandbox(String taskId, String agentId) {
    String known = directories.get(taskId);
    if (known != null) {
      return known;
    }
    String agent = agentOf(taskId, agentId);
    JsonNode state = json(agent + "/state");
    for (String frameworks : new String[] {"frameworks", "completed_frameworks"}) {
      for (JsonNode f : state.path(frameworks)) {
        for (String executors : new String[] {"executors", "completed_executors"}) {
          for (JsonNode e : f.path(executors)) {
            if (!runs(e, taskId)) {
              continue;
            }
            String dir = e.path("directory").asText();
            if (!e.path("id").asText().equals(taskId) && isGroupTask(agent, dir, taskId)) {
              dir = dir + "/tasks/" + taskId;
            }
            directories.put(taskId, dir);
            return dir;
          }
        }
      }
    }
    throw new Refused(404, "agent " + agent + " knows no sandbox of task " + taskId);
  }

  private static boolean runs(JsonNode executor, String taskId) {
    if (executor.path("id").asText().equals(taskId)) {
      return true;
    }
    for (String tasks : new String[] {"tasks", "completed_tasks", "queued_tasks"}) {
      for (JsonNode t : executor.path(tasks)) {
        if (t.path("id").asText().equals(taskId)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether the executor's sandbox has {@code tasks/TASK_ID}, as the default executor lays it. */
  private boolean isGroupTask(String agent, String dir, String taskId) {
    try {
      HttpResponse<String> r = get(agent + "/files/browse?path=" + enc(dir + "/tasks"));
      if (r.statusCode() != 200) {
        return false;
      }
      for (JsonNode f : JSON.readTree(r.body())) {
        if (f.path("path").asText().endsWith("/tasks/" + taskId)) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  /** The base URL of the task's agent: the one named, else found among the master's agents. */
  private String agentOf(String taskId, String agentId) {
    if (agentId != null) {
      String known = agents.get(agentId);
      if (known != null) {
        return known;
      }
    }
    JsonNode state = json(masterUrl() + "/master/state");
    String found = null;
    int scanned = 0;
    for (JsonNode s : state.path("slaves")) {
      String pid = s.path("pid").asText();
      int at = pid.indexOf('@');
      if (at < 0) {
        continue;
      }
      String url = "http://" + pid.substring(at + 1);
      agents.put(s.path("id").asText(), url);
      if (agentId != null && agentId.equals(s.path("id").asText())) {
        found = url;
      }
    }
    if (found != null) {
      return found;
    }
    if (agentId != null) {
      throw new Refused(404, "the master knows no agent " + agentId);
    }
    // An ended task: ask the agents which ran it.
    for (JsonNode s : state.path("slaves")) {
      if (++scanned > MAX_AGENTS_SCANNED) {
        break;
      }
      String url = agents.get(s.path("id").asText());
      try {
        JsonNode agentState = JSON.readTree(get(url + "/state").body());
        for (JsonNode f : agentState.path("frameworks")) {
          for (String executors : new String[] {"executors", "completed_executors"}) {
            for (JsonNode e : f.path(executors)) {
              if (runs(e, taskId)) {
                return url;
              }
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        // an agent that does not answer does not have it, as far as we can tell
      }
    }
    throw new Refused(404, "no agent knows task " + taskId);
  }

  private String masterUrl() {
    String m = master.get();
    if (m == null) {
      throw new Refused(503, "not connected to a Mesos master");
    }
    return m;
  }

  private JsonNode json(String url) {
    try {
      HttpResponse<String> r = get(url);
      if (r.statusCode() != 200) {
        throw new Refused(502, url.replaceAll("\\?.*", "") + " answered " + r.statusCode());
      }
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new Refused(502, "cannot read " + url.replaceAll("\\?.*", "") + ": " + e.getMessage());
    }
  }

  private HttpResponse<String> get(String url) throws IOException {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
