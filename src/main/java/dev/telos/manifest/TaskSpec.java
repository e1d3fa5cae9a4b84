package dev.telos.manifest;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a task runs and needs, shared by Service, Job and CronJob. Defaults: no {@code env}, {@link
 * TaskResources#DEFAULT}, no ports, no container (a plain command), no constraints, no health
 * check, {@code killGracePeriod: 30s}, {@code role: "*"}, Mesos's command executor ({@code
 * executor} null; {@code executor: telos} gives an {@link ExecutorSpec}), no {@code args} (the
 * command runs in a shell), the framework's user, nothing fetched.
 *
 * @param command the shell command, or {@code ""} when {@code args} is given
 * @param args the argv run without a shell (argv[0] first), or empty
 * @param user the user the task runs as, or null for the framework's
 * @param fetch what Mesos's fetcher puts in the sandbox first (command executor)
 * @param secrets environment variables from SOPS-encrypted files, by name order
 */
public record TaskSpec(
    String command,
    Map<String, String> env,
    TaskResources resources,
    List<PortSpec> ports,
    ContainerSpec container,
    List<Constraint> constraints,
    HealthCheckSpec healthCheck,
    Duration killGracePeriod,
    String role,
    ExecutorSpec executor,
    List<String> args,
    String user,
    List<FetchSpec> fetch,
    List<SecretRef> secrets) {
  public static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(30);

  /** A task without secrets. */
  public TaskSpec(
      String command,
      Map<String, String> env,
      TaskResources resources,
      List<PortSpec> ports,
      ContainerSpec container,
      List<Constraint> constraints,
      HealthCheckSpec healthCheck,
      Duration killGracePeriod,
      String role,
      ExecutorSpec executor,
      List<String> args,
      String user,
      List<FetchSpec> fetch) {
    this(
        command,
        env,
        resources,
        ports,
        container,
        constraints,
        healthCheck,
        killGracePeriod,
        role,
        executor,
        args,
        user,
        fetch,
        List.of());
  }

  /** This task with {@code s} as its secrets. */
  public TaskSpec withSecrets(List<SecretRef> s) {
    return new TaskSpec(
        command,
        env,
        resources,
        ports,
        container,
        constraints,
        healthCheck,
        killGracePeriod,
        role,
        executor,
        args,
        user,
        fetch,
        s);
  }

  /** A task run by a shell command, as the framework's user, fetching nothing. */
  public TaskSpec(
      String command,
      Map<String, String> env,
      TaskResources resources,
      List<PortSpec> ports,
      ContainerSpec container,
      List<Constraint> constraints,
      HealthCheckSpec healthCheck,
      Duration killGracePeriod,
      String role,
      ExecutorSpec executor) {
    this(
        command,
        env,
        resources,
        ports,
        container,
        constraints,
        healthCheck,
        killGracePeriod,
        role,
        executor,
        List.of(),
        null,
        List.of());
  }

  /** A task run by Mesos's command executor. */
  public TaskSpec(
      String command,
      Map<String, String> env,
      TaskResources resources,
      List<PortSpec> ports,
      ContainerSpec container,
      List<Constraint> constraints,
      HealthCheckSpec healthCheck,
      Duration killGracePeriod,
      String role) {
    this(
        command,
        env,
        resources,
        ports,
        container,
        constraints,
        healthCheck,
        killGracePeriod,
        role,
        null);
  }

  public TaskSpec {
    Objects.requireNonNull(command, "command");
    env = Map.copyOf(env);
    Objects.requireNonNull(resources, "resources");
    ports = List.copyOf(ports);
    constraints = List.copyOf(constraints);
    Objects.requireNonNull(killGracePeriod, "killGracePeriod");
    Objects.requireNonNull(role, "role");
    args = List.copyOf(args);
    fetch = List.copyOf(fetch);
    secrets = List.copyOf(secrets);
  }

  /** How the task's command reads: the shell command, or the argv joined by spaces. */
  public String commandLine() {
    return args.isEmpty() ? command : String.join(" ", args);
  }
}
