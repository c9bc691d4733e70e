package dev.moonwire.rpc.runtime.internal.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.moonwire.rpc.SerializationException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.Map;

/**
 * Serializers for the user's classes that read a peer's values by the peer's shape
 * ({@link WireSchema}): records the way protobuf reads messages, enums by constant name, and
 * other classes only when their fields are the same on both sides.
 */
public final class EvolvingSerializers {
  private EvolvingSerializers() {}

  public static Serializer<?> forClass(Kryo kryo, Class<?> type, WireSchema.Shape local) {
    if (type.isRecord()) {
      return new Records(type, local);
    }
    if (type.isEnum()) {
      return new Enums(type, local);
    }
    return new SameShape(BoundedSerializers.bounded(kryo.getDefaultSerializer(type)), local);
  }

  /** The shape the peer whose frame is being read gave for this class, or null if none. */
  private static WireSchema.Shape peerShape(Kryo kryo, WireSchema.Shape local) {
    WireSchema.Peer peer = ((WireKryo) kryo).peer();
    if (peer == null) {
      return null; // a frame from this very process: the same classes
    }
    WireSchema.Shape s = peer.get(local.id);
    return s == null || s.sameAs(local) ? null : s;
  }

  private static String peerName(Kryo kryo) {
    WireSchema.Peer peer = ((WireKryo) kryo).peer();
    return peer == null ? "the peer" : String.valueOf(peer.peer);
  }

  /**
   * A record: its component count, then each component with its class, in declaration order.
   * Read by the sender's shape: components matched by name, those the sender lacks get their
   * default (null, 0, false), those the reader lacks are skipped, one whose declared type
   * changed fails the read.
   */
  public static final class Records extends Serializer<Record> {
    private final WireSchema.Shape local;
    private final MethodHandle[] accessors;
    private final Class<?>[] types;
    private final Constructor<?> constructor;

    Records(Class<?> type, WireSchema.Shape local) {
      super(false, true);
      this.local = local;
      RecordComponent[] components = type.getRecordComponents();
      accessors = new MethodHandle[components.length];
      types = new Class<?>[components.length];
      try {
        for (int i = 0; i < components.length; i++) {
          var accessor = components[i].getAccessor();
          accessor.trySetAccessible();
          accessors[i] = MethodHandles.lookup().unreflect(accessor)
              .asType(MethodType.methodType(Object.class, Object.class));
          types[i] = components[i].getType();
        }
        constructor = type.getDeclaredConstructor(types);
        constructor.trySetAccessible();
      } catch (ReflectiveOperationException e) {
        throw new IllegalArgumentException("cannot register record " + type.getName() + ": "
            + e.getMessage() + " (expected: a record whose accessors and canonical constructor "
            + "this module can reach)");
      }
    }

    @Override
    public void write(Kryo kryo, Output output, Record value) {
      output.writeVarInt(accessors.length, true);
      for (MethodHandle accessor : accessors) {
        Object v;
        try {
          v = accessor.invokeExact((Object) value);
        } catch (RuntimeException | Error e) {
          throw e;
        } catch (Throwable t) {
          throw new IllegalStateException(t);
        }
        kryo.writeClassAndObject(output, v);
      }
    }

    @Override
    public Record read(Kryo kryo, Input input, Class<? extends Record> type) {
      int n = input.readVarInt(true);
      // the values gathered for the constructor: an empty record's one byte costs two objects
      BoundedSerializers.charge(input, HeapCosts.array(types.length, HeapCosts.REFERENCE));
      Object[] values = new Object[types.length];
      WireSchema.Shape peer = peerShape(kryo, local);
      if (peer == null) {
        if (n != types.length) {
          throw new SerializationException("record " + local.name + " arrived with " + n
              + " components from " + peerName(kryo) + " (expected: " + types.length
              + "; the peer's schema did not say it differs)");
        }
        for (int i = 0; i < n; i++) {
          values[i] = kryo.readClassAndObject(input);
        }
      } else {
        int[] into = plan(kryo, peer);
        if (n != into.length) {
          throw new SerializationException("record " + local.name + " arrived with " + n
              + " components from " + peerName(kryo) + " (expected: " + into.length
              + ", as its schema says)");
        }
        for (int i = 0; i < n; i++) {
          Object v = kryo.readClassAndObject(input);
          if (into[i] >= 0) {
            values[into[i]] = v;
          }
        }
      }
      for (int i = 0; i < values.length; i++) {
        values[i] = fit(kryo, i, values[i]);
      }
      try {
        return (Record) constructor.newInstance(values);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        throw new SerializationException("record " + local.name + " from " + peerName(kryo)
            + " was refused by its constructor: " + cause, cause);
      } catch (ReflectiveOperationException e) {
        throw new SerializationException("cannot construct record " + local.name + ": " + e);
      }
    }

