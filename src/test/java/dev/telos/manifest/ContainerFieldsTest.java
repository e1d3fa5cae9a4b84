package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code container}: network, port mappings, parameters, volumes, refused at their line. */
class ContainerFieldsTest {
  final ManifestLoader loader = new ManifestLoader();

  ManifestLoader.FileResult parse(String container) {
    return loader.parseFile(
        "a.yaml",
        ("apiVersion: telos.dev/v1\nkind: Service\nmetadata: {name: web}\nspec:\n"
                + "  command: run\n  ports: [{name: http}]\n  container:\n"
                + container)
            .getBytes(StandardCharsets.UTF_8));
  }

  List<String> errors(String container) {
    return parse(container).errors().stream().map(ManifestError::toString).toList();
  }

  ContainerSpec container(String container) {
    ManifestLoader.FileResult r = parse(container);
    assertThat(r.errors()).isEmpty();
    return r.apps().get(0).task().container();
  }

  @Test
  void everyFieldIsRead() {
    ContainerSpec c =
        container(
            "    image: nginx\n    network: BRIDGE\n"
                + "    portMappings: [{containerPort: 80, hostPort: http, servicePort: 10080}]\n"
                + "    parameters: [{key: log-driver, value: journald}]\n"
                + "    privileged: true\n    forcePullImage: true\n"
                + "    volumes: [{containerPath: /d, hostPath: /srv, mode: RO}]\n");
    assertThat(c)
        .isEqualTo(
            new ContainerSpec(
                ContainerSpec.Type.DOCKER,
                "nginx",
                ContainerSpec.Network.BRIDGE,
                null,
                List.of(new ContainerSpec.PortMapping(80, 0, 10080, "tcp")),
                List.of(new ContainerSpec.Parameter("log-driver", "journald")),
                true,
                true,
                List.of(new ContainerSpec.Volume("/d", "/srv", null, ContainerSpec.Mode.RO)),
                null));
    assertThat(container("    image: nginx\n").plain()).isTrue();
    assertThat(c.plain()).isFalse();
  }

  @Test
  void aMesosContainerMayRunAnAppcImage() {
    ContainerSpec c =
        container("    type: MESOS\n    image: example.com/app:1\n    imageType: APPC\n");
    assertThat(c.imageType()).isEqualTo(ContainerSpec.ImageType.APPC);
    assertThat(c.plain()).isFalse();
    assertThat(errors("    image: x\n    imageType: APPC\n"))
        .containsExactly(
            "a.yaml:9:16: spec.container.imageType APPC needs type MESOS (Docker runs only Docker"
                + " images)");
  }

  @Test
  void mistakesAreReportedAtTheirLine() {
    assertThat(errors("    image: x\n    portMappings: [{containerPort: 80}]\n"))
        .containsExactly(
            "a.yaml:9:20: spec.container.portMappings need network BRIDGE or USER: on the host"
                + " network the task binds its ports itself");
    assertThat(
            errors(
                "    image: x\n    network: BRIDGE\n"
                    + "    portMappings: [{containerPort: 80}, {containerPort: 81}]\n"))
        .containsExactly(
            "a.yaml:10:41: spec.container.portMappings[] on the bridge network needs a hostPort:"
                + " spec.ports has 1 port(s) for 2 mapping(s)");
    assertThat(
            errors(
                "    image: x\n    network: BRIDGE\n"
                    + "    portMappings: [{containerPort: 80}, {containerPort: 81, hostPort: 0}]\n"))
        .containsExactly(
            "a.yaml:10:71: spec.container.portMappings[] publishes two mappings on one host port");
    assertThat(
            errors(
                "    image: x\n    network: BRIDGE\n"
                    + "    portMappings: [{containerPort: 80, hostPort: web, protocol: sctp}]\n"))
        .containsExactly(
            "a.yaml:10:50: spec.container.portMappings[].hostPort 'web' names no port in"
                + " spec.ports (ports: http)",
            "a.yaml:10:65: spec.container.portMappings[].protocol must be tcp or udp, got 'sctp'");
    assertThat(errors("    image: x\n    network: USER\n"))
        .containsExactly("a.yaml:8:5: spec.container.networkName is required");
    assertThat(errors("    image: x\n    networkName: n\n"))
        .containsExactly("a.yaml:9:18: spec.container.networkName is for network: USER");
    assertThat(errors("    type: MESOS\n    image: x\n    network: BRIDGE\n"))
        .containsExactly(
            "a.yaml:10:14: spec.container.network BRIDGE is Docker's; a MESOS container joins a"
                + " named network with USER");
    assertThat(errors("    image: x\n    parameters: [{key: name, value: y}]\n"))
        .containsExactly("a.yaml:9:24: spec.container.parameters[].key must not be 'name'");
    assertThat(errors("    type: MESOS\n    image: x\n    privileged: true\n"))
        .containsExactly("a.yaml:10:17: spec.container.privileged needs type DOCKER");
    assertThat(errors("    image: x\n    volumes: [{containerPath: /d}]\n"))
        .containsExactly(
            "a.yaml:9:15: spec.container.volumes[] needs one of hostPath, sandboxPath and persistent");
    assertThat(errors("    image: x\n    volumes: [{containerPath: /d, sandboxPath: ../etc}]\n"))
        .containsExactly(
            "a.yaml:9:48: spec.container.volumes[].sandboxPath must be a path inside the sandbox"
                + " (relative, without '..')");
    assertThat(
            errors(
                "    image: x\n    network: USER\n    networkName: n\n"
                    + "    portMappings: [{containerPort: 80}, {containerPort: 80}]\n"))
        .containsExactly(
            "a.yaml:11:57: spec.container.portMappings[].containerPort 80/tcp is mapped twice");
  }

