package dev.telos.reconcile;

import dev.telos.manifest.App;
import dev.telos.manifest.ContainerSpec;
import dev.telos.manifest.HealthCheckSpec;
import dev.telos.manifest.PortSpec;
import dev.telos.manifest.TaskSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.ContainerInfo;
import org.apache.mesos.v1.Protos.DiscoveryInfo;
import org.apache.mesos.v1.Protos.DurationInfo;
import org.apache.mesos.v1.Protos.Environment;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.HealthCheck;
import org.apache.mesos.v1.Protos.Image;
import org.apache.mesos.v1.Protos.KillPolicy;
import org.apache.mesos.v1.Protos.Label;
import org.apache.mesos.v1.Protos.Labels;
import org.apache.mesos.v1.Protos.NetworkInfo;
import org.apache.mesos.v1.Protos.Parameter;
import org.apache.mesos.v1.Protos.Port;
import org.apache.mesos.v1.Protos.Ports;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.Volume;

/**
 * Builds the TaskInfo of one task: the command with the environment a task needs (Mesos gives
 * command tasks only {@code MESOS_*} variables, so Telos adds {@code PORT0}…, {@code PORT_<NAME>},
 * {@code PORTS}, {@code HOST}, {@code TELOS_APP}, {@code TELOS_NAMESPACE}, {@code TELOS_REVISION},
 * then the manifest's {@code env}), the resources cut from the offer, the Mesos-native health check
 * on the assigned port, the kill policy, and labels for humans.
 */
final class TaskInfoFactory {
  private TaskInfoFactory() {}

  /** The environment of a task, in a stable order. */
  static Map<String, String> environment(App app, String host, List<Long> ports, String revision) {
    Map<String, String> env = new LinkedHashMap<>();
    List<PortSpec> specs = app.task().ports();
    for (int i = 0; i < ports.size(); i++) {
      env.put("PORT" + i, Long.toString(ports.get(i)));
      if (i < specs.size() && specs.get(i).variable() != null) {
        env.put(specs.get(i).variable(), Long.toString(ports.get(i)));
      }
    }
    if (!ports.isEmpty()) {
      env.put("PORT", Long.toString(ports.get(0)));
      env.put("PORTS", ports.stream().map(String::valueOf).collect(Collectors.joining(",")));
    }
    env.put("HOST", host);
    env.put("TELOS_APP", app.metadata().name());
    env.put("TELOS_NAMESPACE", app.metadata().namespace());
    env.put("TELOS_REVISION", revision == null ? "" : revision);
    env.putAll(new java.util.TreeMap<>(app.task().env()));
    return env;
  }

  /**
   * The task's {@code spec.secrets} as Mesos {@code SECRET} variables of {@code VALUE} secrets: the
   * agent resolves them (Mesos's default secret resolver) into the environment of the process it
   * starts (the task under the command executor, the Telos executor otherwise, which hands them to
   * its task by name).
   */
  static Environment secretEnvironment(TaskSpec spec) {
    Environment.Builder env = Environment.newBuilder();
    for (dev.telos.manifest.SecretRef s : spec.secrets()) {
      if (s.kind() != dev.telos.manifest.SecretRef.Kind.ENV) {
        continue;
      }
      env.addVariables(
          Environment.Variable.newBuilder()
              .setName(s.name())
              .setType(Environment.Variable.Type.SECRET)
              .setSecret(secret(s)));
    }
    return env.build();
  }

  private static org.apache.mesos.v1.Protos.Secret secret(dev.telos.manifest.SecretRef s) {
    return org.apache.mesos.v1.Protos.Secret.newBuilder()
        .setType(org.apache.mesos.v1.Protos.Secret.Type.VALUE)
        .setValue(
            org.apache.mesos.v1.Protos.Secret.Value.newBuilder()
                .setData(com.google.protobuf.ByteString.copyFromUtf8(s.reveal())))
        .build();
  }

