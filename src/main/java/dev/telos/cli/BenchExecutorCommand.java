package dev.telos.cli;

import dev.telos.local.LocalCluster;
import dev.telos.local.LocalClusterConfig;
import dev.telos.mesos.BackoffPolicy;
import dev.telos.mesos.MesosClient;
import dev.telos.mesos.MesosClientConfig;
import dev.telos.reconcile.ExecutorLaunch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.ExecutorInfo;
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
 * {@code telos bench executor}: starts the Telos executor (this jar) for one task at a time on a
 * process agent of an embedded cluster, and prints how long it takes from ACCEPT to TASK_RUNNING
 * and the executor JVM's resident memory while its task runs, with the JVM flags agents use.
 */
@Command(
    name = "executor",
    mixinStandardHelpOptions = true,
    description = "Benchmark the Telos executor: start to TASK_RUNNING, and its resident memory.")
final class BenchExecutorCommand implements Callable<Integer> {
  @Option(
      names = "--tasks",
      defaultValue = "10",
      description = "Tasks to run one after another (default: ${DEFAULT-VALUE}).")
  int tasks;

  @Option(
      names = "--jvm-flags",
      description = "JVM flags to try instead of the ones agents use (for tuning).")
  String jvmFlags;

  @Override
  public Integer call() throws Exception {
    Path jar = dev.telos.api.ApiServer.runningJar();
    if (jar == null) {
      System.err.println("run it from the packaged jar: java -jar target/telos.jar bench executor");
      return 2;
    }
    Path work = Files.createTempDirectory("telos-bench-executor-");
    try {
      return run(work, jar);
    } finally {
      BenchCommand.deleteTree(work);
    }
  }

  private int run(Path work, Path jar) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ExecutorLaunch launch = new ExecutorLaunch(jar.toString(), java, 0.05, 64, jvmFlags);
    LinkedBlockingQueue<Offer> offers = new LinkedBlockingQueue<>();
    Map<String, LinkedBlockingQueue<TaskStatus>> updates = new ConcurrentHashMap<>();
    MesosClient[] client = new MesosClient[1];
    List<Long> startMillis = new ArrayList<>();
    List<Long> rssKib = new ArrayList<>();
    try (LocalCluster cluster =
        LocalCluster.start(
            LocalClusterConfig.builder(work)
                .port(0)
                .agents(1, 0)
                .timings(Duration.ofSeconds(15), Duration.ofMillis(100), Duration.ofSeconds(30))
                .build())) {
      FrameworkInfo framework =
          FrameworkInfo.newBuilder()
              .setName("telos-bench-executor")
              .setUser(System.getProperty("user.name"))
              .setFailoverTimeout(60)
              .setCheckpoint(true)
              .build();
      client[0] =
          MesosClient.start(
              MesosClientConfig.builder(cluster.url(), framework)
                  .backoff(new BackoffPolicy(Duration.ofMillis(50), Duration.ofSeconds(1)))
                  .build(),
              event -> {
                if (event.getType() == Event.Type.OFFERS) {
                  offers.addAll(event.getOffers().getOffersList());
                } else if (event.getType() == Event.Type.UPDATE) {
                  TaskStatus s = event.getUpdate().getStatus();
                  if (s.hasUuid()) {
                    client[0].acknowledge(s.getAgentId(), s.getTaskId(), s.getUuid());
                  }
                  updates
                      .computeIfAbsent(s.getTaskId().getValue(), k -> new LinkedBlockingQueue<>())
                      .add(s);
                }
              });
      for (int i = 0; i < tasks; i++) {
        Offer offer = offers.poll(60, TimeUnit.SECONDS);
        if (offer == null) {
          System.err.println("no offer within 60 s");
          return 1;
        }
        String id = "bench-executor." + i;
        LinkedBlockingQueue<TaskStatus> mine = new LinkedBlockingQueue<>();
        updates.put(id, mine);
        long began = System.nanoTime();
        client[0].accept(
            List.of(offer.getId()),
            List.of(
                Offer.Operation.newBuilder()
                    .setType(Offer.Operation.Type.LAUNCH)
                    .setLaunch(
                        Offer.Operation.Launch.newBuilder().addTaskInfos(task(id, offer, launch)))
                    .build()),
            null);
        TaskStatus s;
        do {
          s = mine.poll(120, TimeUnit.SECONDS);
        } while (s != null && s.getState() != TaskState.TASK_RUNNING && !terminal(s));
        if (s == null || s.getState() != TaskState.TASK_RUNNING) {
          System.err.println("task " + id + " did not run: " + s);
          return 1;
        }
        startMillis.add((System.nanoTime() - began) / 1_000_000);
        Thread.sleep(1000); // let the executor settle before its memory is read
        // The agent runs the command with sh -c: the executor JVM is the java process under it.
        long pid = cluster.taskPid(id).orElseThrow();
        long jvm = -1;
        for (ProcessHandle h :
            ProcessHandle.of(pid).map(ph -> ph.descendants().toList()).orElse(List.of())) {
          if (h.info().command().map(c -> c.endsWith("/java")).orElse(false)) {
            jvm = Math.max(jvm, rss(h.pid()));
          }
        }
        if (ProcessHandle.of(pid)
            .flatMap(ph -> ph.info().command())
            .map(c -> c.endsWith("/java"))
            .orElse(false)) {
          jvm = Math.max(jvm, rss(pid));
        }
        rssKib.add(jvm);
        client[0].kill(
            TaskID.newBuilder().setValue(id).build(), offer.getAgentId(), Duration.ofSeconds(1));
        do {
          s = mine.poll(60, TimeUnit.SECONDS);
        } while (s != null && !terminal(s));
      }
      client[0].close();
    }
    List<Long> sorted = new ArrayList<>(startMillis);
    sorted.sort(null);
    List<Long> rss = new ArrayList<>(rssKib);
    rss.sort(null);
    System.out.printf("executor runs:          %d%n", tasks);
    System.out.printf("JVM flags:              %s%n", launch.jvmFlags());
    System.out.printf(
        "ACCEPT to TASK_RUNNING: p50 %d ms, max %d ms%n",
        sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
    System.out.printf(
        "executor JVM RSS:       p50 %d MiB, max %d MiB%n",
        rss.get(rss.size() / 2) / 1024, rss.get(rss.size() - 1) / 1024);
    return 0;
  }

