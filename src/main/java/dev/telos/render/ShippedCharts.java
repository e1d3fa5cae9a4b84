package dev.telos.render;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The charts inside Telos's jar ({@code charts/} of the project, as resources under {@code
 * telos-charts/}): {@code chart: telos/service} reads {@code telos-charts/service/}.
 */
public final class ShippedCharts {
  static final String PREFIX = "telos/";
  private static final String ROOT = "telos-charts/";
  static final Map<String, Map<String, byte[]>> CACHE = new ConcurrentHashMap<>();

  private ShippedCharts() {}

  /** Whether a chart reference names a shipped chart. */
  public static boolean isShipped(String chart) {
    return chart.startsWith(PREFIX);
  }

  /** The files of a shipped chart by relative path; empty when Telos ships no such chart. */
  public static Map<String, byte[]> files(String chart) {
    String name = chart.substring(PREFIX.length());
    if (!name.matches("[a-z0-9][a-z0-9-]*")) {
      return Map.of();
    }
    return CACHE.computeIfAbsent(name, n -> load(ShippedCharts.class.getClassLoader(), n));
  }

  /** Reads chart {@code name} from {@code loader}'s resources, in a jar or a directory. */
  static Map<String, byte[]> load(ClassLoader loader, String name) {
    URL url = loader.getResource(ROOT + name + "/Chart.yaml");
    if (url == null) {
      return Map.of();
    }
    try {
      URI uri = url.toURI();
      if (uri.getScheme().equals("jar")) {
        FileSystem fs;
        try {
          fs = FileSystems.newFileSystem(uri, Map.of());
        } catch (FileSystemAlreadyExistsException e) {
          fs = FileSystems.getFileSystem(uri);
        }
        return read(fs.getPath(ROOT + name));
      }
      return read(Path.of(uri).getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, byte[]> read(Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        out.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    }
    return Map.copyOf(out);
  }
}
