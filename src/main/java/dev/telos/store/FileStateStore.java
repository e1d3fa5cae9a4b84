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
 * Files under a data directory, each written atomically and durably: write a temporary file, fsync
 * it, rename it over the old one, then fsync the directory so that the rename itself survives a
 * power cut. Thread-safe: writes are serialised; readers see whole versions only.
 *
 * <p>The directory is locked while the store is open ({@link #open}): a second process on the same
 * data dir would interleave writes and launch every task twice, so it is refused with a message
 * naming the holder.
 */
public final class FileStateStore implements StateStore, AutoCloseable {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*(\\.[a-z]+)?");
  private final Path dir;
  private final ObjectMapper json =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private final DataDirLock lock;

  private FileStateStore(Path dir, DataDirLock lock) throws IOException {
    this.dir = Files.createDirectories(dir.resolve("state"));
    this.lock = lock;
  }

  /**
   * Opens the store of a data dir without locking it, for tools that only read (and for tests that
   * share one directory on purpose).
   */
  public FileStateStore(Path dataDir) throws IOException {
    this(dataDir, null);
  }

  /**
   * Opens the store of a data dir and locks the dir for this process until {@link #close()}.
   *
   * @throws DataDirLock.LockedException when another process holds it
   */
  public static FileStateStore open(Path dataDir) throws IOException {
    DataDirLock lock = DataDirLock.acquire(Files.createDirectories(dataDir));
    try {
      return new FileStateStore(dataDir, lock);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  public Path directory() {
    return dir;
  }

  @Override
  public void close() {
    if (lock != null) {
      lock.close();
    }
  }

  @Override
  public Optional<String> frameworkId() {
    return readText("framework-id").map(String::strip).filter(s -> !s.isEmpty());
  }

  @Override
  public void saveFrameworkId(String id) {
    writeText("framework-id", id + "\n");
  }

  @Override
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

  @Override
  public void write(String name, Object value) {
    try {
      writeText(name + ".json", json.writeValueAsString(value));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
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
      syncDirectory(dir);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the write already failed; its message says why
      }
      throw new UncheckedIOException("cannot write state file " + target + ": " + e, e);
    }
  }

  /**
   * Makes a rename in {@code directory} durable. Linux and macOS allow opening a directory for
   * reading and fsyncing it; where a platform refuses (Windows), the rename is as durable as that
   * platform makes it.
   */
  static void syncDirectory(Path directory) throws IOException {
    try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (java.nio.file.AccessDeniedException | UnsupportedOperationException e) {
      // not supported for directories here
    }
  }

  private static void check(String file) {
    if (!NAME.matcher(file).matches()) {
      throw new IllegalArgumentException("bad state file name: " + file);
    }
  }
}
