package dev.telos.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStateStoreTest {
  @TempDir Path dir;

  @Test
  void theLockNamesItsHolderByPidHostAndProgram() throws Exception {
    try (FileStateStore first = FileStateStore.open(dir)) {
      assertThat(Files.readString(dir.resolve("lock")).strip())
          .matches(
              "pid "
                  + ProcessHandle.current().pid()
                  + " on "
                  + java.util.regex.Pattern.quote(java.net.InetAddress.getLocalHost().getHostName())
                  + " \\(since [0-9T:.Z-]+, java\\)");
    }
  }

  @Test
  void aRefusedLockLeavesNoFileOpen() throws Exception {
    try (FileStateStore first = FileStateStore.open(dir)) {
      long before = openFiles();
      for (int i = 0; i < 20; i++) {
        assertThatThrownBy(() -> FileStateStore.open(dir))
            .isInstanceOf(DataDirLock.LockedException.class);
      }
      assertThat(openFiles()).as("file descriptors of this process").isLessThan(before + 20);
    }
  }

  static long openFiles() throws java.io.IOException {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  @Test
  void aStoreThatCannotOpenReleasesTheLockItTook() throws Exception {
    Files.writeString(dir.resolve("state"), "not a directory");
    assertThatThrownBy(() -> FileStateStore.open(dir)).isInstanceOf(java.io.IOException.class);
    Files.delete(dir.resolve("state"));
    try (FileStateStore again = FileStateStore.open(dir)) {
      again.saveFrameworkId("fw-1");
    }
  }

  @Test
  void aLockedDataDirIsRefusedNamingItsHolderUntilReleased() throws Exception {
    try (FileStateStore first = FileStateStore.open(dir)) {
      assertThatThrownBy(() -> FileStateStore.open(dir))
          .isInstanceOf(DataDirLock.LockedException.class)
          .hasMessageContaining("is locked by pid " + ProcessHandle.current().pid())
          .hasMessageContaining("give this one its own --data-dir");
      first.saveFrameworkId("fw-1");
    }
    try (FileStateStore again = FileStateStore.open(dir)) {
      assertThat(again.frameworkId()).contains("fw-1");
    }
  }

  @Test
  void writesReplaceWholeFilesAndLeaveNoTemporaryFileBehind() throws Exception {
    FileStateStore store = new FileStateStore(dir);
    store.write("tasks", Map.of("a", List.of(1, 2)));
    store.write("tasks", Map.of("b", List.of(3)));
    var type =
        store.mapper().getTypeFactory().constructMapType(Map.class, String.class, List.class);
    assertThat(store.<Map<String, List<Integer>>>read("tasks", type))
        .contains(Map.of("b", List.of(3)));
    try (var files = Files.list(store.directory())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("tasks.json");
    }
  }

  @Test
  void aFailedWriteThrowsAndKeepsTheOldVersion() throws Exception {
    FileStateStore store = new FileStateStore(dir);
    store.write("apps", Map.of("v", 1));
    // A directory where the temporary file must go makes the write fail as a full disk would.
    Files.createDirectories(store.directory().resolve(".apps.json.tmp").resolve("blocker"));
    assertThatThrownBy(() -> store.write("apps", Map.of("v", 2)))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining("cannot write state file");
    var type =
        store.mapper().getTypeFactory().constructMapType(Map.class, String.class, Integer.class);
    assertThat(store.<Map<String, Integer>>read("apps", type)).contains(Map.of("v", 1));
  }

  static java.util.Map<String, Integer> map(Object... kv) {
    java.util.Map<String, Integer> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (Integer) kv[i + 1]);
    }
    return m;
  }

  @Test
  void mapUpdatesAreJournaledAndReadBackMerged() throws Exception {
    FileStateStore store = new FileStateStore(dir);
    var intType = store.mapper().getTypeFactory().constructType(Integer.class);
    store.write("tasks", map("a", 1, "b", 2));
    store.update("tasks", map("c", 3), List.of(), map("a", 1, "b", 2, "c", 3));
    store.update("tasks", Map.of(), List.of("a"), map("b", 2, "c", 3));
    assertThat(Files.readString(store.directory().resolve("tasks.json")))
        .as("the document is not rewritten for a change")
        .doesNotContain("\"c\"");
    assertThat(Files.readAllLines(store.directory().resolve("tasks.journal"))).hasSize(2);
    FileStateStore reopened = new FileStateStore(dir);
    assertThat(reopened.<Integer>readMap("tasks", intType)).contains(map("b", 2, "c", 3));
  }

  @Test
  void theJournalIsFoldedIntoTheDocumentOnceItOutgrowsIt() throws Exception {
    FileStateStore store = new FileStateStore(dir);
    var intType = store.mapper().getTypeFactory().constructType(Integer.class);
    java.util.Map<String, Integer> whole = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 1001; i++) {
      whole.put("t" + i, i);
      store.update("tasks", map("t" + i, i), List.of(), whole);
    }
    assertThat(store.directory().resolve("tasks.journal"))
        .as("1,000 lines, then the whole map written and the journal started over")
        .doesNotExist();
    assertThat(new FileStateStore(dir).<Integer>readMap("tasks", intType)).contains(whole);
  }

  @Test
  void aTornLastLineIsIgnoredAndAReplayedJournalChangesNothing() throws Exception {
    FileStateStore store = new FileStateStore(dir);
    var intType = store.mapper().getTypeFactory().constructType(Integer.class);
    store.update("tasks", map("a", 1), List.of(), map("a", 1));
    store.update("tasks", map("b", 2), List.of(), map("a", 1, "b", 2));
    store.update("tasks", Map.of(), List.of("a"), map("b", 2));
    Path journal = store.directory().resolve("tasks.journal");
    String lines = Files.readString(journal);
    // A crash after the whole map was written but before the journal was dropped.
    store.write("tasks", map("b", 2));
    Files.writeString(journal, lines + "{\"put\":{\"x\":");
    assertThat(new FileStateStore(dir).<Integer>readMap("tasks", intType)).contains(map("b", 2));
  }

  /** Records each fsync with what was on disk when it happened. */
  static final class WatchedFsync implements FileStateStore.Fsync {
    final List<String> seen = new java.util.ArrayList<>();

    @Override
    public void file(java.nio.channels.FileChannel channel, Path file) throws java.io.IOException {
      seen.add("file " + file.getFileName() + " = " + Files.readString(file).strip());
    }

    @Override
    public void directory(Path d) throws java.io.IOException {
      try (var files = Files.list(d)) {
        seen.add(
            "dir "
                + files
                    .map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("."))
                    .sorted()
                    .toList());
      }
    }
  }

  @Test
  void everyWriteIsFsyncedBeforeItCountsAndEveryNewNameIsFollowedByADirectoryFsync()
      throws Exception {
    // What each fsync saw on disk: a file's bytes must be forced after they were written and
    // before the rename that publishes them; a rename or a new journal is durable only once its
    // directory is synced, so that sync comes after it, not before.
    WatchedFsync fsync = new WatchedFsync();
    FileStateStore store = new FileStateStore(dir, fsync);
    store.saveFrameworkId("fw-1");
    assertThat(fsync.seen)
        .as("a new framework ID must survive a power cut")
        .containsExactly("file .framework-id.tmp = fw-1", "dir [framework-id]");
    fsync.seen.clear();
    store.write("apps", map("a", 1));
    assertThat(fsync.seen).hasSize(2);
    assertThat(fsync.seen.get(0)).startsWith("file .apps.json.tmp = {").contains("\"a\" : 1");
    assertThat(fsync.seen.get(1)).isEqualTo("dir [apps.json, framework-id]");
    fsync.seen.clear();
    store.update("tasks", map("a", 1), List.of(), map("a", 1));
    assertThat(fsync.seen)
        .as("a new journal file is a new directory entry")
        .containsExactly(
            "file tasks.journal = {\"put\":{\"a\":1}}",
            "dir [apps.json, framework-id, tasks.journal]");
    fsync.seen.clear();
    store.update("tasks", Map.of(), List.of("a"), Map.of());
    assertThat(fsync.seen)
        .as("an append to an existing journal is forced, and changes no directory entry")
        .containsExactly("file tasks.journal = {\"put\":{\"a\":1}}\n{\"remove\":[\"a\"]}");
    fsync.seen.clear();
    store.write("tasks", Map.of());
    assertThat(fsync.seen.get(fsync.seen.size() - 1))
        .contains("tasks.json")
        .doesNotContain("tasks.journal");
  }

  @Test
  void namesThatCouldLeaveTheStateDirectoryAreRefusedForEveryOperation() throws Exception {
    FileStateStore store = new FileStateStore(dir);
    var intType = store.mapper().getTypeFactory().constructType(Integer.class);
    for (String bad : List.of("../escape", "a/b", "Upper", "")) {
      assertThatThrownBy(() -> store.write(bad, map("a", 1)))
          .as("write %s", bad)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.update(bad, map("a", 1), List.of(), map("a", 1)))
          .as("update %s", bad)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.read(bad, intType))
          .as("read %s", bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    try (var files = Files.walk(dir)) {
      assertThat(files.filter(Files::isRegularFile)).isEmpty();
    }
  }

  @Test
  void anEmptyFrameworkIdFileMeansNoFrameworkId() throws Exception {
    FileStateStore store = new FileStateStore(dir);
    Files.writeString(store.directory().resolve("framework-id"), " \n");
    assertThat(store.frameworkId()).isEmpty();
    store.saveFrameworkId("fw-2");
    assertThat(store.frameworkId()).contains("fw-2");
  }

  @Test
  void aJournalReadAfterARestartCountsTowardsItsCompaction() throws Exception {
    FileStateStore first = new FileStateStore(dir);
    Map<String, Integer> whole = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 1000; i++) {
      whole.put("k" + i, i);
      first.update("tasks", Map.of("k" + i, i), List.of(), whole);
    }
    Path journal = first.directory().resolve("tasks.journal");
    assertThat(journal).exists();
    FileStateStore restarted = new FileStateStore(dir);
    var intType = restarted.mapper().getTypeFactory().constructType(Integer.class);
    assertThat(restarted.<Integer>readMap("tasks", intType)).contains(whole);
    whole.put("last", 1);
    restarted.update("tasks", Map.of("last", 1), List.of(), whole);
    assertThat(journal)
        .as("1,000 lines read back: the next change writes the map whole")
        .doesNotExist();
    assertThat(new FileStateStore(dir).<Integer>readMap("tasks", intType)).contains(whole);
  }

  @Test
  void appendsAfterATornLineAreKeptAcrossTheNextRestart() throws Exception {
    FileStateStore store = new FileStateStore(dir);
    var intType = store.mapper().getTypeFactory().constructType(Integer.class);
    store.update("tasks", map("a", 1), List.of(), map("a", 1));
    Path journal = store.directory().resolve("tasks.journal");
    Files.writeString(journal, Files.readString(journal) + "{\"put\":{\"x\":");
    // A restart after the torn append: reads what was kept, then carries on appending.
    FileStateStore restarted = new FileStateStore(dir);
    assertThat(restarted.<Integer>readMap("tasks", intType)).contains(map("a", 1));
    restarted.update("tasks", map("b", 2), List.of(), map("a", 1, "b", 2));
    assertThat(new FileStateStore(dir).<Integer>readMap("tasks", intType))
        .contains(map("a", 1, "b", 2));
  }
}
