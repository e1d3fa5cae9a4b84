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

  /** Lines in each journal since its document was last written whole. */
  private final java.util.Map<String, Integer> journalLines = new java.util.HashMap<>();

  private static final int MIN_JOURNAL_LINES = 1000;

  private final ObjectMapper compact =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  /**
   * The two fsyncs durability rests on: of a file's bytes before it is renamed into place or
   * counted as appended, and of a directory after an entry in it was created or renamed.
   */
  interface Fsync {
    void file(FileChannel channel, Path file) throws IOException;

    void directory(Path directory) throws IOException;
  }

  /** The real fsyncs. */
  static final Fsync DISK =
      new Fsync() {
        @Override
        public void file(FileChannel channel, Path file) throws IOException {
          channel.force(true);
        }

        @Override
        public void directory(Path directory) throws IOException {
          syncDirectory(directory);
        }
      };

  private final Fsync fsync;

  private FileStateStore(Path dir, DataDirLock lock, Fsync fsync) throws IOException {
    this.dir = Files.createDirectories(dir.resolve("state"));
    this.lock = lock;
    this.fsync = fsync;
  }

  /** A store whose fsyncs go through {@code fsync}, for tests that watch them. */
  FileStateStore(Path dataDir, Fsync fsync) throws IOException {
    this(dataDir, null, fsync);
  }

  /**
   * Opens the store of a data dir without locking it, for tools that only read (and for tests that
   * share one directory on purpose).
   */
  public FileStateStore(Path dataDir) throws IOException {
    this(dataDir, null, DISK);
  }

  /**
   * Opens the store of a data dir and locks the dir for this process until {@link #close()}.
   *
   * @throws DataDirLock.LockedException when another process holds it
   */
  public static FileStateStore open(Path dataDir) throws IOException {
    DataDirLock lock = DataDirLock.acquire(Files.createDirectories(dataDir));
    try {
      return new FileStateStore(dataDir, lock, DISK);
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
  public synchronized void write(String name, Object value) {
    try {
      writeText(name + ".json", json.writeValueAsString(value));
      dropJournal(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Appends the change to {@code NAME.journal} (one JSON line, fsynced) instead of rewriting the
   * whole document; once the journal holds 1,000 lines and half as many as the map has entries, the
   * whole map is written and the journal starts over. Replaying a journal over the document it ends
   * at changes nothing, so a crash between the two leaves a readable state.
   */
  @Override
  public synchronized void update(
      String name,
      java.util.Map<String, ?> puts,
      java.util.Collection<String> removes,
      java.util.Map<String, ?> whole) {
    if (puts.isEmpty() && removes.isEmpty()) {
      return;
    }
    int lines = journalLines.getOrDefault(name, 0);
    if (lines >= Math.max(MIN_JOURNAL_LINES, whole.size() / 2)) {
      write(name, whole);
      return;
    }
    java.util.Map<String, Object> entry = new java.util.LinkedHashMap<>();
    if (!puts.isEmpty()) {
      entry.put("put", puts);
    }
    if (!removes.isEmpty()) {
      entry.put("remove", removes);
    }
    Path file = dir.resolve(name + ".journal");
    check(name + ".journal");
    try {
      boolean created = !Files.exists(file);
      byte[] line = (compact.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
      try (FileChannel ch =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.APPEND)) {
        ch.write(java.nio.ByteBuffer.wrap(line));
        fsync.file(ch, file);
      }
      if (created) {
        fsync.directory(dir);
      }
      journalLines.put(name, lines + 1);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to state journal " + file + ": " + e, e);
    }
  }

  @Override
  public synchronized <V> Optional<java.util.Map<String, V>> readMap(
      String name, JavaType valueType) {
    JavaType mapType =
        json.getTypeFactory()
            .constructMapType(
                java.util.LinkedHashMap.class,
                json.getTypeFactory().constructType(String.class),
                valueType);
    Optional<java.util.Map<String, V>> base = read(name, mapType);
    Path file = dir.resolve(name + ".journal");
    if (!Files.exists(file)) {
      return base;
    }
    java.util.Map<String, V> map = new java.util.LinkedHashMap<>(base.orElse(java.util.Map.of()));
    int lines = 0;
    boolean torn = false;
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        com.fasterxml.jackson.databind.JsonNode entry;
        try {
          entry = json.readTree(line);
        } catch (IOException e) {
          // The last line of a crash mid-append: never acknowledged, so never relied on.
          torn = true;
          break;
        }
        for (java.util.Iterator<
                    java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>>
                it = entry.path("put").fields();
            it.hasNext(); ) {
          var e = it.next();
          map.put(e.getKey(), json.convertValue(e.getValue(), valueType));
        }
        entry.path("remove").forEach(id -> map.remove(id.asText()));
        lines++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt state journal " + file, e);
    }
    journalLines.put(name, lines);
    if (torn) {
      // Appends after a torn line would be read as part of it, and lost: start over whole.
      write(name, map);
    }
    return Optional.of(map);
  }

  private void dropJournal(String name) throws IOException {
    if (Files.deleteIfExists(dir.resolve(name + ".journal"))) {
      fsync.directory(dir);
    }
    journalLines.remove(name);
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
        fsync.file(ch, tmp);
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      fsync.directory(dir);
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
