package dev.telos.render;

import dev.telos.manifest.Document;
import dev.telos.manifest.Location;
import dev.telos.manifest.ManifestError;
import dev.telos.manifest.ManifestLoader;
import dev.telos.manifest.Metadata;
import dev.telos.manifest.Overlay;
import dev.telos.manifest.YamlLimits;
import dev.telos.manifest.YamlNode;
import dev.telos.manifest.YamlReader;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds a source's manifests from a tree of files, overlays included (as {@code kustomize build}
 * does). Without an overlay, every manifest file under the root is read as it is. A directory with
 * an overlay ({@code kind: Overlay}, or a {@code telos.yaml}) owns the manifests below it: they,
 * and everything its {@code bases} build (recursively, overlays of overlays included), are patched,
 * moved to its namespace and labelled. A directory used as a base is read only through the overlays
 * that name it, never on its own. Overlay documents bind after the overlay changed them, so an
 * error names the patch when the patch wrote the value, and the base file otherwise.
 */
public final class Assembler {
  /** The files of a commit or a directory, by {@code /}-separated path from the tree's root. */
  public interface Tree {
    /**
     * Every source file under {@code dir} ({@code ""}: the whole tree), parsed, sorted by path;
     * hidden files and directories below {@code dir} skipped.
     */
    List<TreeFile> files(String dir) throws IOException;

    /** One file's content, or null when there is none. */
    byte[] read(String path) throws IOException;
  }

  /** A file of a tree: its path from the tree's root and what parsing it gave. */
  public record TreeFile(String path, ManifestLoader.FileResult parsed) {}

  private final YamlReader reader;

  public Assembler(YamlLimits limits) {
    this.reader = new YamlReader(limits);
  }

  /**
   * The source rooted at {@code root}: valid only when the result has no errors; its releases are
   * not rendered yet.
   */
  public ManifestLoader.LoadResult assemble(Tree tree, String root) throws IOException {
    List<ManifestError> errors = new ArrayList<>();
    String dir = normalize("", root);
    if (dir == null) {
      throw new IOException("path '" + root + "' is outside the repository");
    }
    Part part = part(tree, dir, new ArrayDeque<>(), errors);
    ManifestLoader.FileResult changed = ManifestLoader.bind("(overlays)", part.changed);
    // Values files releases name are out already: part() reads them as the releases' inputs.
    List<ManifestLoader.FileResult> all = new ArrayList<>();
    for (TreeFile f : part.plain) {
      all.add(f.parsed());
    }
    if (!part.changed.isEmpty() || !errors.isEmpty()) {
      List<ManifestError> more = new ArrayList<>(changed.errors());
      more.addAll(errors);
      all.add(
          new ManifestLoader.FileResult(
              changed.path(),
              changed.apps(),
              more,
              changed.releases(),
              changed.documents(),
              List.of(),
              List.of()));
    }
    return ManifestLoader.combine(all);
  }

  /** What a directory builds: files read as they are, and documents an overlay changed. */
  private record Part(List<TreeFile> plain, List<Document> changed) {}

