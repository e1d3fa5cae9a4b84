package dev.telos.render;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A checked-out repository's files, for {@code telos validate}: paths relative to its root. */
public final class DirectoryFiles implements RepoFiles {
  private final Path root;
  private final long maxFileBytes;

  public DirectoryFiles(Path root, long maxFileBytes) {
    this.root = root.toAbsolutePath().normalize();
    this.maxFileBytes = maxFileBytes;
  }

  private Path resolve(String path) throws IOException {
    Path p = root.resolve(path).normalize();
    if (!p.startsWith(root)) {
      throw new IOException(path + " is outside the repository");
    }
    return p;
  }

  @Override
  public Map<String, byte[]> under(String dir) throws IOException {
    Path d = resolve(dir);
    Map<String, byte[]> out = new TreeMap<>();
    if (!Files.isDirectory(d)) {
      return out;
    }
    try (Stream<Path> walk = Files.walk(d)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        out.put(d.relativize(p).toString().replace('\\', '/'), read(p));
      }
    }
    return out;
  }

  @Override
  public byte[] file(String path) throws IOException {
    Path p = resolve(path);
    return Files.isRegularFile(p) ? read(p) : null;
  }

  private byte[] read(Path p) throws IOException {
    if (Files.size(p) > maxFileBytes) {
      throw new IOException(p + " is over " + maxFileBytes + " bytes");
    }
    return Files.readAllBytes(p);
  }
}
