package dev.moonwire.rpc.testing;

import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Fresh Moonwire processes for a test. Every {@link RpcProcess} parameter of a test method (or
 * of a {@code @BeforeEach}/{@code @AfterEach} method) is a new process on a free loopback port,
 * opened for that test; when the test ends, the extension waits up to
 * {@link #withPendingCallTimeout five seconds} for their calls to end, then fails the test if
 * a call is still pending or an uncaught error was reported (a failed one-way send, a callback
 * that threw) that the test did not {@link UncaughtErrors#take take}, and closes them. An
 * {@link UncaughtErrors} parameter gives the test its processes' uncaught errors.
 *
 * <p>Parameters of a constructor or of a {@code @BeforeAll} method are processes for the
 * whole class (and its {@code @Nested} classes), checked and closed after it. Each test has
 * processes of its own, so tests may run in parallel.
 *
 * <pre>{@code
 * @ExtendWith(MoonwireExtension.class)
 * class GreeterTest {
 *   @Test
 *   void greets(RpcProcess server, RpcProcess client) {
 *     server.export("greet", args -> "hello " + args.stringAt(0));
 *     assertEquals("hello ana", client.sync(server.id(), "greet").call("ana"));
 *   }
 * }
 * }</pre>
 *
 * <p>To open the processes with a configuration of your own, register the extension in a
 * static field: {@code @RegisterExtension static MoonwireExtension rpc =
 * MoonwireExtension.configured(c -> c.withSecret(secret));}. A test that needs processes
 * of several configurations registers it in an instance field and opens them itself:
 *
 * <pre>{@code
 * @RegisterExtension final MoonwireExtension rpc = new MoonwireExtension();
 *
 * @Test
 * void smallFrames() {
 *   RpcProcess server = rpc.open(RpcConfig.defaults().withMaxFrameBytes(64 * 1024));
 *   ...
 * }
 * }</pre>
 *
 * <p>The extension's callbacks run on JUnit's threads; opening and closing a process are what
 * {@link Rpc#open} and {@link RpcProcess#close} do.
 */
public final class MoonwireExtension
    implements ParameterResolver, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(MoonwireExtension.class);

  private final UnaryOperator<RpcConfig> configure;
  private final Duration pendingCallTimeout;
  /** The test running, for {@link #open(RpcConfig)}; null outside a test. */
  private volatile ExtensionContext current;

  /** Processes with {@link RpcConfig#defaults()}: for {@code @ExtendWith}. */
  public MoonwireExtension() {
    this(UnaryOperator.identity(), Duration.ofSeconds(5));
  }

  private MoonwireExtension(UnaryOperator<RpcConfig> configure, Duration pendingCallTimeout) {
    this.configure = configure;
    this.pendingCallTimeout = pendingCallTimeout;
  }

  /**
   * Processes opened with {@code configure} applied to {@link RpcConfig#defaults()} (a free
   * port unless it sets one; its uncaught-error handler, if any, is called too).
   */
  public static MoonwireExtension configured(UnaryOperator<RpcConfig> configure) {
    return new MoonwireExtension(Objects.requireNonNull(configure, "configure"),
        Duration.ofSeconds(5));
  }

  /** How long to wait, after a test, for its processes' calls to end (five seconds). */
  public MoonwireExtension withPendingCallTimeout(Duration timeout) {
    return new MoonwireExtension(configure, Objects.requireNonNull(timeout, "timeout"));
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == RpcProcess.class || type == UncaughtErrors.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Opened opened = opened(context);
    if (parameter.getParameter().getType() == UncaughtErrors.class) {
      return opened.uncaught;
    }
    try {
      return open(opened, configure.apply(RpcConfig.defaults()));
    } catch (RuntimeException e) {
      throw new ParameterResolutionException("could not open a process for parameter "
          + parameter.getParameter().getName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Opens a process with {@code config} (a free port unless it sets one; its uncaught-error
   * handler, if any, is called too) for the test that is running, on the caller's thread; it
   * is checked and closed after the test like a parameter's. For an extension registered in an
   * instance field, called from a test or a {@code @BeforeEach} method.
   *
   * @throws IllegalStateException outside a test
   * @throws RuntimeException what {@link Rpc#open} throws
   */
  public RpcProcess open(RpcConfig config) {
    return open(opened(running()), Objects.requireNonNull(config, "config"));
  }

  /** Opens a process as {@link #open(RpcConfig)} does, with the extension's configuration. */
  public RpcProcess open() {
    return open(configure.apply(RpcConfig.defaults()));
  }

  /**
   * The uncaught errors of the running test's processes, as an {@link UncaughtErrors} parameter
   * gives them.
   *
   * @throws IllegalStateException outside a test
   */
  public UncaughtErrors uncaughtErrors() {
    return opened(running()).uncaught;
  }

  private ExtensionContext running() {
    ExtensionContext context = current;
    if (context == null) {
      throw new IllegalStateException("no test is running (expected: open() called from a "
          + "test or a @BeforeEach method, the extension registered with @RegisterExtension "
          + "in an instance field)");
    }
    return context;
  }

  private static RpcProcess open(Opened opened, RpcConfig config) {
    Consumer<Throwable> theirs = config.uncaughtErrorHandler();
    RpcProcess p = Rpc.open(config.onUncaughtError(t -> {
      opened.uncaught.add(t);
      if (theirs != null) {
        theirs.accept(t);
      }
    }));
    opened.processes.add(p);
    return p;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    current = context;
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    current = null;
    check(context);
  }

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    check(context);
  }

  /** Checks and closes the processes opened for {@code context} itself (not its parents). */
  private void check(ExtensionContext context) throws InterruptedException {
    Opened opened = context.getStore(NAMESPACE).remove(Opened.class, Opened.class);
    if (opened != null) {
      opened.checkThenClose(pendingCallTimeout);
    }
  }

  private static Opened opened(ExtensionContext context) {
    return context.getStore(NAMESPACE).getOrComputeIfAbsent(Opened.class, k -> new Opened(),
        Opened.class);
  }

  /** The processes opened for one test or class, and their uncaught errors. */
  private static final class Opened implements ExtensionContext.Store.CloseableResource {
    final List<RpcProcess> processes = new CopyOnWriteArrayList<>();
    final UncaughtErrors uncaught = new UncaughtErrors();

    void checkThenClose(Duration timeout) throws InterruptedException {
      try {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (RpcProcess p : processes) {
          while (p.pendingCalls() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10); // polls a counter: no event to wait on
          }
          if (p.pendingCalls() > 0) {
            throw new AssertionError(p.pendingCalls() + " call(s) still pending in process "
                + p.id() + " " + timeout.toMillis() + " ms after the test ended (a call "
                + "never answered, or a test that does not wait for its calls)");
          }
        }
        List<Throwable> left = uncaught.pending();
        if (!left.isEmpty()) {
          AssertionError e = new AssertionError(left.size() + " uncaught error(s) in the "
              + "test's processes, the first as the cause (a test that expects them takes them "
              + "with an UncaughtErrors parameter)", left.get(0));
          left.stream().skip(1).forEach(e::addSuppressed);
          throw e;
        }
      } finally {
        close();
      }
    }

    @Override
    public void close() {
      processes.forEach(RpcProcess::close);
      processes.clear();
    }
  }
}
