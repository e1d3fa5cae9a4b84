package dev.telos.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.telos.mesos.ConnectionState;
import dev.telos.mesos.ContentType;
import dev.telos.mesos.FrameworkIdStore;
import dev.telos.mesos.MesosClient;
import dev.telos.mesos.MesosClientConfig;
import dev.telos.mesos.MesosFatalException;
import dev.telos.mesos.SchedulerListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Telos's own scheduler client against the embedded cluster, end to end, in both encodings. */
class ClientAgainstClusterIT {
  @TempDir Path work;
  LocalCluster cluster;
  MesosClient client;
  final Recorder events = new Recorder();

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  static FrameworkInfo framework(double failoverTimeout) {
    return FrameworkInfo.newBuilder()
        .setName("telos-it")
        .setUser(System.getProperty("user.name"))
        .setFailoverTimeout(failoverTimeout)
        .setCheckpoint(true)
        .addCapabilities(
            FrameworkInfo.Capability.newBuilder()
                .setType(FrameworkInfo.Capability.Type.PARTITION_AWARE))
        .build();
  }

  MesosClientConfig.Builder config(ContentType type) {
    return MesosClientConfig.builder(cluster.url(), framework(60))
        .contentType(type)
        .backoff(new dev.telos.mesos.BackoffPolicy(Duration.ofMillis(20), Duration.ofMillis(200)))
        .missedHeartbeats(3);
  }

  @ParameterizedTest
  @EnumSource(ContentType.class)
  void launchesAcknowledgesAndKillsARealProcess(ContentType type) throws Exception {
    cluster = LocalCluster.start(ClusterFixture.fast(work).build());
    client = MesosClient.start(config(type).build(), events);
    Offer offer = events.nextOffer();
    TaskInfo task =
        TaskInfo.newBuilder()
            .setName("sleeper")
            .setTaskId(TaskID.newBuilder().setValue("sleeper"))
            .setAgentId(offer.getAgentId())
            .addResources(scalar("cpus", 0.1))
            .addResources(scalar("mem", 16))
            .setCommand(CommandInfo.newBuilder().setValue("exec sleep 300"))
            .build();
    client
        .accept(
            List.of(offer.getId()),
            List.of(
                Offer.Operation.newBuilder()
                    .setType(Offer.Operation.Type.LAUNCH)
                    .setLaunch(Offer.Operation.Launch.newBuilder().addTaskInfos(task))
                    .build()),
            null)
        .get(20, TimeUnit.SECONDS);
    TaskStatus running = events.awaitState("sleeper", TaskState.TASK_RUNNING);
    assertThat(running.hasUuid()).isTrue();
    long pid = cluster.taskPid("sleeper").orElseThrow();
    client
        .kill(task.getTaskId(), offer.getAgentId(), Duration.ofSeconds(1))
        .get(20, TimeUnit.SECONDS);
    events.awaitState("sleeper", TaskState.TASK_KILLED);
    await().until(() -> !ClusterFixture.alive(pid));
  }

  @Test
  void followsTheLeaderAfterAMasterFailover() throws Exception {
    cluster = LocalCluster.start(ClusterFixture.fast(work).build());
    String oldUrl = cluster.url();
    client = MesosClient.start(config(ContentType.PROTOBUF).build(), events);
    await().until(() -> client.state() == ConnectionState.SUBSCRIBED);
    String id = client.frameworkId().orElseThrow();

    String newUrl = cluster.failover();
    HttpResponse<Void> redirect =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(oldUrl + "/api/v1/scheduler"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
    assertThat(redirect.statusCode()).isEqualTo(307);
    assertThat(redirect.headers().firstValue("Location"))
        .contains("//" + URI.create(newUrl).getAuthority() + "/api/v1/scheduler");

    await()
        .until(
            () ->
                client.state() == ConnectionState.SUBSCRIBED
                    && client.endpoint().startsWith(newUrl));
    assertThat(client.frameworkId()).contains(id);
  }

  @Test
  void pausedHeartbeatsMakeTheClientResubscribe() throws Exception {
    cluster = LocalCluster.start(ClusterFixture.fast(work).build());
    client = MesosClient.start(config(ContentType.PROTOBUF).build(), events);
    await().until(() -> client.state() == ConnectionState.SUBSCRIBED);
    assertThat(cluster.pauseHeartbeats(client.frameworkId().orElseThrow(), true)).isTrue();
    await().until(() -> !events.disconnects.isEmpty());
    assertThat(events.disconnects.get(0)).contains("heartbeat");
    await().until(() -> client.state() == ConnectionState.SUBSCRIBED);
  }

  @Test
  void aRemovedFrameworkStopsTheClient() throws Exception {
    cluster = LocalCluster.start(ClusterFixture.fast(work).build());
    FrameworkIdStore store = FrameworkIdStore.inMemory();
    MesosClient first =
        MesosClient.start(
            MesosClientConfig.builder(cluster.url(), framework(0.2))
                .frameworkIdStore(store)
                .build(),
            new Recorder());
    await().until(() -> first.state() == ConnectionState.SUBSCRIBED);
    first.close();
    await().until(() -> cluster.stateJson().contains("\"completed_frameworks\":[{"));

    client = MesosClient.start(config(ContentType.JSON).frameworkIdStore(store).build(), events);
    await().until(() -> !events.fatal.isEmpty());
    assertThat(events.fatal.get(0)).hasMessageContaining("removed framework " + store.load().get());
    assertThat(client.state()).isEqualTo(ConnectionState.STOPPED);
  }

  static Resource scalar(String name, double value) {
    return Resource.newBuilder()
        .setName(name)
        .setType(Value.Type.SCALAR)
        .setScalar(Value.Scalar.newBuilder().setValue(value))
        .build();
  }

  /** Acknowledges every update with a uuid, as a correct framework must, and records events. */
  final class Recorder implements SchedulerListener {
    final List<Event> received = new CopyOnWriteArrayList<>();
    final List<String> disconnects = new CopyOnWriteArrayList<>();
    final List<MesosFatalException> fatal = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(Event event) {
      received.add(event);
      if (event.getType() == Event.Type.UPDATE && event.getUpdate().getStatus().hasUuid()) {
        TaskStatus s = event.getUpdate().getStatus();
        client.acknowledge(s.getAgentId(), s.getTaskId(), s.getUuid());
      }
    }

    @Override
    public void onDisconnected(String reason) {
      disconnects.add(reason);
    }

    @Override
    public void onFatal(MesosFatalException error) {
      fatal.add(error);
    }

    Offer nextOffer() {
      await().until(() -> received.stream().anyMatch(e -> e.getType() == Event.Type.OFFERS));
      return received.stream()
          .filter(e -> e.getType() == Event.Type.OFFERS)
          .findFirst()
          .orElseThrow()
          .getOffers()
          .getOffers(0);
    }

    TaskStatus awaitState(String taskId, TaskState state) {
      await().until(() -> find(taskId, state) != null);
      return find(taskId, state);
    }

    TaskStatus find(String taskId, TaskState state) {
      for (Event e : received) {
        if (e.getType() == Event.Type.UPDATE
            && e.getUpdate().getStatus().getTaskId().getValue().equals(taskId)
            && e.getUpdate().getStatus().getState() == state) {
          return e.getUpdate().getStatus();
        }
      }
      return null;
    }
  }
}
