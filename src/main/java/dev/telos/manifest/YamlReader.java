package dev.telos.manifest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads the YAML documents of one file into {@link YamlNode}s that remember where they were
 * written, within {@link YamlLimits}. Aliases are shared, not copied, and their expanded size is
 * counted against the node limit, so a "billion laughs" file fails at the first level that goes
 * over, in microseconds and without allocating the expansion.
 */
public final class YamlReader {
  /** What reading one file produced: its documents, or the first error that stopped it. */
  public record Result(List<YamlNode> documents, ManifestError error) {}

  private final YamlLimits limits;
  private final YAMLFactory factory;

  public YamlReader(YamlLimits limits) {
    this.limits = limits;
    LoaderOptions loader = new LoaderOptions();
    loader.setAllowDuplicateKeys(false);
    loader.setNestingDepthLimit(limits.maxDepth() + 2);
    loader.setCodePointLimit((int) Math.min(Integer.MAX_VALUE, limits.maxFileBytes() + 1));
    loader.setMaxAliasesForCollections(1000);
    this.factory =
        YAMLFactory.builder()
            .loaderOptions(loader)
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(limits.maxDepth() + 2)
                    .maxStringLength((int) Math.min(Integer.MAX_VALUE, limits.maxFileBytes()))
                    .build())
            .build();
  }

  public Result read(String file, byte[] content) {
    if (content.length > limits.maxFileBytes()) {
      return new Result(
          List.of(),
          new ManifestError(
              new Location(file, 1, 1),
              "file is "
                  + content.length
                  + " bytes; manifests are limited to "
                  + limits.maxFileBytes()
                  + " bytes"));
    }
    List<YamlNode> documents = new ArrayList<>();
    try (YAMLParser parser = (YAMLParser) factory.createParser(content)) {
      Map<String, YamlNode> anchors = new HashMap<>();
      while (true) {
        JsonToken token = parser.nextToken();
        if (token == null) {
          token = parser.nextToken();
          if (token == null) {
            break;
          }
        }
        if (documents.size() >= limits.maxDocuments()) {
          return new Result(
              documents,
              error(
                  file,
                  parser.currentTokenLocation(),
                  "more than " + limits.maxDocuments() + " YAML documents in one file"));
        }
        anchors.clear();
        documents.add(node(file, parser, token, anchors, 1));
      }
      return new Result(documents, null);
    } catch (LimitException e) {
      return new Result(documents, e.error);
    } catch (JsonProcessingException e) {
      JsonLocation where = e.getLocation();
      return new Result(documents, error(file, where, "YAML syntax error: " + clean(e)));
    } catch (IOException | RuntimeException e) {
      return new Result(
          documents,
          new ManifestError(new Location(file, 1, 1), "cannot read YAML: " + e.getMessage()));
    }
  }

  private YamlNode node(
      String file, YAMLParser p, JsonToken token, Map<String, YamlNode> anchors, int depth)
      throws IOException {
    Location at = location(file, p.currentTokenLocation());
    if (p.isCurrentAlias()) {
      String name = p.getText();
      YamlNode target = anchors.get(name);
      if (target == null) {
        throw new LimitException(new ManifestError(at, "unknown YAML alias *" + name));
      }
      return target;
    }
    String anchor = p.getCurrentAnchor();
    if (depth > limits.maxDepth()) {
      throw new LimitException(
          new ManifestError(at, "YAML nesting deeper than " + limits.maxDepth() + " levels"));
    }
    YamlNode result;
    switch (token) {
      case START_OBJECT -> {
        Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
        long size = 1;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          Location keyAt = location(file, p.currentTokenLocation());
          if (entries.containsKey(key)) {
            throw new LimitException(new ManifestError(keyAt, "duplicate key '" + key + "'"));
          }
          YamlNode value = node(file, p, p.nextToken(), anchors, depth + 1);
          size = add(size, value.size(), keyAt);
          entries.put(key, new YamlNode.Entry(keyAt, value));
        }
        result = new YamlNode.MapNode(at, entries, size);
      }
      case START_ARRAY -> {
        List<YamlNode> items = new ArrayList<>();
        long size = 1;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
          YamlNode item = node(file, p, t, anchors, depth + 1);
          size = add(size, item.size(), item.location());
          items.add(item);
        }
        result = new YamlNode.ListNode(at, items, size);
      }
      case VALUE_STRING ->
          result = new YamlNode.Scalar(at, p.getText(), YamlNode.Scalar.Kind.STRING);
      case VALUE_NUMBER_INT ->
          result = new YamlNode.Scalar(at, p.getText(), YamlNode.Scalar.Kind.INTEGER);
      case VALUE_NUMBER_FLOAT ->
          result = new YamlNode.Scalar(at, p.getText(), YamlNode.Scalar.Kind.FLOAT);
      case VALUE_TRUE, VALUE_FALSE ->
          result = new YamlNode.Scalar(at, p.getText(), YamlNode.Scalar.Kind.BOOLEAN);
      case VALUE_NULL -> result = new YamlNode.Scalar(at, p.getText(), YamlNode.Scalar.Kind.NULL);
      case VALUE_EMBEDDED_OBJECT ->
          result = new YamlNode.Scalar(at, p.getText(), YamlNode.Scalar.Kind.STRING);
      default -> throw new LimitException(new ManifestError(at, "unexpected YAML token " + token));
    }
    if (anchor != null) {
      anchors.put(anchor, result);
    }
    return result;
  }

  private long add(long size, long more, Location at) {
    long total = size + more;
    if (total > limits.maxNodes()) {
      throw new LimitException(
          new ManifestError(
              at,
              "YAML expands to more than "
                  + limits.maxNodes()
                  + " nodes (through aliases or sheer size); refusing to read it"));
    }
    return total;
  }

  private static ManifestError error(String file, JsonLocation where, String message) {
    return new ManifestError(location(file, where), message);
  }

  private static Location location(String file, JsonLocation where) {
    if (where == null) {
      return new Location(file, 1, 1);
    }
    return new Location(file, Math.max(1, where.getLineNr()), Math.max(1, where.getColumnNr()));
  }

  private static String clean(JsonProcessingException e) {
    String m = e.getOriginalMessage();
    if (m == null) {
      return "malformed YAML";
    }
    // SnakeYAML messages interleave sentences with indented position and source lines; keep
    // the sentences.
    List<String> sentences = new ArrayList<>();
    for (String line : m.split("\\R")) {
      if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
        sentences.add(line.strip());
      }
    }
    return sentences.isEmpty() ? m.strip() : String.join(": ", sentences);
  }

  /** Stops reading at a limit or a structural problem, carrying the error out. */
  private static final class LimitException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient ManifestError error;

    LimitException(ManifestError error) {
      super(error.message(), null, false, false);
      this.error = error;
    }
  }
}
