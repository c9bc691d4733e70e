package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.ProcessId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A process's link to itself: frames go straight to the process's own router, so a call to
 * oneself is queued as an event like any other, without touching the network. Arguments are
 * still serialized, so a local call behaves (and fails) exactly like a remote one.
 */
final class LocalConnection extends Connection {
  LocalConnection(RuntimeProcess process) {
    super(process);
  }

  @Override
  void write(ByteBuf frame) {
    try {
      frame.skipBytes(4);
      process.route(this, frame.readByte(), frame);
    } finally {
      frame.release();
    }
  }

  @Override
  ByteBufAllocator alloc() {
    return ByteBufAllocator.DEFAULT;
  }

  @Override
  ProcessId peer() {
    return process.id();
  }

  @Override
  void refusedSend(String function, String why) {
    process.refusals().overloaded(1, "one-way send to '" + function + "' on this process "
        + "refused: " + why);
  }
}