  /**
   * The task's {@code spec.secretFiles} as read-only {@code SECRET} volumes at their sandbox paths,
   * for the agent's {@code volume/secret} isolator (the executor's container under {@code executor:
   * telos}, whose sandbox its task shares).
   */
  static List<org.apache.mesos.v1.Protos.Volume> secretVolumes(TaskSpec spec) {
    List<org.apache.mesos.v1.Protos.Volume> out = new java.util.ArrayList<>();
    for (dev.telos.manifest.SecretRef s : spec.secrets()) {
      if (s.asFile()) {
        out.add(
            org.apache.mesos.v1.Protos.Volume.newBuilder()
                .setContainerPath(s.name())
                .setMode(org.apache.mesos.v1.Protos.Volume.Mode.RO)
                .setSource(
                    org.apache.mesos.v1.Protos.Volume.Source.newBuilder()
                        .setType(org.apache.mesos.v1.Protos.Volume.Source.Type.SECRET)
                        .setSecret(secret(s)))
                .build());
      }
    }
    return out;
  }

  /**
   * The TaskInfo of a task; for {@code executor: telos}, without a CommandInfo and with a CUSTOM
   * ExecutorInfo that fetches and runs the Telos executor, the command and everything the executor
   * needs going as JSON in {@code data}.
   */
  static TaskInfo build(
      App app,
      String taskId,
      OfferSlot slot,
      List<Resource> resources,
      List<Long> ports,
      String revision,
      ExecutorLaunch launch,
      List<Resource> executorResources) {
    TaskSpec spec = app.task();
    String host = slot.offer.getHostname();
    Environment.Builder env = Environment.newBuilder();
    environment(app, host, ports, revision)
        .forEach(
            (k, v) -> env.addVariables(Environment.Variable.newBuilder().setName(k).setValue(v)));
    Environment secrets = secretEnvironment(spec);
    TaskInfo.Builder task =
        TaskInfo.newBuilder()
            .setName(app.metadata().namespace() + "." + app.metadata().name())
            .setTaskId(TaskID.newBuilder().setValue(taskId))
            .setAgentId(slot.offer.getAgentId())
            .addAllResources(resources)
            .setKillPolicy(
                KillPolicy.newBuilder()
                    .setGracePeriod(
                        DurationInfo.newBuilder().setNanoseconds(spec.killGracePeriod().toNanos())))
            .setLabels(
                Labels.newBuilder()
                    .addAllLabels(userLabels(app))
                    .addLabels(label("telos.dev/namespace", app.metadata().namespace()))
                    .addLabels(label("telos.dev/app", app.metadata().name()))
                    .addLabels(label("telos.dev/spec-hash", app.specHash()))
                    .addLabels(label("telos.dev/revision", revision == null ? "" : revision))
                    .addLabels(label("telos.dev/kind", app.kind())));
    if (spec.executor() != null && launch != null) {
      task.setExecutor(
              ExecutorInfo.newBuilder()
                  .setExecutorId(ExecutorID.newBuilder().setValue("telos-" + taskId))
                  .setType(ExecutorInfo.Type.CUSTOM)
                  .setName("Telos executor")
                  .setSource(app.key())
                  .setCommand(
                      CommandInfo.newBuilder()
                          .setShell(true)
                          .setValue(launch.command())
                          .addUris(
                              CommandInfo.URI
                                  .newBuilder()
                                  .setValue(launch.uri())
                                  .setCache(true)
                                  .setOutputFile("telos.jar")))
                  .addAllResources(executorResources))
          .setData(
              com.google.protobuf.ByteString.copyFromUtf8(
                  executorData(spec, environment(app, host, ports, revision), revision)));
      if (secrets.getVariablesCount() > 0) {
        task.getExecutorBuilder().getCommandBuilder().setEnvironment(secrets);
      }
    } else {
      task.setCommand(
          command(spec).setEnvironment(env.addAllVariables(secrets.getVariablesList())));
    }
    if (spec.container() != null) {
      task.setContainer(container(spec.container(), ports));
      DiscoveryInfo discovery = discovery(app, spec.container(), ports);
      if (discovery != null) {
        task.setDiscovery(discovery);
      }
    }
    for (dev.telos.manifest.SecretRef s : spec.secrets()) {
      if (s.kind() == dev.telos.manifest.SecretRef.Kind.PULL_CONFIG
          && task.hasContainer()
          && task.getContainer().getMesos().getImage().hasDocker()) {
        // The registry credentials as a Secret.Value: Mesos's default resolver reads it.
        task.getContainerBuilder()
            .getMesosBuilder()
            .getImageBuilder()
            .getDockerBuilder()
            .setConfig(secret(s));
      }
    }
    List<org.apache.mesos.v1.Protos.Volume> secretFiles = secretVolumes(spec);
    if (!secretFiles.isEmpty()) {
      ContainerInfo.Builder c =
          spec.executor() != null && launch != null
              ? task.getExecutorBuilder().getContainerBuilder()
              : task.getContainerBuilder();
      if (!c.hasType()) {
        c.setType(ContainerInfo.Type.MESOS);
      }
      c.addAllVolumes(secretFiles);
    }
    HealthCheckSpec h = spec.healthCheck();
    if (h != null) {
      HealthCheck.Builder check =
          HealthCheck.newBuilder()
              .setDelaySeconds(seconds(h.delay()))
              .setIntervalSeconds(seconds(h.interval()))
              .setTimeoutSeconds(seconds(h.timeout()))
              .setGracePeriodSeconds(seconds(h.gracePeriod()))
              .setConsecutiveFailures(h.maxConsecutiveFailures());
      switch (h.type()) {
        case HTTP ->
            check
                .setType(HealthCheck.Type.HTTP)
                .setHttp(
                    HealthCheck.HTTPCheckInfo.newBuilder()
                        .setPort(checkedPort(spec, h.port(), ports))
                        .setPath(h.path()));
        case TCP ->
            check
                .setType(HealthCheck.Type.TCP)
                .setTcp(
                    HealthCheck.TCPCheckInfo.newBuilder()
                        .setPort(checkedPort(spec, h.port(), ports)));
        case COMMAND ->
            check
                .setType(HealthCheck.Type.COMMAND)
                .setCommand(
                    CommandInfo.newBuilder()
                        .setShell(true)
                        .setValue(h.command())
                        .setEnvironment(env));
      }
      task.setHealthCheck(check);
    }
    return task.build();
  }

