package dev.moonwire.rpc.runtime.internal.wire;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The user classes a process lets cross the wire: those of its config, and the records and
 * enums of the interfaces it exports or calls through a proxy. It only grows. Each class has a
 * wire id derived from its name, so both sides agree on it whatever the order of registration;
 * its shape ({@link WireSchema.Shape}) is what peers are told.
 */
public final class WireRegistry {
  /** User class ids live above the built-in ones, in 21 bits (3 bytes on the wire). */
  public static final int USER_ID_BASE = 1 << 10;
  private static final int USER_ID_SPAN = (1 << 21) - USER_ID_BASE;

  /** What is registered, in order; replaced whole (readers see one consistent list). */
  private volatile List<Entry> entries = List.of();
  private final Map<Integer, Class<?>> byId = new HashMap<>();
  private final Set<Class<?>> builtIn;
  private volatile Consumer<List<WireSchema.Shape>> listener;
  /**
   * Interfaces whose signatures are registered: a typed proxy is made per call or send, and
   * scanning its interface each time (reflection, then a copy of the whole registry under its
   * lock) cost more than the send itself. The registry only grows, so once is enough.
   */
  private final Set<Class<?>> signed = ConcurrentHashMap.newKeySet();

  public record Entry(Class<?> type, WireSchema.Shape shape) {}

  /** @param builtIn classes the wire carries without registration (never entries) */
  public WireRegistry(Collection<Class<?>> initial, Set<Class<?>> builtIn) {
    this.builtIn = builtIn;
    add(initial);
  }

  /** From now on, {@code listener} is told of each group of shapes added (to tell peers). */
  public void listen(Consumer<List<WireSchema.Shape>> listener) {
    this.listener = listener;
  }

  public static int idOf(Class<?> type) {
    return USER_ID_BASE + Math.floorMod(type.getName().hashCode(), USER_ID_SPAN);
  }

  public List<Entry> entries() {
    return entries;
  }

  public List<WireSchema.Shape> shapes() {
    return entries.stream().map(Entry::shape).toList();
  }

  /**
   * Registers these classes (those already in, or built in, are skipped).
   *
   * @throws IllegalArgumentException if two classes' names give the same wire id
   */
  public void add(Collection<Class<?>> classes) {
    List<WireSchema.Shape> added = new ArrayList<>();
    synchronized (this) {
      List<Entry> next = new ArrayList<>(entries);
      Map<Integer, Class<?>> ids = new HashMap<>(byId);
      for (Class<?> c : classes) {
        if (builtIn.contains(c) || c.isPrimitive()) {
          continue;
        }
        int id = idOf(c);
        Class<?> taken = ids.get(id);
        if (taken == c) {
          continue;
        }
        if (taken != null && taken.getName().equals(c.getName())) {
          throw new IllegalArgumentException("cannot register " + c.getName() + " of "
              + c.getClassLoader() + ": a class of that name from " + taken.getClassLoader()
              + " is registered already (expected: one class of each name in a process)");
        }
        if (taken != null) {
          throw new IllegalArgumentException("cannot register " + c.getName() + ": its wire id "
              + id + " is taken by " + taken.getName()
              + " (expected: distinct ids; rename one of the classes)");
        }
        ids.put(id, c);
        WireSchema.Shape shape = WireSchema.of(id, c);
        next.add(new Entry(c, shape));
        added.add(shape);
      }
      if (added.isEmpty()) {
        return;
      }
      // Peers are told before any serializer can see the classes: no value of them goes out
      // on a connection ahead of their shapes.
      Consumer<List<WireSchema.Shape>> tell = listener;
      if (tell != null) {
        tell.accept(added);
      }
      byId.putAll(ids);
      entries = List.copyOf(next);
    }
  }

  /**
   * Runs {@code action} with the shapes registered so far, while none can be added: a
   * connection that sends them this way misses no later addition ({@link #listen}).
   */
  public synchronized void withShapes(Consumer<List<WireSchema.Shape>> action) {
    action.accept(shapes());
  }

  /**
   * Registers the records and enums that appear in the signatures of {@code type}'s methods —
   * parameters, results (inside generic types and arrays too) and declared exceptions aside —
   * and, recursively, in the components of those records.
   */
  public void addSignatures(Class<?> type) {
    if (signed.contains(type)) {
      return;
    }
    Set<Class<?>> found = new LinkedHashSet<>();
    for (Method m : type.getMethods()) {
      if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
        continue;
      }
      collect(m.getGenericReturnType(), found);
      for (Type p : m.getGenericParameterTypes()) {
        collect(p, found);
      }
    }
    add(found);
    signed.add(type);
  }

  private static void collect(Type t, Set<Class<?>> found) {
    if (t instanceof Class<?> c) {
      if (c.isArray()) {
        collect(c.getComponentType(), found);
      } else if ((c.isRecord() || c.isEnum()) && found.add(c) && c.isRecord()) {
        for (RecordComponent rc : c.getRecordComponents()) {
          collect(rc.getGenericType(), found);
        }
      }
    } else if (t instanceof ParameterizedType p) {
      collect(p.getRawType(), found);
      for (Type a : p.getActualTypeArguments()) {
        collect(a, found);
      }
    } else if (t instanceof GenericArrayType a) {
      collect(a.getGenericComponentType(), found);
    } else if (t instanceof WildcardType w) {
      for (Type u : w.getUpperBounds()) {
        collect(u, found);
      }
    }
  }
}
