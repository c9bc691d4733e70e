package dev.moonwire.samples.chaos;

import dev.moonwire.dalua.Dalua;
import dev.moonwire.dalua.Directory;
import dev.moonwire.dalua.Multicast;
import dev.moonwire.dalua.Mutex;
import dev.moonwire.rpc.FencedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One incarnation of a chaos member, in a JVM of its own: joins the group {@value #GROUP} on the
 * hub, then runs the mutex, total order and causal order until told to stop, logging each
 * event (see {@link ChaosCheck} for the lines). Exits when the controller's JVM is gone.
 *
 * <p>Arguments: hub, resource, port, name, incarnation, log file, controller pid, seed, and
 * the faults its process suffers as {@code SEED:DROPPERCENT} (one-way sends it receives lost).
 *
 * <p>A member its directory dropped (paused or cut off past the failure detector) is fenced: its
 * mutex fails with {@link FencedException}; it logs {@code fenced-member}, joins the group
 * again (a new membership epoch) and makes its mutex anew.
 */
public final class ChaosMember {
  static final String GROUP = "chaos";
  static final String TOTAL = "chaos.total";
  static final String CAUSAL = "chaos.causal";
  static final String STOP = "chaos.stop";
  static final String WRITE = "resource.write";
  /** Replies waiting to be sent, at most: a member sends one causal message at a time. */
  private static final int MAX_WAITING_REPLIES = 4;

  private final RpcProcess process;
  private final Dalua dalua;
  private final ProcessId resource;
  private final String me; // name.incarnation: what its messages and writes are known by
  private final EventLog log;
  private final Random random;
  private final LinkedBlockingQueue<String> replies = new LinkedBlockingQueue<>();
  private volatile Mutex mutex;
  private volatile boolean running = true;

  private ChaosMember(RpcProcess process, Dalua dalua, ProcessId resource, String me,
      EventLog log, long seed) {
    this.process = process;
    this.dalua = dalua;
    this.resource = resource;
    this.me = me;
    this.log = log;
    this.random = new Random(seed);
  }

  public static void main(String[] args) throws Exception {
    ProcessId hub = ProcessId.parse(args[0]);
    ProcessId resource = ProcessId.parse(args[1]);
    int port = Integer.parseInt(args[2]);
    String me = args[3] + "." + args[4];
    boolean restarted = Integer.parseInt(args[4]) > 0;
    long controller = Long.parseLong(args[6]);
    long seed = Long.parseLong(args[7]);
    ProcessHandle.of(controller).ifPresentOrElse(
        c -> {
          // it halts this JVM: there is no outcome to look at
          var unused = c.onExit().thenRun(() -> Runtime.getRuntime().halt(0));
        },
        () -> Runtime.getRuntime().halt(0)); // never outlive the controller
    EventLog log = new EventLog(Path.of(args[5]));
    RpcProcess process = openAt(port);
    String[] faults = args[8].split(":", -1);
    int dropPercent = Integer.parseInt(faults[1]);
    if (dropPercent > 0) {
      ((dev.moonwire.rpc.runtime.internal.RuntimeProcess) process).injectFaults(
          dev.moonwire.rpc.runtime.internal.Faults.seeded(Long.parseLong(faults[0]), 0,
              dropPercent));
    }
    Dalua dalua = Dalua.attach(process, Directory.hostedBy(hub));
    ChaosMember member = new ChaosMember(process, dalua, resource, me, log, seed);
    member.start(restarted);
  }

  /** The port may still be held for a moment by the incarnation just killed. */
  private static RpcProcess openAt(int port) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return Rpc.open(RpcConfig.port(port));
      } catch (RpcException | IllegalStateException e) {
        if (System.nanoTime() > until) {
          throw e;
        }
        Thread.sleep(100); // not waiting for an event: polling a port the kernel frees
      }
    }
  }

  private void start(boolean restarted) throws InterruptedException {
    process.export(STOP, a -> {
      running = false;
      return null;
    });
    process.export(TOTAL, a -> {
      log.line("total " + a.stringAt(0));
      return null;
    });
    process.export(CAUSAL, a -> {
      String id = a.stringAt(0);
      String deps = a.stringAt(1);
      log.line("causal " + id + " " + deps);
      if (!id.startsWith(me + ".") && running && random.nextInt(3) == 0
          && replies.size() < MAX_WAITING_REPLIES) {
        replies.add(id); // answered from the causal thread: delivered before it is sent
      }
      return null;
    });
    dalua.events().monitor(Dalua.APP_JOIN, (event, a) -> {
      ProcessId p = a.get(1, ProcessId.class);
      Mutex m = mutex;
      if (m != null && GROUP.equals(a.get(0)) && !p.equals(dalua.self())) {
        m.add(p);
      }
    });
    dalua.events().monitor(Dalua.APP_LEAVE, (event, a) -> {
      ProcessId p = a.get(1, ProcessId.class);
      Mutex m = mutex;
      if (m != null && GROUP.equals(a.get(0)) && !p.equals(dalua.self())) {
        m.remove(p, a.longAt(2)); // the hub names the membership epoch that ended
      }
    });
    join();
    log.line((restarted ? "rejoined " : "joined ") + me);

    List<Thread> loops = new ArrayList<>();
    loops.add(Thread.ofPlatform().name("chaos-mutex").start(this::mutexLoop));
    loops.add(Thread.ofPlatform().name("chaos-total").start(this::totalLoop));
    loops.add(Thread.ofPlatform().name("chaos-causal").start(this::causalLoop));
    for (Thread t : loops) {
      t.join();
    }
    log.line("stopped");
  }

  /** Joins the group (again, after it was fenced) and makes the mutex among its members. */
  private void join() {
    dalua.apps().join(GROUP);
    List<ProcessId> before = dalua.apps().processes(GROUP);
    Mutex m = dalua.mutex(GROUP, before);
    mutex = m;
    // joins and leaves raised before the mutex existed were not applied: read the group again
    List<ProcessId> now = dalua.apps().processes(GROUP);
    now.forEach(m::add);
    before.stream().filter(p -> !now.contains(p)).forEach(m::remove);
  }

  /** Enters, writes to the resource with its token, leaves: over and over. */
  private void mutexLoop() {
    while (running) {
      Mutex m = mutex;
      try {
        m.enter();
      } catch (FencedException e) {
        log.line("fenced-member " + e.getClass().getSimpleName());
        rejoin();
        continue;
      } catch (RpcException e) {
        log.line("enter-failed " + e.getClass().getSimpleName());
        continue;
      }
      long token;
      try {
        token = m.fencingToken();
      } catch (IllegalStateException dropped) { // fenced between the grant and here
        log.line("fenced-member holding");
        m.leave(); // ends the section it held: answers no one
        continue;
      }
      long entered = System.currentTimeMillis();
      log.line("entered " + token);
      try {
        if (write(token, "enter", entered)) {
          nap(20); // the work a holder does: a window for a pause to land in
          if (write(token, "work", entered)) {
            write(token, "leave", entered);
          }
        }
      } finally {
        log.line("left " + token);
        m.leave();
      }
      nap(random.nextInt(30));
    }
  }

  /** Joins again after being fenced, until it succeeds or the run stops. */
  private void rejoin() {
    while (running) {
      try {
        join();
        log.line("rejoined " + me);
        return;
      } catch (RpcException e) {
        log.line("rejoin-failed " + e.getClass().getSimpleName());
        nap(200);
      }
    }
  }

  /** One write to the fenced resource; false if it refused the token (logged). */
  private boolean write(long token, String op, long entered) {
    for (int attempt = 0; ; attempt++) {
      try {
        Boolean ok = process.sync(resource, WRITE).call(me, token, op, entered);
        if (!ok) {
          log.line("fenced " + token + " " + op);
        }
        return ok;
      } catch (RpcException e) {
        // the resource stands for storage outside the group: a write that did not arrive is
        // made again (the resource takes the same holder's token again)
        if (attempt == 20) {
          log.line("write-failed " + token + " " + op + " " + e.getClass().getSimpleName());
          return false;
        }
        nap(100);
      }
    }
  }

  private void totalLoop() {
    Multicast total = dalua.total(GROUP);
    for (long seq = 0; running; seq++) {
      String id = me + "." + seq;
      try {
        total.send(TOTAL, id);
        log.line("tsent " + id);
      } catch (RpcException e) {
        log.line("tsend-failed " + id + " " + e.getClass().getSimpleName());
      }
      nap(100 + random.nextInt(100));
    }
  }

  /**
   * Sends causal messages: now and then one of its own, and replies to some it delivered. Each
   * names what it depends on: this member's previous message, and the one it answers.
   */
  private void causalLoop() {
    Multicast causal = dalua.causal(GROUP);
    String previous = null;
    for (long seq = 0; running; ) {
      nap(150 + random.nextInt(150));
      String answering = replies.poll(); // the oldest waiting; the others wait their turn
      if (!running) {
        return;
      }
      String id = me + ".c" + seq++;
      String deps = previous == null ? "" : previous;
      if (answering != null) {
        deps = deps.isEmpty() ? answering : deps + "," + answering;
      }
      deps = deps.isEmpty() ? "-" : deps;
      try {
        causal.send(CAUSAL, id, deps);
        log.line("csent " + id + " " + deps);
        previous = id;
      } catch (RpcException e) {
        log.line("csend-failed " + id + " " + e.getClass().getSimpleName());
      }
    }
  }

  private static void nap(long millis) {
    try {
      Thread.sleep(Duration.ofMillis(millis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
