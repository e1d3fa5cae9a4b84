package dev.telos.controller;

import static dev.telos.controller.Harness.service;
import static dev.telos.controller.Harness.sleeper;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller end to end: real commits, the embedded cluster, real processes and ports. */
class ControllerIT {
  @TempDir Path dir;
  Harness h;

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
  }

  static final String HEALTHY =
      "  healthCheck: {type: COMMAND, command: 'true', interval: 200ms,"
          + " timeout: 1s, gracePeriod: 10s, maxConsecutiveFailures: 3}\n";
  static final String SICK =
      "  healthCheck: {type: COMMAND, command: 'false', interval: 200ms,"
          + " timeout: 1s, gracePeriod: 60s, maxConsecutiveFailures: 3}\n";

  /** Python's HTTP server on a host port from the offer, health-checked over HTTP. */
  static String web(int instances) {
    return service(
        "web",
        instances,
        "  command: exec python3 -m http.server $PORT_HTTP --bind"
            + " $HOST\n  ports: [{name: http}]\n  healthCheck: {type: HTTP, port: http,"
            + " interval: 200ms, timeout: 1s, gracePeriod: 20s}\n");
  }

  String metricsUrl;

  double declined() throws Exception {
    String text =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(metricsUrl)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    for (String line : text.split("\n")) {
      if (line.startsWith("telos_offers_declined_total ")) {
        return Double.parseDouble(line.substring(line.indexOf(' ') + 1));
      }
    }
    return 0;
  }

  @Test
  void aRequestedSyncRevivesOffersAheadOfTheFetchAndDeclinesThemWhenNothingIsNew()
      throws Exception {
    h = new Harness(dir, 1);
    String v1 = h.commit("web.yaml", web(1), "web");
    h.start();
    metricsUrl = h.startApi(null, null) + "/metrics";
    h.awaitSynced(v1);
    // Suppressed and quiet: timer polls (every 300 ms here) ask for no offers.
    double[] quiet = {declined()};
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              double now = declined();
              boolean same = now == quiet[0];
              quiet[0] = now;
              return same;
            });
    // A requested sync revives as its fetch starts; nothing new came, so the offers held for it
    // are declined (not kept) once the fetch is read.
    h.controller.requestSync();
    await().atMost(Duration.ofSeconds(30)).until(() -> declined() > quiet[0]);
    // A requested sync that brings a commit launches, and the app stays as it was otherwise.
    String v2 = h.commit("web.yaml", web(2), "web x2");
    h.controller.requestSync();
    h.awaitSynced(v2);
    assertThat(h.running("web")).hasSize(2);
  }

  @Test
  void launchesServesOnRealPortsAndScalesUpAndDownWithoutRestarts() throws Exception {
    h = new Harness(dir, 1);
    String v1 = h.commit("web.yaml", web(2), "web x2");
    h.start();
    h.awaitSynced(v1);
    StatusView.AppView web = h.app("web");
    assertThat(web.healthyInstances()).isEqualTo(2);
    for (StatusView.TaskView t : web.tasks()) {
      assertThat(t.ports()).hasSize(1);
      HttpResponse<Void> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://" + t.host() + ":" + t.ports().get(0) + "/"))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(h.cluster.taskPid(t.id())).isPresent();
    }
    Set<String> first = h.running("web");

    String v2 = h.commit("web.yaml", web(3), "web x3");
    h.awaitSynced(v2);
    assertThat(h.running("web")).hasSize(3).containsAll(first);

    String v3 = h.commit("web.yaml", web(1), "web x1");
    h.awaitSynced(v3);
    assertThat(h.running("web")).hasSize(1);
    assertThat(first).containsAll(h.running("web"));
    await().until(() -> h.masterTasks().size() == 1);
    assertThat(h.view().history()).extracting(SyncRecord::revision).startsWith(v3, v2, v1);
    assertThat(h.view().history().get(0).killed()).isEqualTo(2);
  }

  @Test
  void aFailingNewVersionNeverTakesDownTheOldOneAndARevertRollsBack() throws Exception {
    h = new Harness(dir, 1);
    String good =
        h.commit("api.yaml", service("api", 2, "  command: exec sleep 600\n" + HEALTHY), "api v1");
    h.start();
    h.awaitSynced(good);
    Set<String> v1Tasks = h.running("api");

    String bad =
        h.commit(
            "api.yaml",
            service("api", 2, "  command: exec sleep 601\n" + SICK),
            "api v2: broken health");
    await().until(() -> bad.equals(h.view().revision()));
    // The surge task runs but never becomes healthy: the old tasks stay, nothing more launches.
    h.awaitApp("api", a -> a.tasks().size() == 3);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> h.running("api").containsAll(v1Tasks) && h.app("api").tasks().size() == 3);
    assertThat(h.view().syncStatus()).isEqualTo("Progressing");

    String reverted = h.repo.revert(bad);
    h.awaitSynced(reverted);
    assertThat(h.running("api")).isEqualTo(v1Tasks);
    await().until(() -> h.masterTasks().size() == 2);
  }

  @Test
  void anInvalidCommitIsRejectedWholeAndChangesNothing() throws Exception {
    h = new Harness(dir, 1);
    String good = h.commit("a.yaml", sleeper("a", 1), "a");
    h.start();
    h.awaitSynced(good);
    Set<String> before = h.running("a");

    h.repo.write("apps/b.yaml", sleeper("b", 1));
    h.repo.write("apps/a.yaml", sleeper("a", 5).replace("instances", "instanes"));
    String bad = h.repo.commit("break a, add b");
    await().until(() -> h.view().syncStatus().equals("Error"));
    StatusView.ErrorView error = h.view().lastError();
    assertThat(error.file()).isEqualTo("apps/a.yaml");
    assertThat(error.line()).isEqualTo(5);
    assertThat(error.column()).isEqualTo(3);
    assertThat(error.revision()).isEqualTo(bad);
    assertThat(error.message()).contains("unknown field 'instanes'");
    assertThat(h.view().revision()).isEqualTo(good);
    assertThat(h.app("b")).isNull();
    assertThat(h.running("a")).isEqualTo(before);
    assertThat(h.view().history().get(0).result()).isEqualTo("Invalid");

    String fixed = h.commit("a.yaml", sleeper("a", 1), "fix a");
    h.awaitSynced(fixed);
    assertThat(h.running("a")).isEqualTo(before);
    assertThat(h.running("b")).hasSize(1);
  }

  @Test
  void afterARestartOnAnInvalidCommitTheLastGoodOneIsStillManaged() throws Exception {
    // Regression: the last good commit lived only in memory, so a controller restarted while the
    // newest commit was invalid managed nothing: a crashed task stayed down.
    h = new Harness(dir, 1);
    String good = h.commit("w.yaml", sleeper("w", 1), "w");
    h.start();
    h.awaitSynced(good);
    h.stopController();
    String bad = h.commit("w.yaml", sleeper("w", 1).replace("instances", "instanes"), "typo");

    h.start();
    await().until(() -> h.view().syncStatus().equals("Error") && h.view().ready());
    assertThat(h.view().revision()).isEqualTo(good);
    assertThat(h.view().lastError().revision()).isEqualTo(bad);
    assertThat(h.view().lastError().file()).isEqualTo("apps/w.yaml");
    await().until(() -> h.running("w").size() == 1);
    String victim = h.running("w").iterator().next();
    assertThat(h.cluster.crashTask(victim)).isTrue();
    await().until(() -> h.running("w").size() == 1 && !h.running("w").contains(victim));
    assertThat(h.view().syncStatus()).isEqualTo("Error");
  }

  @Test
  void aForcePushWhileStoppedIsRefusedOnTheFirstPollAfterTheRestart() throws Exception {
    h = new Harness(dir, 1);
    String good = h.commit("w.yaml", sleeper("w", 1), "w");
    h.start();
    h.awaitSynced(good);
    h.stopController();
    var git = h.repo.git();
    git.checkout().setOrphan(true).setName("rewritten").call();
    h.commit("w.yaml", sleeper("w", 2), "history rewritten");
    git.branchDelete().setBranchNames("main").setForce(true).call();
    git.branchRename().setNewName("main").call();

    h.start();
    await().until(() -> h.view().syncStatus().equals("Error"));
    assertThat(h.view().lastError().message()).contains("was rewritten");
    assertThat(h.view().revision()).isEqualTo(good);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(10))
        .until(() -> h.running("w").size() == 1);
  }

  @Test
  void tasksAMasterHasNotRecoveredYetAreShownRecoveringAndNeverReplaced() throws Exception {
    // A real Mesos 1.11 master that restarted heard from its agent again only ~55 s later; until
    // then it did not know the tasks. A restarted Telos must wait for them, not replace them.
    h = new Harness(dir, 1);
    h.planner = h.planner.withLaunchTimeout(Duration.ofSeconds(1));
    String v = h.commit("w.yaml", sleeper("w", 2), "w");
    h.start();
    h.awaitSynced(v);
    Set<String> before = h.running("w");
    h.stopController();
    h.cluster.failover(Duration.ofSeconds(6));
    h.start();

    h.awaitApp("w", a -> a.message() != null && a.message().contains("2 task(s) recovering"));
    assertThat(h.app("w").tasks())
        .allSatisfy(t -> assertThat(t.recovering()).isTrue())
        .extracting(StatusView.TaskView::id)
        .containsExactlyInAnyOrderElementsOf(before);
    assertThat(h.masterTasks()).as("the new master does not know them yet").isEmpty();
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                h.app("w").tasks().stream().map(StatusView.TaskView::id).toList().size() == 2
                    && h.masterTasks().isEmpty());

    // The agent re-registers: the same tasks, running, nothing launched or killed.
    h.awaitSynced(v);
    assertThat(h.running("w")).isEqualTo(before);
    assertThat(h.app("w").tasks()).noneMatch(StatusView.TaskView::recovering);
  }

  @Test
  void anAppWithTheTelosExecutorRunsUnderItAndIsReplacedWhenItsExecutorDies() throws Exception {
    h = new Harness(dir, 1);
    h.planner =
        h.planner.withExecutor(
            new dev.telos.reconcile.ExecutorLaunch(
                java.nio.file.Path.of("target", "telos.jar").toAbsolutePath().toString(),
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                0.05,
                64));
    String v =
        h.commit(
            "x.yaml",
            Harness.service(
                "x",
                1,
                "  command: echo \"serving $TELOS_APP\"; exec sleep 600\n  executor: telos\n"
                    + "  preStop: touch stopped\n  killSignal: INT\n"),
            "x under the Telos executor");
    h.start();
    h.awaitSynced(v);
    String first = h.app("x").tasks().get(0).id();
    java.nio.file.Path sandbox = h.cluster.taskSandbox(first).orElseThrow();
    assertThat(sandbox.resolve("telos.jar")).as("fetched by the agent").exists();
    await()
        .until(
            () -> java.nio.file.Files.readString(sandbox.resolve("stdout")).contains("serving x"));
    // The executor reports what the task uses (a MESSAGE through agent and master).
    await().atMost(Duration.ofSeconds(30)).until(() -> h.app("x").tasks().get(0).usage() != null);
    StatusView.TaskUsage used = h.app("x").tasks().get(0).usage();
    assertThat(used.rssBytes())
        .as("a sleeping shell's resident set")
        .isBetween(64L << 10, 64L << 20);
    assertThat(used.cpuSeconds()).isBetween(0d, 60d);

    // The executor is killed hard: the agent fails the task, Telos replaces it.
    assertThat(h.cluster.crashTask(first)).isTrue();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> h.running("x").size() == 1 && !h.running("x").contains(first));

    // Scaled to zero: the preStop hook runs before the kill signal.
    String second = h.running("x").iterator().next();
    java.nio.file.Path box = h.cluster.taskSandbox(second).orElseThrow();
    String zero =
        h.commit(
            "x.yaml",
            Harness.service(
                "x",
                0,
                "  command: echo \"serving $TELOS_APP\"; exec sleep 600\n  executor: telos\n"
                    + "  preStop: touch stopped\n  killSignal: INT\n"),
            "x to zero");
    h.awaitSynced(zero);
    await().until(() -> h.running("x").isEmpty());
    assertThat(box.resolve("stopped")).exists();
  }

  @Test
  void aLaunchTheMasterLostTimesOutAndIsReplaced() throws Exception {
    // The master answers 202 and drops the ACCEPT: no update ever comes for the task. Nothing
    // but the launch timeout can tell, so the app must be planned again when it is due. (The
    // dropped ACCEPT's offer stays outstanding at the master: the replacement needs another agent.)
    h = new Harness(dir, 2);
    h.planner = h.planner.withLaunchTimeout(Duration.ofSeconds(1));
    h.cluster.armCallFault("ACCEPT", "LOST", 1);
    String v = h.commit("w.yaml", sleeper("w", 1), "w");
    h.start();
    h.awaitApp("w", a -> a.tasks().size() == 1);
    String lost = h.app("w").tasks().get(0).id();

    h.awaitSynced(v);
    assertThat(h.running("w")).hasSize(1).doesNotContain(lost);
    assertThat(h.masterTasks()).doesNotContain(lost);
  }

  @Test
  void anUnreachableRepositoryChangesNothing() throws Exception {
    h = new Harness(dir, 1);
    String v = h.commit("a.yaml", sleeper("a", 2), "a");
    h.start();
    h.awaitSynced(v);
    Set<String> before = h.running("a");
    h.repo.close();
    // Gone at once: deleting file by file let a poll see a repository without refs for a moment
    // (a flake: "'main' is neither a branch nor a tag").
    java.nio.file.Files.move(h.repo.dir(), dir.resolve("repo-gone"));
    await().until(() -> h.view().syncStatus().equals("Error"));
    assertThat(h.view().lastError().message()).contains("cannot read");
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> h.running("a").equals(before));
    assertThat(h.view().revision()).isEqualTo(v);
  }

  @Test
  void aCommitChangesOnlyTheAppsItChangedAndEveryAppShowsItsRevision() throws Exception {
    h = new Harness(dir, 1);
    h.repo.write("apps/a.yaml", sleeper("a", 2));
    String v1 = h.commit("b.yaml", sleeper("b", 1), "a and b");
    h.start();
    h.awaitSynced(v1);
    await().until(() -> h.running("a").size() == 2 && h.running("b").size() == 1);
    Set<String> a = h.running("a");

    // b changes; a's spec does not: a keeps its tasks, and both show the new revision.
    String v2 = h.commit("b.yaml", sleeper("b", 2), "scale b");
    h.awaitSynced(v2);
    await().until(() -> h.running("b").size() == 2);
    assertThat(h.running("a")).isEqualTo(a);
    assertThat(h.app("a").revision()).isEqualTo(v2);
    assertThat(h.app("b").revision()).isEqualTo(v2);

    // A commit of no manifest: nothing launched or killed, every app at the new revision.
    Set<String> b = h.running("b");
    String v3 = h.commit("README.md", "# apps\n", "docs");
    h.awaitSynced(v3);
    assertThat(h.app("a").revision()).isEqualTo(v3);
    assertThat(h.app("b").revision()).isEqualTo(v3);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(10))
        .until(() -> h.running("a").equals(a) && h.running("b").equals(b));

    // The history says which apps each commit added, changed or removed.
    java.util.Map<String, SyncRecord> byRevision = new java.util.HashMap<>();
    h.view().history().forEach(r -> byRevision.put(r.revision(), r));
    assertThat(byRevision.get(v1).apps()).containsExactly("it/a", "it/b");
    assertThat(byRevision.get(v1).appsChanged()).isEqualTo(2);
    assertThat(byRevision.get(v2).apps()).containsExactly("it/b");
    assertThat(byRevision.get(v3).apps()).isEmpty();
    assertThat(byRevision.get(v3).appsChanged()).isZero();
  }

  @Test
  void theAdoptedRevisionIsWrittenBeforeItsFirstLaunchIsSent() throws Exception {
    h = new Harness(dir, 1);
    String v1 = h.commit("a.yaml", sleeper("a", 1), "a");
    h.start();
    h.awaitSynced(v1);
    java.util.concurrent.atomic.AtomicReference<String> written =
        new java.util.concurrent.atomic.AtomicReference<>();
    // At the ACCEPT of the new revision's first launch: what a controller started now restores.
    h.controller.crashPoints(
        point -> {
          if (point.equals(CrashPoints.BEFORE_ACCEPT) && written.get() == null) {
            written.set(lastGood());
          }
        });
    String v2 = h.commit("b.yaml", sleeper("b", 1), "b");
    h.controller.requestSync();
    await().until(() -> written.get() != null);
    assertThat(written.get()).isEqualTo(v2);
    h.awaitSynced(v2);
  }

  private String lastGood() {
    dev.telos.store.FileStateStore store;
    try {
      store = new dev.telos.store.FileStateStore(dir.resolve("data"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return store
        .read(
            "last-good",
            com.fasterxml.jackson.databind.type.TypeFactory.defaultInstance()
                .constructMapType(java.util.Map.class, String.class, String.class))
        .map(m -> ((java.util.Map<?, ?>) m).get("revision").toString())
        .orElse(null);
  }

  @Test
  void removedAppsArePrunedButAMassRemovalIsHeld() throws Exception {
    h = new Harness(dir, 1);
    h.repo
        .write("apps/a.yaml", sleeper("a", 1))
        .write("apps/b.yaml", sleeper("b", 1))
        .write("apps/c.yaml", sleeper("c", 1))
        .write("apps/d.yaml", sleeper("d", 1));
    String all = h.repo.commit("four apps");
    h.start();
    h.awaitSynced(all);

    h.repo.delete("apps/d.yaml");
    String three = h.repo.commit("remove d");
    h.awaitSynced(three);
    assertThat(h.app("d")).isNull();
    await().until(() -> h.masterTasks().size() == 3);

    h.repo.delete("apps/b.yaml").delete("apps/c.yaml");
    String one = h.repo.commit("remove b and c");
    await()
        .until(() -> one.equals(h.view().revision()) && h.view().syncStatus().equals("OutOfSync"));
    assertThat(h.view().heldPrune()).contains("remove 2 of 3 running apps");
    assertThat(h.masterTasks()).hasSize(3);
    assertThat(h.app("b").status()).isEqualTo("PruneHeld");

    assertThat(h.controller.approvePrune(three.substring(0, 10)))
        .as("only the revision that runs")
        .contains("is not the revision that runs");
    assertThat(h.controller.approvePrune(one.substring(0, 5))).contains("at least 7 characters");
    assertThat(h.masterTasks()).hasSize(3);
    assertThat(h.controller.approvePrune(one.substring(0, 8))).isNull();
    h.awaitSynced(one);
    await().until(() -> h.masterTasks().size() == 1);
    assertThat(h.controller.approvePrune(one)).as("nothing held any more").contains("no prune");

    h.repo.write("apps/x.yaml", sleeper("x", 1)).write("apps/y.yaml", sleeper("y", 1));
    String again = h.repo.commit("x and y");
    h.awaitSynced(again);
    h.repo.delete("apps/x.yaml").delete("apps/y.yaml");
    String removeAgain = h.repo.commit("remove x and y");
    await()
        .until(
            () ->
                removeAgain.equals(h.view().revision())
                    && h.view().syncStatus().equals("OutOfSync"));
    assertThat(h.view().heldPrune())
        .as("an approval is for one revision only")
        .contains("remove 2 of 3 running apps");
    assertThat(h.masterTasks()).hasSize(3);
  }

  @Test
  void aCrashedTaskIsReplacedWithBackoff() throws Exception {
    h = new Harness(dir, 1);
    String v = h.commit("w.yaml", sleeper("w", 1), "w");
    h.start();
    h.awaitSynced(v);
    String victim = h.running("w").iterator().next();
    assertThat(h.cluster.crashTask(victim)).isTrue();
    await().until(() -> !h.running("w").isEmpty() && !h.running("w").contains(victim));
    await().until(() -> h.view().syncStatus().equals("Synced"));
  }

  @Test
  void aCrashLoopingAppIsDegradedAndAnAppAtZeroInstancesSuspendedEachWithItsSyncStatus()
      throws Exception {
    h = new Harness(dir, 1);
    h.commit("ok.yaml", sleeper("ok", 1), "ok");
    h.commit("idle.yaml", sleeper("idle", 0), "idle");
    String v =
        h.commit(
            "crash.yaml",
            Harness.service("crash", 1, "  command: exit 3\n"),
            "an app whose every task fails");
    h.start();
    await()
        .until(
            () ->
                h.app("crash") != null
                    && h.app("crash").health().equals("Degraded")
                    && h.app("ok") != null
                    && h.app("ok").health().equals("Healthy"));
    assertThat(h.app("crash").syncStatus()).isEqualTo("OutOfSync");
    assertThat(h.app("ok").syncStatus()).isEqualTo("Synced");
    assertThat(h.app("idle").health()).isEqualTo("Suspended");
    assertThat(h.app("idle").syncStatus()).isEqualTo("Synced");
    StatusView view = h.view();
    assertThat(view.revision()).isEqualTo(v);
    assertThat(view.health()).as("the most severe of the apps'").isEqualTo("Degraded");
    assertThat(view.history().get(0).health()).isEqualTo("Degraded");

    String fixed = h.commit("crash.yaml", sleeper("crash", 1), "fix the crashing app");
    await().until(() -> h.view().history().get(0).revision().equals(fixed));
    // What the crash-looping commit ended with: Degraded, or, if the fix came while a relaunched
    // task was up for a moment, what the roll-up said then.
    String ended = h.view().history().get(1).health();
    h.awaitSynced(fixed);
    await().until(() -> h.view().health().equals("Suspended"));
    assertThat(h.app("crash").health()).isEqualTo("Healthy");
    assertThat(h.view().history().get(0).health())
        .as("an app at zero instances on purpose: the roll-up is Suspended")
        .isEqualTo("Suspended");
    assertThat(h.view().history().get(1).health())
        .as("the superseded commit keeps the health it ended with")
        .isEqualTo(ended)
        .isIn("Degraded", "Suspended");
  }

  @Test
  void suspendedSyncsAndAppsHoldAcrossARestartUntilResumed() throws Exception {
    h = new Harness(dir, 1);
    h.commit("a.yaml", sleeper("a", 1), "a");
    String v1 = h.commit("b.yaml", sleeper("b", 1), "b");
    h.start();
    h.awaitSynced(v1);

    assertThat(h.controller.suspend(null)).isNull();
    String v2 = h.commit("a.yaml", sleeper("a", 2), "a to 2");
    await().until(() -> v2.equals(h.view().hold().pendingRevision()));
    assertThat(h.view().revision()).as("what runs stays").isEqualTo(v1);
    assertThat(h.view().syncStatus()).isEqualTo("OutOfSync");
    assertThat(h.view().hold().syncBlocked()).contains("suspended");
    assertThat(h.running("a")).hasSize(1);

    assertThat(h.controller.suspend("it/b")).isNull();
    assertThat(h.controller.suspend("it/nope")).isEqualTo("no app it/nope");
    h.stopController();
    h.start(); // held across a restart
    await().until(() -> h.view().hold().syncSuspended());
    assertThat(h.view().hold().suspendedApps()).containsExactly("it/b");

    assertThat(h.controller.resume(null)).isNull();
    h.awaitSynced(v2);
    await().until(() -> h.running("a").size() == 2);
    assertThat(h.view().hold().pendingRevision()).isNull();

    String v3 = h.commit("b.yaml", sleeper("b", 3), "b to 3");
    await().until(() -> v3.equals(h.view().revision()));
    await().until(() -> "Suspended".equals(h.app("b").status()));
    assertThat(h.app("b").health()).isEqualTo("Suspended");
    assertThat(h.running("b")).as("a suspended app is left as it is").hasSize(1);
    assertThat(h.controller.resume("it/b")).isNull();
    assertThat(h.controller.resume("it/b")).contains("is not suspended");
    h.awaitSynced(v3);
    await().until(() -> h.running("b").size() == 3);
  }

  @Test
  void anAppLabelledSuspendedInGitIsLeftAsItIsUntilTheLabelGoes() throws Exception {
    h = new Harness(dir, 1);
    String v1 = h.commit("a.yaml", sleeper("a", 1), "a");
    h.start();
    h.awaitSynced(v1);
    String held =
        h.commit(
            "a.yaml",
            sleeper("a", 3)
                .replace("metadata: {", "metadata: {labels: {telos.dev/suspended: 'true'}, "),
            "hold a, and ask for 3");
    await()
        .until(() -> held.equals(h.view().revision()) && "Suspended".equals(h.app("a").status()));
    assertThat(h.running("a")).hasSize(1);
    String released = h.commit("a.yaml", sleeper("a", 3), "release a");
    h.awaitSynced(released);
    await().until(() -> h.running("a").size() == 3);
  }

  @Test
  void aCommitMadeInADenyWindowWaitsForItToClose() throws Exception {
    h = new Harness(dir, 1);
    String v1 = h.commit("a.yaml", sleeper("a", 1), "a");
    h.windows = List.of(SyncWindow.parse("deny * * * * * 2m", java.time.ZoneId.of("UTC")));
    h.start();
    h.awaitSynced(v1); // nothing synced yet: the first commit is taken
    String v2 = h.commit("a.yaml", sleeper("a", 2), "a to 2");
    await().until(() -> v2.equals(h.view().hold().pendingRevision()));
    assertThat(h.view().hold().syncBlocked()).isEqualTo("in the deny window 'deny * * * * * 2m'");
    assertThat(h.view().revision()).isEqualTo(v1);
    assertThat(h.running("a")).hasSize(1);

    h.stopController();
    h.windows = List.of();
    h.start();
    h.awaitSynced(v2);
  }

  @Test
  void appsRunInTheirRoleOnlyWhenTheFrameworkSubscribesToIt() throws Exception {
    h = new Harness(dir, 1);
    h.roles = List.of("*", "batch");
    h.commit(
        "b.yaml",
        sleeper("b", 1).replace("  command:", "  role: batch\n  command:"),
        "b in role batch");
    h.commit(
        "c.yaml",
        sleeper("c", 1).replace("  command:", "  role: other\n  command:"),
        "c in a role nobody subscribed to");
    h.start();
    h.awaitApp("b", a -> a.runningInstances() == 1);
    h.awaitApp("c", a -> a.message() != null && a.message().contains("role 'other'"));
    assertThat(h.running("c")).isEmpty();
  }

  @Test
  void aJobRunsToCompletionOnce() throws Exception {
    h = new Harness(dir, 1);
    String v =
        h.commit(
            "job.yaml",
            "apiVersion: telos.dev/v1\nkind: Job\nmetadata: {name: once,"
                + " namespace: it}\nspec: {command: 'echo done', resources: {cpus: 0.01, mem: 8}}\n",
            "job");
    h.start();
    h.awaitApp("once", a -> a.status().equals("Succeeded"));
    h.awaitSynced(v);
    List<RunRecord> runs = h.app("once").runs();
    assertThat(runs)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.result()).isEqualTo("Succeeded");
              assertThat(r.specHash()).isEqualTo(h.app("once").specHash());
              assertThat(r.finishedAt()).isAfterOrEqualTo(r.startedAt());
            });
  }

  @Test
  void aCronJobFiresOnItsScheduleAndForbidSkipsOverlappingRuns() throws Exception {
    h = new Harness(dir, 1);
    // Start two seconds into a minute of the injected clock, so no real minute boundary
    // passes while the test runs: only the test's own clock moves fire the schedule.
    long intoMinute = h.clock.instant().getEpochSecond() % 60;
    h.clock.advance(Duration.ofSeconds((62 - intoMinute) % 60));
    // Every minute; each run outlives the next fire time, so Forbid must skip that one.
    String v =
        h.commit(
            "tick.yaml",
            "apiVersion: telos.dev/v1\nkind: CronJob\nmetadata: {name:"
                + " tick, namespace: it}\nspec:\n  schedule: '* * * * *'\n  concurrencyPolicy: Forbid\n"
                + "  job: {command: 'exec sleep 600', resources: {cpus: 0.01, mem: 8},"
                + " killGracePeriod: 1s}\n",
            "cron");
    h.start();
    h.awaitSynced(v);
    assertThat(h.app("tick").status()).isEqualTo("Scheduled");
    assertThat(h.running("tick")).isEmpty();

    // The injected clock jumps past the next minute; a sync wakes the loop.
    h.clock.advance(Duration.ofSeconds(61));
    h.controller.requestSync();
    await("the first run").until(() -> h.running("tick").size() == 1);
    String firstRun = h.running("tick").iterator().next();

    h.clock.advance(Duration.ofSeconds(60));
    h.controller.requestSync();
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> h.running("tick").equals(java.util.Set.of(firstRun)));
    assertThat(h.masterTasks()).containsExactly(firstRun);
    await().until(() -> h.app("tick").runs().size() == 2);
    assertThat(h.app("tick").runs())
        .extracting(RunRecord::result)
        .containsExactly("Skipped", "Running");
    assertThat(h.app("tick").runs().get(0).message()).contains("Forbid");
  }

  @Test
  void aLostAgentsTasksAreReplacedAndTheSurplusKilledWhenItReturns() throws Exception {
    h = new Harness(dir, 2);
    String v =
        h.commit(
            "w.yaml",
            sleeper("w", 2)
                .replace(
                    "  command:",
                    "  constraints: [{field: hostname, operator: UNIQUE}]\n  command:"),
            "w on two agents");
    h.start();
    h.awaitSynced(v);
    String agent = h.cluster.agentIds().get(0);
    assertThat(h.cluster.loseAgent(agent)).isTrue();
    // After the unreachable timeout (2 s here) a replacement is wanted; UNIQUE has no room for it.
    await()
        .until(
            () -> h.app("w").tasks().stream().anyMatch(t -> t.state().equals("TASK_UNREACHABLE")));
    h.cluster.restoreAgent(agent);
    await().until(() -> h.view().syncStatus().equals("Synced"));
    assertThat(h.running("w")).hasSize(2);
  }

  @Test
  void aTaskUnreachablePastExpungeAfterIsKilledWhenItsAgentReturns() throws Exception {
    h = new Harness(dir, 2);
    String v =
        h.commit(
            "w.yaml",
            sleeper("w", 1)
                .replace(
                    "  command:",
                    "  unreachableStrategy: {inactiveAfter: 1s, expungeAfter: 2s}\n  command:"),
            "w, given up 2 s after its agent is lost");
    h.start();
    h.awaitSynced(v);
    String lost = h.running("w").iterator().next();
    String agent =
        h.app("w").tasks().stream()
            .filter(t -> t.id().equals(lost))
            .findFirst()
            .orElseThrow()
            .agentId();
    long pid = h.cluster.taskPid(lost).orElseThrow();
    assertThat(h.cluster.loseAgent(agent)).isTrue();
    await()
        .until(
            () ->
                h.app("w").tasks().stream()
                    .anyMatch(t -> t.id().equals(lost) && t.killRequestedAt() != null));
    await().until(() -> h.running("w").size() == 1 && !h.running("w").contains(lost));
    assertThat(ProcessHandle.of(pid)).as("the agent is away, its task still runs").isPresent();

    h.cluster.restoreAgent(agent);
    await().until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
    await()
        .until(
            () ->
                h.view().syncStatus().equals("Synced")
                    && h.app("w").tasks().stream().noneMatch(t -> t.id().equals(lost)));
    assertThat(h.running("w")).hasSize(1).doesNotContain(lost);
  }

  @Test
  void aRestartedControllerAdoptsItsTasksMidRolloutWithoutLosingOrDuplicatingAny()
      throws Exception {
    h = new Harness(dir, 1);
    String v1 = h.commit("r.yaml", service("r", 3, "  command: exec sleep 600\n" + HEALTHY), "v1");
    h.start();
    h.awaitSynced(v1);
    Set<String> old = h.running("r");
    String frameworkId = h.view().frameworkId();

    // v2 never gets healthy: the rollout stalls with one surge task.
    String v2 = h.commit("r.yaml", service("r", 3, "  command: exec sleep 601\n" + SICK), "v2");
    await().until(() -> v2.equals(h.view().revision()) && h.app("r").tasks().size() == 4);
    Set<String> before = new HashSet<>(h.masterTasks());
    h.stopController();

    h.start();
    await().until(() -> h.view().ready());
    assertThat(h.view().frameworkId()).isEqualTo(frameworkId);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> new HashSet<>(h.masterTasks()).equals(before));
    assertThat(h.running("r")).containsAll(old);

    // Fixing the version finishes the rollout from where it stood.
    String v3 = h.commit("r.yaml", service("r", 3, "  command: exec sleep 602\n" + HEALTHY), "v3");
    h.awaitSynced(v3);
    assertThat(h.running("r")).hasSize(3).doesNotContainAnyElementsOf(old);
    await().until(() -> h.masterTasks().size() == 3);
  }

  @Test
  void unansweredReconciliationIsRepeatedUntilEveryTaskIsAccountedFor() throws Exception {
    h = new Harness(dir, 1);
    String v = h.commit("w.yaml", sleeper("w", 2), "w");
    h.start();
    h.awaitSynced(v);
    Set<String> tasks = h.running("w");
    h.stopController();

    // A master that does not answer yet (its agents still re-registering after a failover).
    h.cluster.holdReconciliation(true);
    h.start();
    await().until(() -> h.view().ready());
    assertThat(h.app("w").tasks())
        .extracting(StatusView.TaskView::state)
        .containsOnly("TASK_STAGING");
    h.cluster.holdReconciliation(false);
    await().until(() -> h.running("w").equals(tasks));
    assertThat(h.masterTasks()).hasSize(2);
  }

  @Test
  void aMasterFailoverIsFollowedAndChangesNothing() throws Exception {
    h = new Harness(dir, 1);
    String v = h.commit("w.yaml", sleeper("w", 2), "w");
    h.start();
    h.awaitSynced(v);
    Set<String> tasks = h.running("w");
    h.cluster.failover();
    await().until(() -> h.view().mesosConnection().equals("SUBSCRIBED") && h.view().ready());
    String v2 = h.commit("w.yaml", sleeper("w", 3), "scale after failover");
    h.awaitSynced(v2);
    assertThat(h.running("w")).containsAll(tasks).hasSize(3);
  }
}
