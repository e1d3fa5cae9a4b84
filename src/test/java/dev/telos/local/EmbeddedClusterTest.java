package dev.telos.local;

import dev.telos.testing.RawScheduler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh fast embedded cluster per test, and raw schedulers that are closed with it: the shared
 * set-up of the master's conformance and failover tests.
 */
abstract class EmbeddedClusterTest {
  @TempDir Path work;
  LocalCluster cluster;
  final List<RawScheduler> schedulers = new ArrayList<>();

  @BeforeEach
  void startCluster() throws Exception {
    cluster = LocalCluster.start(ClusterFixture.fast(work).build());
  }

  @AfterEach
  void stopCluster() throws Exception {
    for (RawScheduler s : schedulers) {
      s.close();
    }
    cluster.close();
  }

  /** Subscribes a raw JSON scheduler that the test's end closes. */
  RawScheduler subscribe(String frameworkInfo) throws Exception {
    RawScheduler s = RawScheduler.subscribe(cluster.url(), frameworkInfo);
    schedulers.add(s);
    return s;
  }
}
