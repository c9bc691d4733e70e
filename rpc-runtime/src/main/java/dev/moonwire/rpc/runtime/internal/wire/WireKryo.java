package dev.moonwire.rpc.runtime.internal.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.DefaultSerializers;
import com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.SerializationException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A Kryo that lets only registered classes cross the wire. Built-in classes are registered in a
 * fixed order (so both sides agree on their ids); user classes come from the process's
 * {@link WireRegistry}, with an id derived from their name and a serializer that reads a peer's
 * values by the peer's shape ({@link EvolvingSerializers}).
 */
public final class WireKryo extends Kryo {
  /**
   * Process ids cross the wire in every DALua message: host and port, checked again as they
   * are read (a peer's bad id is a SerializationException, not a ProcessId).
   */
  private static final class ProcessIdSerializer extends Serializer<ProcessId> {
    ProcessIdSerializer() {
      super(false, true);
    }

    @Override
    public void write(Kryo kryo, Output output, ProcessId id) {
      output.writeString(id.host());
      output.writeVarInt(id.port(), true);
    }

    @Override
    public ProcessId read(Kryo kryo, Input input, Class<? extends ProcessId> type) {
      String host = input.readString();
      int port = input.readVarInt(true);
      try {
        return ProcessId.of(host == null ? "" : host, port);
      } catch (IllegalArgumentException e) {
        throw new SerializationException("bad process id: " + e.getMessage());
      }
    }
  }

  /** Thrown when an object of a class that is not registered is about to be written. */
  public static final class UnregisteredClassException extends KryoException {
    private static final long serialVersionUID = 1L;
    final transient Class<?> type;

    UnregisteredClassException(Class<?> type) {
      super("class " + type.getName() + " is not registered");
      this.type = type;
    }
  }

  /** Thrown when a frame names a class id this process has not registered. */
  public static final class UnknownClassIdException extends KryoException {
    private static final long serialVersionUID = 1L;
    final int id;

    UnknownClassIdException(int id) {
      super("unregistered class id " + id);
      this.id = id;
    }
  }

  /** The classes every process carries without registration. */
  public static final Set<Class<?>> BUILT_IN = builtIns();

  private static Set<Class<?>> builtIns() {
    WireKryo k = new WireKryo(null);
    return ((WireClassResolver) k.getClassResolver()).types();
  }

  private final WireRegistry registry;
  private int synced;
  private WireSchema.Peer peer;

  /** A Kryo with the built-in classes and those of {@code registry} (null for none). */
  public WireKryo(WireRegistry registry) {
    super(new WireClassResolver(), null);
    this.registry = registry;
    setRegistrationRequired(true);
    setReferences(false);
    registerBuiltIns();
    // Every registration gets a serializer that allocates only what its frame can fill. (Done
    // once all are in: Kryo's register(Class, Serializer) bypasses register(Registration).)
    ((WireClassResolver) getClassResolver()).boundAll();
    sync();
  }

  /** Registers what the registry gained since the last call. Cheap when it gained nothing. */
  public void sync() {
    if (registry == null) {
      return;
    }
    List<WireRegistry.Entry> entries = registry.entries();
    for (int i = synced; i < entries.size(); i++) {
      WireRegistry.Entry e = entries.get(i);
      Serializer<?> s = EvolvingSerializers.forClass(this, e.type(), e.shape());
      register(new Registration(e.type(), BoundedSerializers.bounded(s), e.shape().id));
    }
    synced = entries.size();
  }

  /** Whose frame is being read: values are read by that peer's shapes. Null for this process. */
  public WireSchema.Peer peer() {
    return peer;
  }

  public void peer(WireSchema.Peer peer) {
    this.peer = peer;
  }

