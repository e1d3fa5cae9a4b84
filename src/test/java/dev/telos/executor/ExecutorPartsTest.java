package dev.telos.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor's parts that need no agent: its environment, durations, specs and logs. */
class ExecutorPartsTest {
  @TempDir Path dir;

  @Test
  void mesosDurationsParseAsTheAgentWritesThem() {
    assertThat(MesosDuration.parse("15mins")).isEqualTo(Duration.ofMinutes(15));
    assertThat(MesosDuration.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(MesosDuration.parse("1.5secs")).isEqualTo(Duration.ofMillis(1500));
    assertThat(MesosDuration.parse("2hrs")).isEqualTo(Duration.ofHours(2));
    assertThat(MesosDuration.parse("1days")).isEqualTo(Duration.ofDays(1));
    assertThat(MesosDuration.parse("1weeks")).isEqualTo(Duration.ofDays(7));
    assertThat(MesosDuration.parse("7us")).isEqualTo(Duration.ofNanos(7000));
    assertThat(MesosDuration.parse("3ns")).isEqualTo(Duration.ofNanos(3));
    assertThatThrownBy(() -> MesosDuration.parse("15 minutes"))
        .hasMessageContaining("not a Mesos duration: '15 minutes'");
    assertThatThrownBy(() -> MesosDuration.parse("99999999999999weeks"))
        .hasMessageContaining("too long");
  }

  static Map<String, String> agentEnv(Path dir) {
    Map<String, String> env = new HashMap<>();
    env.put("MESOS_AGENT_ENDPOINT", "10.0.0.1:5051");
    env.put("MESOS_FRAMEWORK_ID", "fw");
    env.put("MESOS_EXECUTOR_ID", "ex");
    env.put("MESOS_DIRECTORY", dir.toString());
    return env;
  }

  @Test
  void theEnvironmentNamesWhatIsMissingAndDefaultsTheRest() {
    Map<String, String> env = agentEnv(dir);
    ExecutorEnv e = ExecutorEnv.from(env);
    assertThat(e.sandbox()).as("MESOS_DIRECTORY when no MESOS_SANDBOX").isEqualTo(dir);
    assertThat(e.checkpoint()).isFalse();
    assertThat(e.recoveryTimeout()).isEqualTo(ExecutorEnv.DEFAULT_RECOVERY_TIMEOUT);
    assertThat(e.subscriptionBackoffMax()).isEqualTo(ExecutorEnv.DEFAULT_BACKOFF_MAX);
    assertThat(e.shutdownGracePeriod()).isEqualTo(ExecutorEnv.DEFAULT_SHUTDOWN_GRACE);

    env.put("MESOS_SANDBOX", "/mnt/mesos/sandbox");
    env.put("MESOS_CHECKPOINT", "1");
    env.put("MESOS_RECOVERY_TIMEOUT", "5secs");
    env.put("MESOS_SUBSCRIPTION_BACKOFF_MAX", "250ms");
    env.put("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", "3secs");
    env.put("MESOS_EXECUTOR_AUTHENTICATION_TOKEN", "s3cr3t-jwt");
    e = ExecutorEnv.from(env);
    assertThat(e.sandbox()).isEqualTo(Path.of("/mnt/mesos/sandbox"));
    assertThat(e.checkpoint()).isTrue();
    assertThat(e.recoveryTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(e.subscriptionBackoffMax()).isEqualTo(Duration.ofMillis(250));
    assertThat(e.shutdownGracePeriod()).isEqualTo(Duration.ofSeconds(3));
    assertThat(e.authToken()).isEqualTo("s3cr3t-jwt");
    assertThat(e.toString()).doesNotContain("s3cr3t").contains("token=(set)");
    env.put("MESOS_CHECKPOINT", "true");
    assertThat(ExecutorEnv.from(env).checkpoint()).isTrue();

    env.put("MESOS_RECOVERY_TIMEOUT", "soon");
    assertThatThrownBy(() -> ExecutorEnv.from(env))
        .hasMessageStartingWith("MESOS_RECOVERY_TIMEOUT:");
    env.remove("MESOS_FRAMEWORK_ID");
    assertThatThrownBy(() -> ExecutorEnv.from(env))
        .hasMessageStartingWith("MESOS_FRAMEWORK_ID is not set");
  }

  @Test
  void logsRotateAtTheirSizeKeepTheirCountAndRememberTheLastLines() throws Exception {
    Path out = dir.resolve("stdout");
    RotatingLog log = new RotatingLog(out, 100, 2);
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      all.append("line ").append(i).append('\n');
    }
    byte[] bytes = all.toString().getBytes(StandardCharsets.UTF_8);
    log.copy(new java.io.ByteArrayInputStream(bytes));
    assertThat(log.rotations()).isEqualTo(bytes.length / 100);
    assertThat(Files.size(out.resolveSibling("stdout.1"))).isEqualTo(100);
    assertThat(Files.size(out.resolveSibling("stdout.2"))).isEqualTo(100);
    assertThat(out.resolveSibling("stdout.3")).doesNotExist();
    assertThat(Files.size(out)).isEqualTo(bytes.length % 100);
    String kept =
        Files.readString(out.resolveSibling("stdout.2"))
            + Files.readString(out.resolveSibling("stdout.1"))
            + Files.readString(out);
    assertThat(all.toString()).endsWith(kept);
    List<String> tail = log.tail();
    assertThat(tail).hasSize(RotatingLog.TAIL_LINES).endsWith("line 29");
    assertThat(tail.get(0)).isEqualTo("line 10");

    RotatingLog none = new RotatingLog(dir.resolve("stderr"), 10, 0);
    none.copy(new java.io.ByteArrayInputStream("0123456789abc".getBytes(StandardCharsets.UTF_8)));
    assertThat(Files.readString(dir.resolve("stderr"))).isEqualTo("abc");
    assertThat(none.tail()).containsExactly("0123456789abc");
    assertThatThrownBy(() -> new RotatingLog(out, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);

    RotatingLog lines = new RotatingLog(dir.resolve("long"), 1 << 20, 1);
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 25; i++) {
      many.append("l").append(i).append('\n');
    }
    many.append("x".repeat(RotatingLog.MAX_LINE + 10));
    lines.copy(new java.io.ByteArrayInputStream(many.toString().getBytes(StandardCharsets.UTF_8)));
    List<String> last = lines.tail();
    assertThat(last).hasSize(RotatingLog.TAIL_LINES);
    assertThat(last.get(0)).isEqualTo("l6");
    assertThat(last.get(last.size() - 1)).as("a long line is cut").hasSize(RotatingLog.MAX_LINE);
  }

  @Test
  void aTaskSpecReadsArtifactsHooksAndRevisionAndRefusesWrongShapes() throws Exception {
    TaskSpec spec =
        TaskSpec.parse(
            ("{\"fetch\":[{\"uri\":\"https://x/a.tgz\",\"sha256\":\"ab\",\"outputFile\":\"a\","
                    + "\"executable\":true,\"more\":{\"nested\":[1]}},{\"uri\":\"/b\",\"sha256\":\"cd\"}],"
                    + "\"preStart\":[\"./m1\",\"./m2\"],\"preStop\":\"./drain\",\"revision\":\"abc\","
                    + "\"environment\":{\"N\":3}}")
                .getBytes(StandardCharsets.UTF_8));
    assertThat(spec.fetch())
        .containsExactly(
            new TaskSpec.Artifact("https://x/a.tgz", "ab", "a", true),
            new TaskSpec.Artifact("/b", "cd", null, null));
    assertThat(spec.preStart()).containsExactly("./m1", "./m2");
    assertThat(spec.preStop()).isEqualTo("./drain");
    assertThat(spec.revision()).isEqualTo("abc");
    assertThat(spec.environment()).containsEntry("N", "3");
    assertThat(spec.command()).isNull();
    assertThat(spec.logMaxBytes()).isNull();
    for (String bad :
        List.of(
            "[1]", "{\"fetch\":{\"uri\":\"x\"}}", "{\"fetch\":[\"x\"]}", "{\"preStart\":\"x\"}")) {
      assertThatThrownBy(() -> TaskSpec.parse(bad.getBytes(StandardCharsets.UTF_8)))
          .as(bad)
          .isInstanceOf(java.io.IOException.class);
    }
  }

  @Test
  void aTaskSpecReadsItsJsonAndOnlyAPlainSignalNameIsEverSent() throws Exception {
    TaskSpec spec =
        TaskSpec.parse(
            ("{\"command\":\"run\",\"environment\":{\"A\":\"1\"},\"logMaxBytes\":4096,"
                    + "\"logKeep\":1,\"killSignal\":\"INT\",\"unknown\":true}")
                .getBytes(StandardCharsets.UTF_8));
    assertThat(spec.command()).isEqualTo("run");
    assertThat(spec.environment()).containsEntry("A", "1");
    assertThat(spec.logMaxBytesOrDefault()).isEqualTo(4096);
    assertThat(spec.logKeepOrDefault()).isEqualTo(1);
    assertThat(spec.killSignalOrDefault()).isEqualTo("INT");
    assertThat(TaskSpec.parse(new byte[0])).isEqualTo(TaskSpec.NONE);
    assertThat(TaskSpec.NONE.logMaxBytesOrDefault()).isEqualTo(TaskSpec.DEFAULT_LOG_MAX);
    assertThat(TaskSpec.NONE.logKeepOrDefault()).isEqualTo(TaskSpec.DEFAULT_LOG_KEEP);
    assertThat(TaskSpec.NONE.killSignalOrDefault()).isEqualTo("TERM");
    TaskSpec hostile =
        TaskSpec.parse("{\"killSignal\":\"TERM 1; rm -rf /\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(hostile.killSignalOrDefault()).isEqualTo("TERM");
    assertThat(TaskRun.describe(3)).isEqualTo("exited with status 3");
    assertThat(TaskRun.describe(137)).isEqualTo("killed by signal 9");
  }
}
