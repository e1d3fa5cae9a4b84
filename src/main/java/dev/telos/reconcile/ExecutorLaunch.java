package dev.telos.reconcile;

import java.util.Objects;

/**
 * How agents start the Telos executor for apps with {@code executor: telos}: the URI the agent's
 * fetcher downloads {@code telos.jar} from (cached), the Java to run it with, and the resources the
 * executor itself takes on top of its task's.
 *
 * @param uri where agents fetch the jar ({@code telos run} serves it at {@code
 *     /executor/telos.jar}); {@code --executor-uri}
 * @param java the java command on the agents; {@code --executor-java}
 */
public record ExecutorLaunch(String uri, String java, double cpus, double mem, String jvmFlags) {
  public static final double DEFAULT_CPUS = 0.05;
  public static final double DEFAULT_MEM = 64;

  /**
   * JVM flags for a small executor: a 12 MiB heap, the serial collector, the C1 compiler only,
   * small code cache and metaspace caps, no perf data file. Measured with {@code telos bench
   * executor}; see CONTRIBUTING.md.
   */
  public static final String JVM_FLAGS =
      "-Xms2m -Xmx12m -Xss256k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1"
          + " -XX:ReservedCodeCacheSize=8m -XX:MaxMetaspaceSize=32m -XX:-UsePerfData";

  /** With the JVM flags agents use by default. */
  public ExecutorLaunch(String uri, String java, double cpus, double mem) {
    this(uri, java, cpus, mem, JVM_FLAGS);
  }

  public ExecutorLaunch {
    jvmFlags = jvmFlags == null ? JVM_FLAGS : jvmFlags;
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(java, "java");
    if (!(cpus > 0) || !(mem > 0)) {
      throw new IllegalArgumentException("executor cpus and mem must be > 0");
    }
  }

  /**
   * The command an agent runs in the task's sandbox, where the fetcher put telos.jar: the
   * executor's own main class, without the CLI (fewer classes, less memory than {@code telos
   * executor}, which does the same).
   */
  public String command() {
    return java + " " + jvmFlags + " -cp telos.jar dev.telos.executor.TelosExecutor";
  }
}
