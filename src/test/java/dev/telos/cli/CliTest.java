package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line's own pieces: completion scripts and how durations and times read. */
class CliTest {
  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void runRefusesPlainHttpOnANonLoopbackAddressUnlessToldInsecure(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    Run r =
        run(
            "run",
            "--master",
            "http://127.0.0.1:1",
            "--repo",
            dir.toString(),
            "--data-dir",
            dir.resolve("data").toString(),
            "--http-address",
            "0.0.0.0");
    assertThat(r.code()).isNotZero();
    assertThat(r.err())
        .contains("refusing to serve the API over plain HTTP on 0.0.0.0")
        .contains("--insecure");
    ControllerOptions o = new ControllerOptions();
    o.httpAddress = "0.0.0.0";
    o.insecure = true;
    o.checkExposure("127.0.0.1"); // said out loud
    o.insecure = false;
    o.httpAddress = null;
    o.checkExposure("127.0.0.1"); // the default: this host only
    o.httpAddress = "::1";
    o.checkExposure("127.0.0.1");
    o.httpAddress = "0.0.0.0";
    o.tlsCert = dir.resolve("c.pem");
    o.checkExposure("127.0.0.1"); // TLS
    o.tlsCert = null;
    o.tlsClientCa = dir.resolve("ca.pem");
    assertThatThrownBy(() -> o.checkExposure("127.0.0.1"))
        .hasMessageContaining("--tls-client-ca needs");
  }

  @Test
  void completionScriptsKnowEveryCommandAndOption() {
    for (String shell : new String[] {"bash", "zsh"}) {
      Run r = run("completion", shell);
      assertThat(r.code()).isZero();
      assertThat(r.out())
          .contains("complete -F _complete_telos")
          .contains("bashcompinit") // zsh loads bash completion first
          .contains("sync")
          .contains("--approve-prune")
          .contains("--revision")
          .contains("completion");
    }
    Run fish = run("completion", "fish");
    assertThat(fish.code()).isEqualTo(1);
    assertThat(fish.err()).contains("bash or zsh, not fish");
  }

  @Test
  void everyCommandPeopleRunShowsExamplesInItsHelp() {
    for (var e : Main.commandLine().getSubcommands().entrySet()) {
      if (java.util.Set.of("help", "executor", "bench").contains(e.getKey())) {
        continue; // help, what agents start, and the benchmarks (their own descriptions)
      }
      assertThat(e.getValue().getUsageMessage())
          .as("telos " + e.getKey() + " --help")
          .contains("Examples:")
          .contains("telos " + e.getKey());
    }
  }

  @Test
  void durationsAndTimesReadAsPeopleWriteThem() {
    assertThat(ClientCommands.human(Duration.ofMillis(850))).isEqualTo("850ms");
    assertThat(ClientCommands.human(Duration.ofMillis(1234))).isEqualTo("1.2s");
    assertThat(ClientCommands.human(Duration.ofSeconds(12))).isEqualTo("12s");
    assertThat(ClientCommands.human(Duration.ofSeconds(185))).isEqualTo("3m 5s");
    assertThat(ClientCommands.human(Duration.ofMinutes(3))).isEqualTo("3m");
    assertThat(ClientCommands.human(Duration.ofMinutes(130))).isEqualTo("2h 10m");
    assertThat(ClientCommands.human(Duration.ofHours(2))).isEqualTo("2h");
    assertThat(ClientCommands.human(Duration.ofMillis(-5))).isEqualTo("0ms");
    assertThat(ClientCommands.when("2026-11-27T16:42:05.123456789Z"))
        .isEqualTo("2026-11-27 16:42:05Z");
    assertThat(ClientCommands.took("2026-11-27T16:42:05Z", "2026-11-27T16:42:06.250Z"))
        .isEqualTo("1.2s");
    assertThat(ClientCommands.took("2026-11-27T16:42:05Z", null)).isNull();
    assertThat(ClientCommands.when(null)).isNull();
  }
}
