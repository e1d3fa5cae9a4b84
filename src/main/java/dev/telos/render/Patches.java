package dev.telos.render;

import dev.telos.manifest.Location;
import dev.telos.manifest.PlainYaml;
import dev.telos.manifest.YamlNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Patches on located YAML trees, as overlays apply them: JSON Merge Patch (RFC 7386) and JSON Patch
 * (RFC 6902). Trees are immutable; a patch returns a new tree where untouched nodes keep their
 * location in the base file and patched ones carry the patch's, so errors found after patching
 * point at whichever of the two wrote the value.
 */
final class Patches {
  private Patches() {}

  /** Why a JSON Patch operation cannot apply; {@code at} is the operation. */
  static final class PatchException extends Exception {
    private static final long serialVersionUID = 1L;
    final transient Location at;

    PatchException(Location at, String message) {
      super(message, null, false, false);
      this.at = at;
    }
  }

  /** RFC 7386: maps merge key by key, a null removes a key, anything else replaces. */
  static YamlNode merge(YamlNode target, YamlNode patch) {
    if (!(patch instanceof YamlNode.MapNode p)) {
      return patch;
    }
    Map<String, YamlNode.Entry> out =
        target instanceof YamlNode.MapNode t
            ? new LinkedHashMap<>(t.entries())
            : new LinkedHashMap<>();
    for (Map.Entry<String, YamlNode.Entry> e : p.entries().entrySet()) {
      YamlNode value = e.getValue().value();
      if (isNull(value)) {
        out.remove(e.getKey());
        continue;
      }
      YamlNode.Entry old = out.get(e.getKey());
      out.put(
          e.getKey(),
          new YamlNode.Entry(
              old == null ? e.getValue().keyLocation() : old.keyLocation(),
              merge(old == null ? null : old.value(), value)));
    }
    return map(target instanceof YamlNode.MapNode ? target.location() : patch.location(), out);
  }

  /**
   * RFC 6902: applies every operation of {@code ops} (a sequence of {@code {op, path, value,
   * from}}) in order; the first that cannot apply stops it.
   */
  static YamlNode json(YamlNode target, YamlNode ops) throws PatchException {
    if (!(ops instanceof YamlNode.ListNode list)) {
      throw new PatchException(
          ops.location(), "a JSON patch must be a sequence of operations, got " + ops.typeName());
    }
    YamlNode doc = target;
    for (YamlNode op : list.items()) {
      doc = apply(doc, op);
    }
    return doc;
  }

  private static YamlNode apply(YamlNode doc, YamlNode opNode) throws PatchException {
    if (!(opNode instanceof YamlNode.MapNode m)) {
      throw new PatchException(
          opNode.location(), "a JSON patch operation must be a mapping, got " + opNode.typeName());
    }
    Location at = opNode.location();
    for (String key : m.entries().keySet()) {
      if (!List.of("op", "path", "value", "from").contains(key)) {
        throw new PatchException(
            m.entries().get(key).keyLocation(), "unknown field '" + key + "' in a JSON patch");
      }
    }
    String op = text(m, "op", at);
    List<String> path = pointer(text(m, "path", at), at);
    switch (op) {
      case "add" -> {
        return add(doc, path, value(m, at), at);
      }
      case "remove" -> {
        get(doc, path, at);
        return remove(doc, path, at);
      }
      case "replace" -> {
        get(doc, path, at);
        return replaceAt(doc, path, value(m, at), at);
      }
      case "move" -> {
        List<String> from = pointer(text(m, "from", at), at);
        if (path.size() > from.size() && path.subList(0, from.size()).equals(from)) {
          throw new PatchException(at, "cannot move a value into itself");
        }
        YamlNode moved = get(doc, from, at);
        return add(remove(doc, from, at), path, moved, at);
      }
      case "copy" -> {
        return add(doc, path, get(doc, pointer(text(m, "from", at), at), at), at);
      }
      case "test" -> {
        YamlNode actual = get(doc, path, at);
        if (!Objects.equals(
            PlainYaml.plain(actual, "", new java.util.HashMap<>()),
            PlainYaml.plain(value(m, at), "", new java.util.HashMap<>()))) {
          throw new PatchException(at, "test failed: " + join(path) + " is not the given value");
        }
        return doc;
      }
      default ->
          throw new PatchException(
              m.entries().get("op").value().location(),
              "op must be add, remove, replace, move, copy or test, got '" + op + "'");
    }
  }

  private static String text(YamlNode.MapNode m, String key, Location at) throws PatchException {
    YamlNode.Entry e = m.entries().get(key);
    if (e == null) {
      throw new PatchException(at, "a JSON patch operation needs '" + key + "'");
    }
    if (!(e.value() instanceof YamlNode.Scalar s) || s.kind() != YamlNode.Scalar.Kind.STRING) {
      throw new PatchException(
          e.value().location(), key + " must be a string, got " + e.value().typeName());
    }
    return s.text();
  }

  private static YamlNode value(YamlNode.MapNode m, Location at) throws PatchException {
    YamlNode.Entry e = m.entries().get("value");
    if (e == null) {
      throw new PatchException(at, "a JSON patch operation needs 'value'");
    }
    return e.value();
  }

