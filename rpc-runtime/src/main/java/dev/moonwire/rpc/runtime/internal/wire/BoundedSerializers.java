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
import java.util.List;
import java.util.Map;

/**
 * Kryo's serializers for arrays, collections and maps, with the element count they read from
 * the wire checked against the frame before they allocate for it (see {@link BoundedInput}).
 * {@link WireKryo} puts them in place of Kryo's own as classes are registered.
 */
public final class BoundedSerializers {
  private BoundedSerializers() {}

  /** The bounded replacement for {@code s}, or {@code s} itself if it needs none. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  public static Serializer<?> bounded(Serializer<?> s) {
    if (s instanceof ImmutableCollectionsSerializers.JdkImmutableListSerializer) {
      return new ImmutableList();
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

  public static void check(Input input, long count) {
    if (input instanceof BoundedInput b) {
      b.checkCount(count, 1);
    }
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  public static final class Collections extends CollectionSerializer<Collection> {
    @Override
    protected Collection create(Kryo kryo, Input input, Class<? extends Collection> type,
        int size) {
      check(input, size);
      return super.create(kryo, input, type, size);
    }
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  public static final class Maps extends MapSerializer<Map> {
    @Override
    protected Map create(Kryo kryo, Input input, Class<? extends Map> type, int size) {
      check(input, size * 2L);
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
      check(input, size);
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

  /** {@code Arrays.asList(...)}, likewise. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  public static final class ArraysAsList extends DefaultSerializers.ArraysAsListSerializer {
    @Override
    protected List create(Kryo kryo, Input input, Class type, int size) {
      check(input, size);
      return super.create(kryo, input, type, size);
    }
  }

  /** A serializer whose value starts with its element count + 1 (Kryo's arrays). */
  @SuppressWarnings({"rawtypes", "unchecked"})
  public static final class CountFirst extends Serializer<Object> {
    private final Serializer delegate;
    private final boolean bulk;

    CountFirst(Serializer<?> delegate, boolean bulk) {
      super(delegate.getAcceptsNull(), delegate.isImmutable());
      this.delegate = delegate;
      this.bulk = bulk;
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
          b.checkFits(n - 1L, 1); // the bulk read adds it to the total
        } else {
          b.checkCount(n - 1L, 1);
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
