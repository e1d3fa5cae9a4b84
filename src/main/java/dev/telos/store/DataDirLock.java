package dev.telos.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * An exclusive lock on a data dir, held by one process: an OS file lock on {@code DATA_DIR/lock},
 * whose content names the holder (pid, host, start time) for the message another process gets. The
 * OS releases the lock when the process dies, even by SIGKILL, so a crash never leaves a stale lock
 * behind.
 */
public final class DataDirLock implements AutoCloseable {
  /** Thrown when another process (or another store of this one) holds the lock. */
  public static final class LockedException extends IOException {
    LockedException(String message) {
      super(message);
    }
  }

  /** The open lock file; its OS lock lasts as long as it is open. */
  private final FileChannel channel;

  private DataDirLock(FileChannel channel) {
    this.channel = channel;
  }

  /**
   * Locks {@code dataDir} for this process.
   *
   * @throws LockedException naming the holder when another process holds it
   */
  public static DataDirLock acquire(Path dataDir) throws IOException {
    Path file = dataDir.resolve("lock");
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException sameProcess) {
      lock = null;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      ch.close();
      String holder = holder(file);
      throw new LockedException(
          "data dir "
              + dataDir.toAbsolutePath()
              + " is locked by "
              + (holder.isEmpty() ? "another process" : holder)
              + "; stop it, or give this one its own --data-dir");
    }
    ProcessHandle self = ProcessHandle.current();
    String who =
        "pid "
            + self.pid()
            + " on "
            + hostname()
            + " (since "
            + Instant.now()
            + self.info().command().map(c -> ", " + Path.of(c).getFileName()).orElse("")
            + ")";
    // Not fsynced: the line only names the holder in another process's message, which reads it
    // from the page cache; the lock itself ends with this process.
    ch.truncate(0);
    ch.write(ByteBuffer.wrap((who + "\n").getBytes(StandardCharsets.UTF_8)), 0);
    return new DataDirLock(ch);
  }

  private static String holder(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
  }

  private static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "this host";
    }
  }

  /** Releases the lock. Idempotent. */
  @Override
  public void close() {
    try {
      channel.close(); // releases the lock with it
    } catch (IOException e) {
      // a failed close of a lock file loses nothing; the lock ends with the process in any case
    }
  }
}
