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

  @Test
  void everyRenameAndNewJournalIsFollowedByAnFsyncOfTheDirectory() throws Exception {
    // What each directory sync saw on disk: a rename is durable only once its directory is
    // synced, so the sync must come after the rename, not before.
    List<String> seen = new java.util.ArrayList<>();
    FileStateStore[] store = new FileStateStore[1];
    store[0] =
        new FileStateStore(
            dir,
            d -> {
              try (var files = Files.list(d)) {
                seen.add(
                    files
                        .map(p -> p.getFileName().toString())
                        .filter(n -> !n.startsWith("."))
                        .sorted()
                        .toList()
                        .toString());
              }
            });
    store[0].saveFrameworkId("fw-1");
    assertThat(seen).as("a new framework ID must survive a power cut").hasSize(1);
    assertThat(seen.get(0)).contains("framework-id");
    store[0].write("apps", map("a", 1));
    assertThat(seen).hasSize(2);
    assertThat(seen.get(1)).contains("apps.json");
    store[0].update("tasks", map("a", 1), List.of(), map("a", 1));
    assertThat(seen).as("a new journal file is a new directory entry").hasSize(3);
    assertThat(seen.get(2)).contains("tasks.journal");
    store[0].update("tasks", map("b", 2), List.of(), map("a", 1, "b", 2));
    assertThat(seen).as("an append to an existing journal changes no directory entry").hasSize(3);
    store[0].write("tasks", map("a", 1, "b", 2));
    assertThat(seen.get(seen.size() - 1)).contains("tasks.json").doesNotContain("tasks.journal");
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
