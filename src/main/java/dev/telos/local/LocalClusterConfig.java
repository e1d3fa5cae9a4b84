package dev.telos.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an embedded cluster.
 *
 * @param port the master's port on 127.0.0.1; 0 picks a free one
 * @param agents process agents (tasks run as local processes)
 * @param simulatedAgents agents whose tasks change state without processes
 * @param agentCpus cpus of each agent
 * @param agentMem memory of each agent, MiB
 * @param agentDisk disk of each agent, MiB
 * @param portsBegin first port of each agent's {@code ports} range
 * @param portsEnd last port of each agent's {@code ports} range
 * @param workDir where sandboxes live
 * @param heartbeatInterval the {@code heartbeat_interval_seconds} the master announces and keeps
 * @param allocationInterval how often free resources are offered
 * @param updateRetryInitial first resend delay of an unacknowledged status update (doubles)
 * @param simulatedTaskDelay how long a simulated task takes to go from STAGING to RUNNING
 * @param simulatedFailureRate the fraction of simulated tasks that fail after starting
 * @param faults whether the {@code /faults/*} HTTP endpoints are served
 * @param agentGpus the GPUs of each process agent in turn (agents past the list have none)
 * @param agentDisks disks every process agent has besides its own: {@code PATH:MB} or {@code
 *     MOUNT:MB}, offered as disk resources with that source (a MOUNT disk is only ever taken whole)
 * @param agentAttributes the attributes of each process agent in turn, in the syntax of a Mesos
 *     agent's {@code --attributes}: {@code rack:r1;zone:eu-1a;cores:8} (a number is a SCALAR
 *     attribute, anything else TEXT), besides {@code agent} and {@code kind}
 * @param agentReserved resources statically reserved for roles on every process agent, on top of
 *     its unreserved ones, in the syntax of a Mesos agent's {@code --resources}: {@code
 *     cpus(ops):2;mem(ops):1024}; empty for none
 */
public record LocalClusterConfig(
    int port,
    int agents,
    int simulatedAgents,
    double agentCpus,
    double agentMem,
    double agentDisk,
    int portsBegin,
    int portsEnd,
    Path workDir,
    Duration heartbeatInterval,
    Duration allocationInterval,
    Duration updateRetryInitial,
    Duration simulatedTaskDelay,
    double simulatedFailureRate,
    boolean faults,
    java.util.List<Integer> agentGpus,
    java.util.List<String> agentDisks,
    java.util.List<String> agentAttributes,
    String agentReserved) {

  public LocalClusterConfig {
    Objects.requireNonNull(workDir, "workDir");
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(allocationInterval, "allocationInterval");
    Objects.requireNonNull(updateRetryInitial, "updateRetryInitial");
    Objects.requireNonNull(simulatedTaskDelay, "simulatedTaskDelay");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, got " + port);
    }
    if (agents < 0 || simulatedAgents < 0 || agents + simulatedAgents == 0) {
      throw new IllegalArgumentException(
          "a cluster needs at least one agent (agents="
              + agents
              + ", simulated="
              + simulatedAgents
              + ")");
    }
    if (!(agentCpus > 0) || !(agentMem > 0) || agentDisk < 0) {
      throw new IllegalArgumentException("agent cpus and mem must be > 0 and disk >= 0");
    }
    if (portsBegin < 1 || portsEnd > 65535 || portsEnd < portsBegin) {
      throw new IllegalArgumentException(
          "agent ports range " + portsBegin + "-" + portsEnd + " is not a valid range");
    }
    if (heartbeatInterval.toMillis() < 10) {
      throw new IllegalArgumentException("heartbeatInterval must be >= 10ms");
    }
    if (allocationInterval.toMillis() < 1) {
      throw new IllegalArgumentException("allocationInterval must be >= 1ms");
    }
    if (simulatedFailureRate < 0 || simulatedFailureRate > 1) {
      throw new IllegalArgumentException("simulatedFailureRate must be in [0, 1]");
    }
    agentDisks = java.util.List.copyOf(agentDisks);
    for (String d : agentDisks) {
      if (!DISK.matcher(d).matches()) {
        throw new IllegalArgumentException(
            "an agent disk is PATH:MB or MOUNT:MB (e.g. MOUNT:4096), got '" + d + "'");
      }
    }
    Objects.requireNonNull(agentReserved, "agentReserved");
    reservedResources(agentReserved);
    agentAttributes = java.util.List.copyOf(agentAttributes);
    if (agentAttributes.size() > agents) {
      throw new IllegalArgumentException(
          "agent attributes are given for each of the "
              + agents
              + " process agent(s) in turn, got "
              + agentAttributes.size());
    }
    for (String a : agentAttributes) {
      attributes(a);
    }
    agentGpus = java.util.List.copyOf(agentGpus);
    if (agentGpus.size() > agents || agentGpus.stream().anyMatch(g -> g < 0 || g > 64)) {
      throw new IllegalArgumentException(
          "agent GPUs are 0 to 64 for each of the "
              + agents
              + " process agent(s), got "
              + agentGpus);
    }
  }

  /** A PATH or MOUNT disk of a process agent. */
  private static final java.util.regex.Pattern DISK =
      java.util.regex.Pattern.compile("(PATH|MOUNT):([1-9][0-9]{0,8})");

  private static final java.util.regex.Pattern ATTRIBUTE =
      java.util.regex.Pattern.compile("([A-Za-z0-9_./-]+):([^;:]+)");

  /**
   * The attributes {@code text} names ({@code rack:r1;cores:8}), name → value in order.
   *
   * @throws IllegalArgumentException on a malformed entry, a name given twice, or {@code agent} or
   *     {@code kind} (the cluster sets those)
   */
  public static java.util.Map<String, String> attributes(String text) {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    if (text.isBlank()) {
      return out;
    }
    for (String part : text.split(";")) {
      java.util.regex.Matcher m = ATTRIBUTE.matcher(part.trim());
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "an agent attribute is NAME:VALUE (as Mesos's --attributes, e.g. rack:r1;zone:a), got '"
                + part
                + "'");
      }
      if (m.group(1).equals("agent") || m.group(1).equals("kind")) {
        throw new IllegalArgumentException(
            "agent attribute '" + m.group(1) + "' is set by the cluster itself");
      }
      if (out.put(m.group(1), m.group(2).trim()) != null) {
        throw new IllegalArgumentException("agent attribute '" + m.group(1) + "' is given twice");
      }
    }
    return out;
  }

  /** The attributes of process agent {@code i} (besides {@code agent} and {@code kind}). */
  public java.util.Map<String, String> attributesOf(int i) {
    return i < agentAttributes.size() ? attributes(agentAttributes.get(i)) : java.util.Map.of();
  }

  private static final java.util.regex.Pattern RESERVED =
      java.util.regex.Pattern.compile(
          "(cpus|mem|disk|gpus)\\(([^()*\\s]+)\\):([0-9]+(?:\\.[0-9]+)?)");

  /**
   * The statically reserved resources {@code text} names ({@code cpus(ops):2;mem(ops):1024}), as
   * Mesos offers them: a STATIC reservation for the role.
   *
   * @throws IllegalArgumentException on a malformed entry or a reservation for {@code *}
   */
  public static java.util.List<org.apache.mesos.v1.Protos.Resource> reservedResources(String text) {
    java.util.List<org.apache.mesos.v1.Protos.Resource> out = new java.util.ArrayList<>();
    if (text.isBlank()) {
      return out;
    }
    for (String part : text.split(";")) {
      java.util.regex.Matcher m = RESERVED.matcher(part.trim());
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "a reserved resource is NAME(ROLE):AMOUNT for cpus, mem, disk or gpus, as Mesos's"
                + " --resources (e.g. cpus(ops):2;mem(ops):1024), got '"
                + part
                + "'");
      }
      out.add(
          org.apache.mesos.v1.Protos.Resource.newBuilder()
              .setName(m.group(1))
              .setType(org.apache.mesos.v1.Protos.Value.Type.SCALAR)
              .setScalar(
                  org.apache.mesos.v1.Protos.Value.Scalar.newBuilder()
                      .setValue(Double.parseDouble(m.group(3))))
              .addReservations(
                  org.apache.mesos.v1.Protos.Resource.ReservationInfo.newBuilder()
                      .setType(org.apache.mesos.v1.Protos.Resource.ReservationInfo.Type.STATIC)
                      .setRole(m.group(2)))
              .build());
    }
    return out;
  }

  /** The GPUs of process agent {@code i}. */
  public int gpusOf(int i) {
    return i < agentGpus.size() ? agentGpus.get(i) : 0;
  }

  /**
   * A builder with the defaults {@code telos cluster} documents, sandboxes under {@code workDir}.
   */
  public static Builder builder(Path workDir) {
    return new Builder(workDir);
  }

  /** Builds a {@link LocalClusterConfig}; {@link #build()} checks the combination. */
  public static final class Builder {
    private final Path workDir;
    private int port = 5050;
    private int agents = 1;
    private int simulatedAgents;
    private java.util.List<Integer> agentGpus = java.util.List.of();
    private java.util.List<String> agentDisks = java.util.List.of();
    private java.util.List<String> agentAttributes = java.util.List.of();
    private String agentReserved = "";
    private double agentCpus = 4;
    private double agentMem = 8192;
    private double agentDisk = 65536;
    private int portsBegin = 31000;
    private int portsEnd = 32000;
    private Duration heartbeatInterval = Duration.ofSeconds(15);
    private Duration allocationInterval = Duration.ofSeconds(1);
    private Duration updateRetryInitial = Duration.ofSeconds(10);
    private Duration simulatedTaskDelay = Duration.ofMillis(100);
    private double simulatedFailureRate;
    private boolean faults;

    private Builder(Path workDir) {
      this.workDir = Objects.requireNonNull(workDir, "workDir");
    }

    public Builder port(int value) {
      this.port = value;
      return this;
    }

    public Builder agents(int processAgents, int simulated) {
      this.agents = processAgents;
      this.simulatedAgents = simulated;
      return this;
    }

    public Builder agentResources(double cpus, double mem) {
      this.agentCpus = cpus;
      this.agentMem = mem;
      return this;
    }

    public Builder ports(int begin, int end) {
      this.portsBegin = begin;
      this.portsEnd = end;
      return this;
    }

    public Builder timings(Duration heartbeat, Duration allocation, Duration updateRetry) {
      this.heartbeatInterval = heartbeat;
      this.allocationInterval = allocation;
      this.updateRetryInitial = updateRetry;
      return this;
    }

    public Builder simulation(Duration delay, double failureRate) {
      this.simulatedTaskDelay = delay;
      this.simulatedFailureRate = failureRate;
      return this;
    }

    public Builder faults(boolean value) {
      this.faults = value;
      return this;
    }

    /** The GPUs of each process agent in turn. */
    public Builder agentGpus(java.util.List<Integer> gpus) {
      this.agentGpus = gpus;
      return this;
    }

    /** PATH and MOUNT disks of every process agent ({@code MOUNT:4096}). */
    public Builder agentDisks(java.util.List<String> disks) {
      this.agentDisks = disks;
      return this;
    }

    /** The attributes of each process agent in turn ({@code rack:r1;zone:a}). */
    public Builder agentAttributes(java.util.List<String> attributes) {
      this.agentAttributes = attributes;
      return this;
    }

    /** Resources statically reserved for roles on every process agent ({@code cpus(ops):2}). */
    public Builder agentReserved(String reserved) {
      this.agentReserved = reserved == null ? "" : reserved;
      return this;
    }

    public LocalClusterConfig build() {
      return new LocalClusterConfig(
          port,
          agents,
          simulatedAgents,
          agentCpus,
          agentMem,
          agentDisk,
          portsBegin,
          portsEnd,
          workDir,
          heartbeatInterval,
          allocationInterval,
          updateRetryInitial,
          simulatedTaskDelay,
          simulatedFailureRate,
          faults,
          agentGpus,
          agentDisks,
          agentAttributes,
          agentReserved);
    }
  }
}
