package dev.telos.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.telos.manifest.YamlLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SopsTest {
  @TempDir Path dir;

  /**
   * A file written by the sops tool itself (sops 3.7.1, {@code sops --encrypt --age}), with the
   * test identity its author published beside it (github.com/denis256/terragrunt-tests,
   * issue-2103): what Telos reads must be what sops writes.
   */
  static final String SOPS_371 =
      """
      secrets:
          SOME SECRET: ENC[AES256_GCM,data:K+owLb+AfIViGh2vQHtvw3xANKNClzZkRGsn7EYptf2a9M7E4CRNW5Bc,iv:9kkXlTHS5D2SYDcEy6eyAMaNMXew++R6edi1i3DLywI=,tag:FP17yb3brPa9sA/O54PJcQ==,type:str]
      sops:
          kms: []
          gcp_kms: []
          azure_kv: []
          hc_vault: []
          age:
              - recipient: age106dn94074uskzjua39h4v0ql89l528wrqp2f84xpcznpr9f6ye4q9k8hp8
                enc: |
                  -----BEGIN AGE ENCRYPTED FILE-----
                  YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBuZHdXa0lTNjZiRWwxamNC
                  VVdZejczbzRaeFVNeTE2akZMZGtUeUw5RUQ0CllXSitCM2Z6OUFvUHRYN0g0WGhv
                  L0Q5aTh0bmxtS1I1N2hPaHBoUHdpWGsKLS0tIG43RXc0MVd4RkxyOVlaWk1jTkp6
                  YncxSk1TUmZnWDdHNXRLelRQNUd3dFkKNbKDdRZIP3ZrQLfxpyTdd0hb8/sY4Zg9
                  po+DEMxHEGID5X5wakizYtNlxnI9VlBXtcQkEbt7eN4+GmMHGIEuLQ==
                  -----END AGE ENCRYPTED FILE-----
          lastmodified: "2022-05-23T12:25:56Z"
          mac: ENC[AES256_GCM,data:KI7AAQ+v3RHAR51CxjFCQZhaQ4PVdjXIQxDM/tEwEjgan7qSNesb6xpK7Czhx4mFTUd+rdIcqW9nis4XniAxh5tM2z4G5qiEog3NvIieQi3v8dEn5It69I4KyPWmyqTp762tpPBlIE4tEL/PRZ90h9+uecTxgChFB83qwCGMnJI=,iv:OuaCnYu//MFSPUlvT9pC5+m6oA5TAft1mS9x9t2iZ0g=,tag:kOiUx8LQbdL+oHm7q5e5bg==,type:str]
          pgp: []
          unencrypted_suffix: _unencrypted
          version: 3.7.1
      """;

  static final String SOPS_371_IDENTITY =
      "AGE-SECRET-KEY-1YQMYYAHGUU5VK67GKY6RM8YEKTW687RT9KPUG5X8FD0F988PCXKQXM8RMY";

  AgeKeys keys(String... identities) throws Exception {
    Path f = dir.resolve("keys-" + identities.length + "-" + System.nanoTime() + ".txt");
    Files.writeString(f, "# created by a test\n" + String.join("\n", identities) + "\n");
    return AgeKeys.load(f);
  }

  static Map<String, byte[]> decrypt(String yaml, AgeKeys keys) throws Sops.Failure {
    return Sops.decrypt(yaml.getBytes(StandardCharsets.UTF_8), keys, YamlLimits.DEFAULT);
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void readsAFileTheSopsToolWrote() throws Exception {
    Map<String, byte[]> values = decrypt(SOPS_371, keys(SOPS_371_IDENTITY));
    assertThat(text(values.get("secrets.SOME SECRET")))
        .isEqualTo("0x629A673A8242c2AC4B7B8C5D8735fbeac21A6205");
  }

  @Test
  void aValueChangedInTheSopsToolsFileFailsItsMac() throws Exception {
    String[] other = SopsFiles.keyPair();
    // A value from another file sealed under this file's path cannot be made without the data
    // key; a stale MAC (the lastmodified changed) can be tested: the MAC no longer opens.
    String moved = SOPS_371.replace("2022-05-23T12:25:56Z", "2022-05-23T12:25:57Z");
    assertThatThrownBy(() -> decrypt(moved, keys(SOPS_371_IDENTITY)))
        .isInstanceOf(Sops.Failure.class)
        .hasMessageContaining("MAC does not verify");
    assertThatThrownBy(() -> decrypt(SOPS_371, keys(other[0])))
        .hasMessageContaining("no identity of --age-key-file opens it")
        .hasMessageContaining("age106dn94074uskzjua39h4v0ql89l528wrqp2f84xpcznpr9f6ye4q9k8hp8");
  }

  @Test
  void decryptsNestedValuesAndChecksEveryOneAgainstItsPathAndTheMac() throws Exception {
    String[] pair = SopsFiles.keyPair();
    assertThat(pair[0]).startsWith("AGE-SECRET-KEY-1");
    assertThat(pair[1]).startsWith("age1");
    Map<String, Object> db = new LinkedHashMap<>();
    db.put("user", "shop");
    db.put("password", "s3cr3t-pa55");
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("db", db);
    tree.put("token", "tok-123");
    tree.put("region_unencrypted", "eu-1");
    String file = SopsFiles.encrypt(tree, pair[1]);
    assertThat(file).doesNotContain("s3cr3t-pa55").doesNotContain("tok-123").contains("eu-1");
    AgeKeys keys = keys(pair[0]);
    Map<String, byte[]> values = decrypt(file, keys);
    assertThat(text(values.get("db.password"))).isEqualTo("s3cr3t-pa55");
    assertThat(text(values.get("db.user"))).isEqualTo("shop");
    assertThat(text(values.get("token"))).isEqualTo("tok-123");
    assertThat(text(values.get("region_unencrypted"))).isEqualTo("eu-1");

    // A plain value changed by hand: the MAC covers it.
    assertThatThrownBy(() -> decrypt(file.replace("eu-1", "eu-2"), keys))
        .hasMessageContaining("MAC does not verify");
    // Two encrypted values swapped: each is bound to its path.
    String[] lines = file.split("\n");
    String user = null;
    String password = null;
    for (String l : lines) {
      if (l.strip().startsWith("user:")) {
        user = l.strip().substring("user:".length()).strip();
      } else if (l.strip().startsWith("password:")) {
        password = l.strip().substring("password:".length()).strip();
      }
    }
    String swapped = file.replace(user, "@@").replace(password, user).replace("@@", password);
    assertThatThrownBy(() -> decrypt(swapped, keys))
        .hasMessageContaining("db.user: does not decrypt");
    // A value removed: the MAC covers the set of values.
    String removed = file.replaceAll("(?m)^\\s*token: .*\\n", "");
    assertThatThrownBy(() -> decrypt(removed, keys)).hasMessageContaining("MAC does not verify");
    // The MAC itself altered.
    String badMac =
        file.replaceAll("mac: \"?ENC\\[AES256_GCM,data:(.)", "mac: \"ENC[AES256_GCM,data:A$1");
    assertThatThrownBy(() -> decrypt(badMac, keys)).hasMessageContaining("MAC does not verify");
    // None of the messages names a value.
    for (String f : new String[] {swapped, removed, badMac}) {
      try {
        decrypt(f, keys);
      } catch (Sops.Failure e) {
        assertThat(e.getMessage()).doesNotContain("s3cr3t").doesNotContain("tok-123");
      }
    }
  }

  @Test
  void aFileWithoutSopsMetadataOrForAnotherKeyTypeIsRefused() throws Exception {
    AgeKeys keys = keys(SopsFiles.keyPair()[0]);
    assertThatThrownBy(() -> decrypt("password: plain\n", keys))
        .hasMessageContaining("not encrypted with SOPS");
    assertThatThrownBy(
            () ->
                decrypt(
                    "a: ENC[AES256_GCM,data:AA==,iv:AA==,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]\n"
                        + "sops:\n  pgp: [{fp: ABC}]\n  lastmodified: '2026-01-01T00:00:00Z'\n",
                    keys))
        .hasMessageContaining("not encrypted for any age recipient");
    assertThatThrownBy(() -> decrypt("- a\n- b\n", keys)).hasMessageContaining("mapping");
  }

  @Test
  void aKeyFileIsReadAsAgeKeygenWritesItAndVersionsAreKeyed() throws Exception {
    String[] a = SopsFiles.keyPair();
    String[] b = SopsFiles.keyPair();
    Path bad = Files.writeString(dir.resolve("bad"), "# x\nAGE-SECRET-KEY-1NOPE\n");
    assertThatThrownBy(() -> AgeKeys.load(bad))
        .hasMessageContaining(bad + ":2: not a valid age identity");
    Path none = Files.writeString(dir.resolve("none"), "# nothing\n");
    assertThatThrownBy(() -> AgeKeys.load(none)).hasMessageContaining("holds no age identity");
    byte[] v = "value".getBytes(StandardCharsets.UTF_8);
    assertThat(keys(a[0]).version(v)).hasSize(8).isEqualTo(keys(a[0], b[0]).version(v));
    assertThat(keys(b[0]).version(v)).isNotEqualTo(keys(a[0]).version(v));
    assertThat(keys(a[0]).version("other".getBytes(StandardCharsets.UTF_8)))
        .isNotEqualTo(keys(a[0]).version(v));
    assertThat(keys(a[0]).toString()).doesNotContain("AGE-SECRET");
  }
}
