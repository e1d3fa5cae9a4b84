package dev.telos.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A process agent's files API, as a Mesos agent serves it ({@code src/files/files.cpp}): {@code GET
 * /files/read?path=P&offset=O&length=L} answers {@code {"data", "offset"}} (at most 16 pages per
 * read; {@code offset=-1} answers the file's size in {@code offset}; an offset past the end answers
 * no data), and {@code GET /files/browse?path=P} the sorted entries of a directory ({@code path},
 * {@code nlink}, {@code size}, {@code mtime} in seconds, {@code mode} as {@code ls} shows it,
 * {@code uid}, {@code gid}). Paths are the sandbox directories the agent's {@code /state} names;
 * nothing outside the agent's own work directory is served (404, as an unattached path is).
 */
final class AgentFiles {
  /** Mesos caps one read at 16 pages. */
  static final int MAX_READ = 16 * 4096;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;

  /** Serves the files under {@code root} (the agent's {@code slaves/AGENT_ID} directory). */
  AgentFiles(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  void read(HttpExchange ex) throws IOException {
    Map<String, String> q = query(ex);
    Path path = resolve(ex, q);
    if (path == null) {
      return;
    }
    long offset = -1;
    if (q.containsKey("offset")) {
      try {
        offset = Long.parseLong(q.get("offset"));
      } catch (NumberFormatException e) {
        send(ex, 400, "Failed to parse offset: " + q.get("offset") + ".\n");
        return;
      }
      if (offset < -1) {
        send(ex, 400, "Negative offset provided: " + offset + ".\n");
        return;
      }
    }
    Long length = null;
    if (q.containsKey("length")) {
      try {
        length = Long.parseLong(q.get("length"));
      } catch (NumberFormatException e) {
        send(ex, 400, "Failed to parse length: " + q.get("length") + ".\n");
        return;
      }
      if (length < -1) {
        send(ex, 400, "Negative length provided: " + length + ".\n");
        return;
      }
      if (length == -1) {
        length = null; // as absent: to the end, up to the cap
      }
    }
    if (Files.isDirectory(path)) {
      send(ex, 400, "Cannot read a directory.\n");
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "r")) {
      long size = file.length();
      if (offset == -1) {
        body.put("data", "");
        body.put("offset", size);
      } else if (offset >= size) {
        body.put("data", "");
        body.put("offset", offset);
      } else {
        long want = length == null ? size - offset : Math.min(length, size - offset);
        byte[] data = new byte[(int) Math.min(want, MAX_READ)];
        file.seek(offset);
        int n = Math.max(0, file.read(data));
        if (offset + n < size) {
          n = completeUtf8(data, n); // the next read starts where a character starts
        }
        body.put("data", new String(data, 0, n, StandardCharsets.UTF_8));
        body.put("offset", offset);
      }
    }
    sendJson(ex, body);
  }

  /** {@code n}, less an incomplete UTF-8 sequence at its end. */
  static int completeUtf8(byte[] data, int n) {
    int start = n - 1;
    int back = 0;
    while (start >= 0 && back < 3 && (data[start] & 0xC0) == 0x80) {
      start--;
      back++;
    }
    if (start < 0) {
      return n;
    }
    int lead = data[start] & 0xFF;
    int length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return start + length > n ? start : n;
  }

  void browse(HttpExchange ex) throws IOException {
    Map<String, String> q = query(ex);
    Path path = resolve(ex, q);
    if (path == null) {
      return;
    }
    TreeMap<String, Object> entries = new TreeMap<>();
    if (Files.isDirectory(path)) {
      try (DirectoryStream<Path> dir = Files.newDirectoryStream(path)) {
        for (Path p : dir) {
          entries.put(p.getFileName().toString(), info(q.get("path"), p));
        }
      }
    }
    sendJson(ex, new ArrayList<>(entries.values()));
  }

  private static Map<String, Object> info(String requested, Path p) throws IOException {
    PosixFileAttributes a =
        Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    Map<String, Object> m = new LinkedHashMap<>();
    String base = requested.endsWith("/") ? requested : requested + "/";
    m.put("path", base + p.getFileName());
    m.put("nlink", Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS));
    m.put("size", a.size());
    m.put("mtime", a.lastModifiedTime().toMillis() / 1000);
    char type =
        a.isDirectory()
            ? 'd'
            : a.isSymbolicLink() ? 'l' : a.isRegularFile() ? '-' : a.isOther() ? 'p' : '-';
    m.put("mode", type + PosixFilePermissions.toString(a.permissions()));
    m.put("uid", a.owner().getName());
    m.put("gid", a.group().getName());
    return m;
  }

  /** The requested path if it is served and exists; else answers 400 or 404 and returns null. */
  private Path resolve(HttpExchange ex, Map<String, String> q) throws IOException {
    if (!ex.getRequestMethod().equals("GET")) {
      send(ex, 405, "Expecting a GET request.\n");
      return null;
    }
    String raw = q.get("path");
    if (raw == null || raw.isEmpty()) {
      send(ex, 400, "Expecting 'path=value' in query.\n");
      return null;
    }
    Path p = Path.of(raw).toAbsolutePath().normalize();
    if (!p.startsWith(root) || !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      send(ex, 404, "");
      return null;
    }
    return p;
  }

  private static Map<String, String> query(HttpExchange ex) {
    Map<String, String> q = new LinkedHashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw == null) {
      return q;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      q.putIfAbsent(k, v);
    }
    return q;
  }

  static void sendJson(HttpExchange ex, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void send(HttpExchange ex, int status, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
    ex.close();
  }
}
