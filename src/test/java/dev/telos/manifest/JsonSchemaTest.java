package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** docs/manifest.schema.json describes exactly the fields the loader accepts. */
class JsonSchemaTest {
  final JsonNode schema;

  JsonSchemaTest() throws Exception {
    schema = new ObjectMapper().readTree(Path.of("docs", "manifest.schema.json").toFile());
  }

  Set<String> properties(String pointer) {
    Set<String> names = new HashSet<>();
    schema.at(pointer).fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void fieldsMatchTheLoader() {
    assertThat(properties("/$defs/service/properties")).isEqualTo(Binder.TOP);
    assertThat(properties("/$defs/metadata/properties")).isEqualTo(Binder.METADATA);
    assertThat(properties("/$defs/service/properties/spec/properties")).isEqualTo(Binder.SERVICE);
    assertThat(properties("/$defs/pod/properties/spec/properties")).isEqualTo(Binder.POD);
    assertThat(properties("/$defs/pod/properties/spec/properties/containers/items/properties"))
        .isEqualTo(Binder.POD_CONTAINER);
    assertThat(properties("/$defs/pod/properties/spec/properties/volumes/items/properties"))
        .isEqualTo(Binder.POD_VOLUME);
    assertThat(
            properties(
                "/$defs/pod/properties/spec/properties/containers/items/properties/volumeMounts/items/properties"))
        .isEqualTo(Binder.VOLUME_MOUNT);
    assertThat(properties("/$defs/job/properties/spec/properties")).isEqualTo(Binder.JOB);
    assertThat(properties("/$defs/cronJob/properties/spec/properties")).isEqualTo(Binder.CRON);
    assertThat(properties("/$defs/cronJob/properties/spec/properties/job/properties"))
        .isEqualTo(Binder.CRON_JOB);
    assertThat(properties("/$defs/release/properties/spec/properties")).isEqualTo(Binder.RELEASE);
    assertThat(properties("/$defs/release/properties/spec/properties/chart/oneOf/1/properties"))
        .isEqualTo(Binder.CHART);
    assertThat(properties("/$defs/overlay/properties/spec/properties")).isEqualTo(Binder.OVERLAY);
    assertThat(
            properties("/$defs/service/properties/spec/properties/unreachableStrategy/properties"))
        .isEqualTo(Binder.UNREACHABLE);
    assertThat(
            properties(
                "/$defs/service/properties/spec/properties/readinessChecks/items/properties"))
        .isEqualTo(Binder.READINESS);
    assertThat(properties("/$defs/overlay/properties/spec/properties/patches/items/properties"))
        .isEqualTo(Binder.PATCH);
    assertThat(
            properties(
                "/$defs/overlay/properties/spec/properties/patches/items/properties/target/properties"))
        .isEqualTo(Binder.TARGET);
    String task = "/$defs/service/properties/spec/properties/";
    assertThat(properties(task + "resources/properties")).isEqualTo(Binder.RESOURCES);
    assertThat(properties(task + "container/properties")).isEqualTo(Binder.CONTAINER);
    assertThat(properties(task + "container/properties/portMappings/items/properties"))
        .isEqualTo(Binder.PORT_MAPPING);
    assertThat(properties(task + "container/properties/parameters/items/properties"))
        .isEqualTo(Binder.PARAMETER);
    assertThat(properties(task + "container/properties/volumes/items/properties"))
        .isEqualTo(Binder.VOLUME);
    assertThat(properties(task + "constraints/items/properties")).isEqualTo(Binder.CONSTRAINT);
    assertThat(properties(task + "healthCheck/properties")).isEqualTo(Binder.HEALTH);
    assertThat(properties(task + "upgrade/properties")).isEqualTo(Binder.UPGRADE);
    assertThat(properties(task + "restart/properties")).isEqualTo(Binder.RESTART);
    assertThat(properties(task + "logs/properties")).isEqualTo(Binder.LOGS);
    assertThat(properties(task + "fetch/items/properties")).isEqualTo(Binder.ARTIFACT);
  }
}
