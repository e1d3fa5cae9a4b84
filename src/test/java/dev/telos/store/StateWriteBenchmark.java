package dev.telos.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Recording one task's end with 100,000 task records kept: the journal (one fsynced line, and now
 * and then the whole map) against rewriting the whole document each time, as before. Both fsync, so
 * the figures include the disk's flush time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StateWriteBenchmark {
  record Rec(String agentId, String host, List<Long> ports) {}

  Path dir;
  FileStateStore store;
  final Map<String, Rec> records = new LinkedHashMap<>();
  long n;

  @Setup
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("state-bench");
    store = new FileStateStore(dir);
    for (int i = 0; i < 100_000; i++) {
      records.put("team-" + (i % 100) + ".app-" + i + ".0123456789.abc-" + i, rec(i));
    }
    store.write("tasks", records);
  }

  static Rec rec(long i) {
    return new Rec("agent-" + (i % 1000), "host-" + (i % 1000), List.of(31000 + i % 1000));
  }

  @TearDown
  public void tearDown() throws IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** One record replaced, appended to the journal. */
  @Benchmark
  public void journalOneChange() {
    String id = "new-" + (n++ % 1000);
    Rec r = rec(n);
    records.put(id, r);
    store.update("tasks", Map.of(id, r), List.of(), records);
  }

  /** One record replaced, the whole map written again. */
  @Benchmark
  public void rewriteWhole() {
    String id = "new-" + (n++ % 1000);
    records.put(id, rec(n));
    store.write("tasks", records);
  }
}
