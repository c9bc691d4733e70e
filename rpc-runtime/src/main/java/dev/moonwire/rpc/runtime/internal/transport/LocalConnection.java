package dev.moonwire.rpc.runtime.internal.transport;

import dev.moonwire.rpc.runtime.internal.wire.Frames;
import dev.moonwire.rpc.runtime.internal.wire.OutFrame;


import dev.moonwire.rpc.ProcessId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A process's link to itself: frames go straight to the process's own router, so a call to
 * oneself is queued as an event like any other, without touching the network. Arguments are
 * still serialized, so a local call behaves (and fails) exactly like a remote one.
 */
public final class LocalConnection extends Connection {
  public LocalConnection(Endpoint process) {
    super(process);
  }

  @Override
  public void write(OutFrame frame) {
    ByteBuf bytes = frame.bytes();
    try {
      bytes.skipBytes(Frames.LENGTH_PREFIX_BYTES);
      process.route(this, Frames.decode(bytes));
    } finally {
      bytes.release();
    }
  }

  @Override
  public ByteBufAllocator alloc() {
    return ByteBufAllocator.DEFAULT;
  }

  @Override
  public ProcessId peer() {
    return process.id();
  }

  @Override
  public void unknownSend(String function, String why) {
    process.refusals().noSuchFunction(1, "one-way send to '" + function + "' on this process: "
        + why);
  }

  @Override
  public void refusedSend(String function, String why) {
    process.refusals().overloaded(1, "one-way send to '" + function + "' on this process "
        + "refused: " + why);
  }
}