  /**
   * The port a Mesos health check probes for {@code spec.ports[index]}: its host port, or, when a
   * port mapping of a BRIDGE or USER network publishes it, the container port (Mesos checks such a
   * container inside its network namespace).
   */
  static int checkedPort(TaskSpec spec, int index, List<Long> ports) {
    ContainerSpec c = spec.container();
    if (c != null && c.network() != ContainerSpec.Network.HOST) {
      for (ContainerSpec.PortMapping m : c.portMappings()) {
        if (m.port() == index) {
          return m.containerPort();
        }
      }
    }
    return (int) (long) ports.get(index);
  }

  /** The ContainerInfo of {@code c}, its port mappings on the host ports {@code ports}. */
  static ContainerInfo container(ContainerSpec c, List<Long> ports) {
    ContainerInfo.Builder info = ContainerInfo.newBuilder();
    if (c.network() == ContainerSpec.Network.USER) {
      NetworkInfo.Builder net = NetworkInfo.newBuilder().setName(c.networkName());
      if (c.type() == ContainerSpec.Type.MESOS) {
        for (ContainerSpec.PortMapping m : c.portMappings()) {
          if (m.port() >= 0) { // a mapping without a host port needs no entry: the IP serves it
            net.addPortMappings(
                NetworkInfo.PortMapping.newBuilder()
                    .setHostPort((int) (long) ports.get(m.port()))
                    .setContainerPort(m.containerPort())
                    .setProtocol(m.protocol()));
          }
        }
      }
      info.addNetworkInfos(net);
    }
    if (c.type() == ContainerSpec.Type.DOCKER) {
      ContainerInfo.DockerInfo.Builder docker =
          ContainerInfo.DockerInfo.newBuilder()
              .setImage(c.image())
              .setNetwork(
                  switch (c.network()) {
                    case HOST -> ContainerInfo.DockerInfo.Network.HOST;
                    case BRIDGE -> ContainerInfo.DockerInfo.Network.BRIDGE;
                    case USER -> ContainerInfo.DockerInfo.Network.USER;
                  });
      for (ContainerSpec.PortMapping m : c.portMappings()) {
        if (m.port() >= 0) {
          docker.addPortMappings(
              ContainerInfo.DockerInfo.PortMapping.newBuilder()
                  .setHostPort((int) (long) ports.get(m.port()))
                  .setContainerPort(m.containerPort())
                  .setProtocol(m.protocol()));
        }
      }
      if (c.privileged()) {
        docker.setPrivileged(true);
      }
      for (ContainerSpec.Parameter p : c.parameters()) {
        docker.addParameters(Parameter.newBuilder().setKey(p.key()).setValue(p.value()));
      }
      if (c.forcePullImage()) {
        docker.setForcePullImage(true);
      }
      info.setType(ContainerInfo.Type.DOCKER).setDocker(docker);
    } else if (c.image() == null) {
      info.setType(ContainerInfo.Type.MESOS); // the agent's own filesystem
    } else if (c.imageType() == ContainerSpec.ImageType.APPC) {
      Image.Builder image =
          Image.newBuilder()
              .setType(Image.Type.APPC)
              .setAppc(Image.Appc.newBuilder().setName(c.image()));
      if (c.forcePullImage()) {
        image.setCached(false);
      }
      info.setType(ContainerInfo.Type.MESOS)
          .setMesos(ContainerInfo.MesosInfo.newBuilder().setImage(image));
    } else {
      Image.Docker.Builder docker = Image.Docker.newBuilder().setName(c.image());
      if (c.pullConfigSecret() != null) {
        // Resolved on the agent by its secret resolver: the credentials never pass through Telos.
        docker.setConfig(
            org.apache.mesos.v1.Protos.Secret.newBuilder()
                .setType(org.apache.mesos.v1.Protos.Secret.Type.REFERENCE)
                .setReference(
                    org.apache.mesos.v1.Protos.Secret.Reference.newBuilder()
                        .setName(c.pullConfigSecret())));
      }
      Image.Builder image = Image.newBuilder().setType(Image.Type.DOCKER).setDocker(docker);
      if (c.forcePullImage()) {
        image.setCached(false);
      }
      info.setType(ContainerInfo.Type.MESOS)
          .setMesos(ContainerInfo.MesosInfo.newBuilder().setImage(image));
    }
    for (ContainerSpec.Volume v : c.volumes()) {
      if (v.persistent()) {
        continue; // a persistent volume is a disk resource of the task, not a ContainerInfo volume
      }
      Volume.Builder volume =
          Volume.newBuilder()
              .setContainerPath(v.containerPath())
              .setMode(v.mode() == ContainerSpec.Mode.RO ? Volume.Mode.RO : Volume.Mode.RW);
      if (v.hostPath() != null) {
        volume.setHostPath(v.hostPath());
      } else if (v.podVolume() != null) {
        // Shared by the pod's containers: a directory of the default executor's sandbox.
        volume.setSource(
            sandboxPath(Volume.Source.SandboxPath.Type.PARENT, "volumes/" + v.podVolume()));
      } else if (c.type() == ContainerSpec.Type.DOCKER) {
        volume.setHostPath(v.sandboxPath()); // a relative host path is the sandbox's, for Docker
      } else {
        volume.setSource(sandboxPath(Volume.Source.SandboxPath.Type.SELF, v.sandboxPath()));
      }
      info.addVolumes(volume);
    }
    return info.build();
  }

