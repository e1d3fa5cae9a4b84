package dev.telos.executor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What the agent tells an executor through its environment, as the v1 executor API documents it.
 *
 * @param agentEndpoint {@code host:port} of the agent's {@code /api/v1/executor}
 * @param sandbox the task's sandbox (MESOS_SANDBOX, else MESOS_DIRECTORY)
 * @param checkpoint whether the framework checkpoints: only then does the executor outlive a
 *     disconnection, retrying for {@code recoveryTimeout}
 * @param authToken the JWT to authenticate with the agent, or null; never logged
 */
record ExecutorEnv(
    String agentEndpoint,
    String frameworkId,
    String executorId,
    Path directory,
    Path sandbox,
    boolean checkpoint,
    Duration recoveryTimeout,
    Duration subscriptionBackoffMax,
    Duration shutdownGracePeriod,
    String authToken) {

  /** Mesos's defaults for what an agent may leave unset. */
  static final Duration DEFAULT_RECOVERY_TIMEOUT = Duration.ofMinutes(15);

  static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(2);
  static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(5);

  /** Reads the environment; names the first missing or malformed variable. */
  static ExecutorEnv from(Map<String, String> env) {
    String endpoint = required(env, "MESOS_AGENT_ENDPOINT");
    String framework = required(env, "MESOS_FRAMEWORK_ID");
    String executor = required(env, "MESOS_EXECUTOR_ID");
    Path directory = Path.of(required(env, "MESOS_DIRECTORY"));
    String sandbox = env.get("MESOS_SANDBOX");
    String checkpoint = env.getOrDefault("MESOS_CHECKPOINT", "0");
    return new ExecutorEnv(
        endpoint,
        framework,
        executor,
        directory,
        sandbox == null || sandbox.isEmpty() ? directory : Path.of(sandbox),
        checkpoint.equals("1") || checkpoint.equalsIgnoreCase("true"),
        duration(env, "MESOS_RECOVERY_TIMEOUT", DEFAULT_RECOVERY_TIMEOUT),
        duration(env, "MESOS_SUBSCRIPTION_BACKOFF_MAX", DEFAULT_BACKOFF_MAX),
        duration(env, "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", DEFAULT_SHUTDOWN_GRACE),
        env.get("MESOS_EXECUTOR_AUTHENTICATION_TOKEN"));
  }

  private static String required(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(
          name + " is not set: telos executor is started by a Mesos agent, which sets it");
    }
    return v;
  }

  private static Duration duration(Map<String, String> env, String name, Duration fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return MesosDuration.parse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
    }
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "ExecutorEnv[agent="
        + agentEndpoint
        + ", framework="
        + frameworkId
        + ", executor="
        + executorId
        + ", sandbox="
        + sandbox
        + ", checkpoint="
        + checkpoint
        + ", recoveryTimeout="
        + recoveryTimeout
        + ", token="
        + (authToken == null ? "none" : "(set)")
        + "]";
  }
}
