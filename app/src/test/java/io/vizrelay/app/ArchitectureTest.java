package io.vizrelay.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import io.vizrelay.common.cluster.TestGrid;
import io.vizrelay.common.store.cluster.ClusterTaskStore;
import io.vizrelay.common.store.embedded.EmbeddedTaskStore;
import io.vizrelay.common.visdom.VisdomEngine;
import io.vizrelay.ingest.IngestVerticle;
import io.vizrelay.socket.SocketVerticle;
import io.vizrelay.taskinfo.TaskinfoVerticle;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering the code keeps (CONTRIBUTING.md "Rules the code keeps"), checked on the production
 * classes of every module (app sees them all): app → services → common, nothing points back up.
 */
class ArchitectureTest {
  static final String COMMON = "io.vizrelay.common..";
  static final String INGEST = "io.vizrelay.ingest..";
  static final String SOCKET = "io.vizrelay.socket..";
  static final String TASKINFO = "io.vizrelay.taskinfo..";

  /** Main classes only: no test classes, no test-jar (common's {@code TestGrid} and friends). */
  static final class ProductionClasses implements ImportOption {
    @Override
    public boolean includes(Location location) {
      return !location.contains("/test-classes/") && !location.contains("-tests.jar");
    }
  }

  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(new ProductionClasses())
            .importPackages("io.vizrelay");
    for (Class<?> c :
        List.of(
            VisdomEngine.class,
            IngestVerticle.class,
            SocketVerticle.class,
            TaskinfoVerticle.class,
            EmbeddedTaskStore.class,
            ClusterTaskStore.class)) {
      assertTrue(classes.contain(c), "the rules see " + c.getName());
    }
    assertFalse(classes.contain(TestGrid.class), "and no test classes");
  }

  /** The visdom engine is a pure function of (state, command): it runs anywhere, on any thread. */
  @Test
  void visdomEngineDependsOnNoFramework() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage("io.vizrelay.common.visdom..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.vertx..", "com.hazelcast..")
            .because(
                "the engine is pure; the store tiers and the relay bring Vert.x and Hazelcast");
    rule.check(classes);
  }

  @Test
  void commonImportsNoService() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage(COMMON)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                INGEST, SOCKET, TASKINFO, "io.vizrelay.app..", "io.vizrelay.devproxy..")
            .because("common is what every service shares; it knows none of them");
    rule.check(classes);
  }

  @Test
  void ingestImportsNoOtherService() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage(INGEST)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(SOCKET, TASKINFO)
            .because(
                "services talk over the event bus (Addresses), never through each other's classes");
    rule.check(classes);
  }

  @Test
  void socketImportsNoOtherService() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage(SOCKET)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(INGEST, TASKINFO)
            .because(
                "services talk over the event bus (Addresses), never through each other's classes");
    rule.check(classes);
  }

  @Test
  void taskinfoImportsNoOtherService() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage(TASKINFO)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(INGEST, SOCKET)
            .because(
                "services talk over the event bus (Addresses), never through each other's classes");
    rule.check(classes);
  }

  @Test
  void embeddedTierImportsNoClusterTier() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage("io.vizrelay.common.store.embedded..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.vizrelay.common.store.cluster..")
            .because("the two store tiers share only io.vizrelay.common.store");
    rule.check(classes);
  }

  @Test
  void clusterTierImportsNoEmbeddedTier() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage("io.vizrelay.common.store.cluster..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.vizrelay.common.store.embedded..")
            .because("the two store tiers share only io.vizrelay.common.store");
    rule.check(classes);
  }

  /** Every production package says what it owns (CONTRIBUTING): a package-info.java beside it. */
  @Test
  void everyPackageHasAPackageInfo() throws java.io.IOException {
    java.nio.file.Path root = java.nio.file.Path.of("..").toAbsolutePath().normalize();
    List<java.nio.file.Path> sources;
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(root, 12)) {
      sources =
          files
              .filter(f -> f.toString().endsWith(".java"))
              .filter(f -> f.toString().contains("/src/main/java/"))
              .filter(f -> !f.toString().contains("/.wip/") && !f.toString().contains("/target/"))
              .toList();
    }
    assertTrue(sources.size() > 100, "the walk sees the modules' sources: " + sources.size());
    List<java.nio.file.Path> missing =
        sources.stream()
            .map(java.nio.file.Path::getParent)
            .distinct()
            .filter(dir -> !java.nio.file.Files.exists(dir.resolve("package-info.java")))
            .toList();
    assertTrue(missing.isEmpty(), "packages without a package-info.java: " + missing);
  }
}
