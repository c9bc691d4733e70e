package dev.moonwire.samples.farm;

import dev.moonwire.dalua.Dalua;
import dev.moonwire.dalua.Directory;
import dev.moonwire.dalua.Mutex;
import dev.moonwire.dalua.Taken;
import dev.moonwire.dalua.Template;
import dev.moonwire.dalua.Topic;
import dev.moonwire.dalua.Tuple;
import dev.moonwire.dalua.TupleSpace;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.samples.farm.JobFarm.Progress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A job-farm worker in a JVM of its own (args: the master, the victim's index or -1, the take
 * at which the victim reports that it holds a job on loan). {@code start(ids)} begins its loop.
 */
public final class Worker {
  private Worker() {}

  public static void main(String[] args) throws Exception {
    int index = Integer.getInteger("moonwire.spawn.index");
    ProcessId masterId = ProcessId.parse(args[0]);
    boolean victim = Integer.parseInt(args[1]) == index;
    int killAt = Integer.parseInt(args[2]);
    RpcProcess p = Rpc.open(RpcConfig.defaults().register(Progress.class));
    p.export("pid", a -> ProcessHandle.current().pid());
    AtomicInteger done = new AtomicInteger();
    p.export("status", a -> done.get());
    Dalua dalua = Dalua.attach(p, Directory.hostedBy(masterId));
    dalua.apps().join(JobFarm.GROUP);
    TupleSpace space = dalua.space(JobFarm.GROUP);
    Topic<Progress> progress = dalua.topic(JobFarm.PROGRESS, Progress.class);
    p.export("start", a -> {
      @SuppressWarnings("unchecked")
      List<ProcessId> workers = a.get(0, List.class);
      Mutex resource = dalua.mutex("farm.resource", workers);
      p.execute(() -> work(p, masterId, space, progress, resource, done, index,
          victim ? killAt : -1));
      return null;
    });
    new CountDownLatch(1).await(); // until its parent is gone, or killed
  }

  private static void work(RpcProcess p, ProcessId master, TupleSpace space,
      Topic<Progress> progress, Mutex resource, AtomicInteger done, int index, int killAt) {
    Template jobs = Template.of("job", Integer.class);
    for (int seq = 0; ; seq++) {
      Taken t = space.take(jobs); // on loan: back in the space if this process dies first
      int job = t.tuple().get(1, Integer.class);
      if (seq + 1 == killAt) {
        p.sync(master, "holding").call(job); // the master SIGKILLs this JVM now
        p.sleep(java.time.Duration.ofHours(1)); // holding the job on loan until then
      }
      resource.enter();
      try {
        p.sync(master, "resource.acquire").call(index);
        p.sync(master, "resource.release").call(index);
      } finally {
        resource.leave();
      }
      space.out(Tuple.of("result", job, job * job));
      t.done();
      done.incrementAndGet();
      progress.publish(new Progress(index, seq, job));
    }
  }
}
