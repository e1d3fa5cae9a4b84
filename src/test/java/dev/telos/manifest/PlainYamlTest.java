package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Plain values of YAML (values files, patches): numbers kept exact, errors located. */
class PlainYamlTest {
  static PlainYaml.Result read(String yaml) {
    return PlainYaml.read("v.yaml", yaml.getBytes(StandardCharsets.UTF_8), YamlLimits.DEFAULT);
  }

  @Test
  void numbersAreLongsUntilTheyDoNotFitThenBigIntegersAndOddNumbersStayAsWritten() {
    PlainYaml.Result r =
        read(
            "max: 9223372036854775807\nover: 9223372036854775808\nneg: -9223372036854775808\n"
                + "hex: 0x1F\nhalf: 0.5\ninf: .inf\nlist: [1, true, ~, x]\n");
    assertThat(r.error()).isNull();
    @SuppressWarnings("unchecked")
    Map<String, Object> v = (Map<String, Object>) r.value();
    assertThat(v.get("max")).isEqualTo(Long.MAX_VALUE);
    assertThat(v.get("over")).isEqualTo(new BigInteger("9223372036854775808"));
    assertThat(v.get("neg")).isEqualTo(Long.MIN_VALUE);
    assertThat(v.get("hex")).isEqualTo("0x1F");
    assertThat(v.get("half")).isEqualTo(0.5);
    assertThat(v.get("inf")).isEqualTo(".inf");
    assertThat(v.get("list")).isEqualTo(java.util.Arrays.asList(1L, true, null, "x"));
    assertThat(r.locations().get("/list/3").toString()).isEqualTo("v.yaml:7:20");
  }

  @Test
  void aSyntaxErrorOrASecondDocumentIsAnErrorWithItsPlace() {
    PlainYaml.Result broken = read("a: [1, 2\n");
    assertThat(broken.value()).isNull();
    assertThat(broken.error()).isNotNull();
    assertThat(broken.error().toString()).startsWith("v.yaml:").contains("YAML syntax error");
    PlainYaml.Result two = read("a: 1\n---\nb: 2\n");
    assertThat(two.error().toString()).isEqualTo("v.yaml:3:1: one YAML document expected");
    assertThat(read("").value()).isNull();
    assertThat(read("").error()).isNull();
  }
}
