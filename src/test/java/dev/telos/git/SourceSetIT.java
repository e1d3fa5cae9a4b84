package dev.telos.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.telos.manifest.App;
import dev.telos.manifest.ManifestLoader;
import dev.telos.testing.TempGitRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several sources over real repositories: the union, namespaces owned, failures isolated. */
class SourceSetIT {
  @TempDir Path tmp;
  TempGitRepo payments;
  TempGitRepo search;
  final List<SourceSet> opened = new ArrayList<>();

  static String service(String namespace, String name, int instances) {
    return dev.telos.testing.Manifests.service(namespace, name, instances, "run " + name);
  }

  @BeforeEach
  void setUp() throws Exception {
    payments = TempGitRepo.init(tmp.resolve("payments"));
    payments.write("apps/api.yaml", service("payments", "api", 2)).commit("add api");
    search = TempGitRepo.init(tmp.resolve("search"));
    search.write("indexer.yaml", service("search-prod", "indexer", 1)).commit("add indexer");
  }

  @AfterEach
  void tearDown() {
    opened.forEach(SourceSet::close);
    payments.close();
    search.close();
  }

  SourceSet open(String searchUrl) throws Exception {
    SourceSet set =
        new SourceSet(
            List.of(
                new SourceSet.Member(
                    "payments",
                    new GitSource(
                        new GitSource.Config(
                            payments.url(), "main", "apps", tmp.resolve("data/payments")),
                        new ManifestLoader()),
                    List.of()),
                new SourceSet.Member(
                    "search",
                    new GitSource(
                        new GitSource.Config(searchUrl, "main", "", tmp.resolve("data/search")),
                        new ManifestLoader()),
                    List.of("search-*"))));
    opened.add(set);
    return set;
  }

  static Snapshot updated(PollResult r) {
    assertThat(r).isInstanceOf(PollResult.Updated.class);
    return ((PollResult.Updated) r).snapshot();
  }

  static List<String> keys(Snapshot s) {
    return s.apps().stream().map(App::key).toList();
  }

  @Test
  void theDesiredStateIsTheUnionAndItsRevisionNamesEachSourcesCommit() throws Exception {
    SourceSet set = open(search.url());
    Snapshot s = updated(set.poll());
    assertThat(keys(s)).containsExactly("payments/api", "search-prod/indexer");
    String p = payments.git().getRepository().resolve("HEAD").getName();
    String q = search.git().getRepository().resolve("HEAD").getName();
    assertThat(s.commit().sha()).isEqualTo("payments@" + p + ",search@" + q);
    assertThat(set.poll()).isInstanceOf(PollResult.Unchanged.class);
    assertThat(set.states())
        .extracting(SourceState::name, SourceState::revision, SourceState::error)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("payments", p, null),
            org.assertj.core.groups.Tuple.tuple("search", q, null));
    assertThat(set.states().get(0).namespaces()).containsExactly("payments");
    assertThat(set.states().get(1).namespaces()).containsExactly("search-*");
    assertThat(set.states().get(0).path()).isEqualTo("apps");

