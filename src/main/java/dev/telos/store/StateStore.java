package dev.telos.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Files under a data directory, each written atomically. Thread-safe: writes of one name are
 * serialised; readers see whole versions only.
 */
public final class StateStore {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*(\\.[a-z]+)?");
  private final Path dir;
  private final ObjectMapper json =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT);

  public StateStore(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir.resolve("state"));
  }

  public Path directory() {
    return dir;
  }

  /** The saved framework ID, if any. */
  public Optional<String> frameworkId() {
    return readText("framework-id").map(String::strip).filter(s -> !s.isEmpty());
  }

  /** Saves the framework ID durably before returning. */
  public void saveFrameworkId(String id) {
    writeText("framework-id", id + "\n");
  }

  /** Forgets the framework ID (to register as a new framework after a removal). */
  public void deleteFrameworkId() {
    try {
      Files.deleteIfExists(dir.resolve("framework-id"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a JSON document; empty when it was never written. */
  public <T> Optional<T> read(String name, JavaType type) {
    return readText(name + ".json")
        .map(
            text -> {
              try {
                return json.readValue(text, type);
              } catch (IOException e) {
                throw new UncheckedIOException(
                    "corrupt state file " + dir.resolve(name + ".json"), e);
              }
            });
  }

  /** Writes a JSON document atomically. */
  public void write(String name, Object value) {
    try {
      writeText(name + ".json", json.writeValueAsString(value));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The mapper, to build {@link JavaType}s for {@link #read}. */
  public ObjectMapper mapper() {
    return json;
  }

  private Optional<String> readText(String file) {
    check(file);
    Path p = dir.resolve(file);
    try {
      return Files.exists(p)
          ? Optional.of(Files.readString(p, StandardCharsets.UTF_8))
          : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private synchronized void writeText(String file, String content) {
    check(file);
    Path target = dir.resolve(file);
    Path tmp = dir.resolve("." + file + ".tmp");
    try {
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
        ch.force(true);
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write state file " + target, e);
    }
  }

  private static void check(String file) {
    if (!NAME.matcher(file).matches()) {
      throw new IllegalArgumentException("bad state file name: " + file);
    }
  }
}