    /** For each of the peer's components, the local one it fills, or -1 to skip it. */
    private int[] plan(Kryo kryo, WireSchema.Shape peer) {
      if (peer.plan instanceof int[] p) {
        return p;
      }
      if (peer.plan instanceof String failure) {
        throw new SerializationException(failure.replace("{peer}", peerName(kryo)));
      }
      if (peer.kind != WireSchema.RECORD) {
        String failure = local.name + " is a record here but not at {peer}";
        peer.plan = failure;
        throw new SerializationException(failure.replace("{peer}", peerName(kryo)));
      }
      int[] into = new int[peer.names.size()];
      for (int i = 0; i < into.length; i++) {
        int at = local.names.indexOf(peer.names.get(i));
        into[i] = at;
        if (at >= 0 && !local.types.get(at).equals(peer.types.get(i))) {
          String failure = "record " + local.name + ": component '" + peer.names.get(i)
              + "' is a " + peer.types.get(i) + " at {peer} and a " + local.types.get(at)
              + " here (expected: the same type on both sides; add a component with a new name "
              + "instead of changing the type of one)";
          peer.plan = failure;
          throw new SerializationException(failure.replace("{peer}", peerName(kryo)));
        }
      }
      peer.plan = into;
      return into;
    }

    private Object fit(Kryo kryo, int i, Object v) {
      Class<?> t = types[i];
      if (v == null) {
        return t.isPrimitive() ? DEFAULTS.get(t) : null;
      }
      Class<?> boxed = t.isPrimitive() ? MethodType.methodType(t).wrap().returnType() : t;
      if (!boxed.isInstance(v)) {
        throw new SerializationException("record " + local.name + ": component '"
            + local.names.get(i) + "' from " + peerName(kryo) + " is " + dev.moonwire.rpc.internal.Text.aValueOf(v)
            + " (expected: " + dev.moonwire.rpc.internal.Text.a(t) + ")");
      }
      return v;
    }
  }

  private static final Map<Class<?>, Object> DEFAULTS = new HashMap<>();

  static {
    DEFAULTS.put(boolean.class, false);
    DEFAULTS.put(byte.class, (byte) 0);
    DEFAULTS.put(short.class, (short) 0);
    DEFAULTS.put(char.class, (char) 0);
    DEFAULTS.put(int.class, 0);
    DEFAULTS.put(long.class, 0L);
    DEFAULTS.put(float.class, 0f);
    DEFAULTS.put(double.class, 0d);
  }

  /** An enum: its ordinal, read by the sender's constant names. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  public static final class Enums extends Serializer<Enum> {
    private final WireSchema.Shape local;
    private final Enum[] constants;

    Enums(Class<?> type, WireSchema.Shape local) {
      super(false, true);
      this.local = local;
      this.constants = (Enum[]) type.getEnumConstants();
    }

    // the ordinal is the constant's index in this side's Shape.names, which the schema exchange
    // sends: the reader maps it back by name, so declaration order is no wire contract
    @Override
    @SuppressWarnings("EnumOrdinal")
    public void write(Kryo kryo, Output output, Enum value) {
      output.writeVarInt(value.ordinal(), true);
    }

    @Override
    public Enum read(Kryo kryo, Input input, Class<? extends Enum> type) {
      int ordinal = input.readVarInt(true);
      WireSchema.Shape peer = peerShape(kryo, local);
      if (peer == null) {
        if (ordinal < 0 || ordinal >= constants.length) {
          throw new SerializationException("enum " + local.name + ": ordinal " + ordinal
              + " from " + peerName(kryo) + " (expected: < " + constants.length + ")");
        }
        return constants[ordinal];
      }
      if (peer.kind != WireSchema.ENUM || ordinal < 0 || ordinal >= peer.names.size()) {
        throw new SerializationException("enum " + local.name + ": ordinal " + ordinal
            + " from " + peerName(kryo) + " is not one of its constants " + peer.names);
      }
      String name = peer.names.get(ordinal);
      int at = local.names.indexOf(name);
      if (at < 0) {
        throw new SerializationException("enum " + local.name + ": constant " + name + " of "
            + peerName(kryo) + " is unknown here (expected one of " + local.names + ")");
      }
      return constants[at];
    }
  }

  /** Any other class: read only if its fields are the same on both sides. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  public static final class SameShape extends Serializer<Object> {
    private final Serializer delegate;
    private final WireSchema.Shape local;

    SameShape(Serializer<?> delegate, WireSchema.Shape local) {
      super(delegate.getAcceptsNull(), delegate.isImmutable());
      this.delegate = delegate;
      this.local = local;
    }

    Serializer<?> delegate() {
      return delegate;
    }

    @Override
    public void write(Kryo kryo, Output output, Object object) {
      delegate.write(kryo, output, object);
    }

    @Override
    public Object read(Kryo kryo, Input input, Class type) {
      WireSchema.Shape peer = peerShape(kryo, local);
      if (peer != null) {
        throw new SerializationException("class " + local.name + " differs between "
            + peerName(kryo) + " and this process: " + peer.describe() + " there, "
            + local.describe() + " here (expected: the same class on both sides; records may "
            + "differ, their components are matched by name)");
      }
      return delegate.read(kryo, input, type);
    }

    @Override
    public Object copy(Kryo kryo, Object original) {
      return delegate.copy(kryo, original);
    }
  }
}
