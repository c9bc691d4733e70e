package dev.moonwire.rpc.testing;

import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Netty's leak detector, recording each leak it reports so that a test can fail on it. Installed
 * by the surefire configuration ({@code io.netty.customResourceLeakDetector}) with the level at
 * {@code PARANOID}: every buffer is tracked.
 */
public final class LeakRecorder<T> extends ResourceLeakDetector<T> {
  static final List<String> LEAKS = new CopyOnWriteArrayList<>();

  public LeakRecorder(Class<?> resourceType, int samplingInterval, long maxActive) {
    super(resourceType, samplingInterval, maxActive);
  }

  public LeakRecorder(Class<?> resourceType, int samplingInterval) {
    super(resourceType, samplingInterval);
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    LEAKS.add(resourceType + " leaked:" + records);
    super.reportTracedLeak(resourceType, records);
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    LEAKS.add(resourceType + " leaked (untraced)");
    super.reportUntracedLeak(resourceType);
  }

  /** True if this detector is the one installed (the surefire configuration sets it). */
  static boolean installed() {
    return "dev.moonwire.rpc.testing.LeakRecorder"
        .equals(System.getProperty("io.netty.customResourceLeakDetector"));
  }
}
