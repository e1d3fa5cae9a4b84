package dev.telos.manifest;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Turns one YAML document into an {@link App}, recording every problem with its location. Pure: no
 * I/O, no state between documents.
 */
final class Binder {
  static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec");
  static final Set<String> METADATA = Set.of("name", "namespace", "labels");
  private static final Set<String> TASK_FIELDS =
      Set.of(
          "command",
          "args",
          "user",
          "env",
          "secrets",
          "secretFiles",
          "resources",
          "ports",
          "container",
          "constraints",
          "healthCheck",
          "killGracePeriod",
          "role",
          "executor",
          "logs",
          "fetch",
          "preStart",
          "preStop",
          "killSignal");
  static final Set<String> SERVICE =
      union(
          TASK_FIELDS,
          "instances",
          "upgrade",
          "restart",
          "killSelection",
          "unreachableStrategy",
          "dependencies",
          "readinessChecks");
  static final Set<String> READINESS =
      Set.of("scheme", "path", "port", "statusCodes", "interval", "timeout");
  static final Set<String> UNREACHABLE = Set.of("inactiveAfter", "expungeAfter");
  static final Set<String> RESTART = Set.of("backoff", "factor", "maxDelay", "resetAfter");
  static final Set<String> CRON_JOB = union(TASK_FIELDS, "retries", "backoff");
  static final Set<String> JOB = union(CRON_JOB, "dependencies");
  static final Set<String> CRON =
      Set.of("schedule", "timezone", "concurrencyPolicy", "startingDeadline", "job");
  static final Set<String> RESOURCES = Set.of("cpus", "mem", "disk", "gpus");
  private static final Set<String> PORT = Set.of("name");
  static final Set<String> CONTAINER =
      Set.of(
          "type",
          "image",
          "network",
          "networkName",
          "portMappings",
          "parameters",
          "privileged",
          "forcePullImage",
          "volumes",
          "pullConfig",
          "imageType");
  static final Set<String> PULL_CONFIG = Set.of("secret", "file", "key");
  static final Set<String> PERSISTENT = Set.of("size", "type", "maxSize");
  static final Set<String> PORT_MAPPING =
      Set.of("containerPort", "hostPort", "servicePort", "protocol");
  static final Set<String> PARAMETER = Set.of("key", "value");
  static final Set<String> VOLUME =
      Set.of("containerPath", "hostPath", "sandboxPath", "persistent", "mode");
  static final Set<String> CONSTRAINT = Set.of("field", "operator", "value");
  static final Set<String> HEALTH =
      Set.of(
          "type",
          "port",
          "path",
          "command",
          "delay",
          "interval",
          "timeout",
          "gracePeriod",
          "maxConsecutiveFailures");
  static final Set<String> UPGRADE =
      Set.of(
          "maxSurge",
          "maxUnavailable",
          "minimumHealthCapacity",
          "maximumOverCapacity",
          "autoRollback");
  static final Set<String> AUTO_ROLLBACK = Set.of("afterFailures");
  static final Set<String> LOGS = Set.of("maxSize", "keep");
  static final Set<String> ARTIFACT =
      Set.of("uri", "sha256", "outputFile", "executable", "extract", "cache");
  private static final Pattern SIZE = Pattern.compile("([0-9]+)(B|KiB|MiB|GiB)");
  private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}\\$?");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern RESERVED_ENV =
      Pattern.compile("PORT\\d*|PORTS|PORT_.+|HOST|TELOS_.*|MESOS_.*");
  private static final Set<String> KINDS =
      Set.of("Service", "Pod", "Job", "CronJob", "Release", "Overlay");
  static final Set<String> POD =
      Set.of(
          "instances",
          "upgrade",
          "restart",
          "killSelection",
          "unreachableStrategy",
          "dependencies",
          "containers",
          "volumes",
          "constraints",
          "killGracePeriod",
          "role");
  static final Set<String> POD_VOLUME = Set.of("name");
  static final Set<String> VOLUME_MOUNT = Set.of("name", "mountPath");
  static final Set<String> POD_CONTAINER =
      Set.of(
          "name",
          "command",
          "args",
          "env",
          "resources",
          "ports",
          "healthCheck",
          "user",
          "fetch",
          "container",
          "volumeMounts");
  static final Set<String> RELEASE = Set.of("chart", "values", "valuesFiles");
  static final Set<String> CHART = Set.of("repo", "ref", "path");

  private static boolean relativePath(String path) {
    return !path.isBlank() && !path.startsWith("/") && !List.of(path.split("/")).contains("..");
  }

  /** The longest kill grace period, health-check timing or retry backoff a manifest may set. */
  static final Duration ONE_DAY = Duration.ofDays(1);

  private Binder() {}

  private static Set<String> union(Set<String> base, String... more) {
    Set<String> s = new HashSet<>(base);
    s.addAll(List.of(more));
    return Set.copyOf(s);
  }

  /** Binds a document; null when it has errors (all recorded in {@code errors}). */
  static App bind(YamlNode document, List<ManifestError> errors) {
    int before = errors.size();
    Fields top = top(document, errors);
    if (top == null) {
      return null;
    }
    String kind = top.string("kind", null, true);
    if (kind != null && !KINDS.contains(kind)) {
      String hint =
          Suggest.closest(kind, KINDS).map(s -> " (did you mean '" + s + "'?)").orElse("");
      top.error(
          top.get("kind"),
          "kind must be Service, Pod, Job, CronJob, Release or Overlay, got '" + kind + "'" + hint);
      kind = null;
    }
    Metadata metadata = metadata(top, errors);
    YamlNode specNode = top.get("spec");
    if (specNode == null) {
      top.error(null, "spec is required");
      return null;
    }
    if (kind == null || kind.equals("Release") || kind.equals("Overlay")) {
      return null; // bound by bindRelease and bindOverlay
    }
    Location source = document.location();
    App app =
        switch (kind) {
          case "Service" -> service(Fields.of(specNode, errors, "spec", SERVICE), metadata, source);
          case "Pod" -> pod(Fields.of(specNode, errors, "spec", POD), metadata, source);
          case "Job" -> job(Fields.of(specNode, errors, "spec", JOB), metadata, source);
          default -> cronJob(Fields.of(specNode, errors, "spec", CRON), metadata, source, errors);
        };
    return errors.size() == before ? app : null;
  }

  /** The document's top-level fields with {@code apiVersion} checked, or null. */
  private static Fields top(YamlNode document, List<ManifestError> errors) {
    Fields top = Fields.of(document, errors, "", TOP);
    if (top == null) {
      return null;
    }
    String apiVersion = top.string("apiVersion", null, true);
    if (apiVersion != null && !apiVersion.equals(Model.API_VERSION)) {
      top.error(
          top.get("apiVersion"),
          "apiVersion must be " + Model.API_VERSION + ", got '" + apiVersion + "'");
    }
    return top;
  }

  /** Whether a document says {@code kind: Release}. */
  static boolean isRelease(YamlNode document) {
    return document instanceof YamlNode.MapNode m
        && m.entries().get("kind") != null
        && m.entries().get("kind").value() instanceof YamlNode.Scalar s
        && s.text().equals("Release");
  }

  static final Set<String> OVERLAY = Set.of("bases", "namespace", "commonLabels", "patches");
  static final Set<String> PATCH = Set.of("target", "merge", "json", "file");
  static final Set<String> TARGET = Set.of("name", "kind", "namespace");

  /**
   * Whether a document is an overlay: {@code kind: Overlay}, or any document of a file named {@code
   * telos.yaml} that names no kind.
   */
  static boolean isOverlay(YamlNode document, String file) {
    if (!(document instanceof YamlNode.MapNode m)) {
      return false;
    }
    YamlNode.Entry kind = m.entries().get("kind");
    if (kind == null) {
      return file.equals("telos.yaml") || file.endsWith("/telos.yaml");
    }
    return kind.value() instanceof YamlNode.Scalar s && s.text().equals("Overlay");
  }

  /** Binds an overlay document; null when it has errors. */
  static Overlay bindOverlay(YamlNode document, List<ManifestError> errors) {
    int before = errors.size();
    Fields top = Fields.of(document, errors, "", TOP);
    if (top == null) {
      return null;
    }
    // apiVersion is optional here: a telos.yaml is often just a spec.
    String apiVersion = top.string("apiVersion", Model.API_VERSION, false);
    if (!apiVersion.equals(Model.API_VERSION)) {
      top.error(
          top.get("apiVersion"),
          "apiVersion must be " + Model.API_VERSION + ", got '" + apiVersion + "'");
    }
    if (top.has("metadata")) {
      metadata(top, errors); // optional, checked when written
    }
    YamlNode specNode = top.get("spec");
    if (specNode == null) {
      top.error(null, "spec is required");
      return null;
    }
    Fields spec = Fields.of(specNode, errors, "spec", OVERLAY);
    if (spec == null) {
      return null;
    }
    List<Overlay.Base> bases = new ArrayList<>();
    for (YamlNode b : spec.list("bases")) {
      String dir =
          b instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.STRING
              ? s.text()
              : null;
      if (dir == null || dir.isBlank() || dir.startsWith("/")) {
        spec.error(
            b,
            "spec.bases[] must be a directory relative to the overlay's (../base), got "
                + (dir == null ? b.typeName() : "'" + dir + "'"));
      } else {
        bases.add(new Overlay.Base(dir, b.location()));
      }
    }
    YamlNode namespace = spec.get("namespace");
    if (namespace != null) {
      String ns = spec.string("namespace", null, false);
      if (ns != null) {
        dnsLabel(spec, "namespace", ns);
      }
    }
    Map<String, YamlNode.Entry> labels = new java.util.LinkedHashMap<>();
    spec.stringMap("commonLabels");
    if (spec.get("commonLabels") instanceof YamlNode.MapNode m) {
      labels.putAll(m.entries());
    }
    List<Overlay.Patch> patches = new ArrayList<>();
    for (YamlNode p : spec.list("patches")) {
      Fields patch = Fields.of(p, errors, "spec.patches[]", PATCH);
      if (patch == null) {
        continue;
      }
      Fields target = patch.object("target", TARGET);
      if (target == null) {
        if (!patch.has("target")) {
          patch.error(null, "spec.patches[].target is required");
        }
        continue;
      }
      String name = target.string("name", null, true);
      String kind = target.string("kind", null, false);
      String ns = target.string("namespace", null, false);
      YamlNode merge = patch.get("merge");
      YamlNode json = patch.get("json");
      String file = patch.string("file", null, false);
      int given = (merge == null ? 0 : 1) + (json == null ? 0 : 1) + (file == null ? 0 : 1);
      if (given != 1) {
        patch.error(null, "a patch needs exactly one of merge, json or file");
        continue;
      }
      if (merge != null && !(merge instanceof YamlNode.MapNode)) {
        patch.error(merge, "spec.patches[].merge must be a mapping, got " + merge.typeName());
      }
      if (json != null && !(json instanceof YamlNode.ListNode)) {
        patch.error(json, "spec.patches[].json must be a sequence, got " + json.typeName());
      }
      if (name != null) {
        patches.add(new Overlay.Patch(name, kind, ns, merge, json, file, p.location()));
      }
    }
    if (errors.size() != before) {
      return null;
    }
    return new Overlay(bases, namespace, labels, patches, document.location());
  }

  /** Binds a {@code kind: Release} document; null when it has errors. */
  static Release bindRelease(YamlNode document, List<ManifestError> errors) {
    int before = errors.size();
    Fields top = top(document, errors);
    if (top == null) {
      return null;
    }
    Metadata metadata = metadata(top, errors);
    YamlNode specNode = top.get("spec");
    if (specNode == null) {
      top.error(null, "spec is required");
      return null;
    }
    Fields spec = Fields.of(specNode, errors, "spec", RELEASE);
    if (spec == null || metadata == null) {
      return null;
    }
    String chart;
    Release.Remote remote = null;
    if (spec.get("chart") instanceof YamlNode.MapNode) {
      Fields c = spec.object("chart", CHART);
      String repo = c.string("repo", null, true);
      String ref = c.string("ref", null, true);
      chart = c.string("path", "", false);
      if (ref != null && (ref.isBlank() || ref.startsWith("-") || ref.contains(".."))) {
        c.error(c.get("ref"), "spec.chart.ref must be a tag or a commit SHA, got '" + ref + "'");
      }
      if (repo != null && ref != null) {
        remote = new Release.Remote(repo, ref);
      }
      if (!chart.isEmpty() && !relativePath(chart)) {
        c.error(
            c.get("path"),
            "spec.chart.path must be a directory of that repository (charts/web), got '"
                + chart
                + "'");
      }
    } else {
      chart = spec.string("chart", null, true);
      if (chart != null && !relativePath(chart)) {
        spec.error(
            spec.get("chart"),
            "spec.chart must be a directory of the repository (charts/web), telos/NAME or"
                + " {repo, ref, path}, got '"
                + chart
                + "'");
      }
    }
    Map<String, Object> values = Map.of();
    Map<String, Location> at = new java.util.HashMap<>();
    YamlNode valuesNode = spec.get("values");
    if (valuesNode != null) {
      if (valuesNode instanceof YamlNode.MapNode) {
        @SuppressWarnings("unchecked")
        Map<String, Object> v = (Map<String, Object>) PlainYaml.plain(valuesNode, "", at);
        values = v;
      } else {
        spec.error(valuesNode, "spec.values must be a mapping, got " + valuesNode.typeName());
      }
    }
    List<String> files = new ArrayList<>();
    for (YamlNode f : spec.list("valuesFiles")) {
      if (f instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.STRING) {
        files.add(s.text());
      } else {
        spec.error(f, "spec.valuesFiles[] must be a path of the repository, got " + f.typeName());
      }
    }
    if (errors.size() != before || chart == null) {
      return null;
    }
    return new Release(metadata, chart, values, at, files, document.location(), remote);
  }

  private static Metadata metadata(Fields top, List<ManifestError> errors) {
    Fields m = top.object("metadata", METADATA);
    if (m == null) {
      if (!top.has("metadata")) {
        top.error(null, "metadata is required");
      }
      return null;
    }
    String name = m.string("name", null, true);
    if (name != null) {
      dnsLabel(m, "name", name);
    }
    String namespace = m.string("namespace", Metadata.DEFAULT_NAMESPACE, false);
    dnsLabel(m, "namespace", namespace);
    Map<String, String> labels = m.stringMap("labels");
    return name == null ? null : new Metadata(name, namespace, labels);
  }

  private static void dnsLabel(Fields f, String key, String value) {
    if (!Model.DNS_LABEL.matcher(value).matches()) {
      f.error(
          f.get(key),
          f.name(key)
              + " '"
              + value
              + "' must be a DNS label: at most 63"
              + " characters of a-z, 0-9 and '-', starting and ending with a letter or digit");
    }
  }

  private static Service service(Fields spec, Metadata metadata, Location source) {
    if (spec == null || metadata == null) {
      return null;
    }
    return service(spec, metadata, source, task(spec), List.of());
  }

  /**
   * {@code kind: Pod}: {@code containers} run together as one task group per instance, on one agent
   * (Mesos's default executor), sharing its network; scaled, rolled and replaced as a unit.
   */
  private static Service pod(Fields spec, Metadata metadata, Location source) {
    if (spec == null || metadata == null) {
      return null;
    }
    List<Constraint> constraints = new ArrayList<>();
    for (YamlNode node : spec.list("constraints")) {
      Constraint constraint =
          constraint(Fields.of(node, spec.errors(), spec.name("constraints[]"), CONSTRAINT));
      if (constraint != null) {
        constraints.add(constraint);
      }
    }
    Duration killGrace = spec.duration("killGracePeriod", TaskSpec.DEFAULT_KILL_GRACE, ONE_DAY);
    String role = spec.string("role", "*", false);
    if (role.isBlank()) {
      spec.error(spec.get("role"), spec.name("role") + " must not be empty");
    }
    Set<String> podVolumes = new HashSet<>();
    for (YamlNode node : spec.list("volumes")) {
      Fields v = Fields.of(node, spec.errors(), spec.name("volumes[]"), POD_VOLUME);
      String name = v == null ? null : v.string("name", null, true);
      if (name != null) {
        dnsLabel(v, "name", name);
        if (!podVolumes.add(name)) {
          v.error(v.get("name"), v.name("name") + " '" + name + "' is used twice");
        }
      }
    }
    List<YamlNode> nodes = spec.list("containers");
    if (nodes.isEmpty()) {
      spec.error(spec.get("containers"), spec.name("containers") + " must list at least one");
      return null;
    }
    List<String> names = new ArrayList<>();
    List<TaskSpec> tasks = new ArrayList<>();
    List<PortSpec> ports = new ArrayList<>();
    Set<String> portNames = new HashSet<>();
    List<Integer> firsts = new ArrayList<>();
    boolean ok = true;
    for (YamlNode node : nodes) {
      Fields c = Fields.of(node, spec.errors(), spec.name("containers[]"), POD_CONTAINER);
      if (c == null) {
        ok = false;
        continue;
      }
      String name = c.string("name", null, true);
      if (name != null) {
        dnsLabel(c, "name", name);
        if (names.contains(name)) {
          c.error(c.get("name"), c.name("name") + " '" + name + "' is used twice");
        }
      }
      TaskSpec t = task(c);
      if (t != null && !t.secrets().isEmpty()) {
        c.error(
            c.get("container"),
            c.name("container.pullConfig")
                + " from a SOPS file is not supported in a pod's containers yet; use {secret: NAME}");
      }
      List<ContainerSpec.Volume> mounts = new ArrayList<>();
      Set<String> mountPaths = new HashSet<>();
      for (YamlNode m : c.list("volumeMounts")) {
        Fields vm = Fields.of(m, c.errors(), c.name("volumeMounts[]"), VOLUME_MOUNT);
        if (vm == null) {
          continue;
        }
        String volume = vm.string("name", null, true);
        String path = vm.string("mountPath", null, true);
        if (volume != null && !podVolumes.contains(volume)) {
          vm.error(
              vm.get("name"),
              vm.name("name") + " '" + volume + "' is not one of the pod's volumes");
        }
        if (path != null && (!relativePath(path) || !mountPaths.add(path))) {
          vm.error(
              vm.get("mountPath"),
              vm.name("mountPath")
                  + " must be a path in the container's sandbox (relative, no '..'), once, got '"
                  + path
                  + "'");
        }
        if (volume != null && path != null) {
          mounts.add(ContainerSpec.Volume.ofPod(path, volume));
        }
      }
      if (t != null && !mounts.isEmpty()) {
        t = withMounts(t, mounts);
      }
      if (t != null && t.container() != null && t.container().type() != ContainerSpec.Type.MESOS) {
        c.error(
            c.get("container"),
            c.name("container")
                + " type must be MESOS: a pod's containers run on Mesos's default executor");
      }
      if (t != null && t.container() != null && !t.container().persistentVolumes().isEmpty()) {
        c.error(
            c.get("container"),
            c.name("container") + ".volumes[].persistent is for a Service, not a pod's container");
      }
      if (t != null) {
        for (PortSpec p : t.ports()) {
          if (p.name() != null && !portNames.add(p.name())) {
            c.error(
                c.get("ports"),
                c.name("ports") + ": port name '" + p.name() + "' is used by another container");
          }
        }
      }
      if (name == null || t == null) {
        ok = false;
        continue;
      }
      names.add(name);
      firsts.add(ports.size());
      ports.addAll(t.ports());
      tasks.add(t);
    }
    if (!ok) {
      return null;
    }
    List<PodContainer> containers = new ArrayList<>();
    double cpus = 0;
    double mem = 0;
    double disk = 0;
    int gpus = 0;
    for (int i = 0; i < tasks.size(); i++) {
      TaskSpec t = tasks.get(i);
      cpus += t.resources().cpus();
      mem += t.resources().mem();
      disk += t.resources().disk();
      gpus += t.resources().gpus();
      HealthCheckSpec h = t.healthCheck();
      if (h != null && h.port() >= 0) {
        h =
            new HealthCheckSpec(
                h.type(),
                h.port() + firsts.get(i), // into the pod's ports
                h.path(),
                h.command(),
                h.delay(),
                h.interval(),
                h.timeout(),
                h.gracePeriod(),
                h.maxConsecutiveFailures());
      }
      TaskSpec member =
          new TaskSpec(
              t.command(),
              t.env(),
              t.resources(),
              ports,
              t.container(),
              List.of(),
              h,
              killGrace,
              role,
              null,
              t.args(),
              t.user(),
              t.fetch());
      containers.add(new PodContainer(names.get(i), member, firsts.get(i), t.ports().size()));
    }
    TaskSpec group =
        new TaskSpec(
            "",
            Map.of(),
            new TaskResources(cpus, mem, disk, gpus),
            ports,
            null,
            constraints,
            null,
            killGrace,
            role);
    return service(spec, metadata, source, group, containers);
  }

  /** {@code t} with the pod volumes {@code mounts} among its container's volumes. */
  private static TaskSpec withMounts(TaskSpec t, List<ContainerSpec.Volume> mounts) {
    ContainerSpec c =
        t.container() != null ? t.container() : new ContainerSpec(ContainerSpec.Type.MESOS, null);
    List<ContainerSpec.Volume> volumes = new ArrayList<>(c.volumes());
    volumes.addAll(mounts);
    ContainerSpec with =
        new ContainerSpec(
            c.type(),
            c.image(),
            c.network(),
            c.networkName(),
            c.portMappings(),
            c.parameters(),
            c.privileged(),
            c.forcePullImage(),
            volumes,
            c.pullConfigSecret(),
            c.imageType());
    return new TaskSpec(
        t.command(),
        t.env(),
        t.resources(),
        t.ports(),
        with,
        t.constraints(),
        t.healthCheck(),
        t.killGracePeriod(),
        t.role(),
        t.executor(),
        t.args(),
        t.user(),
        t.fetch());
  }

  private static Service service(
      Fields spec,
      Metadata metadata,
      Location source,
      TaskSpec task,
      List<PodContainer> containers) {
    int instances = (int) spec.integer("instances", 1, 0, 10_000);
    UpgradeStrategy upgrade = UpgradeStrategy.DEFAULT;
    Fields u = spec.object("upgrade", UPGRADE);
    if (u != null) {
      boolean counts = u.get("maxSurge") != null || u.get("maxUnavailable") != null;
      boolean capacities =
          u.get("minimumHealthCapacity") != null || u.get("maximumOverCapacity") != null;
      int surge = 0;
      int unavailable = 0;
      String what = null; // what a pair that allows no progress is called; null: none to check
      if (counts && capacities) {
        u.error(
            null,
            "spec.upgrade: give maxSurge and maxUnavailable, or minimumHealthCapacity and"
                + " maximumOverCapacity (as Marathon), not both");
      } else if (capacities) {
        // Marathon's: at least ceil(instances x minimumHealthCapacity) stay healthy, at most
        // floor(instances x maximumOverCapacity) run above the count (both default to 1).
        double minHealth = u.number("minimumHealthCapacity", 1.0, 0, 1, false);
        double overCapacity = u.number("maximumOverCapacity", 1.0, 0, 1, false);
        surge = (int) Math.floor(instances * overCapacity + 1e-9);
        unavailable = instances - (int) Math.ceil(instances * minHealth - 1e-9);
        // Scaled to zero there is nothing to roll: the default holds until instances come back.
        what =
            instances == 0
                ? null
                : "minimumHealthCapacity and maximumOverCapacity allow, with "
                    + instances
                    + " instance(s), neither a task above the count nor one below it";
      } else {
        surge = (int) u.integer("maxSurge", 1, 0, 10_000);
        unavailable = (int) u.integer("maxUnavailable", 0, 0, 10_000);
        what = "maxSurge and maxUnavailable cannot both be 0";
      }
      if (what != null && surge + unavailable == 0) {
        u.error(null, "spec.upgrade: " + what + " (a rollout could never make progress)");
      } else if (what != null) {
        upgrade = new UpgradeStrategy(surge, unavailable);
      }
      Fields rollback = u.object("autoRollback", AUTO_ROLLBACK);
      if (rollback != null) {
        upgrade = upgrade.withRollbackAfter((int) rollback.integer("afterFailures", 3, 1, 100));
      }
    }
    if (task != null
        && task.container() != null
        && !task.container().persistentVolumes().isEmpty()) {
      upgrade = resident(spec, task, u, upgrade);
    }
    RestartPolicy restart = restart(spec.object("restart", RESTART));
    Service.KillSelection killSelection =
        spec.enumeration(
            "killSelection",
            Service.KillSelection.class,
            Service.KillSelection.YOUNGEST_FIRST,
            false);
    java.time.Duration inactiveAfter = null;
    java.time.Duration expungeAfter = null;
    Fields unreachable = spec.object("unreachableStrategy", UNREACHABLE);
    if (unreachable != null) {
      inactiveAfter = unreachable.duration("inactiveAfter", null, Duration.ofDays(7));
      if (inactiveAfter != null && inactiveAfter.toMillis() < 1000) {
        unreachable.error(
            unreachable.get("inactiveAfter"),
            unreachable.name("inactiveAfter") + " must be at least 1s");
        inactiveAfter = null;
      }
      expungeAfter = unreachable.duration("expungeAfter", null, Duration.ofDays(30));
      if (expungeAfter != null && expungeAfter.toMillis() < 1000) {
        unreachable.error(
            unreachable.get("expungeAfter"),
            unreachable.name("expungeAfter") + " must be at least 1s");
        expungeAfter = null;
      } else if (expungeAfter != null
          && inactiveAfter != null
          && expungeAfter.compareTo(inactiveAfter) < 0) {
        unreachable.error(
            unreachable.get("expungeAfter"),
            unreachable.name("expungeAfter")
                + " must be at least inactiveAfter ("
                + Durations.format(inactiveAfter)
                + ")");
        expungeAfter = null;
      }
    }
    return task == null
        ? null
        : new Service(
            metadata,
            instances,
            task,
            upgrade,
            restart,
            source,
            containers.isEmpty() ? SpecHash.of("Service", task) : SpecHash.ofPod(task, containers),
            killSelection,
            inactiveAfter,
            expungeAfter,
            dependencies(spec, metadata),
            readinessChecks(spec, task.ports()),
            containers);
  }

  /**
   * {@code dependencies: [name, namespace/name]}: keys of the apps this one waits for (a bare name
   * is in its own namespace). Not in the spec hash: changing them replaces no task.
   */
  private static List<Dependency> dependencies(Fields spec, Metadata metadata) {
    List<Dependency> out = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (YamlNode node : spec.list("dependencies")) {
      String text =
          node instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.STRING
              ? s.text()
              : null;
      String[] parts = text == null ? new String[0] : text.split("/", -1);
      boolean valid =
          (parts.length == 1 || parts.length == 2)
              && java.util.Arrays.stream(parts).allMatch(p -> Model.DNS_LABEL.matcher(p).matches());
      if (!valid) {
        spec.error(
            node,
            "spec.dependencies[] must be an app's name or namespace/name, got "
                + (text == null ? node.typeName() : "'" + text + "'"));
        continue;
      }
      String key = parts.length == 2 ? text : metadata.namespace() + "/" + text;
      if (key.equals(metadata.key())) {
        spec.error(node, "spec.dependencies[]: an app cannot depend on itself");
      } else if (!seen.add(key)) {
        spec.error(node, "spec.dependencies[]: " + key + " is listed twice");
      } else {
        out.add(new Dependency(key, node.location()));
      }
    }
    return out;
  }

  private static RestartPolicy restart(Fields r) {
    if (r == null) {
      return null;
    }
    RestartPolicy d = RestartPolicy.DEFAULT;
    Duration backoff = r.duration("backoff", d.backoff(), ONE_DAY);
    double factor = r.number("factor", d.factor(), 1, 100, false);
    Duration maxDelay = r.duration("maxDelay", d.maxDelay(), ONE_DAY);
    Duration resetAfter = r.duration("resetAfter", d.resetAfter(), ONE_DAY);
    if (maxDelay.compareTo(backoff) < 0) {
      r.error(
          r.has("maxDelay") ? r.get("maxDelay") : r.get("backoff"),
          "spec.restart.maxDelay ("
              + Durations.format(maxDelay)
              + ") must not be shorter than spec.restart.backoff ("
              + Durations.format(backoff)
              + ")");
      return null;
    }
    return new RestartPolicy(backoff, factor, maxDelay, resetAfter);
  }

  private static Job job(Fields spec, Metadata metadata, Location source) {
    if (spec == null || metadata == null) {
      return null;
    }
    TaskSpec task = task(spec);
    notResident(spec, task);
    int retries = (int) spec.integer("retries", Job.DEFAULT_RETRIES, 0, 100);
    Duration backoff = spec.duration("backoff", Job.DEFAULT_BACKOFF, ONE_DAY);
    return task == null
        ? null
        : new Job(
            metadata,
            task,
            retries,
            backoff,
            source,
            SpecHash.of("Job", task),
            dependencies(spec, metadata));
  }

  private static CronJob cronJob(
      Fields spec, Metadata metadata, Location source, List<ManifestError> errors) {
    if (spec == null || metadata == null) {
      return null;
    }
    String zoneText = spec.string("timezone", "UTC", false);
    ZoneId zone = ZoneId.of("UTC");
    try {
      zone = ZoneId.of(zoneText);
    } catch (java.time.DateTimeException e) {
      spec.error(
          spec.get("timezone"),
          "spec.timezone '"
              + zoneText
              + "' is not a time zone;"
              + " use an IANA name like Europe/Paris or UTC");
    }
    String expression = spec.string("schedule", null, true);
    CronSchedule schedule = null;
    if (expression != null) {
      try {
        schedule = new CronSchedule(expression, zone);
      } catch (IllegalArgumentException e) {
        spec.error(spec.get("schedule"), "spec.schedule: " + e.getMessage());
      }
    }
    CronJob.ConcurrencyPolicy policy =
        spec.enumeration(
            "concurrencyPolicy",
            CronJob.ConcurrencyPolicy.class,
            CronJob.ConcurrencyPolicy.Allow,
            false);
    Duration deadline = spec.duration("startingDeadline", null);
    YamlNode jobNode = spec.get("job");
    if (jobNode == null) {
      spec.error(null, "spec.job is required");
      return null;
    }
    Fields job = Fields.of(jobNode, errors, "spec.job", CRON_JOB);
    if (job == null) {
      return null;
    }
    TaskSpec task = task(job);
    notResident(job, task);
    int retries = (int) job.integer("retries", Job.DEFAULT_RETRIES, 0, 100);
    Duration backoff = job.duration("backoff", Job.DEFAULT_BACKOFF, ONE_DAY);
    if (task == null || schedule == null) {
      return null;
    }
    return new CronJob(metadata, schedule, policy, deadline, task, retries, backoff, source);
  }

  /** Persistent volumes are a Service's: a Job's tasks never come back to one. */
  private static void notResident(Fields spec, TaskSpec task) {
    if (task != null
        && task.container() != null
        && !task.container().persistentVolumes().isEmpty()) {
      spec.error(
          spec.get("container"),
          spec.name("container")
              + ".volumes[].persistent is for a Service (its tasks come back to their volume);"
              + " a Job's task does not");
    }
  }

  /**
   * A Service with persistent volumes: its role must be one Mesos can reserve for, and it rolls in
   * place (a volume serves one task at a time), so maxSurge is 0 and maxUnavailable at least 1.
   */
  private static UpgradeStrategy resident(
      Fields spec, TaskSpec task, Fields u, UpgradeStrategy up) {
    if (task.role().equals("*")) {
      spec.error(
          spec.has("role") ? spec.get("role") : spec.get("container"),
          spec.name("container")
              + ".volumes[].persistent needs a role other than '*': Mesos reserves a volume's disk"
              + " for a role");
    }
    if (up.maxSurge() > 0 && u != null && (u.has("maxSurge") || u.has("maximumOverCapacity"))) {
      u.error(
          u.has("maxSurge") ? u.get("maxSurge") : u.get("maximumOverCapacity"),
          "spec.upgrade: an app with persistent volumes is rolled in place (a volume serves one"
              + " task at a time): maxSurge must be 0");
      return up;
    }
    return new UpgradeStrategy(0, Math.max(1, up.maxUnavailable()), up.rollbackAfter());
  }

  private static TaskSpec task(Fields spec) {
    List<String> args = new ArrayList<>();
    for (YamlNode a : spec.list("args")) {
      String text = Fields.scalarText(a);
      if (!(a instanceof YamlNode.Scalar sc) || sc.kind() == YamlNode.Scalar.Kind.NULL) {
        spec.error(a, spec.name("args[]") + " must be a string, got " + a.typeName());
      } else {
        args.add(text);
      }
    }
    String command;
    if (spec.has("args")) {
      command = "";
      if (spec.has("command")) {
        spec.error(
            spec.get("args"),
            spec.name("args") + " and " + spec.name("command") + " exclude each other: give one");
      } else if (args.isEmpty() && spec.get("args") instanceof YamlNode.ListNode) {
        spec.error(spec.get("args"), spec.name("args") + " must not be empty");
      }
      if (spec.has("executor") && "telos".equals(Fields.scalarText(spec.get("executor")))) {
        spec.error(
            spec.get("args"),
            spec.name("args") + " is for the command executor; executor: telos runs a command");
      }
    } else {
      command = spec.string("command", null, true);
      if (command != null && command.isBlank()) {
        spec.error(spec.get("command"), spec.name("command") + " must not be empty");
      }
    }
    String user = spec.string("user", null, false);
    if (user != null && !USER.matcher(user).matches()) {
      spec.error(spec.get("user"), spec.name("user") + " must be a user name, got '" + user + "'");
    }
    Map<String, String> env = spec.stringMap("env");
    YamlNode envNode = spec.get("env");
    if (envNode instanceof YamlNode.MapNode envMap) {
      envMap
          .entries()
          .forEach(
              (k, e) -> {
                if (!ENV_NAME.matcher(k).matches()) {
                  spec.errorAt(
                      e.keyLocation(),
                      spec.name("env") + " name '" + k + "' is not a valid variable name");
                } else if (RESERVED_ENV.matcher(k).matches()) {
                  spec.errorAt(
                      e.keyLocation(),
                      spec.name("env")
                          + "."
                          + k
                          + " is set by Telos or Mesos"
                          + " (PORT*, HOST, TELOS_*, MESOS_*); choose another name");
                }
              });
    }
    List<SecretRef> secrets = secrets(spec, "secrets", env);
    secrets.addAll(secrets(spec, "secretFiles", env));
    TaskResources resources = TaskResources.DEFAULT;
    Fields r = spec.object("resources", RESOURCES);
    if (r != null) {
      double cpus = r.number("cpus", TaskResources.DEFAULT.cpus(), 0, 1024, true);
      double mem = r.number("mem", TaskResources.DEFAULT.mem(), 0, 16 * 1024 * 1024, true);
      double disk = r.number("disk", TaskResources.DEFAULT.disk(), 0, 1024 * 1024 * 1024, false);
      int gpus = (int) r.integer("gpus", 0, 0, 64);
      resources = new TaskResources(cpus, mem, disk, gpus);
    }
    List<PortSpec> ports = new ArrayList<>();
    Set<String> portNames = new HashSet<>();
    for (YamlNode p : spec.list("ports")) {
      Fields pf = Fields.of(p, spec.errors(), spec.name("ports[]"), PORT);
      if (pf == null) {
        continue;
      }
      String name = pf.string("name", null, false);
      if (name != null) {
        dnsLabel(pf, "name", name);
        if (!portNames.add(name)) {
          pf.error(pf.get("name"), "port name '" + name + "' is used twice");
        }
      }
      ports.add(new PortSpec(name));
    }
    Fields containerFields = spec.object("container", CONTAINER);
    ContainerSpec container = container(containerFields, ports);
    SecretRef pull = pullConfigFromSops(containerFields);
    if (pull != null) {
      secrets.add(pull);
    }
    if (container != null && container.type() == ContainerSpec.Type.DOCKER) {
      for (String field : List.of("secrets", "secretFiles")) {
        if (spec.get(field) != null) {
          spec.error(
              spec.get(field),
              spec.name(field)
                  + " reach tasks of the Mesos containerizer only (Mesos's Docker containerizer"
                  + " has no secrets): use container type MESOS");
        }
      }
    }
    List<Constraint> constraints = new ArrayList<>();
    for (YamlNode node : spec.list("constraints")) {
      Constraint constraint =
          constraint(Fields.of(node, spec.errors(), spec.name("constraints[]"), CONSTRAINT));
      if (constraint != null) {
        constraints.add(constraint);
      }
    }
    HealthCheckSpec health = healthCheck(spec.object("healthCheck", HEALTH), ports);
    Duration killGrace = spec.duration("killGracePeriod", TaskSpec.DEFAULT_KILL_GRACE, ONE_DAY);
    String role = spec.string("role", "*", false);
    if (role.isBlank()) {
      spec.error(spec.get("role"), spec.name("role") + " must not be empty");
    }
    ExecutorSpec executor = executor(spec, container);
    List<FetchSpec> fetch = executor == null ? fetch(spec) : List.of();
    if (command == null) {
      return null;
    }
    return new TaskSpec(
        command,
        env,
        resources,
        ports,
        container,
        constraints,
        health,
        killGrace,
        role,
        executor,
        args,
        user,
        fetch,
        secrets);
  }

  static final Set<String> SECRET = Set.of("file", "key");

  /** A SOPS file's path in the repository: relative, no {@code ..}, YAML or JSON. */
  private static final Pattern SECRET_FILE =
      Pattern.compile("(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\s\\\\]+\\.(yaml|yml|json)");

  /** A value's path in a decrypted file: keys joined by dots. */
  private static final Pattern SECRET_KEY = Pattern.compile("[^.]+(\\.[^.]+)*");

  /**
   * {@code container.pullConfig: {file, key}}: the registry credentials (a Docker config JSON) from
   * a SOPS file; null for none or {@code {secret: NAME}}. Checked with the container otherwise.
   */
  private static SecretRef pullConfigFromSops(Fields container) {
    if (container == null || !(container.get("pullConfig") instanceof YamlNode.MapNode m)) {
      return null;
    }
    if (!m.entries().containsKey("file") && !m.entries().containsKey("key")) {
      return null;
    }
    Fields f = Fields.of(m, new ArrayList<>(), container.name("pullConfig"), PULL_CONFIG);
    String file = f.string("file", null, true);
    String key = f.string("key", null, true);
    if (file == null || key == null) {
      container.error(
          m, container.name("pullConfig") + " from a SOPS file needs both file and key");
      return null;
    }
    if (!SECRET_FILE.matcher(file).matches() || !SECRET_KEY.matcher(key).matches()) {
      container.error(
          m,
          container.name("pullConfig")
              + ": file must be a YAML or JSON file's path from the repository's root (no '..'),"
              + " key keys joined by dots");
      return null;
    }
    return new SecretRef(
        SecretRef.Kind.PULL_CONFIG,
        "pullConfig",
        file,
        key,
        container.get("pullConfig").location());
  }

  /** A file's path in the sandbox: relative, no {@code ..}. */
  private static final Pattern SANDBOX_PATH =
      Pattern.compile("(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\s\\\\]+");

  /**
   * {@code secrets: {NAME: {file, key}}} (environment variables) or {@code secretFiles: {PATH:
   * {file, key}}} (files in the sandbox): values from SOPS-encrypted files, read when the commit is
   * (and decrypted there).
   */
  private static List<SecretRef> secrets(Fields spec, String field, Map<String, String> env) {
    boolean asFile = field.equals("secretFiles");
    YamlNode node = spec.get(field);
    List<SecretRef> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    if (!(node instanceof YamlNode.MapNode map)) {
      spec.error(
          node,
          spec.name(field)
              + " must be a mapping of "
              + (asFile ? "PATH" : "NAME")
              + ": {file: PATH, key: KEY}, got "
              + node.typeName());
      return out;
    }
    for (Map.Entry<String, YamlNode.Entry> e : new java.util.TreeMap<>(map.entries()).entrySet()) {
      String name = e.getKey();
      Location at = e.getValue().keyLocation();
      if (asFile) {
        if (!SANDBOX_PATH.matcher(name).matches()) {
          spec.errorAt(
              at,
              spec.name(field)
                  + " path '"
                  + name
                  + "' must be relative to the sandbox, without '..'");
          continue;
        }
      } else if (!ENV_NAME.matcher(name).matches()) {
        spec.errorAt(
            at, spec.name("secrets") + " name '" + name + "' is not a valid variable name");
        continue;
      } else if (RESERVED_ENV.matcher(name).matches()) {
        spec.errorAt(
            at,
            spec.name("secrets")
                + "."
                + name
                + " is set by Telos or Mesos (PORT*, HOST, TELOS_*, MESOS_*); choose another name");
        continue;
      } else if (env.containsKey(name)) {
        spec.errorAt(at, name + " is in both env and secrets; keep one");
        continue;
      }
      Fields f =
          Fields.of(e.getValue().value(), spec.errors(), spec.name(field + "." + name), SECRET);
      if (f == null) {
        continue;
      }
      String file = f.string("file", null, true);
      String key = f.string("key", null, true);
      if (file != null && !SECRET_FILE.matcher(file).matches()) {
        f.error(
            f.get("file"),
            f.name("file")
                + " must be a YAML or JSON file's path from the repository's root (no '..'),"
                + " got '"
                + file
                + "'");
        continue;
      }
      if (key != null && !SECRET_KEY.matcher(key).matches()) {
        f.error(f.get("key"), f.name("key") + " must be keys joined by dots, got '" + key + "'");
        continue;
      }
      if (file != null && key != null) {
        out.add(
            new SecretRef(asFile ? SecretRef.Kind.FILE : SecretRef.Kind.ENV, name, file, key, at));
      }
    }
    return out;
  }

  /** {@code fetch} under Mesos's command executor: URIs for Mesos's fetcher. */
  private static List<FetchSpec> fetch(Fields spec) {
    List<FetchSpec> out = new ArrayList<>();
    for (YamlNode node : spec.list("fetch")) {
      Fields a = Fields.of(node, spec.errors(), spec.name("fetch[]"), ARTIFACT);
      if (a == null) {
        continue;
      }
      String uri = a.string("uri", null, true);
      if (uri != null && uri.isBlank()) {
        a.error(a.get("uri"), a.name("uri") + " must not be empty");
      }
      if (a.has("sha256")) {
        a.error(
            a.get("sha256"),
            a.name("sha256") + " needs executor: telos (Mesos's fetcher does not check digests)");
      }
      String output = outputFile(a);
      boolean executable = flag(a, "executable", false);
      // As Mesos's and Marathon's: archives are extracted unless said otherwise.
      boolean extract = flag(a, "extract", !executable);
      boolean cache = flag(a, "cache", false);
      if (executable && extract) {
        a.error(
            a.get("extract"),
            a.name("extract") + " and " + a.name("executable") + " exclude each other");
      }
      if (uri != null) {
        out.add(new FetchSpec(uri, extract, executable, cache, output));
      }
    }
    return out;
  }

  private static String outputFile(Fields a) {
    String output = a.string("outputFile", null, false);
    if (output != null && (output.isBlank() || output.contains("/") || output.startsWith("."))) {
      a.error(a.get("outputFile"), a.name("outputFile") + " must be a plain file name");
    }
    return output;
  }

  private static boolean flag(Fields a, String key, boolean fallback) {
    YamlNode v = a.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof YamlNode.Scalar sc) || sc.kind() != YamlNode.Scalar.Kind.BOOLEAN) {
      a.error(v, a.name(key) + " must be true or false");
      return fallback; // with an error: the document is rejected, this is never bound
    }
    return sc.text().equals("true");
  }

  /** {@code executor: telos} and what only it understands; null for the command executor. */
  private static ExecutorSpec executor(Fields spec, ContainerSpec container) {
    String kind = spec.string("executor", "command", false);
    boolean telos = kind.equals("telos");
    if (!telos && !kind.equals("command")) {
      spec.error(
          spec.get("executor"),
          spec.name("executor") + " must be command or telos, got '" + kind + "'");
      return null;
    }
    if (!telos) {
      for (String only : List.of("logs", "preStart", "preStop", "killSignal")) {
        if (spec.has(only)) {
          spec.error(
              spec.get(only),
              spec.name(only) + " needs executor: telos (Mesos's command executor cannot do it)");
        }
      }
      return null;
    }
    if (container != null) {
      spec.error(
          spec.get("container"),
          spec.name("container") + " is not supported with executor: telos (it runs commands)");
    }
    long maxBytes = ExecutorSpec.DEFAULT_LOG_MAX;
    int keep = ExecutorSpec.DEFAULT_LOG_KEEP;
    Fields logs = spec.object("logs", LOGS);
    if (logs != null) {
      String size = logs.string("maxSize", null, false);
      if (size != null) {
        java.util.regex.Matcher m = SIZE.matcher(size);
        long bytes = -1;
        if (m.matches() && m.group(1).length() <= 12) {
          long unit =
              switch (m.group(2)) {
                case "KiB" -> 1L << 10;
                case "MiB" -> 1L << 20;
                case "GiB" -> 1L << 30;
                default -> 1L;
              };
          bytes = Long.parseLong(m.group(1)) * unit;
        }
        if (bytes < 4096 || bytes > (64L << 30)) {
          logs.error(
              logs.get("maxSize"),
              logs.name("maxSize")
                  + " must be a size from 4KiB to 64GiB such as 10MiB, got '"
                  + size
                  + "'");
        } else {
          maxBytes = bytes;
        }
      }
      keep = (int) logs.integer("keep", ExecutorSpec.DEFAULT_LOG_KEEP, 0, 100);
    }
    List<ExecutorSpec.Artifact> fetch = new ArrayList<>();
    for (YamlNode node : spec.list("fetch")) {
      Fields a = Fields.of(node, spec.errors(), spec.name("fetch[]"), ARTIFACT);
      if (a == null) {
        continue;
      }
      String uri = a.string("uri", null, true);
      String sha = a.string("sha256", null, true);
      if (sha != null && !SHA256.matcher(sha).matches()) {
        a.error(a.get("sha256"), a.name("sha256") + " must be 64 lowercase hex digits");
      }
      String output = outputFile(a);
      boolean executable = flag(a, "executable", false);
      for (String only : List.of("extract", "cache")) {
        if (a.has(only)) {
          a.error(
              a.get(only),
              a.name(only) + " is for Mesos's fetcher (the command executor), not executor: telos");
        }
      }
      if (uri != null && sha != null) {
        fetch.add(new ExecutorSpec.Artifact(uri, sha, output, executable));
      }
    }
    List<String> preStart = new ArrayList<>();
    for (YamlNode node : spec.list("preStart")) {
      String hook =
          node instanceof YamlNode.Scalar sc && sc.kind() == YamlNode.Scalar.Kind.STRING
              ? Fields.scalarText(node)
              : null;
      if (hook == null || hook.isBlank()) {
        spec.error(node, spec.name("preStart[]") + " must be a non-empty command string");
      } else {
        preStart.add(hook);
      }
    }
    String preStop = spec.string("preStop", null, false);
    String signal = spec.string("killSignal", "TERM", false);
    if (!ExecutorSpec.SIGNALS.contains(signal)) {
      spec.error(
          spec.get("killSignal"),
          spec.name("killSignal")
              + " must be one of "
              + ExecutorSpec.SIGNALS
              + ", got '"
              + signal
              + "'");
      signal = "TERM";
    }
    return new ExecutorSpec(maxBytes, keep, fetch, preStart, preStop, signal);
  }

  private static Constraint constraint(Fields f) {
    if (f == null) {
      return null;
    }
    String field = f.string("field", null, true);
    Constraint.Operator op = f.enumeration("operator", Constraint.Operator.class, null, true);
    String value = null;
    YamlNode valueNode = f.get("value");
    if (valueNode != null) {
      value = Fields.scalarText(valueNode);
      if (value == null) {
        f.error(
            valueNode,
            f.name("value") + " must be a string or number, got " + valueNode.typeName());
      }
    }
    if (op == null || field == null) {
      return null;
    }
    switch (op) {
      case CLUSTER, LIKE, UNLIKE, MAX_PER -> {
        if (value == null) {
          f.error(null, "constraint " + op + " on '" + field + "' needs a value");
          return null;
        }
      }
      case UNIQUE -> {
        if (value != null) {
          f.error(valueNode, "constraint UNIQUE takes no value");
          return null;
        }
      }
      default -> {}
    }
    if ((op == Constraint.Operator.MAX_PER || op == Constraint.Operator.GROUP_BY)
        && value != null) {
      try {
        if (Integer.parseInt(value) < 1) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        f.error(
            valueNode,
            "constraint " + op + " value must be a positive integer, got '" + value + "'");
        return null;
      }
    }
    if ((op == Constraint.Operator.LIKE || op == Constraint.Operator.UNLIKE)) {
      try {
        Pattern.compile(value);
      } catch (PatternSyntaxException e) {
        f.error(
            valueNode,
            "constraint " + op + " value is not a regular expression: " + e.getDescription());
        return null;
      }
    }
    return new Constraint(field, op, value);
  }

  /**
   * The index in {@code ports} of the port {@code f.port} names (a name or an index; the first port
   * when absent), or -1 with an error recorded. {@code what} names the field in messages, {@code
   * checker} what needs the port.
   */
  private static int portIndex(Fields f, String what, String checker, List<PortSpec> ports) {
    return portIndex(f, "port", what, checker, ports);
  }

  /** As {@link #portIndex(Fields, String, String, List)}, for the field {@code key}. */
  private static int portIndex(
      Fields f, String key, String what, String checker, List<PortSpec> ports) {
    YamlNode portNode = f.get(key);
    if (portNode == null) {
      if (ports.isEmpty()) {
        f.error(null, checker + " needs a port, and spec.ports is empty");
        return -1;
      }
      return 0;
    }
    if (portNode instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.INTEGER) {
      int index = Integer.parseInt(s.text());
      if (index < 0 || index >= ports.size()) {
        f.error(
            portNode,
            what
                + "."
                + key
                + " "
                + index
                + " does not exist: spec.ports has "
                + ports.size()
                + " port(s)");
        return -1;
      }
      return index;
    }
    if (portNode instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.STRING) {
      for (int i = 0; i < ports.size(); i++) {
        if (s.text().equals(ports.get(i).name())) {
          return i;
        }
      }
      List<String> names =
          ports.stream().map(PortSpec::name).filter(java.util.Objects::nonNull).toList();
      f.error(
          portNode,
          what
              + "."
              + key
              + " '"
              + s.text()
              + "' names no port in spec.ports"
              + (names.isEmpty()
                  ? " (it has no named ports)"
                  : " (ports: " + String.join(", ", names) + ")"));
      return -1;
    }
    f.error(
        portNode, what + "." + key + " must be a port name or index, got " + portNode.typeName());
    return -1;
  }

  /** {@code container}: the image, its network and port mappings, parameters and volumes. */
  private static ContainerSpec container(Fields c, List<PortSpec> ports) {
    if (c == null) {
      return null;
    }
    ContainerSpec.Type type =
        c.enumeration("type", ContainerSpec.Type.class, ContainerSpec.Type.DOCKER, false);
    // A MESOS container may have no image: a command on the agent's filesystem, with volumes.
    String image = c.string("image", null, type == ContainerSpec.Type.DOCKER);
    ContainerSpec.Network network =
        c.enumeration("network", ContainerSpec.Network.class, ContainerSpec.Network.HOST, false);
    String networkName = c.string("networkName", null, network == ContainerSpec.Network.USER);
    if (networkName != null && network != ContainerSpec.Network.USER) {
      c.error(c.get("networkName"), c.name("networkName") + " is for network: USER");
    }
    if (type == ContainerSpec.Type.MESOS && network == ContainerSpec.Network.BRIDGE) {
      c.error(
          c.get("network"),
          c.name("network")
              + " BRIDGE is Docker's; a MESOS container joins a named network with USER");
    }
    List<ContainerSpec.PortMapping> mappings = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    java.util.Set<String> hostPorts = new java.util.HashSet<>();
    for (YamlNode node : c.list("portMappings")) {
      Fields m = Fields.of(node, c.errors(), c.name("portMappings[]"), PORT_MAPPING);
      if (m == null) {
        continue;
      }
      if (network == ContainerSpec.Network.HOST) {
        m.error(
            null,
            c.name("portMappings")
                + " need network BRIDGE or USER: on the host network the task binds its ports"
                + " itself");
      }
      int containerPort = (int) m.integer("containerPort", 0, 1, 65535);
      if (!m.has("containerPort")) {
        m.error(null, m.name("containerPort") + " is required");
      }
      int port = -1;
      if (m.has("hostPort")) {
        port = portIndex(m, "hostPort", c.name("portMappings[]"), "a port mapping", ports);
      } else if (network == ContainerSpec.Network.BRIDGE) {
        // On the bridge a mapping is published on a host port: the n-th on the n-th port.
        if (mappings.size() < ports.size()) {
          port = mappings.size();
        } else {
          m.error(
              null,
              c.name("portMappings[]")
                  + " on the bridge network needs a hostPort: spec.ports has "
                  + ports.size()
                  + " port(s) for "
                  + (mappings.size() + 1)
                  + " mapping(s)");
        }
      }
      if (port >= 0 && !hostPorts.add(port + "/" + m.string("protocol", "tcp", false))) {
        m.error(
            m.has("hostPort") ? m.get("hostPort") : null,
            c.name("portMappings[]") + " publishes two mappings on one host port");
      }
      int servicePort = (int) m.integer("servicePort", 0, 0, 65535);
      String protocol = m.string("protocol", "tcp", false);
      if (!protocol.equals("tcp") && !protocol.equals("udp")) {
        m.error(
            m.get("protocol"), m.name("protocol") + " must be tcp or udp, got '" + protocol + "'");
      }
      if (containerPort > 0 && !seen.add(containerPort + "/" + protocol)) {
        m.error(
            m.get("containerPort"),
            m.name("containerPort") + " " + containerPort + "/" + protocol + " is mapped twice");
      }
      mappings.add(new ContainerSpec.PortMapping(containerPort, port, servicePort, protocol));
    }
    List<ContainerSpec.Parameter> parameters = new ArrayList<>();
    for (YamlNode node : c.list("parameters")) {
      Fields p = Fields.of(node, c.errors(), c.name("parameters[]"), PARAMETER);
      if (p == null) {
        continue;
      }
      String key = p.string("key", null, true);
      String value = p.string("value", "", false);
      if (type == ContainerSpec.Type.MESOS) {
        p.error(null, c.name("parameters") + " are docker run options: they need type DOCKER");
      } else if ("name".equals(key)) {
        // As Mesos's master: the Docker containerizer names its containers itself (MESOS-8497).
        p.error(p.get("key"), p.name("key") + " must not be 'name'");
      } else if (key != null && !key.matches("[a-z][a-z0-9-]*")) {
        p.error(
            p.get("key"), p.name("key") + " must be a docker run option name, got '" + key + "'");
      }
      if (key != null) {
        parameters.add(new ContainerSpec.Parameter(key, value));
      }
    }
    boolean privileged = flag(c, "privileged", false);
    if (privileged && type == ContainerSpec.Type.MESOS) {
      c.error(c.get("privileged"), c.name("privileged") + " needs type DOCKER");
    }
    boolean forcePull = flag(c, "forcePullImage", false);
    List<ContainerSpec.Volume> volumes = new ArrayList<>();
    java.util.Set<String> paths = new java.util.HashSet<>();
    for (YamlNode node : c.list("volumes")) {
      Fields v = Fields.of(node, c.errors(), c.name("volumes[]"), VOLUME);
      if (v == null) {
        continue;
      }
      String containerPath = v.string("containerPath", null, true);
      String hostPath = v.string("hostPath", null, false);
      String sandboxPath = v.string("sandboxPath", null, false);
      ContainerSpec.Mode mode =
          v.enumeration("mode", ContainerSpec.Mode.class, ContainerSpec.Mode.RW, false);
      Fields persistent = v.object("persistent", PERSISTENT);
      long size = persistent == null ? 0 : persistent.integer("size", 0, 1, 1L << 30);
      if (persistent != null && size == 0 && persistent.get("size") == null) {
        persistent.error(null, persistent.name("size") + " is required (MB)");
      }
      int given = (hostPath != null ? 1 : 0) + (sandboxPath != null ? 1 : 0);
      given += persistent != null ? 1 : 0;
      if (given != 1) {
        v.error(null, c.name("volumes[]") + " needs one of hostPath, sandboxPath and persistent");
        continue;
      }
      if (persistent != null) {
        if (containerPath != null
            && (containerPath.isEmpty()
                || containerPath.contains("/")
                || containerPath.equals(".")
                || containerPath.equals(".."))) {
          v.error(
              v.get("containerPath"),
              v.name("containerPath")
                  + " of a persistent volume must be a directory name in the sandbox (no '/'),"
                  + " got '"
                  + containerPath
                  + "'");
        }
        if (mode == ContainerSpec.Mode.RO) {
          v.error(v.get("mode"), v.name("mode") + " RO: Mesos has no read-only persistent volumes");
        }
        ContainerSpec.DiskType diskType =
            persistent.enumeration(
                "type", ContainerSpec.DiskType.class, ContainerSpec.DiskType.ROOT, false);
        long maxSize = persistent.integer("maxSize", 0, 1, 1L << 30);
        if (persistent.has("maxSize") && diskType != ContainerSpec.DiskType.MOUNT) {
          persistent.error(
              persistent.get("maxSize"),
              persistent.name("maxSize") + " is for type MOUNT (a whole disk of size..maxSize)");
        } else if (maxSize > 0 && maxSize < size) {
          persistent.error(
              persistent.get("maxSize"),
              persistent.name("maxSize") + " must be at least size (" + size + ")");
        }
        if (containerPath != null && size > 0 && paths.add(containerPath)) {
          volumes.add(
              new ContainerSpec.Volume(containerPath, null, null, mode, size, diskType, maxSize));
        }
        continue;
      }
      if (hostPath != null && !hostPath.startsWith("/")) {
        v.error(v.get("hostPath"), v.name("hostPath") + " must be an absolute path");
      }
      if (sandboxPath != null && (sandboxPath.startsWith("/") || sandboxPath.contains(".."))) {
        v.error(
            v.get("sandboxPath"),
            v.name("sandboxPath") + " must be a path inside the sandbox (relative, without '..')");
      }
      if (containerPath != null && !paths.add(containerPath)) {
        v.error(
            v.get("containerPath"),
            v.name("containerPath") + " " + containerPath + " is mounted twice");
      }
      if (containerPath != null) {
        volumes.add(new ContainerSpec.Volume(containerPath, hostPath, sandboxPath, mode));
      }
    }
    String pullSecret = null;
    Fields pull = c.object("pullConfig", PULL_CONFIG);
    if (pull != null) {
      boolean sops = pull.has("file") || pull.has("key");
      if (sops && pull.has("secret")) {
        pull.error(
            pull.get("secret"),
            c.name("pullConfig")
                + " is either {secret: NAME} (the agent's resolver) or {file, key} (a SOPS file),"
                + " not both");
      }
      pullSecret = sops ? null : pull.string("secret", null, true);
      if (type == ContainerSpec.Type.DOCKER) {
        c.error(
            c.get("pullConfig"),
            c.name("pullConfig")
                + " needs type MESOS: the Docker containerizer takes registry credentials from the"
                + " agent's --docker_config");
      } else if (image == null) {
        c.error(c.get("pullConfig"), c.name("pullConfig") + " is for pulling an image: give image");
      } else if (pullSecret != null && !pullSecret.matches("[A-Za-z0-9][A-Za-z0-9._/-]*")) {
        pull.error(
            pull.get("secret"),
            pull.name("secret")
                + " must be a secret name ([A-Za-z0-9._/-]), got '"
                + pullSecret
                + "'");
      }
    }
    ContainerSpec.ImageType imageType =
        c.enumeration(
            "imageType", ContainerSpec.ImageType.class, ContainerSpec.ImageType.DOCKER, false);
    if (imageType == ContainerSpec.ImageType.APPC) {
      if (type != ContainerSpec.Type.MESOS) {
        c.error(
            c.get("imageType"),
            c.name("imageType") + " APPC needs type MESOS (Docker runs only Docker images)");
      } else if (pull != null) {
        c.error(c.get("pullConfig"), c.name("pullConfig") + " is for Docker images");
      }
    }
    if (image == null && type == ContainerSpec.Type.DOCKER) {
      return null;
    }
    if (image == null && !mappings.isEmpty()) {
      c.error(c.get("portMappings"), c.name("portMappings") + " need an image");
      return null;
    }
    return new ContainerSpec(
        type,
        image,
        network,
        networkName,
        mappings,
        parameters,
        privileged,
        forcePull,
        volumes,
        pullSecret,
        imageType);
  }

  /**
   * {@code readinessChecks: [{scheme, path, port, statusCodes, interval, timeout}]}: HTTP checks
   * Telos makes of each new task before a rollout counts it; not in the spec hash.
   */
  private static List<ReadinessCheck> readinessChecks(Fields spec, List<PortSpec> ports) {
    List<ReadinessCheck> out = new ArrayList<>();
    for (YamlNode node : spec.list("readinessChecks")) {
      Fields r = Fields.of(node, spec.errors(), spec.name("readinessChecks[]"), READINESS);
      if (r == null) {
        continue;
      }
      ReadinessCheck.Scheme scheme =
          r.enumeration("scheme", ReadinessCheck.Scheme.class, ReadinessCheck.Scheme.HTTP, false);
      int port = portIndex(r, spec.name("readinessChecks[]"), "a readiness check", ports);
      String path = r.string("path", "/", false);
      if (!path.startsWith("/")) {
        r.error(r.get("path"), r.name("path") + " must start with '/'");
      }
      java.util.Set<Integer> codes = new java.util.TreeSet<>();
      YamlNode codesNode = r.get("statusCodes");
      List<YamlNode> codeNodes = r.list("statusCodes");
      if (codesNode == null) {
        codes.add(200);
      } else if (codeNodes.isEmpty() && codesNode instanceof YamlNode.ListNode) {
        r.error(codesNode, r.name("statusCodes") + " must name at least one status code");
      }
      for (YamlNode c : codeNodes) {
        if (c instanceof YamlNode.Scalar s
            && s.kind() == YamlNode.Scalar.Kind.INTEGER
            && s.text().matches("[1-5][0-9][0-9]")) {
          codes.add(Integer.parseInt(s.text()));
        } else {
          r.error(c, r.name("statusCodes") + "[] must be an HTTP status code (100 to 599)");
        }
      }
      Duration interval = r.duration("interval", Duration.ofSeconds(30), ONE_DAY);
      Duration timeout = r.duration("timeout", Duration.ofSeconds(10), ONE_DAY);
      if (interval.isZero()) {
        r.error(r.get("interval"), r.name("interval") + " must be > 0");
      } else if (timeout.isZero() || timeout.compareTo(interval) > 0) {
        r.error(
            r.get("timeout"),
            r.name("timeout") + " must be > 0 and not longer than " + r.name("interval"));
      }
      if (port >= 0) {
        out.add(new ReadinessCheck(scheme, path, port, codes, interval, timeout));
      }
    }
    return out;
  }

  private static HealthCheckSpec healthCheck(Fields h, List<PortSpec> ports) {
    if (h == null) {
      return null;
    }
    HealthCheckSpec.Type type = h.enumeration("type", HealthCheckSpec.Type.class, null, true);
    int port = -1;
    YamlNode portNode = h.get("port");
    if (type == HealthCheckSpec.Type.HTTP || type == HealthCheckSpec.Type.TCP) {
      port = portIndex(h, "healthCheck", "healthCheck of type " + type, ports);
    } else if (portNode != null && type == HealthCheckSpec.Type.COMMAND) {
      h.error(portNode, "healthCheck.port is not used by a COMMAND check");
    }
    String path = h.string("path", "/", false);
    if (!path.startsWith("/")) {
      h.error(h.get("path"), "healthCheck.path must start with '/'");
    }
    String command = h.string("command", null, type == HealthCheckSpec.Type.COMMAND);
    Duration delay = h.duration("delay", Duration.ZERO, ONE_DAY);
    Duration interval = h.duration("interval", Duration.ofSeconds(10), ONE_DAY);
    Duration timeout = h.duration("timeout", Duration.ofSeconds(5), ONE_DAY);
    Duration grace = h.duration("gracePeriod", Duration.ofSeconds(30), ONE_DAY);
    int failures = (int) h.integer("maxConsecutiveFailures", 3, 1, 1000);
    if (interval.isZero()) {
      h.error(h.get("interval"), "healthCheck.interval must be > 0");
    }
    if (type == null) {
      return null;
    }
    return new HealthCheckSpec(
        type,
        Math.max(port, 0),
        type == HealthCheckSpec.Type.HTTP ? path : null,
        command,
        delay,
        interval,
        timeout,
        grace,
        failures);
  }
}
