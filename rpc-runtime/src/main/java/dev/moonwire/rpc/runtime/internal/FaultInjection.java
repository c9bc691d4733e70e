package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.runtime.internal.transport.CallListener;
import dev.moonwire.rpc.runtime.internal.transport.Connection;
import dev.moonwire.rpc.runtime.internal.transport.LocalConnection;
import dev.moonwire.rpc.runtime.internal.transport.ReplyListener;
import dev.moonwire.rpc.runtime.internal.wire.Message;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A process's layer for test faults, between the transport and the listeners: with no
 * {@link FaultHook} installed (normal use) a message goes straight through; with one, what a
 * process receives from another process — not CANCELs, not what it sends itself — is shown to
 * the hook first, and handled now, later, or (a one-way send) never.
 */
final class FaultInjection {
  private final EventLoop loop;
  private volatile FaultHook hook;
  private final CallListener calls;
  private final ReplyListener replies;

  /** The layer in front of {@code calls} and {@code replies}, with {@code hook} (or null). */
  FaultInjection(EventLoop loop, FaultHook hook, CallListener calls, ReplyListener replies) {
    this.loop = loop;
    this.hook = hook;
    this.calls = wrap(calls);
    this.replies = wrap(replies);
  }

  CallListener calls() {
    return calls;
  }

  ReplyListener replies() {
    return replies;
  }

  void install(FaultHook hook) {
    this.hook = hook;
  }

  private CallListener wrap(CallListener next) {
    return new CallListener() {
      @Override
      public void request(Connection conn, Message.Request request) {
        pass(conn, request, request.payload(), next::request);
      }

      @Override
      public void send(Connection conn, Message.Send send) {
        pass(conn, send, send.payload(), next::send);
      }

      @Override
      public void cancel(Connection conn, long callId) {
        next.cancel(conn, callId);
      }
    };
  }

  private ReplyListener wrap(ReplyListener next) {
    return new ReplyListener() {
      @Override
      public void reply(Connection conn, Message.Reply reply) {
        pass(conn, reply, reply.payload(), next::reply);
      }

      @Override
      public void error(Connection conn, Message.Failure error) {
        pass(conn, error, null, next::error);
      }

      @Override
      public void oversized(Connection conn, Message.Oversized oversized) {
        next.oversized(conn, oversized);
      }
    };
  }

  private <M extends Message> void pass(Connection conn, M message, ByteBuf payload,
      BiConsumer<Connection, M> next) {
    FaultHook h = hook;
    if (h == null || conn instanceof LocalConnection) {
      next.accept(conn, message);
      return;
    }
    long verdict = h.onReceive(conn.peer(), message);
    if (verdict == FaultHook.LOSE && message instanceof Message.Send) {
      return; // its frame is released by the reader, as for any frame
    }
    if (verdict <= 0) {
      next.accept(conn, message);
      return;
    }
    if (payload != null) {
      payload.retain(); // the reader releases its frame when this returns
    }
    var unused = loop.schedule(() -> { // the frame's delivery; nothing waits for it
      try {
        next.accept(conn, message);
      } finally {
        if (payload != null) {
          payload.release();
        }
      }
    }, verdict, TimeUnit.MILLISECONDS);
  }
}
