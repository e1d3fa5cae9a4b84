package dev.telos.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telos.manifest.App;
import dev.telos.manifest.ManifestLoader;
import dev.telos.manifest.Service;
import dev.telos.testing.TempGitRepo;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GitSource against real repositories made with JGit. */
class GitSourceIT {
  @TempDir Path tmp;
  TempGitRepo remote;
  GitSource source;

  static String service(String name, int instances) {
    return "apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: "
        + name
        + "}\nspec:\n"
        + "  instances: "
        + instances
        + "\n  command: run "
        + name
        + "\n";
  }

  @BeforeEach
  void setUp() throws Exception {
    remote = TempGitRepo.init(tmp.resolve("remote"));
    remote.write("apps/web.yaml", service("web", 2)).write("README.md", "not a manifest");
    remote.commit("add web");
  }

  @AfterEach
  void tearDown() {
    if (source != null) {
      source.close();
    }
    remote.close();
  }

  GitSource open(String ref, String path) throws Exception {
    source =
        new GitSource(
            new GitSource.Config(
                remote.url(), ref, path, null, tmp.resolve("data"), false, Duration.ofSeconds(30)),
            new ManifestLoader());
    return source;
  }

  static Snapshot updated(PollResult r) {
    assertThat(r).isInstanceOf(PollResult.Updated.class);
    return ((PollResult.Updated) r).snapshot();
  }

  @Test
  void readsEveryAppAtTheBranchHeadWithItsCommitFacts() throws Exception {
    remote
        .write("apps/more/worker.yaml", service("worker", 1))
        .write("apps/.hidden/x.yaml", "bad: [");
    String sha = remote.commit("add worker\n\nbody text");
    Snapshot s = updated(open("main", "apps").poll());
    assertThat(s.apps()).extracting(App::key).containsExactly("default/web", "default/worker");
    assertThat(s.commit().sha()).isEqualTo(sha);
    assertThat(s.commit().author()).isEqualTo("Ada Lovelace <ada@example.com>");
    assertThat(s.commit().time()).isEqualTo(Instant.parse("2026-01-01T00:01:00Z"));
    assertThat(s.commit().message()).isEqualTo("add worker\n\nbody text");
    assertThat(s.commit().subject()).isEqualTo("add worker");
    assertThat(s.apps().get(0).source().file()).isEqualTo("apps/web.yaml");
  }

  @Test
  void aFileUrlReadsTheSameRepository() throws Exception {
    source =
        new GitSource(
            new GitSource.Config(
                remote.dir().toUri().toString(),
                "main",
                "apps",
                null,
                tmp.resolve("data"),
                false,
                Duration.ofSeconds(30)),
            new ManifestLoader());
    assertThat(remote.dir().toUri().toString()).startsWith("file:");
    assertThat(updated(source.poll()).apps()).extracting(App::key).containsExactly("default/web");
  }

  @Test
  void anUnmovedRefIsNotFetchedAgainAndReportsUnchanged() throws Exception {
    open("main", "");
    Snapshot first = updated(source.poll());
    PollResult again = source.poll();
    assertThat(again).isInstanceOf(PollResult.Unchanged.class);
    assertThat(((PollResult.Unchanged) again).snapshot()).isEqualTo(first);
    assertThat(source.parsedFiles()).isEqualTo(1);
  }

  @Test
  void aOneFileCommitParsesOneFile() throws Exception {
    for (int i = 0; i < 20; i++) {
      remote.write("apps/app-" + i + ".yaml", service("app-" + i, 1));
    }
    remote.commit("twenty apps");
    open("main", "apps");
    assertThat(updated(source.poll()).apps()).hasSize(21);
    long before = source.parsedFiles();
    remote.write("apps/app-7.yaml", service("app-7", 5));
    remote.commit("scale app-7");
    Snapshot s = updated(source.poll());
    assertThat(source.parsedFiles() - before).isEqualTo(1);
    assertThat(s.apps())
        .filteredOn(a -> a.key().equals("default/app-7"))
        .singleElement()
        .extracting(a -> ((Service) a).instances())
        .isEqualTo(5);
  }

