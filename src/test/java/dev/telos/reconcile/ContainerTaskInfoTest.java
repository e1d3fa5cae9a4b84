package dev.telos.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telos.manifest.App;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.junit.jupiter.api.Test;

/** Containers as Mesos takes them: network, port mappings, parameters, volumes (golden JSON). */
class ContainerTaskInfoTest {
  static TaskInfo launch(String extra) {
    return new PlannerFixture()
        .with(PlannerFixture.service("web", 1, extra))
        .offer("a1", 4, 1000, 31000, 31000)
        .offer("a2", 4, 1000, 32000, 32009)
        .plan()
        .launches()
        .get(0)
        .task();
  }

  static com.fasterxml.jackson.databind.JsonNode json(com.google.protobuf.MessageOrBuilder m)
      throws Exception {
    return new ObjectMapper().readTree(com.google.protobuf.util.JsonFormat.printer().print(m));
  }

  @Test
  void aDockerBridgeContainerMapsItsPortsToTheOfferedOnes() throws Exception {
    TaskInfo t =
        launch(
            "  ports: [{name: http}, {name: admin}]\n"
                + "  healthCheck: {type: HTTP, port: http, path: /health}\n"
                + "  container:\n    type: DOCKER\n    image: nginx:1.27\n    network: BRIDGE\n"
                + "    portMappings:\n"
                + "      - {containerPort: 80, hostPort: http, servicePort: 10080}\n"
                + "      - {containerPort: 9000, hostPort: admin, protocol: udp}\n"
                + "    parameters: [{key: log-driver, value: journald}, {key: label, value: a=b}]\n"
                + "    privileged: true\n    forcePullImage: true\n"
                + "    volumes:\n"
                + "      - {containerPath: /data, hostPath: /srv/data, mode: RO}\n"
                + "      - {containerPath: /cache, sandboxPath: cache}\n");
    assertThat(json(t.getContainer()))
        .isEqualTo(
            new ObjectMapper()
                .readTree(
                    """
                    {
                      "type": "DOCKER",
                      "volumes": [
                        {"containerPath": "/data", "hostPath": "/srv/data", "mode": "RO"},
                        {"containerPath": "/cache", "hostPath": "cache", "mode": "RW"}
                      ],
                      "docker": {
                        "image": "nginx:1.27",
                        "network": "BRIDGE",
                        "portMappings": [
                          {"hostPort": 32000, "containerPort": 80, "protocol": "tcp"},
                          {"hostPort": 32001, "containerPort": 9000, "protocol": "udp"}
                        ],
                        "privileged": true,
                        "parameters": [
                          {"key": "log-driver", "value": "journald"},
                          {"key": "label", "value": "a=b"}
                        ],
                        "forcePullImage": true
                      }
                    }
                    """));
    assertThat(t.getHealthCheck().getHttp().getPort())
        .as("checked inside the container's network: the container port")
        .isEqualTo(80);
    assertThat(json(t.getDiscovery()))
        .isEqualTo(
            new ObjectMapper()
                .readTree(
                    """
                    {
                      "visibility": "FRAMEWORK",
                      "name": "web.default",
                      "ports": {"ports": [
                        {"number": 32000, "name": "http", "protocol": "tcp",
                         "labels": {"labels": [{"key": "servicePort", "value": "10080"}]}},
                        {"number": 32001, "name": "admin", "protocol": "udp"}
                      ]}
                    }
                    """));
  }

