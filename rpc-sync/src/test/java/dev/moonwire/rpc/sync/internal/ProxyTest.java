package dev.moonwire.rpc.sync.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.BadArgumentsException;
import dev.moonwire.rpc.NoSuchFunctionException;
import dev.moonwire.rpc.RemoteInvocationException;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyTest extends ProcessTestSupport {
  public record Point(int x, int y) {}

  public interface Canvas {
    int add(int a, int b);

    int add(int a, int b, int c); // an overload, told apart by arity

    void draw(Point p); // void, taking a record

    Point move(Point p, int dx);

    List<Point> drawn();

    String fail(String why);

    default int addTwice(int a, int b) {
      return add(add(a, b), add(a, b));
    }
  }

  /** Implementation on the server: plain state, no locks (one event at a time). */
  static final class CanvasImpl implements Canvas {
    final List<Point> points = new ArrayList<>();

    @Override
    public int add(int a, int b) {
      return a + b;
    }

    @Override
    public int add(int a, int b, int c) {
      return a + b + c;
    }

    @Override
    public void draw(Point p) {
      points.add(p);
    }

    @Override
    public Point move(Point p, int dx) {
      return new Point(p.x() + dx, p.y());
    }

    @Override
    public List<Point> drawn() {
      return new ArrayList<>(points);
    }

    @Override
    public String fail(String why) {
      throw new UnsupportedOperationException(why);
    }
  }

  private final RpcConfig config = RpcConfig.defaults().register(Point.class);

  @Test
  void proxy_callsEveryKindOfMethodRemotely() {
    RpcProcess server = open(config);
    server.export(Canvas.class, new CanvasImpl());
    Canvas canvas = open(config).sync(server.id(), Canvas.class);

    assertEquals(3, canvas.add(1, 2));
    assertEquals(6, canvas.add(1, 2, 3));
    canvas.draw(new Point(1, 1));
    canvas.draw(new Point(2, 2));
    assertEquals(new Point(5, 1), canvas.move(new Point(1, 1), 4));
    assertEquals(List.of(new Point(1, 1), new Point(2, 2)), canvas.drawn());
    assertEquals(6, canvas.addTwice(1, 2));
  }

  @Test
  void proxy_objectMethodsAreLocal() {
    RpcProcess server = open(config);
    RpcProcess client = open(config);
    Canvas a = client.sync(server.id(), Canvas.class);
    Canvas b = client.sync(server.id(), Canvas.class);

    assertTrue(a.toString().contains(server.id().toString()));
    assertEquals(a, a);
    assertNotEquals(a, b);
    assertEquals(a.hashCode(), a.hashCode());
    assertEquals(0, client.pendingCalls());
  }

  @Test
  void proxy_typedErrorsAreThrown() {
    RpcProcess server = open(config);
    server.export(Canvas.class, new CanvasImpl());
    server.unexport("drawn");
    Canvas canvas = open(config).sync(server.id(), Canvas.class);

    var e = assertThrows(RemoteInvocationException.class, () -> canvas.fail("no way"));
    assertEquals(UnsupportedOperationException.class.getName(), e.remoteClass());
    assertEquals("no way", e.remoteMessage());
    assertThrows(NoSuchFunctionException.class, canvas::drawn);
  }

  @Test
  void exportedInterface_checksArgumentsByPosition() {
    RpcProcess server = open(config);
    server.export("canvas", Canvas.class, new CanvasImpl());
    RpcProcess client = open(config);

    var wrongType = assertThrows(BadArgumentsException.class,
        () -> client.sync(server.id(), "canvas.add").call(1, "2"));
    assertTrue(wrongType.getMessage().contains("argument 1"), wrongType.getMessage());
    var wrongCount = assertThrows(BadArgumentsException.class,
        () -> client.sync(server.id(), "canvas.add").call(1));
    assertTrue(wrongCount.getMessage().contains("2 or 3"), wrongCount.getMessage());
    assertEquals(3, (int) client.sync(server.id(), "canvas.add").call(1, 2));
  }

  public interface Ambiguous {
    int f(int a);

    int f(String a);
  }

  @Test
  void export_ambiguousOverloads_failsAtExport() {
    RpcProcess server = open();
    var e = assertThrows(IllegalArgumentException.class,
        () -> server.export(Ambiguous.class, new Ambiguous() {
          @Override
          public int f(int a) {
            return a;
          }

          @Override
          public int f(String a) {
            return 0;
          }
        }));
    assertTrue(e.getMessage().contains("Ambiguous.f"), e.getMessage());
  }

  @Test
  void proxy_usedInsideAHandler_suspends() {
    RpcProcess server = open(config);
    server.export(Canvas.class, new CanvasImpl());
    RpcProcess middle = open(config);
    middle.export("sum3", args -> {
      Canvas c = Rpc.sync(server.id(), Canvas.class);
      return c.add(c.add(args.intAt(0), args.intAt(1)), args.intAt(2));
    });

    int v = open(config).sync(middle.id(), "sum3").call(1, 2, 3);

    assertEquals(6, v);
    assertFalse(middle.isClosed());
  }
}
