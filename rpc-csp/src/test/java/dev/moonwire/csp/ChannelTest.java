package dev.moonwire.csp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.CancelledException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Channels on plain threads (no process open): the waits block, interrupts cancel. */
class ChannelTest {
  /** Runs {@code task} on a new virtual thread; the future holds what it returned or threw. */
  static <T> Running<T> spawn(java.util.concurrent.Callable<T> task) {
    CompletableFuture<T> f = new CompletableFuture<>();
    Thread t = Thread.ofVirtual().start(() -> {
      try {
        f.complete(task.call());
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    });
    return new Running<>(t, f);
  }

  record Running<T>(Thread thread, CompletableFuture<T> result) {
    /** True once the thread is parked in a wait (or has ended). */
    boolean blocked() {
      Thread.State s = thread.getState();
      return s == Thread.State.WAITING || s == Thread.State.TERMINATED;
    }

    T get() throws Exception {
      return result.get(10, TimeUnit.SECONDS);
    }

    Throwable failure() throws Exception {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> result.get(10, TimeUnit.SECONDS));
      return e.getCause();
    }
  }

  static void awaitBlocked(Running<?> r) {
    await().atMost(Duration.ofSeconds(10)).until(r::blocked);
  }

  @Test
  void write_rendezvous_blocksUntilAReaderTookTheValue() throws Exception {
    Channel<Integer> ch = Channel.create(0);
    Running<Object> writer = spawn(() -> {
      ch.write(42);
      return "written";
    });
    awaitBlocked(writer);
    assertFalse(writer.result().isDone(), "a rendezvous write returned with no reader");
    assertEquals(42, ch.read());
    assertEquals("written", writer.get());
  }

  @Test
  void read_rendezvous_blocksUntilAWriterCame() throws Exception {
    Channel<String> ch = Channel.create(0);
    Running<String> reader = spawn(ch::read);
    awaitBlocked(reader);
    assertFalse(reader.result().isDone());
    ch.write("hello");
    assertEquals("hello", reader.get());
  }

  @Test
  void write_depthN_takesNWithoutAReader_thenBlocks() throws Exception {
    Channel<Integer> ch = Channel.create(3);
    for (int i = 0; i < 3; i++) {
      ch.write(i); // would hang the test if it waited
    }
    assertFalse(ch.offer(99), "a full channel accepted a fourth value");
    Running<Object> fourth = spawn(() -> {
      ch.write(3);
      return "in";
    });
    awaitBlocked(fourth);
    assertFalse(fourth.result().isDone(), "a write to a full channel did not wait");
    assertEquals(0, ch.read());
    assertEquals("in", fourth.get());
    assertEquals(List.of(1, 2, 3), List.of(ch.read(), ch.read(), ch.read()));
  }

  @Test
  void close_readersDrainWhatIsLeft_thenFail_writersFailAtOnce() {
    Channel<Integer> ch = Channel.create(2);
    ch.write(1);
    ch.write(2);
    ch.close();
    ch.close(); // harmless
    assertThrows(ChannelClosedException.class, () -> ch.write(3));
    assertThrows(ChannelClosedException.class, () -> ch.offer(3));
    assertEquals(1, ch.read());
    assertEquals(Optional.of(2), ch.poll());
    assertThrows(ChannelClosedException.class, ch::read);
    assertThrows(ChannelClosedException.class, ch::poll);
  }

  @Test
  void close_failsWaitingReadersAndWriters() throws Exception {
    Channel<Integer> empty = Channel.create(0);
    Channel<Integer> full = Channel.create(0);
    Running<Integer> reader = spawn(empty::read);
    Running<Object> writer = spawn(() -> {
      full.write(7);
      return null;
    });
    awaitBlocked(reader);
    awaitBlocked(writer);
    empty.close();
    full.close();
    assertTrue(reader.failure() instanceof ChannelClosedException);
    assertTrue(writer.failure() instanceof ChannelClosedException);
    assertThrows(ChannelClosedException.class, full::read, "the failed writer's value stayed");
  }

  @Test
  void create_negativeDepth_isRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Channel.create(-1));
    assertTrue(e.getMessage().contains("-1"), e.getMessage());
  }

  @Test
  void write_null_isRefused() {
    Channel<String> ch = Channel.create(1);
    assertThrows(NullPointerException.class, () -> ch.write(null));
    assertThrows(NullPointerException.class, () -> ch.offer(null));
    assertEquals(Optional.empty(), ch.poll());
  }

  @Test
  void offerAndPoll_rendezvous_succeedOnlyWithAPartnerWaiting() throws Exception {
    Channel<Integer> ch = Channel.create(0);
    assertFalse(ch.offer(1));
    assertEquals(Optional.empty(), ch.poll());
    Running<Integer> reader = spawn(ch::read);
    awaitBlocked(reader);
    assertTrue(ch.offer(5));
    assertEquals(5, reader.get());
    Running<Object> writer = spawn(() -> {
      ch.write(6);
      return "done";
    });
    awaitBlocked(writer);
    assertEquals(Optional.of(6), ch.poll());
    assertEquals("done", writer.get());
  }

  @Test
  void read_interrupted_throwsCancelled_andTakesNothing() throws Exception {
    Channel<Integer> ch = Channel.create(0);
    AtomicReference<Boolean> interruptKept = new AtomicReference<>();
    Running<Integer> reader = spawn(() -> {
      try {
        return ch.read();
      } finally {
        interruptKept.set(Thread.currentThread().isInterrupted());
      }
    });
    awaitBlocked(reader);
    reader.thread().interrupt();
    assertTrue(reader.failure() instanceof CancelledException);
    assertTrue(interruptKept.get(), "a plain thread keeps its interrupt status");
    assertFalse(ch.offer(1), "the cancelled reader still waits in the channel");
    assertTrue(ch.toString().contains("0 readers"), ch.toString());
  }

  @Test
  void write_interrupted_throwsCancelled_andTheValueIsNotInTheChannel() throws Exception {
    Channel<Integer> ch = Channel.create(0);
    Running<Object> writer = spawn(() -> {
      ch.write(1);
      return null;
    });
    awaitBlocked(writer);
    writer.thread().interrupt();
    assertTrue(writer.failure() instanceof CancelledException);
    assertEquals(Optional.empty(), ch.poll(), "a cancelled write left its value behind");
  }

  @Test
  void readers_areServedInArrivalOrder() throws Exception {
    Channel<Integer> ch = Channel.create(0);
    List<Running<Integer>> readers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Running<Integer> r = spawn(ch::read);
      awaitBlocked(r);
      readers.add(r);
    }
    for (int i = 0; i < 5; i++) {
      ch.write(i);
    }
    for (int i = 0; i < 5; i++) {
      assertEquals(i, readers.get(i).get());
    }
  }
}