  private Part part(Tree tree, String root, Deque<String> stack, List<ManifestError> errors)
      throws IOException {
    List<TreeFile> files = inputs(charts(tree.files(root)));
    Map<String, Overlay> overlays = new TreeMap<>();
    for (TreeFile f : files) {
      for (Overlay o : f.parsed().overlays()) {
        Overlay first = overlays.putIfAbsent(parent(f.path()), o);
        if (first != null) {
          errors.add(
              new ManifestError(
                  o.source(),
                  "a directory has one overlay; this one's is already at " + first.source()));
        }
      }
    }
    List<TreeFile> plain = new ArrayList<>();
    if (overlays.isEmpty()) {
      return new Part(files, List.of());
    }
    Map<String, List<String>> bases = new LinkedHashMap<>();
    List<String> baseDirs = new ArrayList<>();
    overlays.forEach(
        (dir, o) -> {
          List<String> resolved = new ArrayList<>();
          for (Overlay.Base b : o.bases()) {
            String base = normalize(dir, b.dir());
            if (base == null) {
              errors.add(
                  new ManifestError(b.at(), "base '" + b.dir() + "' is outside the repository"));
            } else if (under(dir, base)) {
              errors.add(
                  new ManifestError(
                      b.at(), "base '" + b.dir() + "' contains the overlay's own directory"));
            } else {
              resolved.add(base);
              baseDirs.add(base);
            }
          }
          bases.put(dir, resolved);
        });
    List<String> active = new ArrayList<>();
    for (String dir : overlays.keySet()) {
      if (baseDirs.stream().noneMatch(b -> under(dir, b))) {
        active.add(dir);
      }
    }
    java.util.Set<String> patchFiles = new java.util.HashSet<>();
    for (String dir : active) {
      for (Overlay.Patch p : overlays.get(dir).patches()) {
        if (p.file() != null) {
          patchFiles.add(normalize(dir, p.file()));
        }
      }
    }
    Map<String, List<TreeFile>> owned = new LinkedHashMap<>();
    for (TreeFile f : files) {
      String dir = parent(f.path());
      if (baseDirs.stream().anyMatch(b -> under(dir, b)) || patchFiles.contains(f.path())) {
        continue; // read through the overlays that name it
      }
      String owner = null;
      for (String o : active) {
        if (under(dir, o) && (owner == null || o.length() > owner.length())) {
          owner = o;
        }
      }
      if (owner == null) {
        plain.add(f);
      } else {
        owned.computeIfAbsent(owner, k -> new ArrayList<>()).add(f);
      }
    }
    List<Document> changed = new ArrayList<>();
    for (String dir : active) {
      Overlay overlay = overlays.get(dir);
      List<Document> docs = new ArrayList<>();
      stack.push(dir);
      for (int i = 0; i < bases.get(dir).size(); i++) {
        String base = bases.get(dir).get(i);
        Location at = overlay.bases().get(i).at();
        if (stack.stream().anyMatch(s -> under(s, base))) {
          errors.add(
              new ManifestError(
                  at, "overlay cycle: " + String.join(" -> ", reversed(stack)) + " -> " + base));
          continue;
        }
        int before = errors.size();
        Part p = part(tree, base, stack, errors);
        for (TreeFile f : p.plain) {
          errors.addAll(f.parsed().structural());
          docs.addAll(f.parsed().documents());
        }
        docs.addAll(p.changed);
        if (p.plain.isEmpty() && p.changed.isEmpty() && errors.size() == before) {
          errors.add(new ManifestError(at, "base '" + base + "' has no manifests"));
        }
      }
      stack.pop();
      List<TreeFile> mine = owned.getOrDefault(dir, List.of());
      Map<String, String> pathOf = new java.util.HashMap<>(); // as documents name their file
      for (TreeFile f : mine) {
        pathOf.put(f.parsed().path(), f.path());
        docs.addAll(f.parsed().documents());
      }
      List<Document> out = new ArrayList<>(transform(tree, dir, overlay, docs, errors));
      // A values file in the overlay's directory that a release names once patched (by its
      // base, or by a patch of this overlay) is that release's input, not a manifest.
      java.util.Set<String> inputs = new java.util.HashSet<>();
      ManifestLoader.bind("", out).releases().forEach(r -> inputs.addAll(r.valuesFiles()));
      for (TreeFile f : mine) {
        if (!inputs.contains(f.path())) {
          errors.addAll(f.parsed().structural());
        }
      }
      out.removeIf(d -> inputs.contains(pathOf.get(d.source().file())));
      changed.addAll(out);
    }
    return new Part(plain, changed);
  }

  /**
   * The files that are not part of a chart: a directory holding a {@code Chart.yaml} is a chart
   * (its templates and values are read by releases, not as manifests).
   */
  private static List<TreeFile> charts(List<TreeFile> files) {
    List<String> charts = new ArrayList<>();
    for (TreeFile f : files) {
      if (f.path().equals("Chart.yaml") || f.path().endsWith("/Chart.yaml")) {
        charts.add(parent(f.path()));
      }
    }
    if (charts.isEmpty()) {
      return files;
    }
    List<TreeFile> out = new ArrayList<>();
    for (TreeFile f : files) {
      String dir = parent(f.path());
      if (charts.stream().noneMatch(c -> under(dir, c))) {
        out.add(f);
      }
    }
    return out;
  }

  /** The files no release names as a values file (those are its input, not manifests). */
  private static List<TreeFile> inputs(List<TreeFile> files) {
    java.util.Set<String> values = new java.util.HashSet<>();
    files.forEach(f -> f.parsed().releases().forEach(r -> values.addAll(r.valuesFiles())));
    if (values.isEmpty()) {
      return files;
    }
    List<TreeFile> out = new ArrayList<>();
    for (TreeFile f : files) {
      if (!values.contains(f.path())) {
        out.add(f);
      }
    }
    return out;
  }

  private static List<String> reversed(Deque<String> stack) {
    List<String> out = new ArrayList<>();
    stack.descendingIterator().forEachRemaining(s -> out.add(s.isEmpty() ? "." : s));
    return out;
  }

