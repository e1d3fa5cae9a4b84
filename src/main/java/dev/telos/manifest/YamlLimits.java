package dev.telos.manifest;

/**
 * Bounds on what one manifest file may cost to read, so hostile input fails fast in bounded memory.
 *
 * @param maxFileBytes largest file read at all
 * @param maxDocuments most {@code ---} documents per file
 * @param maxDepth deepest nesting of mappings and sequences
 * @param maxNodes most nodes per document, counting every alias as expanded ("billion laughs")
 */
public record YamlLimits(long maxFileBytes, int maxDocuments, int maxDepth, long maxNodes) {
  /** 1 MiB, 100 documents, depth 32, 100,000 nodes. */
  public static final YamlLimits DEFAULT = new YamlLimits(1 << 20, 100, 32, 100_000);

  public YamlLimits {
    if (maxFileBytes < 1 || maxDocuments < 1 || maxDepth < 1 || maxNodes < 1) {
      throw new IllegalArgumentException("YAML limits must all be >= 1");
    }
  }
}
