package dev.telos.mesos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {
  static final String SECRET = "s3cr3t-value-9f2";

  @Test
  void readsMesosCredentialFileFormat(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("cred"), "telos " + SECRET + "\n");
    Credentials c = Credentials.fromFile(file);
    assertThat(c.principal()).isEqualTo("telos");
    assertThat(c.authorizationHeader())
        .isEqualTo("Basic " + Base64.getEncoder().encodeToString(("telos:" + SECRET).getBytes()));
  }

  @Test
  void readsTwoLineFormat(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("cred"), "telos\n" + SECRET + "\n");
    assertThat(Credentials.fromFile(file).authorizationHeader())
        .endsWith(Base64.getEncoder().encodeToString(("telos:" + SECRET).getBytes()));
  }

  @Test
  void aBadFileIsNamedButItsContentIsNot(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("cred"), SECRET);
    assertThatThrownBy(() -> Credentials.fromFile(file))
        .hasMessageContaining(file.toString())
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
  }

  @Test
  void refusesCredentialsFromTheEnvironmentNamingTheFileFlag() {
    assertThat(Credentials.refuseEnvironment(Map.of())).isNull();
    assertThatThrownBy(
            () ->
                Credentials.refuseEnvironment(
                    Map.of(Credentials.PRINCIPAL_ENV, "telos", Credentials.SECRET_ENV, SECRET)))
        .hasMessageContaining("--mesos-credential-file")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
    assertThatThrownBy(() -> Credentials.refuseEnvironment(Map.of(Credentials.SECRET_ENV, SECRET)))
        .hasMessageContaining(Credentials.SECRET_ENV)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
  }

  @Test
  void secretsNeverAppearInToStringOfCredentialsOrConfig() {
    Credentials c = Credentials.of("telos", SECRET);
    MesosClientConfig config =
        MesosClientConfig.builder(
                "http://user:pw-in-url@127.0.0.1:5050/?token=abc",
                FrameworkInfo.newBuilder().setName("telos").setUser("root").build())
            .credentials(c)
            .build();
    assertThat(c.toString()).doesNotContain(SECRET).contains("telos");
    assertThat(config.toString())
        .doesNotContain(SECRET)
        .doesNotContain("pw-in-url")
        .doesNotContain("token=abc");
  }

  @Test
  void aPrincipalMismatchIsRefusedAtBuildTime() {
    assertThatThrownBy(
            () ->
                MesosClientConfig.builder(
                        "http://127.0.0.1:5050",
                        FrameworkInfo.newBuilder()
                            .setName("telos")
                            .setUser("root")
                            .setPrincipal("other")
                            .build())
                    .credentials(Credentials.of("telos", SECRET))
                    .build())
        .hasMessageContaining("differs from the credential's principal")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
  }
}
