package dev.telos.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * A real git repository in a temporary directory, made with JGit: write files, commit, branch, tag,
 * revert, rewrite history. The "remote" a source under test reads.
 */
public final class TempGitRepo implements AutoCloseable {
  private final Path dir;
  private final Git git;
  private int clock;

  private TempGitRepo(Path dir, Git git) {
    this.dir = dir;
    this.git = git;
  }

  /** A new repository with branch {@code main}. */
  public static TempGitRepo init(Path dir) throws GitAPIException, IOException {
    Files.createDirectories(dir);
    Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
    return new TempGitRepo(dir, git);
  }

  public Path dir() {
    return dir;
  }

  /** The URL a source uses: the directory's path. */
  public String url() {
    return dir.toString();
  }

  public Git git() {
    return git;
  }

  /** Writes (or overwrites) a file relative to the repository root. */
  public TempGitRepo write(String path, String content) throws IOException {
    Path file = dir.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return this;
  }

  /** Deletes a file. */
  public TempGitRepo delete(String path) throws IOException {
    Files.delete(dir.resolve(path));
    return this;
  }

  /** Stages everything (additions, changes, deletions) and commits; returns the SHA. */
  public String commit(String message) throws GitAPIException {
    git.add().addFilepattern(".").call();
    git.add().addFilepattern(".").setUpdate(true).call();
    PersonIdent who =
        new PersonIdent(
            "Ada Lovelace",
            "ada@example.com",
            Instant.parse("2026-01-01T00:00:00Z").plusSeconds(60L * clock++),
            ZoneOffset.UTC);
    RevCommit c =
        git.commit()
            .setMessage(message)
            .setAuthor(who)
            .setCommitter(who)
            .setAllowEmpty(true)
            .setSign(false)
            .call();
    return c.getName();
  }

  /**
   * Commits the staged tree with an OpenPGP signature made by {@code signer} over the commit's
   * content (as git signs it); returns the SHA.
   */
  public String commitSigned(String message, java.util.function.Function<byte[], byte[]> signer)
      throws GitAPIException, IOException {
    git.add().addFilepattern(".").call();
    git.add().addFilepattern(".").setUpdate(true).call();
    org.eclipse.jgit.lib.Repository repo = git.getRepository();
    PersonIdent who =
        new PersonIdent(
            "Ada Lovelace",
            "ada@example.com",
            Instant.parse("2026-01-01T00:00:00Z").plusSeconds(60L * clock++),
            ZoneOffset.UTC);
    try (org.eclipse.jgit.lib.ObjectInserter inserter = repo.newObjectInserter()) {
      org.eclipse.jgit.dircache.DirCache index = repo.lockDirCache();
      org.eclipse.jgit.lib.ObjectId tree;
      try {
        tree = index.writeTree(inserter);
      } finally {
        index.unlock();
      }
      org.eclipse.jgit.lib.CommitBuilder commit = new org.eclipse.jgit.lib.CommitBuilder();
      commit.setTreeId(tree);
      org.eclipse.jgit.lib.ObjectId head = repo.resolve("HEAD");
      if (head != null) {
        commit.setParentId(head);
      }
      commit.setAuthor(who);
      commit.setCommitter(who);
      commit.setMessage(message);
      byte[] payload = commit.build();
      commit.setGpgSignature(new org.eclipse.jgit.lib.GpgSignature(signer.apply(payload)));
      org.eclipse.jgit.lib.ObjectId id = inserter.insert(commit);
      inserter.flush();
      org.eclipse.jgit.lib.RefUpdate update = repo.updateRef("HEAD");
      update.setNewObjectId(id);
      update.setForceUpdate(true);
      update.update();
      return id.getName();
    }
  }

  /** Creates and checks out a branch at HEAD. */
  public TempGitRepo branch(String name) throws GitAPIException {
    git.checkout().setCreateBranch(true).setName(name).call();
    return this;
  }

  public TempGitRepo checkout(String name) throws GitAPIException {
    git.checkout().setName(name).call();
    return this;
  }

  /** Creates an annotated tag at HEAD. */
  public TempGitRepo tag(String name) throws GitAPIException {
    git.tag()
        .setName(name)
        .setAnnotated(true)
        .setMessage("release " + name)
        .setSigned(false)
        .call();
    return this;
  }

  /** Reverts a commit, as {@code git revert} would; returns the new SHA. */
  public String revert(String sha) throws GitAPIException, IOException {
    RevCommit reverted = git.revert().include(git.getRepository().resolve(sha)).call();
    return reverted.getName();
  }

  /** Moves the current branch back to {@code sha}, dropping later commits (a force-push). */
  public TempGitRepo resetHard(String sha) throws GitAPIException {
    git.reset().setMode(ResetCommand.ResetType.HARD).setRef(sha).call();
    return this;
  }

  @Override
  public void close() {
    git.close();
  }
}