  /** RFC 6901 tokens of a pointer ({@code ""} is the whole document). */
  static List<String> pointer(String text, Location at) throws PatchException {
    if (text.isEmpty()) {
      return List.of();
    }
    if (!text.startsWith("/")) {
      throw new PatchException(at, "path '" + text + "' must be empty or start with '/'");
    }
    List<String> tokens = new ArrayList<>();
    for (String t : text.substring(1).split("/", -1)) {
      tokens.add(t.replace("~1", "/").replace("~0", "~"));
    }
    return tokens;
  }

  private static String join(List<String> path) {
    StringBuilder b = new StringBuilder();
    for (String t : path) {
      b.append('/').append(PlainYaml.escape(t));
    }
    return b.length() == 0 ? "(the document)" : b.toString();
  }

  private static YamlNode get(YamlNode doc, List<String> path, Location at) throws PatchException {
    YamlNode node = doc;
    for (int i = 0; i < path.size(); i++) {
      node = child(node, path.get(i));
      if (node == null) {
        throw new PatchException(at, join(path.subList(0, i + 1)) + " does not exist");
      }
    }
    return node;
  }

  /** The child named by {@code token}, or null when there is none. */
  private static YamlNode child(YamlNode node, String token) {
    if (node instanceof YamlNode.MapNode m) {
      YamlNode.Entry e = m.entries().get(token);
      return e == null ? null : e.value();
    }
    if (node instanceof YamlNode.ListNode l) {
      int i = index(token, l.items().size());
      return i < 0 ? null : l.items().get(i);
    }
    return null;
  }

  private static int index(String token, int bound) {
    if (!token.matches("0|[1-9][0-9]{0,8}")) {
      return -1;
    }
    int i = Integer.parseInt(token);
    return i < bound ? i : -1;
  }

  private static YamlNode add(YamlNode doc, List<String> path, YamlNode value, Location at)
      throws PatchException {
    if (path.isEmpty()) {
      return value;
    }
    String last = path.get(path.size() - 1);
    List<String> parentPath = path.subList(0, path.size() - 1);
    YamlNode parent = get(doc, parentPath, at);
    YamlNode changed;
    if (parent instanceof YamlNode.MapNode m) {
      Map<String, YamlNode.Entry> entries = new LinkedHashMap<>(m.entries());
      YamlNode.Entry old = entries.get(last);
      entries.put(last, new YamlNode.Entry(old == null ? at : old.keyLocation(), value));
      changed = map(m.location(), entries);
    } else if (parent instanceof YamlNode.ListNode l) {
      List<YamlNode> items = new ArrayList<>(l.items());
      int i = last.equals("-") ? items.size() : index(last, items.size() + 1);
      if (i < 0) {
        throw new PatchException(
            at, join(path) + ": index out of range (the sequence has " + items.size() + ")");
      }
      items.add(i, value);
      changed = list(l.location(), items);
    } else {
      throw new PatchException(
          at,
          join(parentPath) + " must be a mapping or sequence to add to, got " + parent.typeName());
    }
    return replaceAt(doc, parentPath, changed, at);
  }

  private static YamlNode remove(YamlNode doc, List<String> path, Location at)
      throws PatchException {
    if (path.isEmpty()) {
      throw new PatchException(at, "cannot remove the whole document");
    }
    String last = path.get(path.size() - 1);
    List<String> parentPath = path.subList(0, path.size() - 1);
    YamlNode parent = get(doc, parentPath, at);
    YamlNode changed;
    if (parent instanceof YamlNode.MapNode m) {
      Map<String, YamlNode.Entry> entries = new LinkedHashMap<>(m.entries());
      entries.remove(last);
      changed = map(m.location(), entries);
    } else {
      YamlNode.ListNode l = (YamlNode.ListNode) parent;
      List<YamlNode> items = new ArrayList<>(l.items());
      items.remove(index(last, items.size()));
      changed = list(l.location(), items);
    }
    return replaceAt(doc, parentPath, changed, at);
  }

  /** {@code doc} with the node at {@code path} (which exists) replaced by {@code node}. */
  private static YamlNode replaceAt(YamlNode doc, List<String> path, YamlNode node, Location at)
      throws PatchException {
    if (path.isEmpty()) {
      return node;
    }
    String token = path.get(0);
    YamlNode inner = replaceAt(child(doc, token), path.subList(1, path.size()), node, at);
    if (doc instanceof YamlNode.MapNode m) {
      Map<String, YamlNode.Entry> entries = new LinkedHashMap<>(m.entries());
      entries.put(token, new YamlNode.Entry(entries.get(token).keyLocation(), inner));
      return map(m.location(), entries);
    }
    YamlNode.ListNode l = (YamlNode.ListNode) doc;
    List<YamlNode> items = new ArrayList<>(l.items());
    items.set(index(token, items.size()), inner);
    return list(l.location(), items);
  }

  static boolean isNull(YamlNode node) {
    return node instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.NULL;
  }

  static YamlNode.MapNode map(Location at, Map<String, YamlNode.Entry> entries) {
    long size = 1;
    for (YamlNode.Entry e : entries.values()) {
      size += e.value().size();
    }
    return new YamlNode.MapNode(at, entries, size);
  }

  static YamlNode.ListNode list(Location at, List<YamlNode> items) {
    long size = 1;
    for (YamlNode i : items) {
      size += i.size();
    }
    return new YamlNode.ListNode(at, items, size);
  }
}