  @Test
  void readingCommitAfterCommitGivesWhatAFreshReadOfEachCommitGives() throws Exception {
    // Each poll reads by a tree diff against the commit read before; a source that never saw the
    // earlier commits reads the whole tree. Both must give the same apps, commit after commit.
    java.util.Random random = new java.util.Random(20261128);
    java.util.Map<String, String> files = new java.util.TreeMap<>(); // path -> app name
    files.put("apps/web.yaml", "web");
    open("main", "apps");
    updated(source.poll());
    int made = 0;
    for (int round = 0; round < 30; round++) {
      int changes = 1 + random.nextInt(3);
      for (int c = 0; c < changes; c++) {
        java.util.List<String> paths = new java.util.ArrayList<>(files.keySet());
        String any = paths.isEmpty() ? null : paths.get(random.nextInt(paths.size()));
        String dir =
            List.of("apps", "apps/a", "apps/a/b", "apps/.hidden", "other").get(random.nextInt(5));
        switch (random.nextInt(6)) {
          case 0, 1 -> {
            String name = "app" + made++;
            String path = dir + "/" + name + (random.nextBoolean() ? ".yaml" : ".yml");
            remote.write(path, service(name, 1));
            files.put(path, name);
          }
          case 2 -> {
            if (any != null) {
              remote.write(any, service(files.get(any), 2 + random.nextInt(5)));
            }
          }
          case 3 -> {
            if (any != null) {
              remote.delete(any);
              files.remove(any);
            }
          }
          case 4 -> {
            if (any != null) { // moved, perhaps somewhere it is no longer read
              String to = dir + "/" + files.get(any) + ".yaml";
              remote.delete(any).write(to, service(files.get(any), 1));
              files.put(to, files.remove(any));
            }
          }
          default -> remote.write(dir + "/notes-" + round + ".md", "not a manifest " + round);
        }
      }
      String sha = remote.commit("round " + round);
      PollResult read = source.poll();
      try (GitSource fresh =
          new GitSource(
              new GitSource.Config(
                  remote.url(),
                  sha,
                  "apps",
                  null,
                  tmp.resolve("fresh-" + round),
                  false,
                  Duration.ofSeconds(30)),
              new ManifestLoader())) {
        PollResult whole = fresh.poll();
        assertThat(read).as("round %d", round).isInstanceOf(whole.getClass());
        if (whole instanceof PollResult.Updated u) {
          assertThat(updated(read).apps()).as("round %d", round).isEqualTo(u.snapshot().apps());
        }
      }
    }
  }

  @Test
  void theMirrorIsRepackedWhenFetchesLeaveTooManyPacks() throws Exception {
    open("main", "apps");
    updated(source.poll());
    for (int i = 0; i <= GitSource.PACK_LIMIT; i++) {
      remote.write("apps/web.yaml", service("web", i + 3));
      remote.commit("scale " + i);
      updated(source.poll());
    }
    assertThat(packs()).isGreaterThan(GitSource.PACK_LIMIT);
    assertThat(source.poll()).isInstanceOf(PollResult.Unchanged.class); // nothing new: repacks
    assertThat(packs()).isEqualTo(1);
    remote.write("apps/web.yaml", service("web", 1)).write("apps/api.yaml", service("api", 1));
    remote.commit("after the repack");
    assertThat(updated(source.poll()).apps())
        .extracting(App::key)
        .containsExactly("default/api", "default/web");
  }

  long packs() throws java.io.IOException {
    try (var all = java.nio.file.Files.walk(tmp.resolve("data").resolve("git"))) {
      return all.filter(p -> p.toString().endsWith(".pack")).count();
    }
  }

  @Test
  void anInvalidCommitIsRejectedWholeAndTheLastGoodSnapshotStands() throws Exception {
    open("main", "apps");
    Snapshot good = updated(source.poll());
    remote
        .write("apps/ok.yaml", service("ok", 1))
        .write("apps/broken.yaml", service("broken", 1).replace("instances", "instanes"));
    String bad = remote.commit("break it");
    PollResult r = source.poll();
    assertThat(r).isInstanceOf(PollResult.Invalid.class);
    PollResult.Invalid invalid = (PollResult.Invalid) r;
    assertThat(invalid.commit().sha()).isEqualTo(bad);
    assertThat(invalid.errors())
        .extracting(Object::toString)
        .containsExactly(
            "apps/broken.yaml:5:3: unknown field 'instanes' in spec (did you mean 'instances'?)");
    assertThat(source.lastGood()).contains(good);
    assertThat(source.poll()).isEqualTo(r);
  }

  @Test
  void renamesAndDeletionsAreSeen() throws Exception {
    remote.write("apps/api.yaml", service("api", 1));
    remote.commit("add api");
    open("main", "apps");
    assertThat(updated(source.poll()).apps()).hasSize(2);
    remote
        .delete("apps/api.yaml")
        .write("apps/renamed/web.yaml", service("web", 2))
        .delete("apps/web.yaml");
    remote.commit("rename and delete");
    Snapshot s = updated(source.poll());
    assertThat(s.apps()).extracting(App::key).containsExactly("default/web");
    assertThat(s.apps().get(0).source().file()).isEqualTo("apps/renamed/web.yaml");
  }

  @Test
  void tagsAndCommitsCanBePinned() throws Exception {
    remote.tag("v1");
    String v1 = remote.git().getRepository().resolve("HEAD").getName();
    remote.write("apps/web.yaml", service("web", 9));
    remote.commit("scale");
    Snapshot tagged = updated(open("v1", "apps").poll());
    assertThat(tagged.commit().sha()).isEqualTo(v1);
    assertThat(((Service) tagged.apps().get(0)).instances()).isEqualTo(2);
    source.close();
    source = null;
    Snapshot pinned = updated(open(v1, "apps").poll());
    assertThat(pinned.commit().sha()).isEqualTo(v1);
  }

