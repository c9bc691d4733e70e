package dev.moonwire.rpc;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Text headers a call carries to its callee beside its arguments, such as W3C's
 * {@code traceparent}: an {@link RpcObserver} writes them when a call starts and reads them
 * when a request starts. Small and bounded: at most {@link #MAX_HEADERS} headers and
 * {@link #MAX_BYTES} bytes of keys and values together (UTF-8), like gRPC's default metadata
 * limit.
 *
 * <p>Keys are 1 to 64 characters of lower-case ASCII letters, digits, {@code '-'},
 * {@code '_'} and {@code '.'}, so two spellings never name one header. Not thread-safe: a
 * call's headers are written on its calling thread before it is sent, and read on the callee's
 * thread before its handler runs.
 *
 * <p>Headers reach a peer only if it speaks them (every Moonwire since protocol feature 1); an
 * older peer gets the call without them.
 */
public final class CallHeaders {
  /** The most headers a call carries. */
  public static final int MAX_HEADERS = 32;
  /** The most bytes of keys and values, UTF-8, a call carries. */
  public static final int MAX_BYTES = 8 * 1024;
  /** The longest key. */
  public static final int MAX_KEY_LENGTH = 64;

  private static final CallHeaders EMPTY = new CallHeaders(true);

  private final boolean readOnly;
  private static final String[] NONE = {};

  private String[] keys = NONE;
  private String[] values = NONE;
  private int size;
  private int bytes;

  /** Empty headers, to fill. */
  public CallHeaders() {
    this(false);
  }

  private CallHeaders(boolean readOnly) {
    this.readOnly = readOnly;
  }

  /** Empty headers that cannot be changed: what a request that carries none is given. */
  public static CallHeaders empty() {
    return EMPTY;
  }

  /**
   * Sets {@code key} to {@code value}, replacing any value it had.
   *
   * @return these headers
   * @throws IllegalArgumentException if the key is not of the form above, or the headers would
   *     grow past {@link #MAX_HEADERS} or {@link #MAX_BYTES}; they are left as they were
   * @throws UnsupportedOperationException on {@link #empty()}
   */
  public CallHeaders put(String key, String value) {
    if (readOnly) {
      throw new UnsupportedOperationException("these headers cannot be changed");
    }
    checkKey(key);
    int valueBytes = utf8Length(value);
    int i = indexOf(key);
    if (i >= 0) {
      int grown = bytes - utf8Length(values[i]) + valueBytes;
      checkBytes(grown, key);
      values[i] = value;
      bytes = grown;
      return this;
    }
    if (size == MAX_HEADERS) {
      throw new IllegalArgumentException("header '" + key + "' would be the "
          + (MAX_HEADERS + 1) + "th (expected: at most " + MAX_HEADERS + ")");
    }
    int grown = bytes + key.length() + valueBytes;
    checkBytes(grown, key);
    if (size == keys.length) {
      keys = Arrays.copyOf(keys, Math.max(4, size * 2));
      values = Arrays.copyOf(values, keys.length);
    }
    keys[size] = key;
    values[size] = value;
    size++;
    bytes = grown;
    return this;
  }

  /** The value of {@code key}, or null if it has none. */
  public String get(String key) {
    int i = indexOf(key);
    return i < 0 ? null : values[i];
  }

  /** The keys, in the order they were first put. */
  public Set<String> keys() {
    Set<String> set = new LinkedHashSet<>();
    for (int i = 0; i < size; i++) {
      set.add(keys[i]);
    }
    return Collections.unmodifiableSet(set);
  }

  /** Gives each key and its value to {@code action}, in the order they were first put. */
  public void forEach(BiConsumer<String, String> action) {
    for (int i = 0; i < size; i++) {
      action.accept(keys[i], values[i]);
    }
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** The keys only: values (baggage, say) may hold what logs should not. */
  @Override
  public String toString() {
    return "CallHeaders" + keys();
  }

  private int indexOf(String key) {
    for (int i = 0; i < size; i++) {
      if (keys[i].equals(key)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Checks a key as {@link #put} does.
   *
   * @throws IllegalArgumentException if it is not 1 to 64 characters of lower-case ASCII
   *     letters, digits, '-', '_' and '.'
   */
  public static void checkKey(String key) {
    if (key == null || key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException("header key " + (key == null ? "null" : "of "
          + key.length() + " characters") + " (expected: 1 to " + MAX_KEY_LENGTH + ")");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
          || c == '.')) {
        throw new IllegalArgumentException("header key '" + key + "' has '" + c
            + "' (expected: lower-case ASCII letters, digits, '-', '_' and '.')");
      }
    }
  }

  private static void checkBytes(int total, String key) {
    if (total > MAX_BYTES) {
      throw new IllegalArgumentException("header '" + key + "' would bring the headers to "
          + total + " bytes (expected: at most " + MAX_BYTES + ")");
    }
  }

  private static int utf8Length(String value) {
    if (value == null) {
      throw new IllegalArgumentException("a header's value cannot be null");
    }
    boolean ascii = true;
    for (int i = 0; i < value.length() && ascii; i++) {
      ascii = value.charAt(i) < 0x80;
    }
    return ascii ? value.length() : value.getBytes(StandardCharsets.UTF_8).length;
  }
}
