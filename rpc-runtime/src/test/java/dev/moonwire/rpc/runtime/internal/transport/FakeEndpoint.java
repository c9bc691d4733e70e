package dev.moonwire.rpc.runtime.internal.transport;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.runtime.internal.wire.WireRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A process reduced to what the transport's small parts use of it: its id, its peer log, and
 * the user tasks it is given, recorded rather than run.
 */
final class FakeEndpoint implements Endpoint {
  final List<Runnable> submitted = new ArrayList<>();
  private final PeerLog peerLog = new PeerLog(this);

  @Override
  public ProcessId id() {
    return ProcessId.of("fake.example", 1);
  }

  @Override
  public long incarnation() {
    return 1;
  }

  @Override
  public PeerLog peerLog() {
    return peerLog;
  }

  @Override
  public void submitUser(Runnable task) {
    submitted.add(task);
  }

  @Override
  public RpcConfig config() {
    throw new UnsupportedOperationException();
  }

  @Override
  public byte[] secret() {
    throw new UnsupportedOperationException();
  }

  @Override
  public WireRegistry registry() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Executor homeLoop() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Budget outbound() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Budget inbound() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Refusals refusals() {
    throw new UnsupportedOperationException();
  }

  @Override
  public EventScheduler scheduler() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void reportUncaught(Throwable t) {
    throw new UnsupportedOperationException();
  }

  @Override
  public dev.moonwire.rpc.RpcObserver observer() {
    return null;
  }

  @Override
  public CallListener calls() {
    throw new UnsupportedOperationException();
  }

  @Override
  public ReplyListener replies() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void connectionClosed(ChannelConnection conn) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void connectionOpened(ChannelConnection conn) {
    throw new UnsupportedOperationException();
  }
}
