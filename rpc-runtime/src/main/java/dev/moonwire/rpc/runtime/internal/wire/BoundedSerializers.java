package dev.moonwire.rpc.runtime.internal.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.serializers.DefaultArraySerializers;
import com.esotericsoftware.kryo.serializers.DefaultSerializers;
import com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers;
import com.esotericsoftware.kryo.serializers.MapSerializer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kryo's serializers for arrays, collections and maps, with the element count they read from
 * the wire checked before they allocate for it (see {@link BoundedInput}): what the elements
 * will cost on the heap is charged to the frame's allowance, and arrays and maps, whose every
 * element takes a byte on the wire, must also fit in the bytes left. (A collection's elements
 * may take none: Kryo writes a list of nulls as its length alone.) {@link WireKryo} puts them
 * in place of Kryo's own as classes are registered.
 */
public final class BoundedSerializers {
  private BoundedSerializers() {}

  /** The bounded replacement for {@code s}, or {@code s} itself if it needs none. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  public static Serializer<?> bounded(Serializer<?> s) {
    if (s instanceof ImmutableCollectionsSerializers.JdkImmutableListSerializer) {
      return new ImmutableList();
    }
    if (s instanceof ImmutableCollectionsSerializers.JdkImmutableSetSerializer) {
      return new ImmutableSet();
    }
    if (s instanceof ImmutableCollectionsSerializers.JdkImmutableMapSerializer) {
      return new ImmutableMap();
    }
    if (s instanceof DefaultSerializers.ArraysAsListSerializer) {
      return new ArraysAsList();
    }
    if (s.getClass() == CollectionSerializer.class) {
      return new Collections();
    }
    if (s.getClass() == MapSerializer.class) {
      return new Maps();
    }
    if (s.getClass().getEnclosingClass() == DefaultArraySerializers.class) {
      return new CountFirst(s, BULK.contains(s.getClass())); // each starts with the length + 1
    }
    return s;
  }

  /** Array serializers that read their elements in one bulk read, which checks the count too. */
  private static final java.util.Set<Class<?>> BULK = java.util.Set.of(
      DefaultArraySerializers.ByteArraySerializer.class,
      DefaultArraySerializers.IntArraySerializer.class,
      DefaultArraySerializers.LongArraySerializer.class,
      DefaultArraySerializers.FloatArraySerializer.class,
      DefaultArraySerializers.DoubleArraySerializer.class,
      DefaultArraySerializers.ShortArraySerializer.class,
      DefaultArraySerializers.CharArraySerializer.class);

  /** Charges {@code bytes} of heap to the frame being read. */
  static void charge(Input input, long bytes) {
    if (input instanceof BoundedInput b) {
      b.charge(bytes);
    }
  }