  @Test
  void moreMistakes() {
    assertThat(errors("    image: x\n    network: BRIDGE\n    portMappings: [{hostPort: http}]\n"))
        .containsExactly("a.yaml:10:20: spec.container.portMappings[].containerPort is required");
    assertThat(errors("    type: MESOS\n    image: x\n    parameters: [{key: a, value: b}]\n"))
        .containsExactly(
            "a.yaml:10:18: spec.container.parameters are docker run options: they need type"
                + " DOCKER");
    assertThat(errors("    image: x\n    parameters: [{key: Bad_Key}]\n"))
        .containsExactly(
            "a.yaml:9:24: spec.container.parameters[].key must be a docker run option name, got"
                + " 'Bad_Key'");
    assertThat(errors("    image: x\n    volumes: [{containerPath: /d, hostPath: srv}]\n"))
        .containsExactly("a.yaml:9:45: spec.container.volumes[].hostPath must be an absolute path");
    assertThat(
            errors(
                "    image: x\n    volumes: [{containerPath: /d, hostPath: /a},"
                    + " {containerPath: /d, sandboxPath: b}]\n"))
        .containsExactly("a.yaml:9:66: spec.container.volumes[].containerPath /d is mounted twice");
  }

  @Test
  void everyContainerOptionIsInTheSpecHash() {
    List<String> variants =
        List.of(
            "    image: x\n    network: BRIDGE\n",
            "    image: x\n    network: USER\n    networkName: a\n",
            "    image: x\n    network: USER\n    networkName: b\n",
            "    image: x\n    network: BRIDGE\n    portMappings: [{containerPort: 80}]\n",
            "    image: x\n    network: BRIDGE\n    portMappings: [{containerPort: 81}]\n",
            "    image: x\n    parameters: [{key: a, value: b}]\n",
            "    image: x\n    parameters: [{key: a, value: c}]\n",
            "    image: x\n    privileged: true\n",
            "    image: x\n    forcePullImage: true\n",
            "    image: x\n    volumes: [{containerPath: /d, hostPath: /e}]\n",
            "    image: x\n    volumes: [{containerPath: /d, hostPath: /f}]\n",
            "    image: x\n    volumes: [{containerPath: /d, sandboxPath: e}]\n",
            "    image: x\n    volumes: [{containerPath: /d, sandboxPath: e, mode: RO}]\n");
    java.util.Set<String> hashes = new java.util.HashSet<>();
    for (String v : variants) {
      ManifestLoader.FileResult r = parse(v);
      assertThat(r.errors()).as(v).isEmpty();
      hashes.add(r.apps().get(0).specHash());
    }
    hashes.add(parse("    image: x\n").apps().get(0).specHash());
    assertThat(hashes).hasSize(variants.size() + 1);
  }
}