  private static Volume.Source sandboxPath(Volume.Source.SandboxPath.Type type, String path) {
    return Volume.Source.newBuilder()
        .setType(Volume.Source.Type.SANDBOX_PATH)
        .setSandboxPath(Volume.Source.SandboxPath.newBuilder().setType(type).setPath(path))
        .build();
  }

  /**
   * The task's DiscoveryInfo when a port mapping names a {@code servicePort}: each published port
   * with its host port, protocol and a {@code servicePort} label, for service discovery (as
   * Marathon's service ports); null otherwise.
   */
  static DiscoveryInfo discovery(App app, ContainerSpec c, List<Long> ports) {
    if (c.portMappings().stream().noneMatch(m -> m.servicePort() > 0 && m.port() >= 0)) {
      return null;
    }
    Ports.Builder published = Ports.newBuilder();
    for (ContainerSpec.PortMapping m : c.portMappings()) {
      if (m.port() < 0) {
        continue;
      }
      Port.Builder port =
          Port.newBuilder().setNumber((int) (long) ports.get(m.port())).setProtocol(m.protocol());
      String name = app.task().ports().get(m.port()).name();
      if (name != null) {
        port.setName(name);
      }
      if (m.servicePort() > 0) {
        port.setLabels(
            Labels.newBuilder().addLabels(label("servicePort", String.valueOf(m.servicePort()))));
      }
      published.addPorts(port);
    }
    return DiscoveryInfo.newBuilder()
        .setVisibility(DiscoveryInfo.Visibility.FRAMEWORK)
        .setName(app.metadata().name() + "." + app.metadata().namespace())
        .setPorts(published)
        .build();
  }

