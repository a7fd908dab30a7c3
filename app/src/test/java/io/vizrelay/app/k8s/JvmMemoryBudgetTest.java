package io.vizrelay.app.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The JVM stays under the container's memory limit with a margin (docs/DEPLOY.md "Memory under the
 * limit"): from the Dockerfile's {@code JAVA_OPTS} and each Deployment's memory limit, heap ({@code
 * MaxRAMPercentage} of the limit) + direct buffers + metaspace + JIT code cache + thread stacks +
 * the JVM's other native memory must leave at least {@link #MARGIN} of the limit. Past the limit
 * the kernel kills the JVM (OOMKilled) with no graceful leave of the grid.
 */
class JvmMemoryBudgetTest {
  static final long MIB = 1024 * 1024;

  /** Threads a service runs (event loops, workers, Hazelcast, GC, JIT: ~110 seen), rounded up. */
  static final int THREADS = 150;

  /** GC structures, symbols, malloc arenas (MALLOC_ARENA_MAX=2), NIO and native libraries. */
  static final long OTHER_NATIVE = 64 * MIB;

  static final double MARGIN = 0.05;

  static Map<String, String> javaOptsFlags(String dockerfile) {
    Matcher env = Pattern.compile("JAVA_OPTS=\"([^\"]*)\"").matcher(dockerfile);
    assertTrue(env.find(), "the Dockerfile sets no JAVA_OPTS");
    Map<String, String> flags = new HashMap<>();
    for (String f : env.group(1).trim().split("\\s+")) {
      Matcher kv = Pattern.compile("-XX:([A-Za-z0-9]+)=(\\S+)").matcher(f);
      if (kv.matches()) {
        flags.put(kv.group(1), kv.group(2));
      } else if (f.startsWith("-Xss")) {
        flags.put("Xss", f.substring(4));
      } else if (f.startsWith("-Xmx")) {
        flags.put("Xmx", f.substring(4));
      }
    }
    return flags;
  }

  /** JVM sizes: 128m, 1g, 512k, or bytes. */
  static long bytes(String size) {
    char unit = Character.toLowerCase(size.charAt(size.length() - 1));
    long mult =
        switch (unit) {
          case 'k' -> 1024L;
          case 'm' -> MIB;
          case 'g' -> 1024 * MIB;
          default -> 1;
        };
    return Long.parseLong(mult == 1 ? size : size.substring(0, size.length() - 1)) * mult;
  }

  @Test
  void heapDirectMetaspaceCodeAndStacksFitUnderTheLimitWithAMargin() throws Exception {
    Map<String, String> flags =
        javaOptsFlags(Files.readString(Manifests.root().resolve("Dockerfile")));
    assertEquals(
        null, flags.get("Xmx"), "a fixed -Xmx ignores the container limit: use MaxRAMPercentage");
    for (String f :
        new String[] {
          "MaxRAMPercentage",
          "MaxDirectMemorySize",
          "MaxMetaspaceSize",
          "ReservedCodeCacheSize",
          "Xss"
        }) {
      assertNotNull(flags.get(f), "the Dockerfile's JAVA_OPTS must bound " + f);
    }
    double heapShare = Double.parseDouble(flags.get("MaxRAMPercentage")) / 100;
    assertTrue(heapShare <= 0.5, "MaxRAMPercentage above 50 leaves too little for the rest");
    // idle memory goes back to the OS (10,000 idle sockets within 400 MB RSS, BENCHMARKS.md)
    assertNotNull(flags.get("G1PeriodicGCInterval"), "no periodic collection when idle");
    assertTrue(
        Long.parseLong(flags.get("G1PeriodicGCInterval")) > 0
            && Integer.parseInt(flags.get("MaxHeapFreeRatio")) <= 40,
        "an idle heap is collected and shrunk");
    long fixed =
        bytes(flags.get("MaxDirectMemorySize"))
            + bytes(flags.get("MaxMetaspaceSize"))
            + bytes(flags.get("ReservedCodeCacheSize"))
            + THREADS * bytes(flags.get("Xss"))
            + OTHER_NATIVE;
    for (String overlay : KubernetesManifestsTest.OVERLAYS) {
      Manifests m = Manifests.render(overlay);
      for (String s : KubernetesManifestsTest.SERVICES) {
        Container c = KubernetesManifestsTest.container(m.one(Deployment.class, "vizrelay-" + s));
        String where = overlay + "/" + s;
        assertTrue(
            c.getEnv().stream().noneMatch(e -> e.getName().equals("JAVA_OPTS")),
            where + ": JAVA_OPTS overridden in the manifest; this budget reads the Dockerfile's");
        Quantity limit = c.getResources().getLimits().get("memory");
        long limitBytes = Quantity.getAmountInBytes(limit).longValue();
        assertEquals(
            limit,
            c.getResources().getRequests().get("memory"),
            where
                + ": memory request = limit (Guaranteed memory: no eviction under node pressure before others)");
        long total = (long) (heapShare * limitBytes) + fixed;
        assertTrue(
            total <= (1 - MARGIN) * limitBytes,
            String.format(
                "%s: heap %d MiB + direct/metaspace/code/stacks/native %d MiB = %d MiB, over %.0f%% of the %d MiB limit",
                where,
                (long) (heapShare * limitBytes) / MIB,
                fixed / MIB,
                total / MIB,
                (1 - MARGIN) * 100,
                limitBytes / MIB));
      }
    }
  }

  @Test
  void theBudgetArithmeticCountsWhatItShould() {
    assertEquals(128 * MIB, bytes("128m"));
    assertEquals(1024 * MIB, bytes("1g"));
    assertEquals(512 * 1024, bytes("512k"));
    Map<String, String> flags =
        javaOptsFlags(
            "ENV JAVA_OPTS=\"-XX:MaxRAMPercentage=40 -XX:MaxDirectMemorySize=128m -Xss1m\"");
    assertEquals(
        Map.of("MaxRAMPercentage", "40", "MaxDirectMemorySize", "128m", "Xss", "1m"), flags);
  }
}
