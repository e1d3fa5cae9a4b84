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

  @Option(
      names = "--commits",
      defaultValue = "20",
      description = "One-file commits measured one after another (default: ${DEFAULT-VALUE}).")
  int commits;

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
      instances = new int[manifests];
      java.util.Arrays.fill(instances, 1);
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

        PollResult incremental = null;
        long parsedBefore = source.parsedFiles();
        long[] times = new long[commits];
        ObjectId parent = first;
        for (int round = 0; round < commits; round++) {
          parent = commit(remote, index, parent, (round * 7919) % manifests, "scale one app");
          start = System.nanoTime();
          incremental = source.poll();
          times[round] = System.nanoTime() - start;
          if (!(incremental instanceof PollResult.Updated)) {
            break;
          }
        }
        java.util.Arrays.sort(times);
        System.out.printf(
            "one-file commit:        p50 %.1f ms, max %.1f ms over %d commits (%d files parsed, %s)%n",
            times[times.length / 2] / 1e6,
            times[times.length - 1] / 1e6,
            commits,
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

  private int[] instances;

  /** Manifest {@code i}'s file, its blob inserted. */
  private DirCacheEntry entry(ObjectInserter inserter, int i) throws IOException {
    String name = String.format("app-%05d", i);
    String yaml =
        "apiVersion: telos.dev/v1\nkind: Service\nmetadata:\n  name: "
            + name
            + "\n  namespace: team-"
            + (i % 100)
            + "\nspec:\n  instances: "
            + instances[i]
            + "\n  command: exec sleep 3600\n  resources: {cpus: 0.1, mem: 32}\n"
            + "  ports: [{name: http}]\n  healthCheck: {type: TCP, port: http}\n";
    DirCacheEntry entry = new DirCacheEntry("apps/team-" + (i % 100) + "/" + name + ".yaml");
    entry.setFileMode(FileMode.REGULAR_FILE);
    entry.setObjectId(inserter.insert(Constants.OBJ_BLOB, yaml.getBytes(StandardCharsets.UTF_8)));
    return entry;
  }

  /**
   * Writes a commit: of every manifest when {@code changed} is negative, else of the last tree with
   * one manifest ({@code changed}) given one more instance.
   */
  private ObjectId commit(
      Repository repo, DirCache index, ObjectId parent, int changed, String message)
      throws IOException {
    try (ObjectInserter inserter = repo.newObjectInserter()) {
      if (changed < 0) {
        DirCacheBuilder builder = index.builder();
        for (int i = 0; i < manifests; i++) {
          builder.add(entry(inserter, i));
        }
        builder.finish();
      } else {
        instances[changed]++;
        DirCacheEntry entry = entry(inserter, changed);
        org.eclipse.jgit.dircache.DirCacheEditor editor = index.editor();
        editor.add(
            new org.eclipse.jgit.dircache.DirCacheEditor.PathEdit(entry) {
              @Override
              public void apply(DirCacheEntry ent) {
                ent.copyMetaData(entry);
              }
            });
        editor.finish();
      }
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
