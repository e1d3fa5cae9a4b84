package dev.telos.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.telos.manifest.Location;
import dev.telos.manifest.ManifestError;
import dev.telos.manifest.YamlLimits;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Charts, schemas and the template engine at their edges (mutation survivors read here). */
class RenderEdgesTest {
  static Chart chart(String schema) {
    return RenderPartsTest.chart(schema);
  }

  static Chart.Loaded load(Map<String, String> files) {
    Map<String, byte[]> bytes = new java.util.HashMap<>();
    files.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
    return Chart.load("charts/c", bytes, YamlLimits.DEFAULT);
  }

  @Test
  void aSchemaErrorIsPlacedAtTheNearestValueWrittenAboveIt() {
    String schema =
        "{\"properties\": {\"db\": {\"type\": \"object\", \"required\": [\"host\"],"
            + " \"properties\": {\"port\": {\"type\": \"integer\"}}}}}";
    Map<String, Location> at =
        Map.of("", new Location("v.yaml", 1, 1), "/db", new Location("v.yaml", 4, 3));
    List<ManifestError> errors =
        ValuesSchema.check(chart(schema), Map.of("db", Map.of("port", 5432)), at);
    assertThat(errors)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.location()).isEqualTo(new Location("v.yaml", 4, 3));
              assertThat(e.message()).startsWith("values.db.host: ");
            });
  }

  @Test
  void aSchemaThatIsNotJsonIsPlacedAtItsLineAndColumn() {
    assertThat(ValuesSchema.check(chart("{\n  \"a\": x\n}"), Map.of(), Map.of()))
        .singleElement()
        .satisfies(e -> assertThat(e.toString()).startsWith("charts/c/values.schema.json:2:8: "));
  }

  @Test
  void aRemoteReferenceIsNamedWhereverItIs() {
    Map<String, String> cases =
        Map.of(
            "{\"$ref\": \"http://x/s.json\"}", "http://x/s.json",
            "{\"properties\": {\"a\": {\"$ref\": \"file:///etc/passwd\"}}}", "file:///etc/passwd",
            "{\"allOf\": [{\"type\": \"object\"}, {\"$ref\": \"other.json\"}]}", "other.json");
    cases.forEach(
        (schema, ref) ->
            assertThat(ValuesSchema.check(chart(schema), Map.of(), Map.of()))
                .as(schema)
                .singleElement()
                .satisfies(
                    e ->
                        assertThat(e.message())
                            .isEqualTo(
                                "values.schema.json may only use references inside itself"
                                    + " (#...), not "
                                    + ref)));
  }

  @Test
  void aChartsDescriptionIsOptionalAndItsValuesFileMayBeEmptyButNotAList() {
    Map<String, String> files = new java.util.HashMap<>();
    files.put("Chart.yaml", "name: c\nversion: 1.0.0\n");
    files.put("templates/a.yaml", "x");
    assertThat(load(files).chart().description()).isEmpty();
    files.put("Chart.yaml", "name: c\nversion: 1.0.0\ndescription: a web service\n");
    assertThat(load(files).chart().description()).isEqualTo("a web service");
    files.put("values.yaml", "# nothing yet\n");
    assertThat(load(files).errors()).isEmpty();
    assertThat(load(files).chart().defaults()).isEmpty();
    files.put("values.yaml", "- a\n- b\n");
    assertThat(load(files).errors())
        .singleElement()
        .asString()
        .isEqualTo("charts/c/values.yaml:1:1: must be a mapping");
  }

  @Test
  void aRenderWhoseCallerIsInterruptedStopsAndKeepsTheInterrupt() {
    TemplateEngine engine = new TemplateEngine(Map.of("t.yaml", "x"));
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> engine.render("t.yaml", Map.of()))
          .isInstanceOf(TemplateEngine.RenderException.class)
          .hasMessage("interrupted");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void aCallerInterruptedWhileARenderRunsStopsWaitingAndKeepsTheInterrupt() throws Exception {
    // Loops until the render's own deadline (2 s): the caller is waiting for it meanwhile.
    TemplateEngine engine =
        new TemplateEngine(
            Map.of(
                "slow.yaml",
                "{% for i in range(1, 10000) %}{% for j in range(1, 10000) %}{% endfor %}"
                    + "{% endfor %}"));
    java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean keptInterrupt =
        new java.util.concurrent.atomic.AtomicBoolean();
    Thread caller =
        new Thread(
            () -> {
              try {
                engine.render("slow.yaml", Map.of());
              } catch (Throwable e) {
                thrown.set(e);
              }
              keptInterrupt.set(Thread.currentThread().isInterrupted());
            });
    caller.start();
    org.awaitility.Awaitility.await().until(() -> caller.getState() == Thread.State.TIMED_WAITING);
    caller.interrupt();
    caller.join(10_000);
    assertThat(thrown.get())
        .isInstanceOf(TemplateEngine.RenderException.class)
        .hasMessage("interrupted");
    assertThat(keptInterrupt).isTrue();
  }
}
