package dev.telos.cli;

import dev.telos.local.LocalCluster;
import dev.telos.local.LocalClusterConfig;
import dev.telos.mesos.BackoffPolicy;
import dev.telos.mesos.ContentType;
import dev.telos.mesos.MesosClient;
import dev.telos.mesos.MesosClientConfig;
import dev.telos.mesos.SchedulerListener;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.Value;
import org.apache.mesos.v1.scheduler.Protos.Event;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code telos bench cluster}: launches many tasks over simulated agents of an embedded cluster,
 * through the real HTTP protocol with Telos's own scheduler client, and prints launches per second
 * and the JVM's peak heap. Cluster and scheduler share this one JVM.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = "Benchmark the embedded cluster: launch tasks over simulated agents via HTTP.")
final class BenchCommand implements Callable<Integer> {
  @Option(
      names = "--tasks",
      defaultValue = "50000",
      description = "Tasks to launch (default: ${DEFAULT-VALUE}).")
  int tasks;

  @Option(
      names = "--agents",
      defaultValue = "1000",
      description = "Simulated agents (default: ${DEFAULT-VALUE}).")
  int agents;

  @Option(
      names = "--content-type",
      defaultValue = "PROTOBUF",
      description = "PROTOBUF or JSON (default: ${DEFAULT-VALUE}).")
  ContentType contentType;

