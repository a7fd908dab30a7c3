package io.vizrelay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;

/** The machine and build a run was made on, for the report header. */
record Machine(
    String date,
    int cpus,
    String cpuModel,
    String memory,
    String jdk,
    String os,
    String commit,
    long openFilesLimit,
    String serverJar) {

  static Machine describe(Path serverJar) {
    return new Machine(
        ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z")),
        Runtime.getRuntime().availableProcessors(),
        procLine("/proc/cpuinfo", "model name"),
        memTotal(),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"),
        git(),
        ProcStats.maxOpenFiles(ProcStats.self()),
        jarInfo(serverJar));
  }

  private static String jarInfo(Path jar) {
    try {
      return jar
          + " (built "
          + ZonedDateTime.ofInstant(
                  Files.getLastModifiedTime(jar).toInstant(), java.time.ZoneOffset.UTC)
              .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z"))
          + ")";
    } catch (IOException e) {
      return jar.toString();
    }
  }

  String markdown() {
    return "| | |\n|---|---|\n"
        + "| date | "
        + date
        + " |\n"
        + "| CPUs (`nproc`) | "
        + cpus
        + " × "
        + cpuModel
        + " |\n"
        + "| memory | "
        + memory
        + " |\n"
        + "| JDK | "
        + jdk
        + " |\n"
        + "| OS | "
        + os
        + " |\n"
        + "| commit (working tree) | "
        + commit
        + " |\n"
        + "| server jar | "
        + serverJar
        + " |\n"
        + "| open files (bench) | "
        + openFilesLimit
        + " |\n";
  }

  private static String memTotal() {
    String kb = procLine("/proc/meminfo", "MemTotal").replace("kB", "").trim();
    try {
      return String.format("%.1f GiB", Long.parseLong(kb) / 1048576.0);
    } catch (NumberFormatException e) {
      return kb;
    }
  }

  private static String procLine(String file, String key) {
    try {
      for (String line : Files.readAllLines(Path.of(file))) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      return "?";
    }
    return "?";
  }

  private static String git() {
    try {
      Process p =
          new ProcessBuilder("git", "describe", "--always", "--dirty")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor(10, TimeUnit.SECONDS);
      return p.exitValue() == 0 ? out : "?";
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }
}
