package dev.moonwire.samples.farm;

import dev.moonwire.dalua.Dalua;
import dev.moonwire.dalua.Directory;
import dev.moonwire.dalua.Subscription;
import dev.moonwire.dalua.Template;
import dev.moonwire.dalua.Topic;
import dev.moonwire.dalua.Tuple;
import dev.moonwire.dalua.TupleSpace;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.samples.Samples;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Seed 001's "combining paradigms" in one application: a master writes {@code --jobs} jobs into
 * a tuple space replicated on the group {@code farm}; {@code --workers} workers in JVMs of their
 * own take them on loan ({@code take}), compute, write each result back and make the take final
 * ({@code done}), publish their progress on a FIFO topic the master subscribes to, answer the
 * master's {@code status} RPC, and pass a shared resource (the master's {@code resource.*}
 * functions) under a DALua mutex. With {@code --kill 1}, one worker, chosen with
 * {@code --seed}, is SIGKILLed at a seeded point: when it holds its k-th job on loan, taken and
 * not yet done. The hub (the master) drops the dead worker from {@code farm}; the space applies
 * its removal in the group's total order, which gives the loaned job back to the space, where a
 * live worker takes it.
 *
 * <p>{@code ok:} only if every job's result is in the space exactly once (counted there: each
 * taken out by its number, then nothing matching is left), no progress message of a live worker
 * arrived out of its order, the resource never had two holders, and the master saw the killed
 * worker leave.
 */
public final class JobFarm implements Samples.Sample {
  static final String GROUP = "farm";
  static final String PROGRESS = "farm.progress";

  /** A worker's progress: its {@code seq}-th job done was {@code job}. */
  public record Progress(int worker, int seq, int job) {}

  @Override
  public String about() {
    return "a job farm: replicated tuple space, a progress topic, RPC status and a mutex, one "
        + "worker SIGKILLed holding a job   [--workers 4 --jobs 200 --kill 1 --seed N]";
  }

