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
      return statSeconds(Files.readString(Path.of("/proc/" + pid + "/stat")));
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /**
   * User + system CPU seconds of the JIT compiler threads of {@code pid} ({@code C1/C2
   * CompilerThread*}); threads that ended are not counted.
   */
  static double jitSeconds(long pid) {
    List<ThreadTime> threads = threads(pid);
    return threads.isEmpty()
        ? Double.NaN
        : threads.stream().filter(ThreadTime::jit).mapToDouble(ThreadTime::seconds).sum();
  }

  /** One thread's user + system CPU seconds so far, with its name as the kernel keeps it. */
  record ThreadTime(long pid, long tid, String comm, double seconds) {
    /** A C1/C2 compiler thread. */
    boolean jit() {
      return comm.contains("CompilerThre");
    }
  }

  /**
   * Every live thread of {@code pid} with its CPU seconds ({@code /proc/<pid>/task/<tid>/stat}) and
   * its name ({@code comm}: the Java thread name cut to 15 characters, e.g. {@code
   * vert.x-eventloo}); empty when the process is gone. Threads that ended are not listed.
   */
  static List<ThreadTime> threads(long pid) {
    List<ThreadTime> threads = new java.util.ArrayList<>();
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String comm = Files.readString(task.resolve("comm")).strip();
          double seconds = statSeconds(Files.readString(task.resolve("stat")));
          threads.add(
              new ThreadTime(pid, Long.parseLong(task.getFileName().toString()), comm, seconds));
        } catch (IOException | RuntimeException threadEnded) {
          // a thread may come and go between listing and reading
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    return threads;
  }

  /** utime + stime of a {@code stat} line, in seconds. */
  private static double statSeconds(String stat) {
    // fields after the ")" that closes the command name: state is field 3, utime 14, stime 15
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
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
  record Meter(
      List<CpuMeter> servers,
      List<ThreadTime> serverThreads,
      CpuMeter bench,
      double machineStart,
      long startNanos) {
    static Meter start(long serverPid) {
      return start(List.of(serverPid));
    }

    static Meter start(List<Long> serverPids) {
      List<CpuMeter> servers = serverPids.stream().map(CpuMeter::start).toList();
      return new Meter(
          servers,
          serverThreads(serverPids),
          CpuMeter.start(self()),
          machineBusySeconds(),
          System.nanoTime());
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
      ThreadCpu threads =
          ThreadCpu.between(
              serverThreads, serverThreads(servers.stream().map(CpuMeter::pid).toList()), wall);
      return new Reading(wall, per, b, Math.max(0, all - s - b), threads);
    }

    private static List<ThreadTime> serverThreads(List<Long> pids) {
      return pids.stream().flatMap(pid -> threads(pid).stream()).toList();
    }
  }

  /**
   * CPU seconds over a measured interval of {@code wall} seconds; {@code perServer} in the order
   * the pids were given; {@code threads}: the servers' threads over the same interval.
   */
  record Reading(
      double wall,
      double[] perServer,
      double benchSeconds,
      double otherSeconds,
      ThreadCpu threads) {
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