  /**
   * The CommandInfo of a command-executor task without its environment: a shell command or an argv
   * ({@code shell: false}, {@code value} the program, {@code arguments} the whole argv as Mesos
   * takes it), the user, and the URIs for Mesos's fetcher.
   */
  static CommandInfo.Builder command(TaskSpec spec) {
    CommandInfo.Builder c = CommandInfo.newBuilder();
    if (spec.args().isEmpty()) {
      c.setShell(true).setValue(spec.command());
    } else {
      c.setShell(false).setValue(spec.args().get(0)).addAllArguments(spec.args());
    }
    if (spec.user() != null) {
      c.setUser(spec.user());
    }
    for (dev.telos.manifest.FetchSpec f : spec.fetch()) {
      CommandInfo.URI.Builder uri =
          CommandInfo.URI
              .newBuilder()
              .setValue(f.uri())
              .setExtract(f.extract())
              .setExecutable(f.executable())
              .setCache(f.cache());
      if (f.outputFile() != null) {
        uri.setOutputFile(f.outputFile());
      }
      c.addUris(uri);
    }
    return c;
  }

  /** The app's own labels, sorted; Telos's {@code telos.dev/*} labels follow and win. */
  private static List<Label> userLabels(App app) {
    List<Label> out = new java.util.ArrayList<>();
    new java.util.TreeMap<>(app.metadata().labels())
        .forEach(
            (k, v) -> {
              if (!RESERVED_LABELS.contains(k)) {
                out.add(label(k, v));
              }
            });
    return out;
  }

  private static final java.util.Set<String> RESERVED_LABELS =
      java.util.Set.of(
          "telos.dev/namespace",
          "telos.dev/app",
          "telos.dev/spec-hash",
          "telos.dev/revision",
          "telos.dev/kind");

  /** What the Telos executor reads from {@code TaskInfo.data}: JSON, written without I/O. */
  static String executorData(TaskSpec spec, Map<String, String> env, String revision) {
    dev.telos.manifest.ExecutorSpec e = spec.executor();
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("command", spec.command());
    data.put("environment", env);
    if (!spec.secrets().isEmpty()) {
      // Names only: the values reach the executor's own environment as Mesos secrets.
      List<String> names =
          spec.secrets().stream()
              .filter(s -> s.kind() == dev.telos.manifest.SecretRef.Kind.ENV)
              .map(s -> s.name())
              .toList();
      if (!names.isEmpty()) {
        data.put("secretEnvironment", names);
      }
    }
    data.put("logMaxBytes", e.logMaxBytes());
    data.put("logKeep", e.logKeep());
    List<Object> fetch = new java.util.ArrayList<>();
    for (dev.telos.manifest.ExecutorSpec.Artifact a : e.fetch()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("uri", a.uri());
      m.put("sha256", a.sha256());
      if (a.outputFile() != null) {
        m.put("outputFile", a.outputFile());
      }
      m.put("executable", a.executable());
      fetch.add(m);
    }
    data.put("fetch", fetch);
    data.put("preStart", e.preStart());
    if (e.preStop() != null) {
      data.put("preStop", e.preStop());
    }
    data.put("killSignal", e.killSignal());
    if (revision != null) {
      data.put("revision", revision);
    }
    try {
      return JSON.writeValueAsString(data);
    } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
      // maps, lists, strings, numbers and booleans always serialise
      throw new IllegalStateException(impossible);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private static double seconds(java.time.Duration d) {
    return d.toMillis() / 1000d;
  }

  private static Label label(String key, String value) {
    return Label.newBuilder().setKey(key).setValue(value).build();
  }
}
