package dev.telos.git;

import dev.telos.render.RepoFiles;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;

/** The files of one commit, for charts and values files: each file and a directory at most 16. */
class CommitTree implements RepoFiles {
  private final Repository repo;
  private final RevCommit commit;
  private final long maxFileBytes;

  CommitTree(Repository repo, RevCommit commit, long maxFileBytes) {
    this.repo = repo;
    this.commit = commit;
    this.maxFileBytes = maxFileBytes;
  }

  @Override
  public String commit() {
    return commit.getName();
  }

  @Override
  public Map<String, byte[]> under(String dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    ObjectId tree = commit.getTree();
    if (!dir.isEmpty()) {
      try (TreeWalk probe = TreeWalk.forPath(repo, dir, commit.getTree())) {
        if (probe == null || !probe.isSubtree()) {
          return out;
        }
        tree = probe.getObjectId(0);
      }
    }
    try (TreeWalk walk = new TreeWalk(repo)) {
      walk.addTree(tree);
      walk.setRecursive(true);
      long total = 0;
      while (walk.next()) {
        byte[] content = blob(walk.getObjectId(0));
        total += content.length;
        if (total > 16L * maxFileBytes) {
          throw new IOException(
              "chart " + (dir.isEmpty() ? "/" : dir) + " is over " + 16 * maxFileBytes + " bytes");
        }
        out.put(walk.getPathString(), content);
      }
    }
    return out;
  }

  @Override
  public byte[] file(String path) throws IOException {
    try (TreeWalk walk = TreeWalk.forPath(repo, path, commit.getTree())) {
      return walk == null || walk.isSubtree() ? null : blob(walk.getObjectId(0));
    }
  }

  private byte[] blob(ObjectId id) throws IOException {
    try (ObjectReader reader = repo.newObjectReader()) {
      long size = reader.getObjectSize(id, Constants.OBJ_BLOB);
      if (size > maxFileBytes) {
        throw new IOException("a file is " + size + " bytes, over " + maxFileBytes);
      }
      return reader.open(id, Constants.OBJ_BLOB).getBytes();
    }
  }
}
