package dev.moonwire.samples.chaos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The faults of a run, drawn from {@code new Random(seed)} alone: the same seed, members,
 * length and kinds give the same schedule. At most half the members (rounded down, at least
 * one) are down or paused at once; every fault is over before the run ends.
 */
record FaultSchedule(List<Fault> faults) {
  enum Kind { KILL, PAUSE, CUT, DROP }

  /**
   * One fault: at {@code atMillis} from the start, on member {@code member}, lasting
   * {@code millis} (a kill: until the restart; a pause: until SIGCONT; a cut: instant).
   */
  record Fault(Kind kind, long atMillis, int member, long millis) {
    @Override
    public String toString() {
      return String.format("%6.1fs %-5s m%d%s", atMillis / 1000.0, kind.name().toLowerCase(java.util.Locale.ROOT),
          member, millis > 0 ? String.format(" for %.1fs", millis / 1000.0) : "");
    }
  }

  /** Members keep running this long before the first fault: they join, and start work. */
  static final long WARM_UP_MILLIS = 2_000;

  static FaultSchedule of(long seed, int members, long runMillis, Set<Kind> kinds,
      long pauseMillis) {
    List<Kind> scheduled = new ArrayList<>();
    for (Kind k : List.of(Kind.KILL, Kind.PAUSE, Kind.CUT)) {
      if (kinds.contains(k)) {
        scheduled.add(k);
      }
    }
    List<Fault> faults = new ArrayList<>();
    if (scheduled.isEmpty()) {
      return new FaultSchedule(List.of());
    }
    Random random = new Random(seed);
    long[] busyUntil = new long[members];
    int maxBusy = Math.max(1, members / 2);
    for (long t = WARM_UP_MILLIS; ; ) {
      t += 400 + random.nextInt(1_200);
      Kind kind = scheduled.get(random.nextInt(scheduled.size()));
      int victim = random.nextInt(members);
      long millis = switch (kind) {
        case KILL -> 300 + random.nextInt(1_200); // down, then restarted at the same port
        case PAUSE -> pauseMillis + random.nextInt(3_000);
        default -> 0;
      };
      if (t + millis >= runMillis - 1_000) {
        if (t >= runMillis - 1_000) {
          break;
        }
        continue; // would not be over before the end
      }
      final long now = t;
      long busy = java.util.Arrays.stream(busyUntil).filter(u -> u > now).count();
      if (busyUntil[victim] > t || (millis > 0 && busy >= maxBusy)) {
        continue;
      }
      // a restarted member needs a moment to join before it is hit again
      busyUntil[victim] = t + millis + (kind == Kind.KILL ? 2_000 : 0);
      faults.add(new Fault(kind, t, victim, millis));
    }
    return new FaultSchedule(Collections.unmodifiableList(faults));
  }

  long count(Kind kind) {
    return faults.stream().filter(f -> f.kind() == kind).count();
  }
}
