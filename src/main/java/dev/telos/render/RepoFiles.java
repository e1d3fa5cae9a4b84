package dev.telos.render;

import java.io.IOException;
import java.util.Map;

/** The files of the commit being read: where repository charts and values files come from. */
public interface RepoFiles {
  /**
   * Every file under {@code dir}, by path relative to it; empty when there is no such directory.
   */
  Map<String, byte[]> under(String dir) throws IOException;

  /** One file's content, or null when there is none. */
  byte[] file(String path) throws IOException;

  /** The commit these files are, or null when they are not a commit (a directory). */
  default String commit() {
    return null;
  }

  /** No repository: only shipped charts and inline values. */
  RepoFiles NONE =
      new RepoFiles() {
        @Override
        public Map<String, byte[]> under(String dir) {
          return Map.of();
        }

        @Override
        public byte[] file(String path) {
          return null;
        }
      };
}
