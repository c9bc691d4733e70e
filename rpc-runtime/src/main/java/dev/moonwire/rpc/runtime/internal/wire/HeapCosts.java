package dev.moonwire.rpc.runtime.internal.wire;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What decoding a value costs on the heap, estimated before (or as) it is allocated, for
 * {@link BoundedInput#charge}. The figures are HotSpot's with compressed references (a heap
 * under 32 GiB): a 12-byte header, 4-byte references, objects padded to 8. They are estimates of
 * what a decoded value holds and the garbage made building it, not a measurement; what matters
 * is that a value whose elements are empty on the wire is charged what its elements cost.
 */
final class HeapCosts {
  private HeapCosts() {}

  static final int REFERENCE = 4;
  /** The smallest object, and what each object read is charged beyond what it holds. */
  static final int OBJECT = 16;
  private static final int ARRAY_HEADER = 16;
  private static final int STRING = 24;
  /** What Kryo's reflective no-argument construction takes besides the object. */
  private static final int REFLECTIVE = 16;

  static long array(long length, int elementBytes) {
    return ARRAY_HEADER + length * elementBytes;
  }

  /** A String of {@code chars} chars, one byte each (Latin-1); UTF-16 ones count twice. */
  static long string(long chars, boolean latin1) {
    return STRING + array(chars, latin1 ? 1 : 2);
  }

  /**
   * An object that a serializer returned, beyond what its own serializer charged: nothing for
   * the values the JDK caches (so a list of small numbers or flags is charged its slots only),
   * nor for strings and arrays, which are charged where their length is read.
   */
  static long object(Object o) {
    if (o == null || o instanceof String || o instanceof Boolean || o instanceof Enum<?>
        || o.getClass().isArray()) {
      return 0;
    }
    if (o instanceof Integer i) {
      return cached(i) ? 0 : OBJECT;
    }
    if (o instanceof Long l) {
      return l >= -128 && l <= 127 ? 0 : OBJECT;
    }
    if (o instanceof Short s) {
      return cached(s) ? 0 : OBJECT;
    }
    if (o instanceof Byte) {
      return 0;
    }
    if (o instanceof Character c) {
      return c <= 127 ? 0 : OBJECT;
    }
    return OBJECT;
  }

  private static boolean cached(int i) {
    return i >= -128 && i <= 127;
  }

  /**
   * A collection of {@code size} elements, beyond the {@link #OBJECT} its read is charged and
   * its elements: the rest of the collection object, what it holds inside (a HashSet's
   * HashMap), its array or nodes, and the arrays it outgrows as Kryo adds to it.
   */
  static long collection(Class<?> type, int size) {
    if (ArrayList.class.isAssignableFrom(type)) { // created at its size
      return 8 + (size == 0 ? 0 : array(size, REFERENCE));
    }
    if (LinkedList.class.isAssignableFrom(type)) {
      return REFLECTIVE + 16 + size * 24L;
    }
    if (ArrayDeque.class.isAssignableFrom(type)) { // 17 slots to start, grown by half
      return REFLECTIVE + 8 + array(17, REFERENCE) + size * 3L * REFERENCE;
    }
    if (LinkedHashSet.class.isAssignableFrom(type)) { // a LinkedHashMap grown by doubling
      return REFLECTIVE + 56 + size * 56L;
    }
    if (HashSet.class.isAssignableFrom(type)) { // a HashMap created at its size
      return 48 + (size == 0 ? 0 : size * 44L);
    }
    if (TreeSet.class.isAssignableFrom(type)) {
      return REFLECTIVE + 48 + size * 40L;
    }
    return REFLECTIVE + 64 + size * 48L; // a collection we do not know: node-sized elements
  }

  /** A map of {@code size} entries, likewise. */
  static long map(Class<?> type, int size) {
    if (LinkedHashMap.class.isAssignableFrom(type)) {
      return REFLECTIVE + 40 + size * 56L;
    }
    if (HashMap.class.isAssignableFrom(type)) { // created at its size, a node per entry
      return 32 + size * 44L;
    }
    if (TreeMap.class.isAssignableFrom(type)) {
      return REFLECTIVE + 32 + size * 40L;
    }
    return REFLECTIVE + 64 + size * 56L;
  }

  /** {@code List.of(...)}: read into an ArrayList, copied out, copied in. */
  static long immutableList(int size) {
    return 3 * array(size, REFERENCE);
  }

  /** {@code Set.of(...)}: read into a growing HashSet, copied out, hashed into its table. */
  static long immutableSet(int size) {
    return collection(LinkedHashSet.class, size) + array(size, REFERENCE)
        + array(2L * size, REFERENCE);
  }

  /** {@code Map.of(...)}: read into a growing HashMap, its entries copied out, then hashed. */
  static long immutableMap(int size) {
    return map(LinkedHashMap.class, size) + array(size, REFERENCE)
        + array(4L * size, REFERENCE);
  }
}