  @Test
  void aUcrContainerOnAUserNetworkCarriesItsMappingsInTheNetworkInfo() throws Exception {
    TaskInfo t =
        launch(
            "  ports: [{name: http}]\n"
                + "  container:\n    type: MESOS\n    image: alpine:3\n    network: USER\n"
                + "    networkName: overlay\n    forcePullImage: true\n"
                + "    portMappings:\n      - {containerPort: 8080, hostPort: 0}\n"
                + "      - {containerPort: 9090}\n"
                + "    volumes: [{containerPath: /tmp/x, sandboxPath: x, mode: RW}]\n");
    assertThat(json(t.getContainer()))
        .isEqualTo(
            new ObjectMapper()
                .readTree(
                    """
                    {
                      "type": "MESOS",
                      "volumes": [
                        {"containerPath": "/tmp/x", "mode": "RW",
                         "source": {"type": "SANDBOX_PATH",
                                    "sandboxPath": {"type": "SELF", "path": "x"}}}
                      ],
                      "mesos": {"image": {"type": "DOCKER", "docker": {"name": "alpine:3"},
                                          "cached": false}},
                      "networkInfos": [
                        {"name": "overlay",
                         "portMappings": [{"hostPort": 31000, "containerPort": 8080,
                                           "protocol": "tcp"}]}
                      ]
                    }
                    """));
    assertThat(t.hasDiscovery()).isFalse();
  }

  @Test
  void aPlainImageKeepsItsTaskInfoAndItsSpecHash() throws Exception {
    App plain =
        PlannerFixture.service("web", 1, "  container: {type: DOCKER, image: nginx:1.27}\n");
    App said =
        PlannerFixture.service(
            "web", 1, "  container: {type: DOCKER, image: nginx:1.27, network: HOST}\n");
    App other =
        PlannerFixture.service(
            "web", 1, "  container: {type: DOCKER, image: nginx:1.27, privileged: true}\n");
    assertThat(said.specHash()).isEqualTo(plain.specHash());
    assertThat(other.specHash()).isNotEqualTo(plain.specHash());
    assertThat(json(launch("  container: {type: DOCKER, image: nginx:1.27}\n").getContainer()))
        .isEqualTo(
            new ObjectMapper()
                .readTree(
                    "{\"type\": \"DOCKER\", \"docker\": {\"image\": \"nginx:1.27\","
                        + " \"network\": \"HOST\"}}"));
  }

  @Test
  void appcImagesPullConfigsAndPodVolumesAreWhatMesosTakes() throws Exception {
    TaskInfo appc =
        launch(
            "  container:\n    type: MESOS\n    image: example.com/app:1\n    imageType: APPC\n");
    assertThat(json(appc.getContainer()))
        .isEqualTo(
            new ObjectMapper()
                .readTree(
                    """
                    {"type": "MESOS",
                     "mesos": {"image": {"type": "APPC", "appc": {"name": "example.com/app:1"}}}}
                    """));
    TaskInfo pulled =
        launch(
            "  container:\n    type: MESOS\n    image: registry.example/app:1\n"
                + "    pullConfig: {secret: team/regcred}\n");
    assertThat(json(pulled.getContainer()))
        .isEqualTo(
            new ObjectMapper()
                .readTree(
                    """
                    {"type": "MESOS",
                     "mesos": {"image": {"type": "DOCKER", "docker": {
                       "name": "registry.example/app:1",
                       "config": {"type": "REFERENCE", "reference": {"name": "team/regcred"}}}}}}
                    """));
    TaskInfo member =
        new PlannerFixture()
            .with(
                PlannerFixture.app(
                    "apiVersion: telos.dev/v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
                        + "  volumes: [{name: logs}]\n  containers:\n"
                        + "    - name: app\n      command: x\n"
                        + "      volumeMounts: [{name: logs, mountPath: out}]\n"))
            .offer("a1", 4, 1000, 31000, 31000)
            .plan()
            .launches()
            .get(0)
            .task();
    assertThat(json(member.getContainer()))
        .isEqualTo(
            new ObjectMapper()
                .readTree(
                    """
                    {"type": "MESOS",
                     "volumes": [{"containerPath": "out", "mode": "RW", "source": {
                       "type": "SANDBOX_PATH",
                       "sandboxPath": {"type": "PARENT", "path": "volumes/logs"}}}]}
                    """));
  }
}
