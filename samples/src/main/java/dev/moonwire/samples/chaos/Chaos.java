package dev.moonwire.samples.chaos;

import dev.moonwire.dalua.Dalua;
import dev.moonwire.dalua.Directory;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.samples.chaos.FaultSchedule.Fault;
import dev.moonwire.samples.chaos.FaultSchedule.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code ./mw chaos [--seconds 60] [--members 5] [--seed N] [--faults kill,pause,cut,drop]
 * [--drop-percent 2] [--pause-seconds 25] [--logs DIR]}: DALua's members in JVMs of their own run the mutex, total
 * order and causal order while this controller — which also holds the group (the hub) and the
 * fenced resource, and is never hit — injects faults on a schedule drawn from the seed:
 * <ul>
 *   <li>{@code kill}: SIGKILL, then a new incarnation at the same port, which joins again;
 *   <li>{@code pause}: SIGSTOP, then SIGCONT after longer than the failure detector takes to
 *       drop a frozen member ({@link #FROZEN_DETECTED}; shorter with {@code --pause-seconds},
 *       when a paused member must be waited for, not dropped);
 *   <li>{@code cut}: every TCP connection of a member reset ({@code ss -K}, see
 *       {@link ConnectionCutter}), its link to the resource spared;
 *   <li>{@code drop}: a share of the one-way sends each member receives lost (the runtime's
 *       per-process fault hook, which each member installs), for the whole run.
 * </ul>
 * Then it checks the logs ({@link ChaosCheck}) and prints {@code ok: ...} with the faults
 * injected and the work done, or {@code FAILED: <property> seed=N} with the lines that show
 * it (exit code 1). The same seed gives the same schedule of faults; thread timing differs
 * from run to run.
 */
public final class Chaos {
  private Chaos() {}

  /**
   * How long a frozen member takes to count as gone, which a pause must outlast (default of
   * {@code --pause-seconds}). DALua's detector drops a member unreachable for five seconds
   * ({@code Liveness.GONE_AFTER}), but a SIGSTOPped JVM is not unreachable at first: its
   * kernel keeps its connections and accepts new ones, so pings only time out (slow, not gone)
   * until heartbeats close the connections (two intervals of 5 s) and a new handshake times
   * out (10 s); five seconds later it is gone.
   */
  static final Duration FROZEN_DETECTED = Duration.ofSeconds(25);

  private static final Set<String> OPTIONS = Set.of("seconds", "members", "seed", "faults",
      "drop-percent", "pause-seconds", "logs");

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the harness; returns the exit code: 0 ok, 1 a property failed, 2 could not run. */
  public static int run(String... args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    String usage = "usage: ./mw chaos [--seconds 60] [--members 5] [--seed N] "
        + "[--faults kill,pause,cut,drop] [--drop-percent 2] [--pause-seconds 25] "
        + "[--logs DIR (new or empty)]";
    if (args.length % 2 != 0 || !OPTIONS.containsAll(options.keySet())) {
      System.out.println(usage);
      return 2;
    }
    int seconds;
    int members;
    long seed;
    int dropPercent;
    int pauseSeconds;
    try {
      seconds = Integer.parseInt(options.getOrDefault("seconds", "60"));
      members = Integer.parseInt(options.getOrDefault("members", "5"));
      seed = options.containsKey("seed") ? Long.parseLong(options.get("seed"))
          : ThreadLocalRandom.current().nextLong(1, 1_000_000);
      dropPercent = Integer.parseInt(options.getOrDefault("drop-percent", "2"));
      pauseSeconds = Integer.parseInt(options.getOrDefault("pause-seconds",
          String.valueOf(FROZEN_DETECTED.toSeconds())));
    } catch (NumberFormatException e) {
      System.out.println(usage + " (" + e.getMessage() + ")");
      return 2;
    }
    if (dropPercent < 0 || dropPercent > 100 || pauseSeconds < 1) {
      System.out.println("FAILED: --drop-percent " + dropPercent + " --pause-seconds "
          + pauseSeconds + " (expected: 0..100 and >= 1)");
      return 2;
    }
    Set<Kind> kinds = EnumSet.noneOf(Kind.class);
    String faults = options.getOrDefault("faults", "kill,pause,cut,drop");
    for (String k : faults.split(",", -1)) { // an empty one is skipped below
      if (k.isBlank() || k.equals("none")) {
        continue;
      }
      try {
        kinds.add(Kind.valueOf(k.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        System.out.println("FAILED: --faults " + faults + " (expected a list of "
            + "kill,pause,cut,drop, or none)");
        return 2;
      }
    }
    if (seconds < 5 || members < 2) {
      System.out.println("FAILED: --seconds " + seconds + " --members " + members
          + " (expected: at least 5 seconds and 2 members)");
      return 2;
    }
    if (kinds.contains(Kind.CUT)) {
      String why = ConnectionCutter.available();
      if (why != null) {
        System.out.println("FAILED: cannot cut connections here: " + why + " (run as root, "
            + "or leave cut out: --faults " + without(kinds, Kind.CUT) + ")");
        return 2;
      }
    }
    String replay = "--seconds " + seconds + " --members " + members + " --seed " + seed
        + " --faults " + (kinds.isEmpty() ? "none" : names(kinds))
        + (kinds.contains(Kind.DROP) ? " --drop-percent " + dropPercent : "")
        + (kinds.contains(Kind.PAUSE) ? " --pause-seconds " + pauseSeconds : "");
    try {
      Path dir = options.containsKey("logs") ? Path.of(options.get("logs"))
          : Files.createTempDirectory("moonwire-chaos-" + seed + "-");
      Files.createDirectories(dir);
      try (var files = Files.list(dir)) {
        if (files.findAny().isPresent()) {
          System.out.println("FAILED: --logs " + dir + " holds files already (expected: a new "
              + "or empty directory: the check reads every log in it)");
          return 2;
        }
      }
      System.out.println("chaos " + replay + "   logs: " + dir);
      return new Run(seconds, members, seed, kinds, dropPercent, pauseSeconds * 1_000L, dir,
          replay).call();
    } catch (Exception e) {
      System.out.println("FAILED: the run could not be made: " + e);
      return 2;
    }
  }

  private static String names(Set<Kind> kinds) {
    return String.join(",", kinds.stream().map(k -> k.name().toLowerCase(Locale.ROOT))
        .toList());
  }

  private static String without(Set<Kind> kinds, Kind k) {
    Set<Kind> rest = EnumSet.copyOf(kinds);
    rest.remove(k);
    return rest.isEmpty() ? "none" : names(rest);
  }

  /** One run: its processes, its members' JVMs, its schedule. */
  private static final class Run {
    private final int seconds;
    private final int members;
    private final long seed;
    private final Set<Kind> kinds;
    private final int dropPercent;
    private final long pauseMillis;
    private final Path dir;
    private final String replay;
    private long cutConnections;

    Run(int seconds, int members, long seed, Set<Kind> kinds, int dropPercent, long pauseMillis,
        Path dir, String replay) {
      this.seconds = seconds;
      this.members = members;
      this.seed = seed;
      this.kinds = kinds;
      this.dropPercent = dropPercent;
      this.pauseMillis = pauseMillis;
      this.dir = dir;
      this.replay = replay;
    }

    int call() throws Exception {
      FaultSchedule schedule = FaultSchedule.of(seed, members, seconds * 1_000L, kinds,
          pauseMillis);
      try (RpcProcess hub = Rpc.open(RpcConfig.defaults());
          RpcProcess store = Rpc.open(RpcConfig.defaults());
          EventLog faultLog = new EventLog(dir.resolve("faults.log"));
          EventLog resourceLog = new EventLog(dir.resolve("resource.log"))) {
        Dalua dalua = Dalua.attach(hub, Directory.hostedBy(hub.id()));
        dalua.apps().create(ChaosMember.GROUP);
        Resource resource = Resource.exportOn(store, resourceLog);
        try (MemberJvms jvms = new MemberJvms(members, hub.id(), store.id(), dir, seed,
            kinds.contains(Kind.DROP) ? dropPercent : 0)) {
          for (int i = 0; i < members; i++) {
            jvms.start(i);
          }
          if (!joined(dalua, members, Duration.ofSeconds(60))) {
            System.out.println("FAILED: setup seed=" + seed + ": only "
                + dalua.apps().processes(ChaosMember.GROUP).size() + " of " + members
                + " members joined within 60 s (their output: " + dir + "/m*.0.out)");
            return 2;
          }
          System.out.println("schedule (" + schedule.faults().size() + " faults):");
          schedule.faults().forEach(f -> System.out.println("  " + f));
          inject(schedule, jvms, faultLog, store.id().port());
          List<String> live = new ArrayList<>();
          for (int i = 0; i < members; i++) {
            String incarnation = "m" + i + "." + jvms.incarnation(i);
            if (!jvms.alive(i)) { // not killed by the schedule: it died of itself
              System.out.println("FAILED: liveness seed=" + seed + ": " + incarnation
                  + "'s JVM exited by itself; its output: " + dir.resolve(incarnation + ".out"));
              System.out.println("replay: ./mw chaos " + replay + "   logs: " + dir);
              return 1;
            }
            live.add(incarnation);
          }
          long stoppedAt = System.currentTimeMillis();
          stopWork(hub, jvms);
          jvms.close();
          ChaosCheck check = new ChaosCheck(dir, live);
          List<ChaosCheck.Violation> violations = check.check();
          System.out.println(check.progress(stoppedAt));
          if (!violations.isEmpty()) {
            for (ChaosCheck.Violation v : violations) {
              System.out.println("FAILED: " + v.property + " seed=" + seed + ": "
                  + v.getMessage().substring(v.property.length() + 2));
              v.lines.forEach(System.out::println);
            }
            System.out.println("replay: ./mw chaos " + replay + "   logs: " + dir);
            return 1;
          }
          System.out.println("ok: seed=" + seed + " faults: kill " + schedule.count(Kind.KILL)
              + ", pause " + schedule.count(Kind.PAUSE) + ", cut " + schedule.count(Kind.CUT)
              + " (" + cutConnections + " connections), drop "
              + (kinds.contains(Kind.DROP) ? dropPercent + "% of one-way sends" : "none")
              + "; mutex entries " + check.entries + " (writes accepted " + resource.accepted()
              + ", stale holders fenced " + check.fenced + ", let in after a pause while "
              + "waiting " + check.staleGrants + "); total-order deliveries "
              + check.totalDeliveries + "; causal deliveries " + check.causalDeliveries
              + " (live members " + live + ")");
          return 0;
        }
      }
    }

    private static boolean joined(Dalua hub, int members, Duration within) {
      long until = System.nanoTime() + within.toNanos();
      while (hub.apps().processes(ChaosMember.GROUP).size() < members) {
        if (System.nanoTime() > until) {
          return false;
        }
        hub.process().sleep(Duration.ofMillis(50));
      }
      return true;
    }

    /** Plays the schedule: each fault at its time, each pause and kill ended at its time. */
    private void inject(FaultSchedule schedule, MemberJvms jvms, EventLog log, int spared)
        throws Exception {
      record Step(long at, Fault fault, boolean end) {}
      PriorityQueue<Step> steps = new PriorityQueue<>(
          java.util.Comparator.comparingLong(Step::at).thenComparing(Step::end));
      for (Fault f : schedule.faults()) {
        steps.add(new Step(f.atMillis(), f, false));
        if (f.millis() > 0) {
          steps.add(new Step(f.atMillis() + f.millis(), f, true));
        }
      }
      long start = System.nanoTime();
      while (!steps.isEmpty()) {
        Step s = steps.poll();
        sleepUntil(start, s.at());
        int m = s.fault().member();
        String name = "m" + m;
        switch (s.fault().kind()) {
          case KILL -> {
            if (s.end()) {
              jvms.start(m);
              log.line("restart " + name + "." + jvms.incarnation(m));
            } else {
              log.line("kill " + name + "." + jvms.incarnation(m) + " " + jvms.pid(m));
              jvms.kill(m);
            }
          }
          case PAUSE -> {
            if (s.end()) {
              jvms.resume(m);
              log.line("resume " + name);
            } else {
              log.line("pause " + name + " " + jvms.pid(m));
              jvms.pause(m);
            }
          }
          case CUT -> {
            int cut = ConnectionCutter.cut(jvms.pid(m), spared);
            cutConnections += cut;
            log.line("cut " + name + " " + cut);
          }
          default -> { }
        }
        System.out.printf("  %6.1fs %s%n", (System.nanoTime() - start) / 1e9, describe(s.fault(),
            s.end()));
      }
      sleepUntil(start, seconds * 1_000L);
    }

    private static String describe(Fault f, boolean end) {
      return switch (f.kind()) {
        case KILL -> end ? "restarted m" + f.member() : "killed m" + f.member();
        case PAUSE -> end ? "resumed m" + f.member() : "paused m" + f.member();
        default -> "cut m" + f.member();
      };
    }

    private static void sleepUntil(long start, long millis) throws InterruptedException {
      long left = millis - (System.nanoTime() - start) / 1_000_000;
      if (left > 0) {
        Thread.sleep(left); // the schedule's clock: nothing to wait for but time
      }
    }

    /**
     * Tells each member to stop sending, then lets what is in flight arrive: until the logs
     * have not grown for a second (at most ten).
     */
    private void stopWork(RpcProcess hub, MemberJvms jvms) throws Exception {
      for (int i = 0; i < members; i++) {
        try {
          hub.sync(jvms.id(i), ChaosMember.STOP).withDeadline(Duration.ofSeconds(5)).call();
        } catch (RpcException e) {
          System.out.println("  m" + i + " did not answer stop: " + e.getMessage());
        }
      }
      long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      long size = -1;
      while (System.nanoTime() < until) {
        long now = logBytes();
        if (now == size) {
          return;
        }
        size = now;
        Thread.sleep(1_000);
      }
    }

    private long logBytes() throws IOException {
      try (var files = Files.list(dir)) {
        long sum = 0;
        for (Path f : files.toList()) {
          sum += Files.size(f);
        }
        return sum;
      }
    }
  }
}
