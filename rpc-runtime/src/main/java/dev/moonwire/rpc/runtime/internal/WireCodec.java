package dev.moonwire.rpc.runtime.internal;

import com.esotericsoftware.kryo.util.Pool;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Function;

/**
 * A process's serializers. The process's own events share one {@link WireSerializer} (they run
 * one at a time, so it is confined to the process without a lock, and costs nothing to reach).
 * Threads outside the process — a {@code main} method, a test — borrow one from a small pool.
 */
final class WireCodec {
  private final RuntimeProcess process;
  private final WireSerializer owned;
  private final Pool<WireSerializer> pool;

  WireCodec(RuntimeProcess process) {
    this.process = process;
    var config = process.config();
    this.owned = new WireSerializer(config.registeredClasses(), config.maxFrameBytes());
    this.pool = new Pool<>(true, false, 16) {
      @Override
      protected WireSerializer create() {
        return new WireSerializer(config.registeredClasses(), config.maxFrameBytes());
      }
    };
  }

  <R> R with(Function<WireSerializer, R> work) {
    if (Processes.current() == process) {
      return work.apply(owned);
    }
    WireSerializer s = pool.obtain();
    try {
      return work.apply(s);
    } finally {
      pool.free(s);
    }
  }

  ByteBuf encodeCall(ByteBufAllocator alloc, byte kind, long callId, long deadlineMillis,
      String function, Object[] args) {
    return with(s -> s.encodeCall(alloc, kind, callId, deadlineMillis, function, args));
  }

  ByteBuf encodeReply(ByteBufAllocator alloc, long callId, String function, Object value) {
    return with(s -> s.encodeReply(alloc, callId, function, value));
  }

  Object[] decodeArgs(ByteBuf body, String function) {
    return with(s -> s.decodeArgs(body, function));
  }

  Object decodeValue(ByteBuf body, String function) {
    return with(s -> s.decodeValue(body, function));
  }
}
