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
}