    String next = search.write("indexer.yaml", service("search-prod", "indexer", 3)).commit("more");
    Snapshot s2 = updated(set.poll());
    assertThat(s2.commit().sha()).isEqualTo("payments@" + p + ",search@" + next);
    assertThat(s2.commit().message()).isEqualTo("search: more");
    assertThat(set.problems()).isFalse();
  }

  @Test
  void anInvalidCommitInOneSourceKeepsItsLastGoodAppsWhileTheOtherMovesOn() throws Exception {
    SourceSet set = open(search.url());
    updated(set.poll());
    String bad = search.write("indexer.yaml", "kind: [").commit("broken");
    payments.write("apps/api.yaml", service("payments", "api", 5)).commit("scale api");
    Snapshot s = updated(set.poll()); // payments moved: the union changes at once
    assertThat(keys(s)).containsExactly("payments/api", "search-prod/indexer");
    assertThat(set.problems()).isTrue();
    PollResult r = set.poll(); // then the rejected commit is reported
    assertThat(r).isInstanceOf(PollResult.Invalid.class);
    PollResult.Invalid inv = (PollResult.Invalid) r;
    assertThat(inv.commit().sha()).isEqualTo(bad);
    assertThat(inv.errors().get(0).toString())
        .startsWith("indexer.yaml:1:")
        .contains("source search: ");
    assertThat(set.states().get(1).error()).contains("source search: ");
    assertThat(set.states().get(1).errorRevision()).isEqualTo(bad);
    assertThat(set.states().get(0).error()).isNull();

    search.write("indexer.yaml", service("search-prod", "indexer", 2)).commit("fixed");
    Snapshot fixed = updated(set.poll());
    assertThat(fixed.apps()).hasSize(2);
    assertThat(set.problems()).isFalse();
    assertThat(set.states().get(1).error()).isNull();
  }

  @Test
  void anAppOutsideItsSourcesNamespacesRejectsThatCommitWithItsPosition() throws Exception {
    SourceSet set = open(search.url());
    updated(set.poll());
    // search tries to take over payments/api: refused, payments keeps it
    String sha =
        search
            .write("steal.yaml", "# taking over\n" + service("payments", "api", 0))
            .commit("steal");
    PollResult r = set.poll();
    assertThat(r).isInstanceOf(PollResult.Invalid.class);
    assertThat(((PollResult.Invalid) r).commit().sha()).isEqualTo(sha);
    assertThat(((PollResult.Invalid) r).errors().get(0).toString())
        .isEqualTo(
            "steal.yaml:2:1: source search: namespace 'payments' is not one of this source's"
                + " namespaces (search-*); set metadata.namespace");
    assertThat(set.poll()).isInstanceOf(PollResult.Invalid.class); // stays rejected
    payments.write("apps/api.yaml", service("payments", "api", 3)).commit("scale");
    Snapshot kept = updated(set.poll());
    assertThat(keys(kept)).containsExactly("payments/api", "search-prod/indexer");
    assertThat(kept.apps().get(0).source().file()).isEqualTo("apps/api.yaml");
  }

  @Test
  void anUnreachableSourceFailsAloneAndTheOthersStillSync() throws Exception {
    Path moved = tmp.resolve("search-moved");
    SourceSet set = open(search.url());
    updated(set.poll());
    search.close();
    Files.move(tmp.resolve("search"), moved);
    payments.write("apps/api.yaml", service("payments", "api", 4)).commit("scale");
    Snapshot s = updated(set.poll());
    assertThat(keys(s)).containsExactly("payments/api", "search-prod/indexer");
    PollResult r = set.poll();
    assertThat(r).isInstanceOf(PollResult.Failed.class);
    assertThat(((PollResult.Failed) r).message()).startsWith("source search: ");
    assertThat(set.states().get(1).error()).startsWith("source search: ");
    Files.move(moved, tmp.resolve("search"));
    assertThat(set.poll()).isInstanceOf(PollResult.Unchanged.class);
    assertThat(set.problems()).isFalse();
  }

  @Test
  void noDesiredStateUntilEverySourceHadAValidCommit() throws Exception {
    SourceSet set = open(tmp.resolve("nowhere").toString());
    PollResult r = set.poll();
    assertThat(r).isInstanceOf(PollResult.Failed.class);
    assertThat(((PollResult.Failed) r).message()).startsWith("source search: ");
    assertThat(set.states().get(0).revision()).isNotNull();
    assertThat(set.states().get(1).revision()).isNull();
  }

  @Test
  void aRestartRestoresEachSourcesCommitFromItsMirror() throws Exception {
    Snapshot s = updated(open(search.url()).poll());
    opened.remove(0).close();
    search.write("indexer.yaml", "kind: [").commit("broken after the restart");
    SourceSet again = open(search.url());
    Snapshot restored = again.restore(s.commit().sha()).orElseThrow();
    assertThat(restored.commit().sha()).isEqualTo(s.commit().sha());
    assertThat(keys(restored)).isEqualTo(keys(s));
    assertThat(again.poll()).isInstanceOf(PollResult.Invalid.class);
    // a revision of other sources restores nothing
    SourceSet other = open(search.url());
    assertThat(other.restore("web@" + "0".repeat(40))).isEmpty();
  }

  @Test
  void namespacesBelongToOneSourceAndNamesAreLabels() {
    assertThat(SourceSet.overlap("a", "a")).isTrue();
    assertThat(SourceSet.overlap("a", "b")).isFalse();
    assertThat(SourceSet.overlap("team-*", "team-a")).isTrue();
    assertThat(SourceSet.overlap("team-a", "team-*")).isTrue();
    assertThat(SourceSet.overlap("team-*", "tea*")).isTrue();
    assertThat(SourceSet.overlap("tea*", "team-*")).isTrue();
    assertThat(SourceSet.overlap("team-*", "other-*")).isFalse();
    assertThat(SourceSet.overlap("team-*", "tea")).isFalse();
    assertThat(SourceSet.overlap("tea", "team-*")).isFalse();
  }

  @Test
  void overlappingOrInvalidSourcesAreRefused() throws Exception {
    GitSource a =
        new GitSource(
            new GitSource.Config(payments.url(), "main", "", tmp.resolve("d/a")),
            new ManifestLoader());
    GitSource b =
        new GitSource(
            new GitSource.Config(search.url(), "main", "", tmp.resolve("d/b")),
            new ManifestLoader());
    try {
      assertThatThrownBy(() -> new SourceSet.Member("Bad_Name", a, List.of()))
          .hasMessageContaining("source name 'Bad_Name' must be a DNS label");
      assertThatThrownBy(() -> new SourceSet.Member("a", a, List.of("*")))
          .hasMessageContaining("namespace '*' must be a name or a prefix ending in *");
      assertThatThrownBy(() -> new SourceSet.Member("a", a, List.of("Upper")))
          .hasMessageContaining("namespace 'Upper'");
      assertThatThrownBy(
              () ->
                  new SourceSet(
                      List.of(
                          new SourceSet.Member("a", a, List.of("team-*")),
                          new SourceSet.Member("b", b, List.of("team-b")))))
          .hasMessage(
              "sources a and b share namespaces (team-*, team-b): each namespace belongs to one"
                  + " source");
      assertThatThrownBy(
              () ->
                  new SourceSet(
                      List.of(
                          new SourceSet.Member("a", a, List.of("x")),
                          new SourceSet.Member("a", b, List.of("y")))))
          .hasMessage("two sources are named a");
      assertThatThrownBy(() -> new SourceSet(List.of())).hasMessage("no source");
      assertThat(new SourceSet.Member("a", a, List.of("p-*", "q")).owns("p-x")).isTrue();
      assertThat(new SourceSet.Member("a", a, List.of("p-*", "q")).owns("q")).isTrue();
      assertThat(new SourceSet.Member("a", a, List.of("p-*", "q")).owns("qq")).isFalse();
      assertThat(new SourceSet.Member("a", a, List.of("p-*", "q")).owns("p")).isFalse();
    } finally {
      a.close();
      b.close();
    }
  }
}
