package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataTest {
  final Metadata web = new Metadata("web", "prod", Map.of("team", "a"));

  @Test
  void theKeyIsNamespaceSlashName() {
    assertThat(web.key()).isEqualTo("prod/web");
    assertThat(web.name()).isEqualTo("web");
    assertThat(web.namespace()).isEqualTo("prod");
    assertThat(web.labels()).containsExactly(Map.entry("team", "a"));
  }

  @Test
  void equalByNameNamespaceAndLabels() {
    Metadata same = new Metadata("web", "prod", Map.of("team", "a"));
    assertThat(web).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(web.hashCode())
        .as("a hash that tells identities apart")
        .isNotEqualTo(new Metadata("api", "prod", Map.of("team", "a")).hashCode());
    assertThat(web)
        .isNotEqualTo(new Metadata("api", "prod", Map.of("team", "a")))
        .isNotEqualTo(new Metadata("web", "test", Map.of("team", "a")))
        .isNotEqualTo(new Metadata("web", "prod", Map.of("team", "b")))
        .isNotEqualTo("prod/web");
    // The same key from other parts is still another identity.
    assertThat(new Metadata("b", "a/", Map.of())).isNotEqualTo(new Metadata("/b", "a", Map.of()));
  }

  @Test
  void withLabelAddsOneAndKeepsTheRest() {
    Metadata more = web.withLabel("env", "prod");
    assertThat(more.labels()).containsOnly(Map.entry("team", "a"), Map.entry("env", "prod"));
    assertThat(more.key()).isEqualTo("prod/web");
    assertThat(web.labels()).containsOnlyKeys("team");
  }

  @Test
  void namesAndNamespacesAreRequiredAndLabelsCopied() {
    assertThatThrownBy(() -> new Metadata(null, "prod", Map.of()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("name");
    assertThatThrownBy(() -> new Metadata("web", null, Map.of()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("namespace");
    java.util.Map<String, String> labels = new java.util.HashMap<>(Map.of("team", "a"));
    Metadata m = new Metadata("web", "prod", labels);
    labels.put("team", "b");
    assertThat(m.labels()).containsEntry("team", "a");
  }

  @Test
  void printsItsParts() {
    assertThat(web).hasToString("Metadata[name=web, namespace=prod, labels={team=a}]");
  }
}
