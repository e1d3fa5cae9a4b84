package dev.telos.cli;

import dev.telos.executor.TelosExecutor;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code telos executor}: what a Mesos agent starts for an app with {@code executor: telos}. */
@Command(
    name = "executor",
    mixinStandardHelpOptions = true,
    description = {
      "Run as the Telos executor of a Mesos agent (the agent starts it; not run by hand).",
      "Reads MESOS_AGENT_ENDPOINT, MESOS_FRAMEWORK_ID, MESOS_EXECUTOR_ID, MESOS_DIRECTORY,"
          + " MESOS_SANDBOX, MESOS_CHECKPOINT, MESOS_RECOVERY_TIMEOUT,"
          + " MESOS_SUBSCRIPTION_BACKOFF_MAX, MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD and"
          + " MESOS_EXECUTOR_AUTHENTICATION_TOKEN."
    })
final class ExecutorCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return TelosExecutor.main(System.getenv());
  }
}