  @Test
  void readRevisionReadsABranchWithoutMovingThePolledRef() throws Exception {
    open("main", "apps");
    Snapshot main = updated(source.poll());
    remote.branch("feature").write("apps/api.yaml", service("api", 1));
    remote.commit("feature: add api");
    Snapshot feature = updated(source.readRevision("feature"));
    assertThat(feature.apps()).hasSize(2);
    assertThat(source.poll()).isInstanceOf(PollResult.Unchanged.class);
    assertThat(source.lastGood()).contains(main);
  }

  @Test
  void readRevisionTakesWhatGitRevParseTakes() throws Exception {
    String first = remote.git().getRepository().resolve("HEAD").getName();
    remote.write("apps/web.yaml", service("web", 3));
    String second = remote.commit("scale to 3");
    remote.tag("v2");
    remote.write("apps/web.yaml", service("web", 4));
    String third = remote.commit("scale to 4");
    remote.branch("feature").write("apps/api.yaml", service("api", 1));
    String feature = remote.commit("feature: add api");
    remote.checkout("main");
    open("main", "apps");
    Snapshot polled = updated(source.poll());
    assertThat(polled.commit().sha()).isEqualTo(third);

    assertThat(updated(source.readRevision("HEAD")).commit().sha())
        .as("HEAD: the tip of the tracked branch, not the feature branch")
        .isEqualTo(third);
    assertThat(updated(source.readRevision("HEAD~1")).commit().sha()).isEqualTo(second);
    assertThat(updated(source.readRevision("HEAD^^")).commit().sha()).isEqualTo(first);
    assertThat(updated(source.readRevision("main~2")).commit().sha()).isEqualTo(first);
    assertThat(updated(source.readRevision("v2")).commit().sha()).isEqualTo(second);
    assertThat(updated(source.readRevision("v2~1")).commit().sha()).isEqualTo(first);
    assertThat(updated(source.readRevision(feature.substring(0, 7))).commit().sha())
        .as("an abbreviated SHA, of a commit only a fetch brings")
        .isEqualTo(feature);
    assertThat(updated(source.readRevision("feature~1")).commit().sha()).isEqualTo(third);
    assertThat(source.poll()).isInstanceOf(PollResult.Unchanged.class);
    source.close();
    open("HEAD~1", "apps"); // as telos plan opens it: HEAD is then the remote's HEAD
    assertThat(updated(source.readRevision("HEAD~1")).commit().sha()).isEqualTo(second);

    assertThat(source.readRevision("nope~1")).isInstanceOf(PollResult.Failed.class);
    assertThat(((PollResult.Failed) source.readRevision("nope~1")).message())
        .contains("no branch, tag or commit 'nope'");
    assertThat(((PollResult.Failed) source.readRevision("HEAD~9")).message())
        .contains("names no commit");
    assertThat(((PollResult.Failed) source.readRevision("HEAD@{1}")).message())
        .contains("is not a revision");
  }

  @Test
  void aMissingBranchOrPathFailsClearlyAndChangesNothing() throws Exception {
    PollResult noBranch = open("release", "apps").poll();
    assertThat(noBranch).isInstanceOf(PollResult.Failed.class);
    assertThat(((PollResult.Failed) noBranch).message())
        .contains("'release' is neither a branch nor a tag");
    source.close();
    open("main", "apps");
    Snapshot good = updated(source.poll());
    remote.write("other/x.yaml", service("x", 1)).delete("apps/web.yaml");
    remote.commit("move everything out of apps/");
    PollResult noPath = source.poll();
    assertThat(noPath).isInstanceOf(PollResult.Failed.class);
    assertThat(((PollResult.Failed) noPath).message()).contains("path 'apps' is not a directory");
    assertThat(source.lastGood()).contains(good);
  }

  @Test
  void rewrittenHistoryIsRefusedUnlessAllowed() throws Exception {
    String base = remote.git().getRepository().resolve("HEAD").getName();
    remote.write("apps/web.yaml", service("web", 3));
    remote.commit("scale to 3");
    open("main", "apps");
    Snapshot synced = updated(source.poll());
    remote.resetHard(base).write("apps/web.yaml", service("web", 4));
    remote.commit("rewritten: scale to 4");
    PollResult r = source.poll();
    assertThat(r).isInstanceOf(PollResult.Failed.class);
    assertThat(((PollResult.Failed) r).message())
        .contains("was rewritten")
        .contains(synced.commit().shortSha());
    assertThat(source.lastGood()).contains(synced);
  }

  @Test
  void anUnreachableRemoteFailsAndKeepsTheLastGoodSnapshot() throws Exception {
    open("main", "apps");
    Snapshot good = updated(source.poll());
    remote.close();
    java.nio.file.Files.walk(remote.dir())
        .sorted(java.util.Comparator.reverseOrder())
        .forEach(p -> p.toFile().delete());
    PollResult r = source.poll();
    assertThat(r).isInstanceOf(PollResult.Failed.class);
    assertThat(((PollResult.Failed) r).message()).contains("cannot read");
    assertThat(source.lastGood()).contains(good);
  }
}
