package dev.moonwire.rpc.runtime.internal;

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
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A Kryo that lets only registered classes cross the wire. Built-in classes are registered in a
 * fixed order (so both sides agree on their ids); user classes get an id derived from their
 * name, so the order in which a user registers them does not matter.
 */
final class WireKryo extends Kryo {
  /** User class ids live above the built-in ones, in 21 bits (3 bytes on the wire). */
  private static final int USER_ID_BASE = 1 << 10;
  private static final int USER_ID_SPAN = (1 << 21) - USER_ID_BASE;

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
        throw new KryoException("bad process id: " + e.getMessage(), e);
      }
    }
  }

  /** Thrown when an object of a class that is not registered is about to be written. */
  static final class UnregisteredClassException extends KryoException {
    private static final long serialVersionUID = 1L;
    final transient Class<?> type;

    UnregisteredClassException(Class<?> type) {
      super("class " + type.getName() + " is not registered");
      this.type = type;
    }
  }

  WireKryo(List<Class<?>> userClasses) {
    super(new WireClassResolver(), null);
    setRegistrationRequired(true);
    setReferences(false);
    registerBuiltIns();
    for (Class<?> c : userClasses) {
      registerUser(c);
    }
    // Every registration gets a serializer that allocates only what its frame can fill. (Done
    // once all are in: Kryo's register(Class, Serializer) bypasses register(Registration).)
    ((WireClassResolver) getClassResolver()).boundAll();
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

  private void registerUser(Class<?> type) {
    if (getClassResolver().getRegistration(type) != null) {
      return; // built in already
    }
    int id = USER_ID_BASE + Math.floorMod(type.getName().hashCode(), USER_ID_SPAN);
    Registration taken = getClassResolver().getRegistration(id);
    if (taken != null) {
      throw new IllegalArgumentException("cannot register " + type.getName() + ": its wire id "
          + id + " is taken by " + taken.getType().getName()
          + " (expected: distinct ids; rename one of the classes)");
    }
    register(type, id);
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

    void boundAll() {
      for (Registration r : idToRegistration.values()) {
        r.setSerializer(BoundedSerializers.bounded(r.getSerializer()));
      }
    }
  }

  @Override
  public Registration getRegistration(Class type) {
    try {
      return super.getRegistration(type);
    } catch (IllegalArgumentException e) {
      throw new UnregisteredClassException(type);
    }
  }
}
