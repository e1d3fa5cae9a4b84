package dev.telos.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Persistent volumes, image-less MESOS containers and pull configs, refused at their line. */
class PersistentVolumeFieldsTest {
  static final String VOLUME = "    volumes: [{containerPath: pgdata, persistent: {size: 512}}]\n";

  static ManifestLoader.FileResult parse(String kind, String spec) {
    return new ManifestLoader()
        .parseFile(
            "a.yaml",
            ("apiVersion: telos.dev/v1\nkind: " + kind + "\nmetadata: {name: db}\nspec:\n" + spec)
                .getBytes(StandardCharsets.UTF_8));
  }

  static List<String> errors(String kind, String spec) {
    return parse(kind, spec).errors().stream().map(ManifestError::toString).toList();
  }

  static String service(String volumes) {
    return "  role: data\n  command: run\n  container:\n    type: MESOS\n" + volumes;
  }

  @Test
  void aPersistentVolumeNeedsNoImageAndRollsInPlace() {
    ManifestLoader.FileResult r = parse("Service", service(VOLUME));
    assertThat(r.errors()).isEmpty();
    Service s = (Service) r.apps().get(0);
    ContainerSpec c = s.task().container();
    assertThat(c.image()).isNull();
    assertThat(c.persistentVolumes())
        .containsExactly(
            new ContainerSpec.Volume("pgdata", null, null, ContainerSpec.Mode.RW, 512));
    assertThat(s.upgrade().maxSurge()).as("a volume serves one task at a time").isZero();
    assertThat(s.upgrade().maxUnavailable()).isEqualTo(1);
    Service bigger =
        (Service) parse("Service", service(VOLUME.replace("512", "1024"))).apps().get(0);
    assertThat(bigger.specHash())
        .as("the size applies to volumes made later; it replaces no task")
        .isEqualTo(s.specHash());
  }

  @Test
  void mistakesAreReportedAtTheirLine() {
    assertThat(
            errors(
                "Service",
                service("    volumes: [{containerPath: a/b, persistent: {size: 10}}]\n")))
        .containsExactly(
            "a.yaml:9:31: spec.container.volumes[].containerPath of a persistent volume must be a"
                + " directory name in the sandbox (no '/'), got 'a/b'");
    assertThat(
            errors(
                "Service",
                service("    volumes: [{containerPath: d, persistent: {size: 10}, mode: RO}]\n")))
        .containsExactly(
            "a.yaml:9:64: spec.container.volumes[].mode RO: Mesos has no read-only persistent"
                + " volumes");
    assertThat(errors("Service", "  command: run\n  container:\n    type: MESOS\n" + VOLUME))
        .containsExactly(
            "a.yaml:7:5: spec.container.volumes[].persistent needs a role other than '*': Mesos"
                + " reserves a volume's disk for a role");
    assertThat(errors("Service", "  upgrade: {maxSurge: 1}\n" + service(VOLUME)))
        .containsExactly(
            "a.yaml:5:23: spec.upgrade: an app with persistent volumes is rolled in place (a"
                + " volume serves one task at a time): maxSurge must be 0");
    assertThat(
            errors(
                "Service",
                service(
                    "    volumes: [{containerPath: d, persistent: {size: 10, maxSize: 20}}]\n")))
        .containsExactly(
            "a.yaml:9:66: spec.container.volumes[].persistent.maxSize is for type MOUNT (a whole disk"
                + " of size..maxSize)");
    assertThat(
            errors(
                "Service",
                service(
                    "    volumes: [{containerPath: d, persistent: {size: 10, type: MOUNT, maxSize: 5}}]\n")))
        .containsExactly(
            "a.yaml:9:79: spec.container.volumes[].persistent.maxSize must be at least size (10)");
    assertThat(errors("Job", service(VOLUME)))
        .containsExactly(
            "a.yaml:8:5: spec.container.volumes[].persistent is for a Service (its tasks come back"
                + " to their volume); a Job's task does not");
  }

  @Test
  void aPullConfigIsASecretReferenceForMesosContainersWithAnImage() {
    ManifestLoader.FileResult r =
        parse(
            "Service",
            "  command: run\n  container:\n    type: MESOS\n    image: registry.example/app:1\n"
                + "    pullConfig: {secret: team/regcred}\n");
    assertThat(r.errors()).isEmpty();
    assertThat(r.apps().get(0).task().container().pullConfigSecret()).isEqualTo("team/regcred");
    assertThat(
            errors(
                "Service",
                "  command: run\n  container:\n    image: app:1\n"
                    + "    pullConfig: {secret: regcred}\n"))
        .containsExactly(
            "a.yaml:8:17: spec.container.pullConfig needs type MESOS: the Docker containerizer"
                + " takes registry credentials from the agent's --docker_config");
    assertThat(
            errors(
                "Service",
                "  command: run\n  container:\n    image: app:1\n    type: DOCKER\n    portMappings: []\n"))
        .isEmpty();
  }
}
