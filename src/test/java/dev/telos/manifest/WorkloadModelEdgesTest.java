package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The edges of the workload model's checks: each refusal where it starts, each acceptance just
 * inside it, and what enters the spec hash.
 */
class WorkloadModelEdgesTest {
  static List<String> errors(String kind, String spec) {
    return PersistentVolumeFieldsTest.errors(kind, spec);
  }

  static String mesos(String more) {
    return "  command: run\n  container:\n    type: MESOS\n" + more;
  }

  @Test
  void aPersistentVolumeNeedsItsSize() {
    assertThat(
            errors(
                "Service",
                "  role: data\n" + mesos("    volumes: [{containerPath: d, persistent: {}}]\n")))
        .singleElement()
        .asString()
        .endsWith("spec.container.volumes[].persistent.size is required (MB)");
    assertThat(
            errors(
                "Service",
                "  role: data\n"
                    + mesos("    volumes: [{containerPath: d, persistent: {size: 0}}]\n")))
        .as("a size out of range is said once")
        .singleElement()
        .asString()
        .doesNotContain("is required");
  }

  @Test
  void aMountVolumeMayBeExactlyItsMaxSize() {
    assertThat(
            errors(
                "Service",
                "  role: data\n"
                    + mesos(
                        "    volumes: [{containerPath: d, persistent: {size: 10, type: MOUNT,"
                            + " maxSize: 10}}]\n")))
        .isEmpty();
  }

  @Test
  void aResidentServiceMaySayMaxSurgeZeroOutLoud() {
    assertThat(
            errors(
                "Service",
                "  upgrade: {maxSurge: 0, maxUnavailable: 1}\n"
                    + PersistentVolumeFieldsTest.service(PersistentVolumeFieldsTest.VOLUME)))
        .isEmpty();
  }

  @Test
  void aCronJobsTaskTakesNoPersistentVolume() {
    assertThat(
            errors(
                "CronJob",
                "  schedule: '0 3 * * *'\n  job:\n    role: data\n    command: run\n    container:\n"
                    + "      type: MESOS\n"
                    + "      volumes: [{containerPath: d, persistent: {size: 10}}]\n"))
        .singleElement()
        .asString()
        .contains(".volumes[].persistent is for a Service");
  }

  @Test
  void pullConfigsAreCheckedWhereTheyAreWritten() {
    assertThat(errors("Service", mesos("    pullConfig: {secret: regcred}\n")))
        .singleElement()
        .asString()
        .endsWith("spec.container.pullConfig is for pulling an image: give image");
    assertThat(errors("Service", mesos("    image: app:1\n    pullConfig: {secret: 'bad name'}\n")))
        .singleElement()
        .asString()
        .endsWith(
            "spec.container.pullConfig.secret must be a secret name ([A-Za-z0-9._/-]), got 'bad"
                + " name'");
    assertThat(
            errors(
                "Service",
                mesos("    image: app:1\n    imageType: APPC\n    pullConfig: {secret: r}\n")))
        .singleElement()
        .asString()
        .endsWith("spec.container.pullConfig is for Docker images");
    assertThat(errors("Service", mesos("    portMappings: [{containerPort: 80}]\n")))
        .anyMatch(e -> e.endsWith("spec.container.portMappings need an image"));
  }

  @Test
  void expungeAfterMayBeExactlyOneSecond() {
    assertThat(
            errors(
                "Service",
                "  command: run\n  unreachableStrategy: {inactiveAfter: 1s, expungeAfter: 1s}\n"))
        .isEmpty();
  }

  @Test
  void aPodsNamesRolesAndVolumesAreChecked() {
    String two = PodFieldsTest.TWO;
    assertThat(PodFieldsTest.errors(two.replace("name: shipper", "name: Ship_per")))
        .singleElement()
        .asString()
        .contains("spec.containers[].name")
        .contains("Ship_per");
    assertThat(PodFieldsTest.errors(two + "  role: ''\n"))
        .singleElement()
        .asString()
        .endsWith("spec.role must not be empty");
    assertThat(PodFieldsTest.errors(two + "  volumes: [{name: Bad_Name}]\n"))
        .singleElement()
        .asString()
        .contains("spec.volumes[].name")
        .contains("Bad_Name");
    assertThat(PodFieldsTest.errors(two + "  volumes: [{name: data}, {name: data}]\n"))
        .singleElement()
        .asString()
        .endsWith("spec.volumes[].name 'data' is used twice");
    assertThat(
            PodFieldsTest.errors(
                two.replace(
                    "      healthCheck: {type: TCP, port: metrics}\n",
                    "      container:\n        type: MESOS\n"
                        + "        volumes: [{containerPath: d, persistent: {size: 10}}]\n")))
        .anyMatch(
            e ->
                e.endsWith(
                    "spec.containers[].container.volumes[].persistent is for a Service, not a"
                        + " pod's container"));
  }

  @Test
  void aPodAddsUpItsContainersGpusAndMapsEachHealthCheckToItsOwnPort() {
    ManifestLoader.FileResult r =
        PodFieldsTest.parse(
            PodFieldsTest.TWO
                .replace("{cpus: 0.5, mem: 128}", "{cpus: 0.5, mem: 128, gpus: 1}")
                .replace(
                    "{cpus: 0.25, mem: 64, disk: 10}", "{cpus: 0.25, mem: 64, disk: 10, gpus: 2}")
                .replace("port: metrics}", "port: admin}"));
    assertThat(r.errors()).isEmpty();
    Service pod = (Service) r.apps().get(0);
    assertThat(pod.task().resources().gpus()).isEqualTo(3);
    assertThat(pod.containers().get(1).task().healthCheck().port())
        .as("admin, the shipper's first port, is the pod's second")
        .isEqualTo(1);
  }

  @Test
  void volumeKindsPullConfigsAndImageTypesEnterTheCanonicalSpec() {
    TaskSpec resident =
        PersistentVolumeFieldsTest.parse(
                "Service", PersistentVolumeFieldsTest.service(PersistentVolumeFieldsTest.VOLUME))
            .apps()
            .get(0)
            .task();
    assertThat(SpecHash.canonical(resident)).contains("\"pgdata persistent RW\"");
    TaskSpec sandbox =
        PersistentVolumeFieldsTest.parse(
                "Service", mesos("    volumes: [{containerPath: d, sandboxPath: s}]\n"))
            .apps()
            .get(0)
            .task();
    assertThat(SpecHash.canonical(sandbox))
        .contains("\"d sandbox s RW\"")
        .doesNotContain("pullConfigSecret", "imageType");
    TaskSpec pulled =
        PersistentVolumeFieldsTest.parse(
                "Service", mesos("    image: app:1\n    imageType: APPC\n"))
            .apps()
            .get(0)
            .task();
    assertThat(SpecHash.canonical(pulled)).contains("\"imageType\":\"APPC\"");
    TaskSpec secret =
        PersistentVolumeFieldsTest.parse(
                "Service", mesos("    image: app:1\n    pullConfig: {secret: team/r}\n"))
            .apps()
            .get(0)
            .task();
    assertThat(SpecHash.canonical(secret)).contains("\"pullConfigSecret\":\"team/r\"");
    Service pod =
        (Service)
            PodFieldsTest.parse(
                    "  volumes: [{name: logs}]\n  containers:\n"
                        + "    - name: app\n      command: x\n"
                        + "      volumeMounts: [{name: logs, mountPath: out/logs}]\n")
                .apps()
                .get(0);
    assertThat(SpecHash.canonical(pod.containers().get(0).task()))
        .contains("\"out/logs pod logs RW\"");
  }
}
