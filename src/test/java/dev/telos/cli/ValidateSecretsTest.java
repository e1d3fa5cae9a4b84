package dev.telos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.secrets.SopsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code telos validate} checks secret references: without a key by the file's clear keys. */
class ValidateSecretsTest {
  @TempDir Path dir;

  CliTest.Run validate(String... more) {
    java.util.List<String> args =
        new java.util.ArrayList<>(
            java.util.List.of(
                "validate", "--repo-root", dir.toString(), dir.resolve("apps").toString()));
    args.addAll(java.util.List.of(more));
    return CliTest.run(args.toArray(String[]::new));
  }

  @Test
  void referencesAreCheckedWithoutAKeyAndDecryptedWithOne() throws Exception {
    Files.createDirectories(dir.resolve("apps"));
    Files.writeString(
        dir.resolve("apps/web.yaml"),
        "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web}\nspec:\n  command: run\n"
            + "  secrets:\n    DB_PASSWORD: {file: secrets/db.sops.yaml, key: db.password}\n");
    CliTest.Run missing = validate();
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.out())
        .contains("web.yaml:7:5: secrets.DB_PASSWORD: secrets/db.sops.yaml does not exist");

    String[] key = SopsFiles.keyPair();
    Map<String, Object> db = new LinkedHashMap<>();
    db.put("passwrd", "pa55");
    Files.createDirectories(dir.resolve("secrets"));
    Files.writeString(
        dir.resolve("secrets/db.sops.yaml"), SopsFiles.encrypt(Map.of("db", db), key[1]));
    assertThat(validate().out()).contains("secrets/db.sops.yaml has no value at 'db.password'");

    db.clear();
    db.put("password", "pa55");
    Files.writeString(
        dir.resolve("secrets/db.sops.yaml"), SopsFiles.encrypt(Map.of("db", db), key[1]));
    CliTest.Run ok = validate();
    assertThat(ok.code()).as(ok.out()).isZero();
    assertThat(ok.out()).contains("valid: 1 app(s)");

    Path mine = Files.writeString(dir.resolve("key.txt"), key[0] + "\n");
    assertThat(validate("--age-key-file", mine.toString()).code()).isZero();
    Path other = Files.writeString(dir.resolve("other.txt"), SopsFiles.keyPair()[0] + "\n");
    CliTest.Run foreign = validate("--age-key-file", other.toString());
    assertThat(foreign.code()).isEqualTo(1);
    assertThat(foreign.out())
        .contains("secrets/db.sops.yaml no identity of --age-key-file opens it")
        .doesNotContain("pa55");
  }
}