  private static boolean terminal(TaskStatus s) {
    return switch (s.getState()) {
      case TASK_FINISHED, TASK_FAILED, TASK_KILLED, TASK_ERROR, TASK_LOST, TASK_DROPPED -> true;
      default -> false;
    };
  }

  /** VmRSS of a process, in KiB. */
  private static long rss(long pid) throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static TaskInfo task(String id, Offer offer, ExecutorLaunch launch) {
    String role = offer.getAllocationInfo().getRole();
    return TaskInfo.newBuilder()
        .setName(id)
        .setTaskId(TaskID.newBuilder().setValue(id))
        .setAgentId(offer.getAgentId())
        .addResources(scalar("cpus", 0.01, role))
        .addResources(scalar("mem", 8, role))
        .setExecutor(
            ExecutorInfo.newBuilder()
                .setExecutorId(ExecutorID.newBuilder().setValue("telos-" + id))
                .setType(ExecutorInfo.Type.CUSTOM)
                .setCommand(
                    CommandInfo.newBuilder()
                        .setValue(launch.command())
                        .addUris(
                            CommandInfo.URI
                                .newBuilder()
                                .setValue(launch.uri())
                                .setCache(true)
                                .setOutputFile("telos.jar")))
                .addResources(scalar("cpus", launch.cpus(), role))
                .addResources(scalar("mem", launch.mem(), role)))
        .setData(com.google.protobuf.ByteString.copyFromUtf8("{\"command\":\"exec sleep 600\"}"))
        .build();
  }

  private static Resource scalar(String name, double value, String role) {
    return Resource.newBuilder()
        .setName(name)
        .setType(Value.Type.SCALAR)
        .setScalar(Value.Scalar.newBuilder().setValue(value))
        .setAllocationInfo(Resource.AllocationInfo.newBuilder().setRole(role))
        .build();
  }
}
