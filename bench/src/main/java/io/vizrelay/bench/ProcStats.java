package io.vizrelay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads a Linux process's resident memory and CPU time from {@code /proc}. */
final class ProcStats {
  /** USER_HZ; 100 on every mainstream Linux build. */
  private static final double TICKS_PER_SECOND = 100.0;

  private ProcStats() {}

  /** Resident set size in KiB ({@code VmRSS}), or -1 when unreadable. */
  static long rssKb(long pid) {
    return statusField(pid, "VmRSS:");
  }

  /** Peak resident set size in KiB ({@code VmHWM}). */
  static long peakRssKb(long pid) {
    return statusField(pid, "VmHWM:");
  }

  /** Open file descriptors of the process. */
  static long openFds(long pid) {
    try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return s.count();
    } catch (IOException e) {
      return -1;
    }
  }

  /** User + system CPU time in seconds. */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // fields after the ")" that closes the command name: state is field 3, utime 14, stime 15
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /**
   * User + system CPU seconds of the JIT compiler threads of {@code pid} ({@code C1/C2
   * CompilerThread*} in {@code /proc/<pid>/task/<tid>/comm}); threads that ended are not counted.
   */
  static double jitSeconds(long pid) {
    double total = 0;
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          if (Files.readString(task.resolve("comm")).contains("CompilerThre")) {
            String stat = Files.readString(task.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
          }
        } catch (IOException | RuntimeException threadEnded) {
          // a compiler thread may come and go between listing and reading
        }
      }
    } catch (IOException e) {
      return Double.NaN;
    }
    return total;
  }

  /**
   * Busy CPU seconds of the whole machine since boot (all but idle and iowait, from {@code
   * /proc/stat}).
   */
  static double machineBusySeconds() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(f[i]);
        }
      }
      return busy / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  static long self() {
    return ProcessHandle.current().pid();
  }

  /** The soft limit on open files of a process ({@code Max open files}), or -1. */
  static long maxOpenFiles(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
        if (line.startsWith("Max open files")) {
          String[] parts = line.substring("Max open files".length()).trim().split("\\s+");
          return "unlimited".equals(parts[0]) ? Long.MAX_VALUE : Long.parseLong(parts[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private static long statusField(long pid, String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /**
   * CPU use over an interval, in busy cores: the server's (summed over its processes, e.g. every
   * node of a cluster), the bench's, and everything else on the machine (other processes competing
   * for the same cores make a run noisy).
   */
  record Meter(List<CpuMeter> servers, CpuMeter bench, double machineStart, long startNanos) {
    static Meter start(long serverPid) {
      return start(List.of(serverPid));
    }

    static Meter start(List<Long> serverPids) {
      List<CpuMeter> servers = serverPids.stream().map(CpuMeter::start).toList();
      return new Meter(servers, CpuMeter.start(self()), machineBusySeconds(), System.nanoTime());
    }

    /** Busy cores of {server, bench, other processes}. */
    double[] cores() {
      Reading r = read();
      return new double[] {
        r.serverSeconds() / r.wall(), r.benchSeconds() / r.wall(), r.otherSeconds() / r.wall()
      };
    }

    /**
     * CPU seconds used since the start, per server process, by the bench and by everything else.
     */
    Reading read() {
      double wall = (System.nanoTime() - startNanos) / 1e9;
      double[] per = servers.stream().mapToDouble(CpuMeter::used).toArray();
      double b = bench.used();
      double all = machineBusySeconds() - machineStart;
      double s = java.util.Arrays.stream(per).sum();
      return new Reading(wall, per, b, Math.max(0, all - s - b));
    }
  }

  /**
   * CPU seconds over a measured interval of {@code wall} seconds; {@code perServer} in the order
   * the pids were given.
   */
  record Reading(double wall, double[] perServer, double benchSeconds, double otherSeconds) {
    double serverSeconds() {
      return java.util.Arrays.stream(perServer).sum();
    }

    double serverCores() {
      return serverSeconds() / wall;
    }

    double benchCores() {
      return benchSeconds / wall;
    }

    double otherCores() {
      return otherSeconds / wall;
    }
  }

  /** CPU seconds used by a process over an interval, as a number of busy cores. */
  record CpuMeter(long pid, double startCpu, long startNanos) {
    static CpuMeter start(long pid) {
      return new CpuMeter(pid, ProcStats.cpuSeconds(pid), System.nanoTime());
    }

    double used() {
      return ProcStats.cpuSeconds(pid) - startCpu;
    }

    double cores() {
      double wall = (System.nanoTime() - startNanos) / 1e9;
      return wall <= 0 ? 0 : used() / wall;
    }
  }
}