  /** A collection's size, read from the wire: what its slots or nodes will cost, charged. */
  static void checkSize(Input input, int size, long bytes) {
    if (size < 0) {
      throw new KryoException("a collection of " + size + " elements read from the wire "
          + "(expected: a count of at least 0)");
    }
    charge(input, bytes);
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  public static final class Collections extends CollectionSerializer<Collection> {
    @Override
    protected Collection create(Kryo kryo, Input input, Class<? extends Collection> type,
        int size) {
      checkSize(input, size, HeapCosts.collection(type, size));
      return super.create(kryo, input, type, size);
    }
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  public static final class Maps extends MapSerializer<Map> {
    @Override
    protected Map create(Kryo kryo, Input input, Class<? extends Map> type, int size) {
      if (input instanceof BoundedInput b) {
        b.checkFits(size * 2L, 1); // a key and a value, each at least its class or null byte
      }
      checkSize(input, size, HeapCosts.map(type, size));
      return super.create(kryo, input, type, size);
    }
  }

  /** {@code List.of(...)}: written as Kryo writes it, read without trusting its size. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  public static final class ImmutableList extends CollectionSerializer<List> {
    ImmutableList() {
      setElementsCanBeNull(false);
    }

    @Override
    protected List create(Kryo kryo, Input input, Class<? extends List> type, int size) {
      checkSize(input, size, HeapCosts.immutableList(size));
      return new ArrayList<>(size);
    }

    @Override
    protected List createCopy(Kryo kryo, List original) {
      return new ArrayList<>(original.size());
    }

    @Override
    public List read(Kryo kryo, Input input, Class<? extends List> type) {
      List list = super.read(kryo, input, type);
      return list == null ? null : List.of(list.toArray());
    }
  }

  /** {@code Set.of(...)}, likewise; Kryo's own never trusted the size, but filled nulls. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  public static final class ImmutableSet extends CollectionSerializer<Set> {
    ImmutableSet() {
      setElementsCanBeNull(false);
    }

    @Override
    protected Set create(Kryo kryo, Input input, Class<? extends Set> type, int size) {
      checkSize(input, size, HeapCosts.immutableSet(size));
      return new HashSet<>();
    }

    @Override
    protected Set createCopy(Kryo kryo, Set original) {
      return new HashSet<>();
    }

    @Override
    public Set read(Kryo kryo, Input input, Class<? extends Set> type) {
      Set set = super.read(kryo, input, type);
      return set == null ? null : Set.of(set.toArray());
    }
  }

  /** {@code Map.of(...)}, likewise. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  public static final class ImmutableMap extends MapSerializer<Map> {
    ImmutableMap() {
      setKeysCanBeNull(false);
      setValuesCanBeNull(false);
    }

    @Override
    protected Map create(Kryo kryo, Input input, Class<? extends Map> type, int size) {
      if (input instanceof BoundedInput b) {
        b.checkFits(size * 2L, 1);
      }
      checkSize(input, size, HeapCosts.immutableMap(size));
      return new HashMap<>();
    }

    @Override
    protected Map createCopy(Kryo kryo, Map original) {
      return new HashMap<>();
    }

    @Override
    public Map read(Kryo kryo, Input input, Class<? extends Map> type) {
      Map map = super.read(kryo, input, type);
      return map == null ? null : Map.copyOf(map);
    }
  }

  /** {@code Arrays.asList(...)}, likewise. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  public static final class ArraysAsList extends DefaultSerializers.ArraysAsListSerializer {
    @Override
    protected List create(Kryo kryo, Input input, Class type, int size) {
      checkSize(input, size, HeapCosts.array(size, HeapCosts.REFERENCE));
      return super.create(kryo, input, type, size);
    }
  }

  /** A serializer whose value starts with its element count + 1 (Kryo's arrays). */
  @SuppressWarnings({"rawtypes", "unchecked"})
  public static final class CountFirst extends Serializer<Object> {
    private final Serializer delegate;
    private final boolean bulk;
    private final int elementBytes;

    CountFirst(Serializer<?> delegate, boolean bulk) {
      super(delegate.getAcceptsNull(), delegate.isImmutable());
      this.delegate = delegate;
      this.bulk = bulk;
      this.elementBytes = delegate instanceof DefaultArraySerializers.BooleanArraySerializer
          ? 1 : HeapCosts.REFERENCE;
    }

    @Override
    public void write(Kryo kryo, Output output, Object object) {
      delegate.write(kryo, output, object);
    }

    @Override
    public Object read(Kryo kryo, Input input, Class<? extends Object> type) {
      int start = input.position();
      int n = input.readVarInt(true);
      input.setPosition(start);
      if (n > 0 && input instanceof BoundedInput b) { // 0 is a null array: no elements
        if (bulk) {
          b.checkFits(n - 1L, 1); // the bulk read charges it
        } else { // each element is read alone, in at least a byte (its class, or null)
          b.checkArray(n - 1L, 1, elementBytes);
        }
      }
      return delegate.read(kryo, input, type);
    }

    @Override
    public Object copy(Kryo kryo, Object original) {
      return delegate.copy(kryo, original);
    }
  }

  /** Never resolves a class by a name read from the wire (see {@link WireKryo}). */
  public static KryoException classByName() {
    return new KryoException("the peer named a class on the wire instead of a registered id "
        + "(expected: registered classes only; class names from the wire are never resolved)");
  }
}