  /** The overlay's patches, then its namespace and labels, on every document. */
  private List<Document> transform(
      Tree tree, String dir, Overlay overlay, List<Document> docs, List<ManifestError> errors)
      throws IOException {
    List<YamlNode> nodes = new ArrayList<>();
    docs.forEach(d -> nodes.add(d.node()));
    for (Overlay.Patch patch : overlay.patches()) {
      YamlNode merge = patch.merge();
      YamlNode json = patch.json();
      if (patch.file() != null) {
        YamlNode body = patchFile(tree, dir, patch, errors);
        if (body == null) {
          continue;
        }
        if (body instanceof YamlNode.ListNode) {
          json = body;
        } else {
          merge = body;
        }
      }
      int matched = 0;
      for (int i = 0; i < nodes.size(); i++) {
        YamlNode node = nodes.get(i);
        if (!matches(node, patch)) {
          continue;
        }
        matched++;
        if (merge != null) {
          nodes.set(i, Patches.merge(node, merge));
          continue;
        }
        try {
          nodes.set(i, Patches.json(node, json));
        } catch (Patches.PatchException e) {
          errors.add(
              new ManifestError(
                  e.at, patch.describe() + " (from " + node.location() + "): " + e.getMessage()));
        }
      }
      if (matched == 0) {
        errors.add(
            new ManifestError(
                patch.at(),
                patch.describe()
                    + " matches no document of the overlay or its bases"
                    + names(nodes)));
      }
    }
    List<Document> out = new ArrayList<>();
    for (YamlNode node : nodes) {
      Map<String, YamlNode.Entry> metadata = new LinkedHashMap<>();
      if (overlay.namespace() != null) {
        metadata.put(
            "namespace", new YamlNode.Entry(overlay.namespace().location(), overlay.namespace()));
      }
      if (!overlay.commonLabels().isEmpty()) {
        metadata.put(
            "labels",
            new YamlNode.Entry(
                overlay.source(), Patches.map(overlay.source(), overlay.commonLabels())));
      }
      if (!metadata.isEmpty() && node instanceof YamlNode.MapNode) {
        node =
            Patches.merge(
                node,
                Patches.map(
                    overlay.source(),
                    Map.of(
                        "metadata",
                        new YamlNode.Entry(
                            overlay.source(), Patches.map(overlay.source(), metadata)))));
      }
      out.add(new Document(node));
    }
    return out;
  }

  private YamlNode patchFile(Tree tree, String dir, Overlay.Patch patch, List<ManifestError> errors)
      throws IOException {
    String path = normalize(dir, patch.file());
    byte[] content = path == null ? null : tree.read(path);
    if (content == null) {
      errors.add(
          new ManifestError(
              patch.at(), patch.describe() + ": file '" + patch.file() + "' does not exist"));
      return null;
    }
    YamlReader.Result r = reader.read(path, content);
    if (r.error() != null) {
      errors.add(r.error());
      return null;
    }
    if (r.documents().size() != 1
        || !(r.documents().get(0) instanceof YamlNode.MapNode
            || r.documents().get(0) instanceof YamlNode.ListNode)) {
      errors.add(
          new ManifestError(
              new Location(path, 1, 1),
              "a patch file holds one mapping (a merge patch) or one sequence (a JSON patch)"));
      return null;
    }
    return r.documents().get(0);
  }

  private static boolean matches(YamlNode node, Overlay.Patch patch) {
    if (!(node instanceof YamlNode.MapNode m)) {
      return false;
    }
    YamlNode metadata = value(m, "metadata");
    if (!(metadata instanceof YamlNode.MapNode meta)) {
      return false;
    }
    String namespace = text(value(meta, "namespace"));
    return patch.name().equals(text(value(meta, "name")))
        && (patch.kind() == null || patch.kind().equals(text(value(m, "kind"))))
        && (patch.namespace() == null
            || patch
                .namespace()
                .equals(namespace == null ? Metadata.DEFAULT_NAMESPACE : namespace));
  }

  private static String names(List<YamlNode> nodes) {
    List<String> names = new ArrayList<>();
    for (YamlNode n : nodes) {
      if (n instanceof YamlNode.MapNode m
          && value(m, "metadata") instanceof YamlNode.MapNode meta) {
        String name = text(value(meta, "name"));
        if (name != null) {
          names.add(name);
        }
      }
    }
    return names.isEmpty() ? " (it has none)" : " (it has " + String.join(", ", names) + ")";
  }

  private static YamlNode value(YamlNode.MapNode m, String key) {
    YamlNode.Entry e = m.entries().get(key);
    return e == null ? null : e.value();
  }

  private static String text(YamlNode node) {
    return node instanceof YamlNode.Scalar s && s.kind() != YamlNode.Scalar.Kind.NULL
        ? s.text()
        : null;
  }

  /** The directory of a path ({@code ""} at the root). */
  static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }

  /** Whether {@code dir} is {@code ancestor} or below it. */
  static boolean under(String dir, String ancestor) {
    return ancestor.isEmpty() || dir.equals(ancestor) || dir.startsWith(ancestor + "/");
  }

  /** {@code relative} resolved against {@code dir}, or null when it leaves the tree. */
  static String normalize(String dir, String relative) {
    Deque<String> parts = new ArrayDeque<>();
    for (String p : (dir + "/" + relative).split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        if (parts.isEmpty()) {
          return null;
        }
        parts.removeLast();
      } else {
        parts.addLast(p);
      }
    }
    return String.join("/", parts);
  }
}
