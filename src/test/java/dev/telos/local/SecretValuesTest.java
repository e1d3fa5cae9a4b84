package dev.telos.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import org.apache.mesos.v1.Protos.Environment;
import org.apache.mesos.v1.Protos.Secret;
import org.junit.jupiter.api.Test;

/** The embedded agent resolves secrets and the master validates them as Mesos's do. */
class SecretValuesTest {
  static Environment.Variable secret(Secret.Builder s) {
    return Environment.Variable.newBuilder()
        .setName("S")
        .setType(Environment.Variable.Type.SECRET)
        .setSecret(s)
        .build();
  }

  static Secret.Builder value(String data) {
    return Secret.newBuilder()
        .setType(Secret.Type.VALUE)
        .setValue(Secret.Value.newBuilder().setData(ByteString.copyFromUtf8(data)));
  }

  static Secret.Builder reference() {
    return Secret.newBuilder()
        .setType(Secret.Type.REFERENCE)
        .setReference(Secret.Reference.newBuilder().setName("/my/secret"));
  }

  static String problem(Environment.Variable v) {
    return SecretValues.problem(Environment.newBuilder().addVariables(v).build());
  }

  @Test
  void valueSecretsResolveAndReferencesNeedAModule() {
    assertThat(SecretValues.of(secret(value("pa55")))).isEqualTo("pa55");
    assertThat(
            SecretValues.of(Environment.Variable.newBuilder().setName("A").setValue("x").build()))
        .isEqualTo("x");
    assertThatThrownBy(() -> SecretValues.of(secret(reference())))
        .hasMessage("Default secret resolver cannot resolve references");
  }

  @Test
  void theMasterRefusesWhatMesosRefuses() {
    assertThat(problem(secret(value("ok")))).isNull();
    assertThat(problem(secret(reference()))).isNull();
    assertThat(problem(secret(value("ok")).toBuilder().build().toBuilder().setValue("x").build()))
        .isEqualTo("Environment variable 'S' of type 'SECRET' must not have a value set");
    assertThat(
            problem(
                Environment.Variable.newBuilder()
                    .setName("S")
                    .setType(Environment.Variable.Type.SECRET)
                    .build()))
        .isEqualTo("Environment variable 'S' of type 'SECRET' must have a secret set");
    assertThat(problem(secret(value("a\0b"))))
        .contains("secret containing null bytes, which is not allowed in the environment");
    assertThat(problem(secret(Secret.newBuilder().setType(Secret.Type.VALUE))))
        .contains("Secret of type VALUE must have the 'value' field set");
    assertThat(problem(secret(value("x").setReference(Secret.Reference.newBuilder().setName("n")))))
        .contains("Secret of type VALUE must not have the 'reference' field set");
    assertThat(problem(Environment.Variable.newBuilder().setName("V").build()))
        .isEqualTo("Environment variable 'V' of type 'VALUE' must have a value set");
  }
}
