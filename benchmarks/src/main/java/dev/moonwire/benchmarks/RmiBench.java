package dev.moonwire.benchmarks;

import java.rmi.Remote;
import java.rmi.RemoteException;
import java.rmi.server.UnicastRemoteObject;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Java RMI: the round trip of a trivial method over loopback TCP. */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class RmiBench {
  /** The remote interface. */
  public interface Echo extends Remote {
    byte[] echo(byte[] body) throws RemoteException;
  }

  static final class EchoImpl implements Echo {
    @Override
    public byte[] echo(byte[] body) {
      return body;
    }
  }

  @Param({"32", "4096"})
  public int payload;

  private EchoImpl impl;
  private Echo stub;
  private byte[] body;

  @Setup
  public void setUp() throws RemoteException {
    body = new byte[payload];
    impl = new EchoImpl();
    stub = (Echo) UnicastRemoteObject.exportObject(impl, 0);
  }

  @TearDown
  public void tearDown() throws RemoteException {
    UnicastRemoteObject.unexportObject(impl, true);
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public byte[] latency() throws RemoteException {
    return stub.echo(body);
  }
}
