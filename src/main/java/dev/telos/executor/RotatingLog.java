package dev.telos.executor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Copies a task's output stream into {@code NAME} in the sandbox, rotating by size: when {@code
 * NAME} reaches {@code maxBytes} it becomes {@code NAME.1} (the older ones shift up) and at most
 * {@code keep} rotated files are kept, so a chatty task never fills an agent's disk. Keeps the last
 * lines written, for a failed task's status. One instance per stream, fed by one thread.
 */
final class RotatingLog {
  static final int TAIL_LINES = 20;
  static final int MAX_LINE = 4096;

  private final Path file;
  private final long maxBytes;
  private final int keep;
  private final ArrayDeque<String> tail = new ArrayDeque<>();
  private final StringBuilder line = new StringBuilder();
  private OutputStream out;
  private long written;
  private long rotations;

  RotatingLog(Path file, long maxBytes, int keep) {
    if (maxBytes <= 0 || keep < 0) {
      throw new IllegalArgumentException("maxBytes must be positive and keep not negative");
    }
    this.file = file;
    this.maxBytes = maxBytes;
    this.keep = keep;
  }

  /** Copies {@code in} until it ends; returns when the process closed its end. */
  void copy(InputStream in) throws IOException {
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        write(buffer, 0, n);
      }
    } finally {
      close();
    }
  }

  synchronized void write(byte[] b, int off, int len) throws IOException {
    int at = off;
    int end = off + len;
    while (at < end) {
      if (out == null) {
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        written = Files.size(file);
      }
      int n = (int) Math.min(end - at, maxBytes - written);
      if (n <= 0) {
        rotate();
        continue;
      }
      out.write(b, at, n);
      written += n;
      remember(b, at, n);
      at += n;
    }
  }

  private void remember(byte[] b, int off, int len) {
    String s = new String(b, off, len, StandardCharsets.UTF_8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n') {
        endLine();
      } else if (line.length() < MAX_LINE) {
        line.append(c);
      }
    }
  }

  private void endLine() {
    tail.addLast(line.toString());
    line.setLength(0);
    while (tail.size() > TAIL_LINES) {
      tail.pollFirst();
    }
  }

  private void rotate() throws IOException {
    out.close();
    out = null;
    rotations++;
    if (keep == 0) {
      Files.deleteIfExists(file);
    } else {
      Files.deleteIfExists(rotated(keep));
      for (int i = keep - 1; i >= 1; i--) {
        if (Files.exists(rotated(i))) {
          Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
    }
    written = 0;
  }

  private Path rotated(int i) {
    return file.resolveSibling(file.getFileName() + "." + i);
  }

  synchronized void close() throws IOException {
    if (out != null) {
      out.close();
      out = null;
    }
  }

  /** The last lines written (a partial last line included), oldest first. */
  synchronized List<String> tail() {
    List<String> lines = new java.util.ArrayList<>(tail);
    if (line.length() > 0) {
      lines.add(line.toString());
    }
    return lines.size() > TAIL_LINES
        ? lines.subList(lines.size() - TAIL_LINES, lines.size())
        : lines;
  }

  synchronized long rotations() {
    return rotations;
  }
}
