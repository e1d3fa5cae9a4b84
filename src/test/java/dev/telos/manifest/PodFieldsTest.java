package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code kind: Pod}: containers bound into one group, mistakes refused at their line. */
class PodFieldsTest {
  static final String TWO =
      "  instances: 2\n  killGracePeriod: 5s\n  constraints: [{field: hostname, operator: UNIQUE}]\n"
          + "  containers:\n"
          + "    - name: app\n      command: exec serve $PORT_HTTP\n"
          + "      resources: {cpus: 0.5, mem: 128}\n"
          + "      ports: [{name: http}]\n"
          + "      healthCheck: {type: HTTP, port: http, path: /}\n"
          + "    - name: shipper\n      command: exec ship\n"
          + "      resources: {cpus: 0.25, mem: 64, disk: 10}\n"
          + "      ports: [{name: admin}, {name: metrics}]\n"
          + "      healthCheck: {type: TCP, port: metrics}\n";

  static ManifestLoader.FileResult parse(String spec) {
    return new ManifestLoader()
        .parseFile(
            "a.yaml",
            ("apiVersion: telos.dev/v1\nkind: Pod\nmetadata: {name: web}\nspec:\n" + spec)
                .getBytes(StandardCharsets.UTF_8));
  }

  static List<String> errors(String spec) {
    return parse(spec).errors().stream().map(ManifestError::toString).toList();
  }

  @Test
  void aPodIsAServiceWhoseInstancesAreGroupsOfItsContainers() {
    ManifestLoader.FileResult r = parse(TWO);
    assertThat(r.errors()).isEmpty();
    Service pod = (Service) r.apps().get(0);
    assertThat(pod.kind()).isEqualTo("Pod");
    assertThat(pod.pod()).isTrue();
    assertThat(pod.instances()).isEqualTo(2);
    assertThat(pod.containers()).extracting(PodContainer::name).containsExactly("app", "shipper");
    TaskSpec group = pod.task();
    assertThat(group.resources()).isEqualTo(new TaskResources(0.75, 192, 10, 0));
    assertThat(group.ports())
        .extracting(PortSpec::name)
        .containsExactly("http", "admin", "metrics");
    assertThat(group.constraints()).hasSize(1);
    PodContainer shipper = pod.containers().get(1);
    assertThat(shipper.firstPort()).isEqualTo(1);
    assertThat(shipper.portCount()).isEqualTo(2);
    assertThat(shipper.task().ports()).as("every container sees the pod's ports").hasSize(3);
    assertThat(shipper.task().healthCheck().port())
        .as("metrics is the pod's third port")
        .isEqualTo(2);
    assertThat(shipper.task().killGracePeriod()).hasSeconds(5);
    assertThat(parse(TWO.replace("exec ship", "exec ship2")).apps().get(0).specHash())
        .as("a container's command is in the pod's spec hash")
        .isNotEqualTo(pod.specHash());
    assertThat(parse(TWO.replace("instances: 2", "instances: 5")).apps().get(0).specHash())
        .isEqualTo(pod.specHash());
  }

  @Test
  void podVolumesAreSharedByTheContainersThatMountThem() {
    ManifestLoader.FileResult r =
        parse(
            "  volumes: [{name: logs}]\n  containers:\n"
                + "    - name: app\n      command: x\n"
                + "      volumeMounts: [{name: logs, mountPath: out/logs}]\n"
                + "    - name: shipper\n      command: y\n"
                + "      container: {type: MESOS, image: shipper:1}\n"
                + "      volumeMounts: [{name: logs, mountPath: in}]\n");
    assertThat(r.errors()).isEmpty();
    Service pod = (Service) r.apps().get(0);
    ContainerSpec app = pod.containers().get(0).task().container();
    assertThat(app.type()).isEqualTo(ContainerSpec.Type.MESOS);
    assertThat(app.image()).isNull();
    assertThat(app.volumes()).containsExactly(ContainerSpec.Volume.ofPod("out/logs", "logs"));
    ContainerSpec shipper = pod.containers().get(1).task().container();
    assertThat(shipper.image()).isEqualTo("shipper:1");
    assertThat(shipper.volumes()).containsExactly(ContainerSpec.Volume.ofPod("in", "logs"));

    String base = "  volumes: [{name: logs}]\n  containers:\n    - name: app\n      command: x\n";
    assertThat(errors(base + "      volumeMounts: [{name: nope, mountPath: d}]\n"))
        .containsExactly(
            "a.yaml:9:29: spec.containers[].volumeMounts[].name 'nope' is not one of the pod's"
                + " volumes");
    assertThat(errors(base + "      volumeMounts: [{name: logs, mountPath: /abs}]\n"))
        .containsExactly(
            "a.yaml:9:46: spec.containers[].volumeMounts[].mountPath must be a path in the"
                + " container's sandbox (relative, no '..'), once, got '/abs'");
  }

  @Test
  void mistakesAreReportedAtTheirLine() {
    assertThat(errors("  containers: []\n"))
        .containsExactly("a.yaml:5:15: spec.containers must list at least one");
    assertThat(errors("  containers:\n    - {name: a, command: x}\n    - {name: a, command: y}\n"))
        .containsExactly("a.yaml:7:14: spec.containers[].name 'a' is used twice");
    assertThat(
            errors(
                "  containers:\n    - {name: a, command: x, ports: [{name: p}]}\n"
                    + "    - {name: b, command: y, ports: [{name: p}]}\n"))
        .containsExactly(
            "a.yaml:7:36: spec.containers[].ports: port name 'p' is used by another container");
    assertThat(
            errors(
                "  containers:\n    - name: a\n      command: x\n      container: {image: nginx}\n"))
        .containsExactly(
            "a.yaml:8:18: spec.containers[].container type must be MESOS: a pod's containers run"
                + " on Mesos's default executor");
    assertThat(errors("  containers:\n    - {name: a, command: x, role: r}\n"))
        .singleElement()
        .satisfies(
            e -> assertThat(e).isEqualTo("a.yaml:6:29: unknown field 'role' in spec.containers[]"));
  }
}
