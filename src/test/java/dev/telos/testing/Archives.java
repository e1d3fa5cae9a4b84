package dev.telos.testing;

import java.io.IOException;
import java.nio.file.Path;

/** Archives made with the system's {@code tar}, as a fetcher would download them. */
public final class Archives {
  private Archives() {}

  /**
   * Packs {@code entry} (a directory under {@code parent}) into the gzipped tarball {@code out}.
   */
  public static Path tarGz(Path parent, String entry, Path out)
      throws IOException, InterruptedException {
    Process tar =
        new ProcessBuilder("tar", "-C", parent.toString(), "-czf", out.toString(), entry)
            .inheritIO()
            .start();
    if (tar.waitFor() != 0) {
      throw new IOException("tar exited with " + tar.exitValue());
    }
    return out;
  }
}
