package dev.telos.manifest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hash of everything that reaches an app's tasks: command, env, resources, ports, container,
 * constraints, health check, kill grace period and role, plus the kind. It is computed from the
 * parsed model, so key order, comments and formatting never change it, and it leaves out what does
 * not reach a task ({@code instances}, the upgrade strategy, labels, retries, schedules): scaling
 * never restarts tasks. Ten lower-case hex characters, safe in a task ID.
 */
public final class SpecHash {
  private SpecHash() {}

  /** The spec hash of a task of an app of {@code kind}. */
  public static String of(String kind, TaskSpec task) {
    return digest(kind + "\n" + canonical(task));
  }

  /** The spec hash of a pod: its group's spec and each container's, by name, in order. */
  public static String ofPod(TaskSpec group, List<PodContainer> containers) {
    StringBuilder text = new StringBuilder("Pod\n").append(canonical(group));
    for (PodContainer c : containers) {
      text.append("\ncontainer ").append(c.name()).append('\n').append(canonical(c.task()));
    }
    return digest(text.toString());
  }

  /** The canonical text of a task spec: sorted keys, fixed number formats. */
  static String canonical(TaskSpec t) {
    Map<String, Object> m = new TreeMap<>();
    m.put("command", t.command());
    m.put("env", new TreeMap<>(t.env()));
    if (!t.secrets().isEmpty()) { // only when set: the hashes of apps without secrets stay
      List<Object> secrets = new ArrayList<>();
      t.secrets()
          .forEach(
              s ->
                  secrets.add(
                      (s.kind() == SecretRef.Kind.ENV ? "" : s.kind() + " ")
                          + s.name()
                          + " "
                          + s.file()
                          + " "
                          + s.key()
                          + " "
                          + s.version()));
      m.put("secrets", secrets);
    }
    m.put("cpus", number(t.resources().cpus()));
    m.put("mem", number(t.resources().mem()));
    m.put("disk", number(t.resources().disk()));
    if (t.resources().gpus() > 0) {
      m.put("gpus", t.resources().gpus()); // only when asked: other apps' hashes stay
    }
    List<Object> ports = new ArrayList<>();
    t.ports().forEach(p -> ports.add(p.name() == null ? "" : p.name()));
    m.put("ports", ports);
    if (t.container() != null) {
      ContainerSpec c = t.container();
      m.put("container", c.type() + " " + c.image());
      if (!c.plain()) { // only when set: the hashes of plain images stay what they were
        Map<String, Object> o = new TreeMap<>();
        o.put("network", c.network() + (c.networkName() == null ? "" : " " + c.networkName()));
        List<Object> mappings = new ArrayList<>();
        c.portMappings()
            .forEach(
                p ->
                    mappings.add(
                        p.containerPort()
                            + " "
                            + p.port()
                            + " "
                            + p.servicePort()
                            + " "
                            + p.protocol()));
        o.put("portMappings", mappings);
        List<Object> parameters = new ArrayList<>();
        c.parameters().forEach(p -> parameters.add(p.key() + "=" + p.value()));
        o.put("parameters", parameters);
        o.put("privileged", c.privileged());
        o.put("forcePullImage", c.forcePullImage());
        List<Object> volumes = new ArrayList<>();
        c.volumes()
            .forEach(
                v ->
                    volumes.add(
                        v.containerPath()
                            + " "
                            + (v.hostPath() != null
                                ? "host " + v.hostPath()
                                : v.persistent()
                                    ? "persistent"
                                    : v.podVolume() != null
                                        ? "pod " + v.podVolume()
                                        : "sandbox " + v.sandboxPath())
                            + " "
                            + v.mode()));
        o.put("volumes", volumes);
        if (c.pullConfigSecret() != null) {
          o.put("pullConfigSecret", c.pullConfigSecret());
        }
        if (c.imageType() != ContainerSpec.ImageType.DOCKER) {
          o.put("imageType", c.imageType().name());
        }
        m.put("containerOptions", o);
      }
    }
    List<Object> constraints = new ArrayList<>();
    t.constraints()
        .forEach(
            c ->
                constraints.add(
                    c.field() + " " + c.operator() + (c.value() == null ? "" : " " + c.value())));
    m.put("constraints", constraints);
    if (t.healthCheck() != null) {
      HealthCheckSpec h = t.healthCheck();
      Map<String, Object> hc = new TreeMap<>();
      hc.put("type", h.type().name());
      hc.put("port", h.port());
      hc.put("path", h.path());
      hc.put("command", h.command());
      hc.put("delay", h.delay().toMillis());
      hc.put("interval", h.interval().toMillis());
      hc.put("timeout", h.timeout().toMillis());
      hc.put("gracePeriod", h.gracePeriod().toMillis());
      hc.put("maxConsecutiveFailures", h.maxConsecutiveFailures());
      m.put("healthCheck", hc);
    }
    m.put("killGracePeriod", t.killGracePeriod().toMillis());
    m.put("role", t.role());
    // Only present when set, so the hashes of apps without them stay what they were.
    if (!t.args().isEmpty()) {
      m.put("args", new ArrayList<Object>(t.args()));
    }
    if (t.user() != null) {
      m.put("user", t.user());
    }
    if (!t.fetch().isEmpty()) {
      List<Object> uris = new ArrayList<>();
      t.fetch()
          .forEach(
              f ->
                  uris.add(
                      f.uri()
                          + " "
                          + f.extract()
                          + " "
                          + f.executable()
                          + " "
                          + f.cache()
                          + " "
                          + (f.outputFile() == null ? "" : f.outputFile())));
      m.put("fetch", uris);
    }
    ExecutorSpec e = t.executor();
    if (e != null) {
      // Only present with executor: telos, so the hashes of other apps stay what they were.
      Map<String, Object> ex = new TreeMap<>();
      ex.put("logMaxBytes", e.logMaxBytes());
      ex.put("logKeep", e.logKeep());
      List<Object> fetch = new ArrayList<>();
      e.fetch()
          .forEach(
              a ->
                  fetch.add(
                      a.uri()
                          + " "
                          + a.sha256()
                          + " "
                          + (a.outputFile() == null ? "" : a.outputFile())
                          + " "
                          + a.executable()));
      ex.put("fetch", fetch);
      ex.put("preStart", new ArrayList<Object>(e.preStart()));
      ex.put("preStop", e.preStop() == null ? "" : e.preStop());
      ex.put("killSignal", e.killSignal());
      m.put("executor", ex);
    }
    StringBuilder out = new StringBuilder();
    write(out, m);
    return out.toString();
  }

  private static String number(double d) {
    return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  private static void write(StringBuilder out, Object v) {
    if (v instanceof Map<?, ?> map) {
      out.append('{');
      map.forEach(
          (k, val) -> {
            quote(out, String.valueOf(k));
            out.append(':');
            write(out, val);
            out.append(',');
          });
      out.append('}');
    } else if (v instanceof List<?> list) {
      out.append('[');
      list.forEach(
          item -> {
            write(out, item);
            out.append(',');
          });
      out.append(']');
    } else if (v == null) {
      out.append("null");
    } else if (v instanceof String s) {
      quote(out, s);
    } else {
      out.append(v);
    }
  }

  private static void quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    out.append('"');
  }

  private static String digest(String text) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash).substring(0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
