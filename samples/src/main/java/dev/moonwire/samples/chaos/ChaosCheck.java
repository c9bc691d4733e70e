package dev.moonwire.samples.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a chaos run from its logs alone — the members' ({@code m<i>.<inc>.log}), the
 * resource's ({@code resource.log}) and the controller's ({@code faults.log}):
 * <ol>
 *   <li><b>fencing</b>: the tokens the resource accepted never went backwards; it never refused
 *       a holder that was not paused since it asked for the mutex (a refusal is the resource
 *       stopping a holder the others took for dead — anything else means tokens out of grant
 *       order, or two holders); and no two holders overlapped at it, unless the earlier one
 *       was paused since it asked, or killed;
 *   <li><b>total order</b>: each live incarnation delivered each message once, each sender's
 *       messages in the order sent with no gap, and any two delivered their common messages in
 *       one order;
 *   <li><b>causal order</b>: no live incarnation delivered a message before one it depends on
 *       (its sender's previous message, the one it answers, and so on back) when it delivered
 *       both.
 * </ol>
 * A live incarnation is a member's last one, if it was not killed. Each failure names the
 * property and quotes the log lines that show it; each property is checked whatever the
 * others found.
 */
final class ChaosCheck {
  /** A line of a log: where it is, when it was written, what it says. */
  @SuppressWarnings("ArrayRecordComponent") // a parsed log line, never compared or hashed
  record Line(String file, int number, long millis, String[] words) {
    String word(int i) {
      return words[i];
    }

    @Override
    public String toString() {
      return "  " + file + ":" + number + "  " + millis + " " + String.join(" ", words);
    }
  }

  /** A property that does not hold, and the lines that show it. */
  static final class Violation extends Exception {
    private static final long serialVersionUID = 1L;
    final String property;
    final List<Line> lines;

    Violation(String property, String why, Line... lines) {
      super(property + ": " + why);
      this.property = property;
      this.lines = List.of(lines);
    }
  }

  private final Path dir;
  private final List<String> live;
  /** Pauses by member name: {start, end} millis. */
  private final Map<String, List<long[]>> pauses = new HashMap<>();
  /** When each killed incarnation was killed. */
  private final Map<String, Long> killed = new HashMap<>();
  private final Map<String, List<Line>> memberLogs = new HashMap<>();
  long entries;
  long fenced;
  /** Holders let in after a pause while they waited (counted in {@code fenced} or excused). */
  long staleGrants;
  long totalDeliveries;
  long causalDeliveries;

  /** {@code live}: the live incarnations, as {@code m<i>.<inc>}. */
  ChaosCheck(Path dir, List<String> live) {
    this.dir = dir;
    this.live = List.copyOf(live);
  }

  /** Checks each property; returns the first violation of each (none: all hold). */
  List<Violation> check() {
    readFaults();
    Map<String, List<Line>> logs = new LinkedHashMap<>();
    for (String inc : live) {
      logs.put(inc, read(inc + ".log"));
    }
    List<Violation> found = new ArrayList<>();
    for (Property p : List.<Property>of(this::checkFencing, () -> checkTotalOrder(logs),
        () -> checkCausalOrder(logs))) {
      try {
        p.check();
      } catch (Violation v) {
        found.add(v);
      }
    }
    return found;
  }

  /**
   * Not a property, a hint: how long before {@code stoppedAt} (when the members were told to
   * stop sending) each live incarnation last entered the mutex and delivered in total and in
   * causal order. Seconds there mean that work stalled.
   */
  String progress(long stoppedAt) {
    StringBuilder b = new StringBuilder("idle before the stop (s): mutex/total/causal");
    for (String inc : live) {
      List<Line> lines = memberLogs.computeIfAbsent(inc, i -> read(i + ".log"));
      b.append(' ').append(inc).append(' ');
      String sep = "";
      for (String event : List.of("entered", "total", "causal")) {
        long last = lines.stream().filter(l -> l.word(0).equals(event)).mapToLong(Line::millis)
            .max().orElse(-1);
        b.append(sep).append(last < 0 ? "never" : String.format(java.util.Locale.ROOT, "%.1f",
            Math.max(0, stoppedAt - last) / 1000.0));
        sep = "/";
      }
    }
    return b.toString();
  }

  private interface Property {
    void check() throws Violation;
  }

  private void readFaults() {
    Map<String, Long> pausedAt = new HashMap<>();
    for (Line l : read("faults.log")) {
      switch (l.word(0)) {
        case "pause" -> pausedAt.put(l.word(1), l.millis());
        case "resume" -> pauses.computeIfAbsent(l.word(1), k -> new ArrayList<>())
            .add(new long[] {pausedAt.remove(l.word(1)), l.millis()});
        case "kill" -> killed.put(l.word(1), l.millis());
        default -> { }
      }
    }
    pausedAt.forEach((m, at) -> pauses.computeIfAbsent(m, k -> new ArrayList<>())
        .add(new long[] {at, Long.MAX_VALUE}));
  }

  /**
   * Since when {@code incarnation} had been asking for the mutex it entered at {@code entered}:
   * the time of the last line before it saying it left the mutex or joined the group.
   */
  private long askingSince(String incarnation, long entered) {
    List<Line> lines = memberLogs.computeIfAbsent(incarnation, i -> read(i + ".log"));
    long since = 0;
    for (Line l : lines) {
      if (l.millis() > entered) {
        break;
      }
      if (l.word(0).equals("left") || l.word(0).endsWith("joined")) {
        since = l.millis();
      }
    }
    return since;
  }

  /**
   * Whether {@code incarnation} was paused since it asked for the mutex it entered at {@code
   * entered}, until {@code until}: while it waited (the others dropped it as gone, and it may
   * be let in on OKs they gave before) or while it held it. Either way, a holder the others
   * took for dead: one the resource must refuse once a later holder has written.
   */
  private boolean takenForDead(String incarnation, long entered, long until) {
    if (pausedBetween(incarnation, entered, until)) {
      return true;
    }
    if (pausedBetween(incarnation, askingSince(incarnation, entered), entered)) {
      staleGrants++;
      return true;
    }
    return false;
  }

  /** Whether {@code incarnation}'s JVM was stopped at some time in [from, to]. */
  private boolean pausedBetween(String incarnation, long from, long to) {
    String member = incarnation.substring(0, incarnation.indexOf('.'));
    for (long[] p : pauses.getOrDefault(member, List.of())) {
      if (p[0] <= to && p[1] >= from) {
        return true;
      }
    }
    return false;
  }

  private boolean killedAfter(String incarnation, long millis) {
    Long at = killed.get(incarnation);
    return at != null && at >= millis;
  }

  // resource.log: write <holder> <token> <op> <enteredMillis> accepted|refused
  private void checkFencing() throws Violation {
    Line largest = null;
    Map<String, Line> open = new LinkedHashMap<>(); // holder+token -> its first accepted write
    for (Line w : read("resource.log")) {
      String by = w.word(1);
      long token = Long.parseLong(w.word(2));
      String op = w.word(3);
      long entered = Long.parseLong(w.word(4));
      if (w.word(5).equals("refused")) {
        if (takenForDead(by, entered, w.millis())) {
          fenced++; // a holder the others took for dead: what fencing is for
          continue;
        }
        Line other = open.values().stream().filter(o -> !o.word(1).equals(by)).findFirst()
            .orElse(null);
        if (other != null) {
          throw new Violation("mutual exclusion", by + " held the mutex (token " + token
              + ", not paused since it asked) while " + other.word(1) + " held it too "
              + "(token " + other.word(2) + "): two holders; the resource refused the "
              + "smaller token", other, w);
        }
        throw new Violation("fencing", by + " held the mutex alone (token " + token + ", "
            + "not paused since it asked), yet the resource had accepted a larger token, or "
            + "the same from another holder: tokens out of grant order", largest, w);
      }
      if (largest != null && token < Long.parseLong(largest.word(2))) {
        throw new Violation("fencing", "the resource accepted a token smaller than one it had "
            + "accepted", largest, w);
      }
      largest = w;
      String session = by + " " + token;
      for (var it = open.entrySet().iterator(); it.hasNext(); ) {
        var other = it.next();
        if (other.getKey().equals(session)) {
          continue;
        }
        Line first = other.getValue();
        String holder = first.word(1);
        long since = Long.parseLong(first.word(4));
        if (!takenForDead(holder, since, w.millis()) && !killedAfter(holder, since)) {
          throw new Violation("mutual exclusion", holder + " held the mutex (it had not "
              + "left, and was neither paused since it asked nor killed) when " + by
              + " wrote as holder with a larger token",
              first, w);
        }
        it.remove(); // taken for dead: the resource must refuse it from now on
      }
      if (op.equals("enter")) {
        entries++;
      }
      if (op.equals("leave")) {
        open.remove(session);
      } else {
        open.putIfAbsent(session, w);
      }
    }
  }

  private void checkTotalOrder(Map<String, List<Line>> logs) throws Violation {
    Map<String, List<Line>> delivered = new LinkedHashMap<>();
    for (var e : logs.entrySet()) {
      List<Line> order = new ArrayList<>();
      Map<String, Line> seen = new HashMap<>();
      Map<String, Line> lastOfSender = new HashMap<>();
      for (Line l : e.getValue()) {
        if (!l.word(0).equals("total")) {
          continue;
        }
        String id = l.word(1);
        Line before = seen.put(id, l);
        if (before != null) {
          throw new Violation("total order", e.getKey() + " delivered " + id + " twice",
              before, l);
        }
        String sender = id.substring(0, id.lastIndexOf('.'));
        Line last = lastOfSender.put(sender, l);
        if (last != null && seq(l) != seq(last) + 1) {
          throw new Violation("total order", e.getKey() + " delivered " + id + " right after "
              + last.word(1) + " (expected each sender's messages in the order sent, none "
              + "missing)", last, l);
        }
        order.add(l);
      }
      delivered.put(e.getKey(), order);
      totalDeliveries += order.size();
    }
    List<String> names = new ArrayList<>(delivered.keySet());
    for (int i = 0; i < names.size(); i++) {
      for (int j = i + 1; j < names.size(); j++) {
        sameOrder(names.get(i), delivered.get(names.get(i)), names.get(j),
            delivered.get(names.get(j)));
      }
    }
  }

  private static long seq(Line total) {
    String id = total.word(1);
    return Long.parseLong(id.substring(id.lastIndexOf('.') + 1));
  }

  private static void sameOrder(String a, List<Line> as, String b, List<Line> bs)
      throws Violation {
    Set<String> inA = new HashSet<>();
    as.forEach(l -> inA.add(l.word(1)));
    Map<String, Line> inB = new HashMap<>();
    bs.forEach(l -> inB.put(l.word(1), l));
    List<Line> commonA = as.stream().filter(l -> inB.containsKey(l.word(1))).toList();
    List<Line> commonB = bs.stream().filter(l -> inA.contains(l.word(1))).toList();
    for (int k = 0; k < commonA.size(); k++) {
      Line x = commonA.get(k);
      Line y = commonB.get(k);
      if (!x.word(1).equals(y.word(1))) {
        // a delivered x before y; b delivered y first
        throw new Violation("total order", a + " delivered " + x.word(1) + " before "
            + y.word(1) + "; " + b + " delivered them the other way round",
            x, lineOf(as, y.word(1)), y, inB.get(x.word(1)));
      }
    }
  }

  private static Line lineOf(List<Line> lines, String id) {
    return lines.stream().filter(l -> l.word(1).equals(id)).findFirst().orElseThrow();
  }

  // causal <id> <deps|-> at delivery; csent <id> <deps|-> at the sender
  private void checkCausalOrder(Map<String, List<Line>> logs) throws Violation {
    Map<String, String[]> deps = new HashMap<>();
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".log")).toList()) {
        for (Line l : read(f.getFileName().toString())) {
          if (l.word(0).equals("csent") || l.word(0).equals("causal")) {
            deps.putIfAbsent(l.word(1), dependencies(l));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (var e : logs.entrySet()) {
      Map<String, Line> all = new HashMap<>();
      for (Line l : e.getValue()) {
        if (l.word(0).equals("causal")) {
          all.putIfAbsent(l.word(1), l);
        }
      }
      Set<String> done = new HashSet<>();
      for (Line l : e.getValue()) {
        if (!l.word(0).equals("causal")) {
          continue;
        }
        causalDeliveries++;
        Line early = firstMissing(l.word(1), deps, all, done);
        if (early != null) {
          throw new Violation("causal order", e.getKey() + " delivered " + l.word(1)
              + " before " + early.word(1) + ", which it depends on", l, early);
        }
        done.add(l.word(1));
      }
    }
  }

  /**
   * The delivery, among {@code all}, of a message {@code id} depends on that is not {@code done}
   * yet; null if none. Walks back through messages this member never delivered; a delivered
   * one had its own dependencies checked when it was delivered.
   */
  private static Line firstMissing(String id, Map<String, String[]> deps, Map<String, Line> all,
      Set<String> done) {
    Set<String> visited = new HashSet<>();
    List<String> todo = new ArrayList<>(List.of(deps.getOrDefault(id, new String[0])));
    while (!todo.isEmpty()) {
      String d = todo.remove(todo.size() - 1);
      if (!visited.add(d)) {
        continue;
      }
      if (all.containsKey(d)) {
        if (!done.contains(d)) {
          return all.get(d);
        }
      } else {
        todo.addAll(List.of(deps.getOrDefault(d, new String[0])));
      }
    }
    return null;
  }

  private static String[] dependencies(Line l) {
    return l.word(2).equals("-") ? new String[0] : l.word(2).split(",");
  }

  private List<Line> read(String file) {
    Path p = dir.resolve(file);
    if (!Files.exists(p)) {
      return List.of();
    }
    List<Line> lines = new ArrayList<>();
    try {
      int n = 0;
      for (String text : Files.readAllLines(p, StandardCharsets.UTF_8)) {
        n++;
        String[] parts = text.trim().split(" ", -1);
        if (parts.length < 2) {
          continue; // a line cut short by a kill
        }
        try {
          long millis = Long.parseLong(parts[0]);
          lines.add(new Line(file, n, millis, java.util.Arrays.copyOfRange(parts, 1,
              parts.length)));
        } catch (NumberFormatException e) {
          // not an event line
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p, e);
    }
    return lines;
  }
}
