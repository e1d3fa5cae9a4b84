package dev.telos.testing;

/** YAML written to hurt a parser, for tests of the loader's limits. */
public final class HostileYaml {
  private HostileYaml() {}

  /**
   * The "billion laughs": ten levels of anchors, each a list of nine aliases of the level below, so
   * level {@code j} expands to 9^10 strings from a file of under a kilobyte.
   */
  public static String billionLaughs() {
    StringBuilder y = new StringBuilder("a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n");
    char prev = 'a';
    for (char c = 'b'; c <= 'j'; c++) {
      y.append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 9; i++) {
        y.append(i == 0 ? "" : ",").append('*').append(prev);
      }
      y.append("]\n");
      prev = c;
    }
    return y.toString();
  }
}
