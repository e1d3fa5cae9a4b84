package dev.telos.render;

import dev.telos.manifest.ManifestLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A checked-out repository's files, for {@code telos validate}: paths relative to its root.
 * Manifests are named in errors by {@code prefix} and their path.
 */
public final class DirectoryFiles implements RepoFiles, Assembler.Tree {
  private final Path root;
  private final long maxFileBytes;
  private final ManifestLoader loader;
  private final String prefix;

  public DirectoryFiles(Path root, long maxFileBytes) {
    this(root, new ManifestLoader(), "", maxFileBytes);
  }

  public DirectoryFiles(Path root, ManifestLoader loader, String prefix) {
    this(root, loader, prefix, loader.maxFileBytes());
  }

  private DirectoryFiles(Path root, ManifestLoader loader, String prefix, long maxFileBytes) {
    this.root = root.toAbsolutePath().normalize();
    this.maxFileBytes = maxFileBytes;
    this.loader = loader;
    this.prefix = prefix;
  }

  @Override
  public List<Assembler.TreeFile> files(String dir) throws IOException {
    Path d = resolve(dir);
    List<Assembler.TreeFile> out = new ArrayList<>();
    if (!Files.isDirectory(d)) {
      return out;
    }
    try (Stream<Path> walk = Files.walk(d)) {
      for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
        if (!ManifestLoader.isSourceFile(d.relativize(p).toString().replace('\\', '/'))) {
          continue;
        }
        String path = root.relativize(p).toString().replace('\\', '/');
        long size = Files.size(p);
        out.add(
            new Assembler.TreeFile(
                path,
                size > maxFileBytes
                    ? loader.oversized(prefix + path, size)
                    : loader.parseFile(prefix + path, Files.readAllBytes(p))));
      }
    }
    return out;
  }

  @Override
  public byte[] read(String path) throws IOException {
    return file(path);
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