  @Override
  public String run(Samples.Options options) throws Exception {
    int workers = options.integer("workers", 4);
    int jobs = options.integer("jobs", 200);
    int kill = options.integer("kill", 1);
    long seed = Long.parseLong(options.text("seed", String.valueOf(System.nanoTime() % 100_000)));
    if (workers < 2 || jobs < 2 * workers || kill < 0 || kill > 1) {
      throw new Samples.Failed("--workers " + workers + " --jobs " + jobs + " --kill " + kill
          + " (expected: workers >= 2, jobs >= 2 * workers, kill 0 or 1)");
    }
    Random random = new Random(seed);
    int victim = random.nextInt(workers);
    int killAt = 1 + random.nextInt(Math.max(1, jobs / workers / 2)); // its k-th take
    RpcProcess master = Rpc.open(RpcConfig.defaults().register(Progress.class));
    try {
      Dalua dalua = Dalua.attach(master, Directory.hostedBy(master.id()));
      dalua.apps().create(GROUP);
      dalua.apps().join(GROUP);
      TupleSpace space = dalua.space(GROUP);

      // the shared resource the mutex guards: never two holders
      AtomicInteger holders = new AtomicInteger();
      AtomicInteger uses = new AtomicInteger();
      AtomicReference<String> broken = new AtomicReference<>();
      master.export("resource.acquire", a -> {
        if (holders.incrementAndGet() != 1) {
          broken.compareAndSet(null, "two holders of the resource at once");
        }
        uses.incrementAndGet();
        return null;
      });
      master.export("resource.release", a -> {
        holders.decrementAndGet();
        return null;
      });

      // progress: each live worker's messages in its order
      Map<Integer, Integer> lastSeq = new ConcurrentHashMap<>();
      AtomicInteger progress = new AtomicInteger();
      Topic<Progress> topic = dalua.topic(PROGRESS, Progress.class);
      Subscription sub = topic.subscribe(p -> {
        Integer before = lastSeq.put(p.worker(), p.seq());
        if (before != null && before + 1 != p.seq()) {
          broken.compareAndSet(null, "worker " + p.worker() + ": progress " + p.seq()
              + " arrived after " + before);
        }
        progress.incrementAndGet();
      });

      // the killed worker must be seen leaving the group
      Set<ProcessId> left = ConcurrentHashMap.newKeySet();
      dalua.events().monitor(Dalua.APP_LEAVE, (event, args) -> {
        if (GROUP.equals(args.stringAt(0))) {
          left.add(args.get(1, ProcessId.class));
          System.out.println("master saw " + args.get(1, ProcessId.class) + " leave " + GROUP);
        }
      });

      for (int i = 0; i < jobs; i++) {
        space.out(Tuple.of("job", i));
      }
      System.out.println("master " + master.id() + " wrote " + jobs + " jobs into the space of '"
          + GROUP + "'; seed " + seed + (kill == 1 ? ", worker " + victim
          + " will be SIGKILLed holding its job #" + killAt + " on loan" : ""));

      List<ProcessId> ids = master.spawn(workers, Worker.class, master.id().toString(),
          String.valueOf(kill == 1 ? victim : -1), String.valueOf(killAt));
      System.out.println(workers + " workers spawned: " + ids);
      CountDownLatch held = new CountDownLatch(kill);
      AtomicReference<Integer> heldJob = new AtomicReference<>();
      master.export("holding", a -> { // the victim, with a job on loan: killed now
        heldJob.set(a.intAt(0));
        held.countDown();
        return null;
      });
      for (ProcessId w : ids) {
        start(master, w, ids);
      }
      if (kill == 1) {
        if (!held.await(120, TimeUnit.SECONDS)) {
          throw new Samples.Failed("the victim never reached its job #" + killAt);
        }
        long pid = master.sync(ids.get(victim), "pid").call();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        System.out.println("SIGKILLed worker " + victim + " (" + ids.get(victim) + ", pid " + pid
            + ") between take and done of job " + heldJob.get());
      }

      // results, counted in the space: each taken out once by its number, nothing left after
      for (int i = 0; i < jobs; i++) {
        Optional<Tuple> r = space.in(Template.of("result", i, Integer.class),
            Duration.ofSeconds(120));
        if (r.isEmpty()) {
          throw new Samples.Failed("no result for job " + i + " within 120 s");
        }
        if (r.get().get(2, Integer.class) != i * i) {
          throw new Samples.Failed("job " + i + ": result " + r.get());
        }
        if ((i + 1) % Math.max(1, jobs / 4) == 0) {
          System.out.println("results 0.." + i + " present; status: " + status(master, ids,
              victim, kill));
        }
      }
      Optional<Tuple> extra = space.inp(Template.of("result", Integer.class, Integer.class));
      if (extra.isPresent()) {
        throw new Samples.Failed("a result twice: " + extra.get());
      }
      if (space.rdp(Template.of("job", Integer.class)).isPresent()) {
        throw new Samples.Failed("a job left undone");
      }
      if (broken.get() != null) {
        throw new Samples.Failed(broken.get());
      }
      if (kill == 1) {
        ProcessId dead = ids.get(victim);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!left.contains(dead) && System.nanoTime() < until) {
          Thread.sleep(50); // the leave is an event; the sample waits for it by polling
        }
        if (!left.contains(dead)) {
          throw new Samples.Failed("the master never saw the killed worker " + dead + " leave");
        }
      }
      sub.cancel();
      options.report(master);
      return "every one of " + jobs + " results present exactly once in the space; "
          + progress.get() + " progress messages, each live worker's in order; resource used "
          + uses.get() + " times, never by two" + (kill == 1 ? "; worker " + victim
          + " killed holding job " + heldJob.get() + ", seen leaving, its job done by another"
          : "") + " (seed " + seed + ")";
    } finally {
      master.close();
    }
  }

  /** Starts worker {@code w}, once it has joined the farm (it exports {@code start} then). */
  private static void start(RpcProcess master, ProcessId w, List<ProcessId> ids)
      throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        master.sync(w, "start").call(ids);
        return;
      } catch (dev.moonwire.rpc.NoSuchFunctionException notYet) {
        if (System.nanoTime() > until) {
          throw new Samples.Failed("worker " + w + " never joined the farm");
        }
        Thread.sleep(100); // still joining: ask again
      }
    }
  }

  private static String status(RpcProcess master, List<ProcessId> ids, int victim, int kill) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < ids.size(); i++) {
      if (kill == 1 && i == victim) {
        b.append(" w").append(i).append("=killed");
        continue;
      }
      try {
        int done = master.sync(ids.get(i), "status").call();
        b.append(" w").append(i).append('=').append(done);
      } catch (RpcException e) {
        b.append(" w").append(i).append("=? (").append(e.kind()).append(')');
      }
    }
    return b.toString().trim();
  }
}
