package dev.telos.cli;

import dev.telos.git.GitSource;
import dev.telos.git.PollResult;
import dev.telos.manifest.ManifestLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code telos bench git}: a repository of many manifests; prints the time of the first full
 * snapshot (fetch and parse everything) and of the snapshot after a one-file commit.
 */
@Command(
    name = "git",
    mixinStandardHelpOptions = true,
    description = "Benchmark the git source: full snapshot, then snapshot after a one-file commit.")
final class BenchGitCommand implements Callable<Integer> {
  @Option(
      names = "--manifests",
      defaultValue = "10000",
      description = "Manifest files in the repository (default: ${DEFAULT-VALUE}).")
  int manifests;

  @Override
  public Integer call() throws Exception {
    Path work = Files.createTempDirectory("telos-bench-git-");
    try {
      return run(work);
    } finally {
      BenchCommand.deleteTree(work);
    }
  }

  private int run(Path work) throws IOException {
    Path remoteDir = work.resolve("remote.git");
    try (Repository remote =
        new FileRepositoryBuilder().setGitDir(remoteDir.toFile()).setBare().build()) {
      remote.create(true);
      long t0 = System.nanoTime();
      DirCache index = DirCache.newInCore();
      ObjectId first = commit(remote, index, null, -1, "10,000 apps");
      System.out.printf(
          "repository:             %d manifests built in %.2f s%n",
          manifests, (System.nanoTime() - t0) / 1e9);

      try (GitSource source =
          new GitSource(
              new GitSource.Config(
                  remoteDir.toString(),
                  "main",
                  "apps",
                  null,
                  work.resolve("data"),
                  false,
                  Duration.ofMinutes(5)),
              new ManifestLoader())) {
        long start = System.nanoTime();
        PollResult full = source.poll();
        double fullSeconds = (System.nanoTime() - start) / 1e9;
        int apps = full instanceof PollResult.Updated u ? u.snapshot().apps().size() : -1;
        System.out.printf(
            "first full snapshot:    %.3f s (%d apps, %d files parsed)%n",
            fullSeconds, apps, source.parsedFiles());

        commit(remote, index, first, manifests / 2, "scale one app");
        long parsedBefore = source.parsedFiles();
        start = System.nanoTime();
        PollResult incremental = source.poll();
        double incSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            "one-file commit:        %.3f s (%d file parsed, %s)%n",
            incSeconds,
            source.parsedFiles() - parsedBefore,
            incremental.getClass().getSimpleName());

        start = System.nanoTime();
        PollResult unchanged = source.poll();
        System.out.printf(
            "unchanged poll:         %.3f s (%s)%n",
            (System.nanoTime() - start) / 1e9, unchanged.getClass().getSimpleName());
        return apps == manifests && incremental instanceof PollResult.Updated ? 0 : 1;
      }
    }
  }

  /** Writes a commit of all manifests, one of them ({@code changed}) with 3 instances. */
  private ObjectId commit(
      Repository repo, DirCache index, ObjectId parent, int changed, String message)
      throws IOException {
    try (ObjectInserter inserter = repo.newObjectInserter()) {
      DirCacheBuilder builder = index.builder();
      for (int i = 0; i < manifests; i++) {
        String name = String.format("app-%05d", i);
        String yaml =
            "apiVersion: telos.dev/v1\nkind: Service\nmetadata:\n  name: "
                + name
                + "\n  namespace: team-"
                + (i % 100)
                + "\nspec:\n  instances: "
                + (i == changed ? 3 : 1)
                + "\n  command: exec sleep 3600\n  resources: {cpus: 0.1, mem: 32}\n"
                + "  ports: [{name: http}]\n  healthCheck: {type: TCP, port: http}\n";
        DirCacheEntry entry = new DirCacheEntry("apps/team-" + (i % 100) + "/" + name + ".yaml");
        entry.setFileMode(FileMode.REGULAR_FILE);
        entry.setObjectId(
            inserter.insert(Constants.OBJ_BLOB, yaml.getBytes(StandardCharsets.UTF_8)));
        builder.add(entry);
      }
      builder.finish();
      ObjectId tree = index.writeTree(inserter);
      CommitBuilder commit = new CommitBuilder();
      PersonIdent who = new PersonIdent("bench", "bench@telos.dev");
      commit.setAuthor(who);
      commit.setCommitter(who);
      commit.setTreeId(tree);
      if (parent != null) {
        commit.setParentId(parent);
      }
      commit.setMessage(message);
      ObjectId id = inserter.insert(commit);
      inserter.flush();
      RefUpdate update = repo.updateRef("refs/heads/main");
      update.setNewObjectId(id);
      update.setForceUpdate(true);
      update.update();
      return id;
    }
  }
}