  private void registerBuiltIns() {
    // Kryo pre-registers the primitives, their boxes and String (ids 0-9).
    register(Object[].class, 10);
    register(int[].class, 11);
    register(long[].class, 12);
    register(double[].class, 13);
    register(float[].class, 14);
    register(byte[].class, 15);
    register(short[].class, 16);
    register(char[].class, 17);
    register(boolean[].class, 18);
    register(String[].class, 19);
    register(Integer[].class, 20);
    register(Long[].class, 21);
    register(Double[].class, 22);
    register(ArrayList.class, 30);
    register(LinkedList.class, 31);
    register(ArrayDeque.class, 32);
    register(HashMap.class, 33);
    register(LinkedHashMap.class, 34);
    register(TreeMap.class, 35);
    register(HashSet.class, 36);
    register(LinkedHashSet.class, 37);
    register(TreeSet.class, 38);
    register(Collections.emptyList().getClass(), 39);
    register(Collections.emptyMap().getClass(), 40);
    register(Collections.emptySet().getClass(), 41);
    register(Collections.singletonList(1).getClass(), 42);
    register(Collections.singletonMap(1, 1).getClass(), 43);
    register(Collections.singleton(1).getClass(), 44);
    register(Arrays.asList(1).getClass(), new DefaultSerializers.ArraysAsListSerializer(), 45);
    register(BigInteger.class, 50);
    register(BigDecimal.class, 51);
    register(UUID.class, new DefaultSerializers.UUIDSerializer(), 52);
    register(Instant.class, 53);
    register(Duration.class, 54);
    register(LocalDate.class, 55);
    register(LocalTime.class, 56);
    register(LocalDateTime.class, 57);
    register(ProcessId.class, new ProcessIdSerializer(), 58);
    // List.of / Set.of / Map.of: their classes get the next ids, in a fixed order.
    ImmutableCollectionsSerializers.addDefaultSerializers(this);
    ImmutableCollectionsSerializers.registerSerializers(this);
  }

  /**
   * Resolves classes by registered id only. Kryo's default resolver also accepts a class name
   * from the wire — it loads any class a peer names, and keeps the name in a table that is
   * shared by every later read and never cleared when registration is required.
   */
  private static final class WireClassResolver extends DefaultClassResolver {
    @Override
    protected Registration readName(Input input) {
      throw BoundedSerializers.classByName();
    }

    @Override
    public Registration readClass(Input input) {
      int id = input.readVarInt(true);
      if (id == Kryo.NULL) {
        return null;
      }
      if (id == NAME + 2) {
        return readName(input);
      }
      Registration r = idToRegistration.get(id - 2);
      if (r == null) {
        throw new UnknownClassIdException(id - 2);
      }
      return r;
    }

    Set<Class<?>> types() {
      Set<Class<?>> all = new HashSet<>();
      for (Registration r : idToRegistration.values()) {
        all.add(r.getType());
      }
      return Set.copyOf(all);
    }

    void boundAll() {
      for (Registration r : idToRegistration.values()) {
        r.setSerializer(BoundedSerializers.bounded(r.getSerializer()));
      }
    }
  }

  // Every object read is charged to its frame (BoundedInput): a record or an empty collection
  // can take one byte on the wire and tens on the heap. These are all of Kryo's ways in.

  @Override
  public Object readClassAndObject(Input input) {
    return charged(input, super.readClassAndObject(input));
  }

  @Override
  public <T> T readObject(Input input, Class<T> type) {
    return charged(input, super.readObject(input, type));
  }

  @Override
  @SuppressWarnings("rawtypes") // Kryo's signature
  public <T> T readObject(Input input, Class<T> type, Serializer serializer) {
    return charged(input, super.readObject(input, type, serializer));
  }

  @Override
  public <T> T readObjectOrNull(Input input, Class<T> type) {
    return charged(input, super.readObjectOrNull(input, type));
  }

  @Override
  @SuppressWarnings("rawtypes") // Kryo's signature
  public <T> T readObjectOrNull(Input input, Class<T> type, Serializer serializer) {
    return charged(input, super.readObjectOrNull(input, type, serializer));
  }

  private static <T> T charged(Input input, T value) {
    if (input instanceof BoundedInput b) {
      b.charge(HeapCosts.object(value));
    }
    return value;
  }

  @Override
  @SuppressWarnings("rawtypes") // Kryo's signature
  public Registration getRegistration(Class type) {
    try {
      return super.getRegistration(type);
    } catch (IllegalArgumentException e) {
      throw new UnregisteredClassException(type);
    }
  }
}
