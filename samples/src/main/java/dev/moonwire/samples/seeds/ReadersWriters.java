package dev.moonwire.samples.seeds;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.sync.Synchronizer;
import dev.moonwire.samples.Samples;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Seed 004's readers and writers with writers first (Andrews, fig. 8.14), served by one
 * process:
 * <pre>
 *   in start_read() and ?start_write == 0 -&gt; nr++;
 *   [] end_read() -&gt; nr--;
 *   [] start_write() and nr == 0 and not writing -&gt; writing = true;
 *   [] end_write() -&gt; writing = false;
 * </pre>
 * {@code ?start_write} is {@link Synchronizer#pending}: a reader is let in only while no writer
 * waits, so a steady stream of readers cannot starve a writer. The database is the main
 * process: readers and writers, each in a JVM of its own, read and write it between their
 * start and end, and it checks that a writer is never in with anyone else.
 */
public final class ReadersWriters implements Samples.Sample {
  @Override
  public String about() {
    return "seed 004: readers and writers, writers first   [--readers 4 --writers 2 --writes 10]";
  }

  @Override
  public String run(Samples.Options options) throws Exception {
    int readers = options.integer("readers", 4);
    int writers = options.integer("writers", 2);
    int writes = options.integer("writes", 10);
    try (RpcProcess db = Rpc.open(RpcConfig.defaults())) {
      int[] inside = {0, 0}; // readers, writers in the database now
      int[] reads = {0};
      long[] value = {0};
      long[] longestWait = {0};
      List<String> clashes = new ArrayList<>();
      CountDownLatch written = new CountDownLatch(writers * writes);
      Set<Integer> haveRead = new HashSet<>();
      CountDownLatch everyReaderReads = new CountDownLatch(readers);
      // handlers run one at a time, and each sleeps inside (a suspension point): others overlap
      db.export("read", a -> {
        inside[0]++;
        if (inside[1] > 0) {
          clashes.add("reader " + a.intAt(0) + " with a writer");
        }
        db.sleep(Duration.ofMillis(2));
        reads[0]++;
        inside[0]--;
        if (haveRead.add(a.intAt(0))) {
          everyReaderReads.countDown();
        }
        return value[0];
      });
      db.export("write", a -> {
        inside[1]++;
        if (inside[0] > 0 || inside[1] > 1) {
          clashes.add("writer " + a.intAt(0) + " with " + inside[0] + " readers and "
              + (inside[1] - 1) + " writers");
        }
        db.sleep(Duration.ofMillis(2));
        value[0] = a.longAt(1);
        long waited = a.longAt(2);
        longestWait[0] = Math.max(longestWait[0], waited);
        System.out.println("  writer " + a.intAt(0) + " writes " + a.longAt(1) + " after waiting "
            + waited + " ms; readers so far: " + reads[0]);
        inside[1]--;
        written.countDown();
        return null;
      });
      ProcessId server = db.spawn(1, Server.class).get(0);
      List<ProcessId> rs = db.spawn(readers, Reader.class);
      List<ProcessId> ws = db.spawn(writers, Writer.class);
      System.out.println(readers + " readers read without a pause; " + writers + " writers write "
          + writes + " times each");
      for (int i = 0; i < readers; i++) {
        db.send(rs.get(i), "read", i, server);
      }
      if (!everyReaderReads.await(30, TimeUnit.SECONDS)) {
        throw new Samples.Failed("not every reader could read, with no writer about");
      }
      int readsBefore = db.submit(() -> reads[0]).join();
      for (int i = 0; i < writers; i++) { // into a steady stream of readers
        db.send(ws.get(i), "write", i, server, writes);
      }
      if (!written.await(60, TimeUnit.SECONDS)) {
        throw new Samples.Failed("only " + ((long) writers * writes - written.getCount()) + " of "
            + writers * writes + " writes done: writers starved");
      }
      int readsWhileWriting = db.submit(() -> reads[0]).join() - readsBefore;
      if (!clashes.isEmpty()) {
        throw new Samples.Failed("a writer was not alone: " + clashes);
      }
      if (readsWhileWriting == 0) {
        throw new Samples.Failed("no one read while the writers wrote: readers starved");
      }
      options.report(db);
      return writers * writes + " writes, each alone, amid " + readsWhileWriting
          + " reads by " + readers + " readers that never paused; the longest a writer waited: "
          + longestWait[0] + " ms";
    }
  }

  /** The seed's server process: who may start reading or writing. */
  public static final class Server {
    private Server() {}

    public static void main(String[] args) throws Exception {
      int[] nr = {0};
      boolean[] writing = {false};
      Synchronizer s = Synchronizer.create();
      s.addConstraint("db", "start_read",
              req -> !writing[0] && s.pending("db", "start_write") == 0) // writers first
          .setTrigger("db", "start_read", req -> nr[0]++)
          .setTrigger("db", "end_read", req -> nr[0]--)
          .addConstraint("db", "start_write", req -> nr[0] == 0 && !writing[0])
          .setTrigger("db", "start_write", req -> writing[0] = true)
          .setTrigger("db", "end_write", req -> writing[0] = false);
      RpcProcess p = Rpc.open(RpcConfig.defaults());
      for (String op : List.of("start_read", "end_read", "start_write", "end_write")) {
        p.export(op, s.guard("db", op, req -> null));
      }
      new CountDownLatch(1).await(); // until the main process stops this JVM
    }
  }

  /** A reader: reads again and again, with no pause, until its JVM is stopped. */
  public static final class Reader {
    private Reader() {}

    public static void main(String[] args) throws Exception {
      ProcessId db = Rpc.parent().orElseThrow();
      RpcProcess p = Rpc.open(RpcConfig.defaults());
      p.export("read", a -> {
        ProcessId server = a.get(1, ProcessId.class);
        while (true) {
          p.sync(server, "start_read").call();
          p.sync(db, "read").call(a.intAt(0));
          p.send(server, "end_read");
        }
      });
      new CountDownLatch(1).await();
    }
  }

  /** A writer: writes its values one after another, timing each wait for the database. */
  public static final class Writer {
    private Writer() {}

    public static void main(String[] args) throws Exception {
      ProcessId db = Rpc.parent().orElseThrow();
      RpcProcess p = Rpc.open(RpcConfig.defaults());
      p.export("write", a -> {
        int me = a.intAt(0);
        ProcessId server = a.get(1, ProcessId.class);
        Random random = new Random(me);
        for (int k = 0; k < a.intAt(2); k++) {
          p.sleep(Duration.ofMillis(random.nextInt(20)));
          long t0 = System.nanoTime();
          p.sync(server, "start_write").call();
          long waited = (System.nanoTime() - t0) / 1_000_000;
          p.sync(db, "write").call(me, me * 1000L + k, waited);
          p.send(server, "end_write");
        }
        return null;
      });
      new CountDownLatch(1).await();
    }
  }
}
