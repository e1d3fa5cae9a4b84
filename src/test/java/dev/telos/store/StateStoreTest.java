package dev.telos.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a store that only reads and writes whole documents gets from the interface. */
class StateStoreTest {
  /** Documents kept as JSON text in memory: the smallest store there is. */
  static final class InMemory implements StateStore {
    final ObjectMapper json = new ObjectMapper();
    final Map<String, String> docs = new java.util.HashMap<>();
    int writes;

    @Override
    public Optional<String> frameworkId() {
      return Optional.ofNullable(docs.get("framework-id"));
    }

    @Override
    public void saveFrameworkId(String id) {
      docs.put("framework-id", id);
    }

    @Override
    public <T> Optional<T> read(String name, JavaType type) {
      String text = docs.get(name);
      try {
        return text == null ? Optional.empty() : Optional.of(json.readValue(text, type));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public void write(String name, Object value) {
      try {
        docs.put(name, json.writeValueAsString(value));
        writes++;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public ObjectMapper mapper() {
      return json;
    }
  }

  @Test
  void anUpdateWritesTheWholeMapAndReadMapReadsItBackTyped() {
    InMemory store = new InMemory();
    JavaType intType = store.mapper().getTypeFactory().constructType(Integer.class);
    assertThat(store.<Integer>readMap("tasks", intType)).isEmpty();
    store.update("tasks", Map.of("a", 1), List.of("gone"), Map.of("a", 1, "b", 2));
    assertThat(store.writes).isEqualTo(1);
    Optional<Map<String, Integer>> read = store.readMap("tasks", intType);
    assertThat(read).contains(Map.of("a", 1, "b", 2));
    assertThat(read.orElseThrow().get("b")).isInstanceOf(Integer.class);
  }
}
