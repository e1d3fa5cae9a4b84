package dev.telos.store;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * Where the controller keeps what must survive a crash: the framework ID and named JSON documents
 * (launched tasks, app histories, sync records, the last good commit). Every write is durable when
 * it returns, and throws when it is not, so a caller never acts on a record that was not kept.
 *
 * <p>{@link FileStateStore} (files under the data dir) is the default.
 */
public interface StateStore {
  /** The saved framework ID, if any. */
  Optional<String> frameworkId();

  /**
   * Saves the framework ID durably before returning.
   *
   * @throws java.io.UncheckedIOException when it could not be kept
   */
  void saveFrameworkId(String id);

  /**
   * Reads a JSON document; empty when it was never written.
   *
   * @throws java.io.UncheckedIOException when it exists but cannot be read
   */
  <T> Optional<T> read(String name, JavaType type);

  /**
   * Writes a JSON document durably before returning.
   *
   * @throws java.io.UncheckedIOException when it could not be kept (a full disk, say)
   */
  void write(String name, Object value);

  /**
   * Changes some entries of a map document durably before returning: {@code puts} added or
   * replaced, {@code removes} deleted; {@code whole} is the map after the change. A store may write
   * only the change (a journal) and the whole map now and then; this default writes the whole map
   * every time.
   *
   * @throws java.io.UncheckedIOException when it could not be kept
   */
  default void update(
      String name,
      java.util.Map<String, ?> puts,
      java.util.Collection<String> removes,
      java.util.Map<String, ?> whole) {
    write(name, whole);
  }

  /**
   * Reads a map document with every change {@link #update} made to it; empty when it was never
   * written.
   *
   * @param valueType the type of the map's values
   */
  default <V> java.util.Optional<java.util.Map<String, V>> readMap(
      String name, JavaType valueType) {
    return read(
        name,
        mapper()
            .getTypeFactory()
            .constructMapType(
                java.util.LinkedHashMap.class,
                mapper().getTypeFactory().constructType(String.class),
                valueType));
  }

  /** The mapper documents are written with, to build {@link JavaType}s for {@link #read}. */
  ObjectMapper mapper();
}
