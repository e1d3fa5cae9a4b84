package dev.telos.manifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Loads manifests: one file at a time ({@link #parseFile}, cacheable by content), then a whole
 * source ({@link #combine}) where a {@code namespace/name} defined twice is an error naming both
 * places. Thread-safe and stateless.
 */
public final class ManifestLoader {
  /**
   * The apps, releases and errors of one file.
   *
   * @param documents the file's app and release documents, unbound (for overlays and {@code telos
   *     render})
   * @param overlays the file's overlay documents
   * @param structural the errors that stand whatever an overlay does: the YAML could not be read,
   *     or an overlay document is invalid ({@code errors} has them too)
   */
  public record FileResult(
      String path,
      List<App> apps,
      List<ManifestError> errors,
      List<Release> releases,
      List<Document> documents,
      List<Overlay> overlays,
      List<ManifestError> structural) {
    public FileResult {
      apps = List.copyOf(apps);
      errors = List.copyOf(errors);
      releases = List.copyOf(releases);
      documents = List.copyOf(documents);
      overlays = List.copyOf(overlays);
      structural = List.copyOf(structural);
    }

    public FileResult(
        String path, List<App> apps, List<ManifestError> errors, List<Release> releases) {
      this(path, apps, errors, releases, List.of(), List.of(), errors);
    }

    public FileResult(String path, List<App> apps, List<ManifestError> errors) {
      this(path, apps, errors, List.of());
    }
  }

  /**
   * The apps and releases of a whole source, valid only when {@link #errors()} is empty; the
   * releases are not rendered yet ({@code dev.telos.render} does that).
   */
  public record LoadResult(
      List<App> apps,
      List<ManifestError> errors,
      List<Release> releases,
      List<Document> documents) {
    public LoadResult {
      apps = List.copyOf(apps);
      errors = List.copyOf(errors);
      releases = List.copyOf(releases);
      documents = List.copyOf(documents);
    }

    public LoadResult(List<App> apps, List<ManifestError> errors, List<Release> releases) {
      this(apps, errors, releases, List.of());
    }

    public LoadResult(List<App> apps, List<ManifestError> errors) {
      this(apps, errors, List.of());
    }

    public boolean valid() {
      return errors.isEmpty();
    }
  }

  private final YamlReader reader;
  private final YamlLimits limits;

  public ManifestLoader() {
    this(YamlLimits.DEFAULT);
  }

  public ManifestLoader(YamlLimits limits) {
    this.limits = limits;
    this.reader = new YamlReader(limits);
  }

  /** The largest file read at all; callers check sizes before loading content. */
  public long maxFileBytes() {
    return limits.maxFileBytes();
  }

  /** The result for a file too large to read, without reading it. */
  public FileResult oversized(String path, long size) {
    return new FileResult(
        path,
        List.of(),
        List.of(
            new ManifestError(
                new Location(path, 1, 1),
                "file is "
                    + size
                    + " bytes; manifests are limited to "
                    + limits.maxFileBytes()
                    + " bytes")));
  }

  /** Whether a path names a manifest file: {@code *.yaml} or {@code *.yml}. */
  public static boolean isManifest(String path) {
    return path.endsWith(".yaml") || path.endsWith(".yml");
  }

  /** Parses and validates one file; {@code path} is how errors name it. */
  public FileResult parseFile(String path, byte[] content) {
    YamlReader.Result read = reader.read(path, content);
    List<ManifestError> errors = new ArrayList<>();
    List<ManifestError> structural = new ArrayList<>();
    List<App> apps = new ArrayList<>();
    List<Release> releases = new ArrayList<>();
    List<Document> documents = new ArrayList<>();
    List<Overlay> overlays = new ArrayList<>();
    for (YamlNode document : read.documents()) {
      if (document instanceof YamlNode.Scalar s
          && (s.kind() == YamlNode.Scalar.Kind.NULL || s.text().isEmpty())) {
        continue; // an empty document, e.g. after a trailing ---
      }
      if (Binder.isOverlay(document, path)) {
        Overlay overlay = Binder.bindOverlay(document, structural);
        if (overlay != null) {
          overlays.add(overlay);
        }
        continue;
      }
      documents.add(new Document(document));
      if (Binder.isRelease(document)) {
        Release release = Binder.bindRelease(document, errors);
        if (release != null) {
          releases.add(release);
        }
        continue;
      }
      App app = Binder.bind(document, errors);
      if (app != null) {
        apps.add(app);
      }
    }
    if (read.error() != null) {
      structural.add(read.error());
    }
    errors.addAll(structural);
    return new FileResult(path, apps, errors, releases, documents, overlays, structural);
  }

  /**
   * Binds documents an overlay changed: their apps, releases and errors as if they were one file.
   */
  public static FileResult bind(String path, List<Document> documents) {
    List<ManifestError> errors = new ArrayList<>();
    List<App> apps = new ArrayList<>();
    List<Release> releases = new ArrayList<>();
    for (Document d : documents) {
      if (Binder.isRelease(d.node())) {
        Release release = Binder.bindRelease(d.node(), errors);
        if (release != null) {
          releases.add(release);
        }
      } else {
        App app = Binder.bind(d.node(), errors);
        if (app != null) {
          apps.add(app);
        }
      }
    }
    return new FileResult(path, apps, errors, releases, documents, List.of(), List.of());
  }

  /** Joins per-file results into one source: all errors, and duplicate keys as errors. */
  public static LoadResult combine(List<FileResult> files) {
    List<ManifestError> errors = new ArrayList<>();
    Map<String, App> seen = new HashMap<>();
    List<App> apps = new ArrayList<>(files.size());
    Map<String, Release> releases = new java.util.TreeMap<>();
    List<Document> documents = new ArrayList<>(files.size());
    List<FileResult> ordered = new ArrayList<>(files);
    ordered.sort((a, b) -> a.path().compareTo(b.path()));
    for (FileResult f : ordered) {
      if (!f.errors().isEmpty()) {
        errors.addAll(f.errors());
      }
      for (Document d : f.documents()) {
        documents.add(d);
      }
      for (Release r : f.releases()) {
        Release first = releases.putIfAbsent(r.key(), r);
        if (first != null) {
          errors.add(
              new ManifestError(
                  r.source(),
                  "release " + r.key() + " is defined twice: here and at " + first.source()));
        }
      }
      for (App app : f.apps()) {
        App first = seen.putIfAbsent(app.key(), app);
        if (first != null) {
          errors.add(
              new ManifestError(
                  app.source(), app.key() + " is defined twice: here and at " + first.source()));
        } else {
          apps.add(app);
        }
      }
    }
    apps.sort((a, b) -> a.key().compareTo(b.key())); // in path order already, mostly: linear
    for (ManifestError cycle : dependencyCycles(apps)) {
      if (!errors.contains(cycle)) { // joined again with rendered apps: said once
        errors.add(cycle);
      }
    }
    Collections.sort(errors);
    return new LoadResult(apps, errors, List.copyOf(releases.values()), documents);
  }

  /**
   * Each cycle of {@code dependencies} among {@code apps} (sorted by key), reported at the entry
   * that closes it. Dependencies on apps not among them (another source's, or none) are left to the
   * planner, which waits for them.
   */
  static List<ManifestError> dependencyCycles(List<App> apps) {
    if (apps.stream().allMatch(a -> a.dependencies().isEmpty())) {
      return List.of();
    }
    Map<String, App> byKey = new HashMap<>();
    apps.forEach(a -> byKey.put(a.key(), a));
    Map<String, Integer> state = new HashMap<>(); // 1: on the path, 2: done
    List<ManifestError> errors = new ArrayList<>();
    for (App a : apps) {
      if (!a.dependencies().isEmpty() && !state.containsKey(a.key())) {
        visit(a, byKey, state, new java.util.ArrayDeque<>(), errors);
      }
    }
    return errors;
  }

  private static void visit(
      App app,
      Map<String, App> byKey,
      Map<String, Integer> state,
      java.util.Deque<String> path,
      List<ManifestError> errors) {
    state.put(app.key(), 1);
    path.addLast(app.key());
    for (Dependency d : app.dependencies()) {
      App next = byKey.get(d.key());
      Integer s = next == null ? null : state.get(d.key());
      if (next == null || Integer.valueOf(2).equals(s)) {
        continue;
      }
      if (s == null) {
        visit(next, byKey, state, path, errors);
        continue;
      }
      List<String> cycle = new ArrayList<>(path);
      cycle = cycle.subList(cycle.indexOf(d.key()), cycle.size());
      errors.add(
          new ManifestError(
              d.at(), "dependency cycle: " + String.join(" -> ", cycle) + " -> " + d.key()));
    }
    path.removeLast();
    state.put(app.key(), 2);
  }

  /** A source's load with the apps and errors its releases rendered joined in. */
  public static LoadResult withRendered(
      LoadResult load, List<App> rendered, List<ManifestError> renderErrors) {
    List<ManifestError> errors = new ArrayList<>(load.errors());
    errors.addAll(renderErrors);
    List<App> apps = new ArrayList<>(load.apps());
    apps.addAll(rendered);
    LoadResult joined = combine(List.of(new FileResult("(source)", apps, errors, load.releases())));
    return new LoadResult(joined.apps(), joined.errors(), joined.releases(), load.documents());
  }

  /**
   * Loads every manifest under {@code root} (hidden directories skipped); errors name files
   * relative to {@code base}.
   */
  public LoadResult loadTree(Path root, Path base) throws IOException {
    List<FileResult> results = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
        Path rel = root.relativize(p);
        if (!isSourceFile(rel.toString().replace(java.io.File.separatorChar, '/'))) {
          continue;
        }
        results.add(
            parseFile(base.relativize(p.toAbsolutePath()).toString(), Files.readAllBytes(p)));
      }
    }
    return combine(results);
  }

  /**
   * Whether a file, by its path relative to the source root ({@code /}-separated), is read as
   * manifests: {@code *.yaml} or {@code *.yml}, and not under a hidden directory or hidden itself,
   * nor a SOPS-encrypted file ({@code *.sops.yaml}, {@code *.sops.yml}), which manifests' {@code
   * spec.secrets} read.
   */
  public static boolean isSourceFile(String relativePath) {
    if (relativePath.endsWith(".sops.yaml") || relativePath.endsWith(".sops.yml")) {
      return false;
    }
    for (String part : relativePath.split("/")) {
      if (part.startsWith(".")) {
        return false;
      }
    }
    return isManifest(relativePath);
  }
}