  @Option(
      names = "--timeout",
      defaultValue = "10m",
      converter = DurationConverter.class,
      description = "Give up after this long (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  private static final double TASK_CPUS = 0.01;
  private static final double TASK_MEM = 8;

  @Override
  public Integer call() throws Exception {
    Path work = Files.createTempDirectory("telos-bench-");
    try {
      return run(work);
    } finally {
      deleteTree(work);
    }
  }

  private int run(Path work) throws Exception {
    try (LocalCluster cluster = LocalCluster.start(simulatedCluster(work, agents))) {
      Launched r = launchAll(cluster, tasks, agents, contentType, timeout);
      double seconds = r.nanos() / 1e9;
      System.out.printf(
          "tasks running:      %d of %d%s%n",
          r.running(), tasks, r.finished() ? "" : " (timed out)");
      System.out.printf("simulated agents:   %d%n", agents);
      System.out.printf("content type:       %s%n", contentType);
      System.out.printf("elapsed:            %.2f s (first offer to last TASK_RUNNING)%n", seconds);
      System.out.printf("launches per second: %.0f%n", r.running() / seconds);
      System.out.printf(
          "peak heap:          %d MiB (max %d MiB)%n",
          peakHeap() >> 20, Runtime.getRuntime().maxMemory() >> 20);
      return r.finished() ? 0 : 1;
    }
  }

  /**
   * An embedded cluster of simulated agents only, whose tasks run (as records) 10 ms after launch.
   */
  static LocalClusterConfig simulatedCluster(Path work, int agents) {
    return LocalClusterConfig.builder(work)
        .port(0)
        .agents(0, agents)
        .simulation(Duration.ofMillis(10), 0)
        .timings(Duration.ofSeconds(15), Duration.ofMillis(200), Duration.ofSeconds(30))
        .build();
  }

  /** How a bare scheduler's launch went: tasks RUNNING, first offer to the last RUNNING. */
  record Launched(int running, long nanos, boolean finished) {}

  /**
   * Subscribes a bare scheduler (Telos's client, no controller) that puts {@code tasks} tiny tasks
   * on the offers as they come, spread over {@code agents}, and acknowledges every update.
   */
  static Launched launchAll(
      LocalCluster cluster, int tasks, int agents, ContentType contentType, Duration timeout)
      throws Exception {
    AtomicInteger launched = new AtomicInteger();
    Set<String> running = ConcurrentHashMap.newKeySet();
    CountDownLatch done = new CountDownLatch(1);
    AtomicLong firstAccept = new AtomicLong();
    MesosClient[] client = new MesosClient[1];
    FrameworkInfo framework =
        FrameworkInfo.newBuilder()
            .setName("telos-bench")
            .setUser(System.getProperty("user.name"))
            .setFailoverTimeout(60)
            .build();
    int perAgent = (int) Math.ceil((double) tasks / agents);
    SchedulerListener listener =
        event -> {
          if (event.getType() == Event.Type.OFFERS) {
            firstAccept.compareAndSet(0, System.nanoTime());
            for (Offer offer : event.getOffers().getOffersList()) {
              launchInto(client[0], offer, launched, tasks, perAgent);
            }
          } else if (event.getType() == Event.Type.UPDATE) {
            TaskStatus s = event.getUpdate().getStatus();
            if (s.hasUuid()) {
              client[0].acknowledge(s.getAgentId(), s.getTaskId(), s.getUuid());
            }
            if (s.getState() == TaskState.TASK_RUNNING
                && running.add(s.getTaskId().getValue())
                && running.size() >= tasks) {
              done.countDown();
            }
          }
        };
    client[0] =
        MesosClient.start(
            MesosClientConfig.builder(cluster.url(), framework)
                .contentType(contentType)
                .backoff(new BackoffPolicy(Duration.ofMillis(50), Duration.ofSeconds(1)))
                .maxCallAttempts(10)
                .build(),
            listener);
    try {
      boolean finished = done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new Launched(running.size(), System.nanoTime() - firstAccept.get(), finished);
    } finally {
      client[0].close();
    }
  }

  private static void launchInto(
      MesosClient client, Offer offer, AtomicInteger launched, int tasks, int perAgent) {
    double cpus = 0;
    double mem = 0;
    for (Resource r : offer.getResourcesList()) {
      if (r.getName().equals("cpus")) {
        cpus += r.getScalar().getValue();
      } else if (r.getName().equals("mem")) {
        mem += r.getScalar().getValue();
      }
    }
    String role = offer.getAllocationInfo().getRole();
    List<TaskInfo> batch = new ArrayList<>();
    while (batch.size() < perAgent && cpus >= TASK_CPUS && mem >= TASK_MEM) {
      int n = launched.getAndIncrement();
      if (n >= tasks) {
        break;
      }
      cpus -= TASK_CPUS;
      mem -= TASK_MEM;
      batch.add(
          TaskInfo.newBuilder()
              .setName("bench-" + n)
              .setTaskId(TaskID.newBuilder().setValue("bench." + n))
              .setAgentId(offer.getAgentId())
              .addResources(scalar("cpus", TASK_CPUS, role))
              .addResources(scalar("mem", TASK_MEM, role))
              .setCommand(CommandInfo.newBuilder().setValue("true"))
              .build());
    }
    if (batch.isEmpty()) {
      client.decline(List.of(offer.getId()), Duration.ofMinutes(5));
      return;
    }
    client.accept(
        List.of(offer.getId()),
        List.of(
            Offer.Operation.newBuilder()
                .setType(Offer.Operation.Type.LAUNCH)
                .setLaunch(Offer.Operation.Launch.newBuilder().addAllTaskInfos(batch))
                .build()),
        null);
  }

  private static Resource scalar(String name, double value, String role) {
    return Resource.newBuilder()
        .setName(name)
        .setType(Value.Type.SCALAR)
        .setScalar(Value.Scalar.newBuilder().setValue(value))
        .setAllocationInfo(Resource.AllocationInfo.newBuilder().setRole(role))
        .build();
  }

  private static long peakHeap() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }

  /** {@code telos bench}: the benchmarks that print figures. */
  @Command(
      name = "bench",
      mixinStandardHelpOptions = true,
      description = "Benchmarks that print figures.",
      subcommands = {
        BenchCommand.class,
        BenchGitCommand.class,
        BenchFaultsCommand.class,
        BenchExecutorCommand.class,
        BenchE2eCommand.class,
        BenchRenderCommand.class,
        BenchRestartCommand.class
      })
  static final class Group implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(System.out);
    }
  }

  /** Removes a benchmark's temporary directory. */
  static void deleteTree(Path dir) {
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not remove " + dir + ": " + e.getMessage());
    }
  }
}
