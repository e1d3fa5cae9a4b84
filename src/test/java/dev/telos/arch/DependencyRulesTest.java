package dev.telos.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The dependency arrows of DESIGN.md section 2, enforced. */
class DependencyRulesTest {
  static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.telos");

  @Test
  void theMesosClientKnowsNothingOfManifestsGitOrTheController() {
    noClasses()
        .that()
        .resideInAPackage("dev.telos.mesos..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.telos.manifest..",
            "dev.telos.git..",
            "dev.telos.reconcile..",
            "dev.telos.controller..",
            "dev.telos.cluster..",
            "dev.telos.api..",
            "dev.telos.cli..",
            "dev.telos.local..")
        .check(CLASSES);
  }

  @Test
  void theExecutorSharesOnlyTheRecordIoCodeWithTheMesosClient() {
    noClasses()
        .that()
        .resideInAPackage("dev.telos.executor..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.telos.manifest..",
            "dev.telos.git..",
            "dev.telos.reconcile..",
            "dev.telos.controller..",
            "dev.telos.cluster..",
            "dev.telos.store..",
            "dev.telos.api..",
            "dev.telos.cli..",
            "dev.telos.local..")
        .orShould()
        .dependOnClassesThat(
            com.tngtech.archunit.base.DescribedPredicate.describe(
                "Mesos client classes other than RecordIO",
                (com.tngtech.archunit.core.domain.JavaClass c) ->
                    c.getPackageName().equals("dev.telos.mesos")
                        && !c.getSimpleName().startsWith("RecordIo")))
        .check(CLASSES);
  }

  @Test
  void theEmbeddedClusterDependsOnlyOnTheMesosWireClasses() {
    noClasses()
        .that()
        .resideInAPackage("dev.telos.local..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.telos.mesos..",
            "dev.telos.manifest..",
            "dev.telos.git..",
            "dev.telos.reconcile..",
            "dev.telos.controller..",
            "dev.telos.cluster..",
            "dev.telos.store..",
            "dev.telos.api..",
            "dev.telos.cli..",
            "dev.telos.executor..")
        .check(CLASSES);
  }

  @Test
  void productionCodeReachesTheEmbeddedClusterOnlyFromTheCli() {
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.telos.local..", "dev.telos.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.telos.local..")
        .check(CLASSES);
  }

  @Test
  void thePlannerDoesNoIo() {
    noClasses()
        .that()
        .resideInAPackage("dev.telos.reconcile..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.telos.mesos..",
            "dev.telos.git..",
            "dev.telos.controller..",
            "dev.telos.store..",
            "dev.telos.api..",
            "java.io..",
            "java.net..",
            "java.nio.file..",
            "okhttp3..",
            "org.eclipse.jgit..")
        .check(CLASSES);
  }

  @Test
  void manifestsTouchNeitherGitNorMesosNorTheNetwork() {
    noClasses()
        .that()
        .resideInAPackage("dev.telos.manifest..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.telos.git..",
            "dev.telos.mesos..",
            "dev.telos.cluster..",
            "dev.telos.reconcile..",
            "dev.telos.controller..",
            "org.eclipse.jgit..",
            "org.apache.mesos..",
            "okhttp3..",
            "java.net..")
        .check(CLASSES);
  }

  @Test
  void theGitSourceDecidesNothingAboutTasks() {
    noClasses()
        .that()
        .resideInAPackage("dev.telos.git..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.telos.cluster..",
            "dev.telos.reconcile..",
            "dev.telos.controller..",
            "dev.telos.mesos..",
            "dev.telos.api..",
            "dev.telos.cli..")
        .check(CLASSES);
  }

  @Test
  void theLiveStateNeverCallsMesos() {
    noClasses()
        .that()
        .resideInAPackage("dev.telos.cluster..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.telos.mesos..", "dev.telos.controller..", "okhttp3..")
        .check(CLASSES);
  }

  @Test
  void theProberKnowsOnlyUrls() {
    noClasses()
        .that()
        .resideInAPackage("dev.telos.probe..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.telos.manifest..",
            "dev.telos.controller..",
            "dev.telos.cluster..",
            "dev.telos.reconcile..",
            "dev.telos.mesos..",
            "dev.telos.api..",
            "dev.telos.cli..")
        .check(CLASSES);
  }

  @Test
  void theControllerSpeaksNoHttpOfItsOwnAndNeverReachesUp() {
    noClasses()
        .that()
        .resideInAPackage("dev.telos.controller..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.telos.api..", "dev.telos.cli..", "com.sun.net.httpserver..", "okhttp3..")
        .check(CLASSES);
  }

  @Test
  void theApiHoldsNoStateAndSitsBelowTheCli() {
    noClasses()
        .that()
        .resideInAPackage("dev.telos.api..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.telos.cli..", "dev.telos.mesos..", "dev.telos.store..")
        .check(CLASSES);
  }

  @Test
  void theStoreIsALeaf() {
    noClasses()
        .that()
        .resideInAPackage("dev.telos.store..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.telos.controller..",
            "dev.telos.reconcile..",
            "dev.telos.mesos..",
            "dev.telos.git..",
            "dev.telos.api..",
            "dev.telos.cli..")
        .check(CLASSES);
  }
}
