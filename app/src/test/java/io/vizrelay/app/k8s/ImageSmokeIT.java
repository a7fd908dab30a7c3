package io.vizrelay.app.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The image, built and run here (docs/DEPLOY.md "Build the image"): {@code scripts/image.sh base}
 * (a local JRE base from Debian packages, once per machine), {@code build} (buildah, from the jars
 * this build packaged) and {@code smoke} (each service from the image's root filesystem: /health,
 * /readiness, /metrics, then SIGTERM and a clean leave). Needs root, buildah and debootstrap, which
 * {@code .ci/run} installs; fails, not skips, without them.
 */
class ImageSmokeIT {

  @Test
  void theImageBuildsAndEachServiceServesAndStopsCleanlyFromIt() throws Exception {
    for (String tool : List.of("buildah", "debootstrap", "chroot", "curl")) {
      assertTrue(
          onPath(tool),
          tool + " is missing: apt-get install buildah debootstrap curl (.ci/run does)");
    }
    assertEquals(
        "0",
        run("id", "-u").trim(),
        "scripts/image.sh needs root (buildah storage, chroot, mounts)");
    Path root = Manifests.root();
    Path log = Files.createTempFile("image-smoke", ".log");
    try {
      Process p =
          new ProcessBuilder("bash", "scripts/image.sh", "all")
              .directory(root.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!p.waitFor(25, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        fail("scripts/image.sh all did not finish in 25 min: " + Files.readString(log));
      }
      String out = Files.readString(log);
      System.out.println(out);
      assertEquals(0, p.exitValue(), "scripts/image.sh all failed:\n" + out);
      for (String s : KubernetesManifestsTest.SERVICES) {
        assertTrue(
            out.contains(s + ": /health 200, /readiness 200, /metrics 200, SIGTERM -> exit"),
            s + " smoke:\n" + out);
      }
      assertTrue(out.contains("smoke passed"), out);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  private static boolean onPath(String name) {
    for (String d : System.getenv("PATH").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, name))) {
        return true;
      }
    }
    return false;
  }
}
