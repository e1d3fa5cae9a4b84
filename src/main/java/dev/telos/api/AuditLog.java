package dev.telos.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who called which write endpoint (or was refused anywhere), from where, with what result: one JSON
 * object a line, appended and flushed per call. Past {@code maxBytes} the file becomes {@code .1}
 * (the one before is dropped). Never holds a token: a caller is its token's fingerprint.
 */
public final class AuditLog {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final long maxBytes;

  public AuditLog(Path file, long maxBytes) throws IOException {
    this.file = file;
    this.maxBytes = maxBytes;
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
  }

  /** One call. */
  public record Entry(
      Instant time,
      String remote,
      String method,
      String path,
      String query,
      int status,
      String role,
      String token,
      long durationMillis) {}

  synchronized void write(Entry e) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("time", e.time().toString());
    line.put("remote", e.remote());
    line.put("method", e.method());
    line.put("path", e.path());
    line.put("query", e.query());
    line.put("status", e.status());
    line.put(
        "result",
        e.status() < 400 ? "ok" : e.status() == 401 || e.status() == 403 ? "denied" : "error");
    line.put("role", e.role());
    line.put("token", e.token());
    line.put("durationMs", e.durationMillis());
    try {
      if (Files.exists(file) && Files.size(file) > maxBytes) {
        Files.move(
            file,
            file.resolveSibling(file.getFileName() + ".1"),
            StandardCopyOption.REPLACE_EXISTING);
      }
      Files.write(
          file,
          (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          StandardOpenOption.WRITE);
    } catch (IOException ex) {
      log.warn("cannot write the audit log {}: {}", file, ex.getMessage());
    }
  }
}
