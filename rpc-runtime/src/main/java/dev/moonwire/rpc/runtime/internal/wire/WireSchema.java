package dev.moonwire.rpc.runtime.internal.wire;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shapes of the classes a process has registered, as both sides of a connection exchange
 * them in SCHEMA frames: right after the handshake, and again whenever a process registers more
 * (an export or a proxy can). Each side then reads the other's values by the other's shape:
 * record components are matched by name, enum constants by name, and any other class must have
 * the same fields on both sides.
 *
 * <pre>
 * SCHEMA count:int (id:int name:str kind:byte members:short (name:str type:str)*)*
 * </pre>
 */
public final class WireSchema {
  private WireSchema() {}

  public static final byte RECORD = 1;
  public static final byte ENUM = 2;
  public static final byte FIELDS = 3;

  /**
   * One class's shape: its members in declaration order — record components (name and type),
   * enum constants (name, no type) or fields (name and type, sorted by name).
   */
  public static final class Shape {
    final int id;
    final String name;
    final byte kind;
    final List<String> names;
    final List<String> types;
    /** How to read this (peer's) shape into the local class; made at first use. */
    volatile Object plan;
    /** The bytes it took on the wire (0 for a local shape): what a peer's schema costs. */
    private int wireBytes;

    public int wireBytes() {
      return wireBytes;
    }

    public Shape(int id, String name, byte kind, List<String> names, List<String> types) {
      this.id = id;
      this.name = name;
      this.kind = kind;
      this.names = names;
      this.types = types;
    }

    boolean sameAs(Shape other) {
      return kind == other.kind && names.equals(other.names) && types.equals(other.types);
    }

    String describe() {
      List<String> parts = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        parts.add(types.get(i).isEmpty() ? names.get(i) : types.get(i) + " " + names.get(i));
      }
      return name + "(" + String.join(", ", parts) + ")";
    }
  }

  public static Shape of(int id, Class<?> type) {
    List<String> names = new ArrayList<>();
    List<String> types = new ArrayList<>();
    byte kind;
    if (type.isRecord()) {
      kind = RECORD;
      for (RecordComponent c : type.getRecordComponents()) {
        names.add(c.getName());
        types.add(c.getType().getName());
      }
    } else if (type.isEnum()) {
      kind = ENUM;
      for (Object constant : type.getEnumConstants()) {
        names.add(((Enum<?>) constant).name());
        types.add("");
      }
    } else {
      kind = FIELDS;
      List<Field> fields = new ArrayList<>();
      for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
        for (Field f : c.getDeclaredFields()) {
          int m = f.getModifiers();
          if (!Modifier.isStatic(m) && !Modifier.isTransient(m)) {
            fields.add(f);
          }
        }
      }
      fields.sort((a, b) -> a.getName().compareTo(b.getName()));
      for (Field f : fields) {
        names.add(f.getName());
        types.add(f.getType().getName());
      }
    }
    return new Shape(id, type.getName(), kind, List.copyOf(names), List.copyOf(types));
  }

  public static ByteBuf encode(ByteBufAllocator alloc, Collection<Shape> shapes) {
    ByteBuf buf = Frames.start(alloc, 64 * shapes.size(), Frames.SCHEMA);
    buf.writeInt(shapes.size());
    for (Shape s : shapes) {
      buf.writeInt(s.id);
      Frames.writeShortString(buf, s.name);
      buf.writeByte(s.kind);
      buf.writeShort(s.names.size());
      for (int i = 0; i < s.names.size(); i++) {
        Frames.writeShortString(buf, s.names.get(i));
        Frames.writeShortString(buf, s.types.get(i));
      }
    }
    return Frames.finish(buf);
  }

  /**
   * Reads the rest of a SCHEMA frame.
   *
   * @throws ProtocolException if it is malformed
   */
  public static List<Shape> decode(ByteBuf body) {
    int count = body.readInt();
    if (count < 0 || count > body.readableBytes() / 9) { // each class takes 9 bytes at least
      throw new ProtocolException("schema of " + count + " classes in " + body.readableBytes()
          + " bytes");
    }
    List<Shape> shapes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int start = body.readerIndex();
      int id = body.readInt();
      String name = Frames.readShortString(body);
      byte kind = body.readByte();
      if (kind < RECORD || kind > FIELDS) {
        throw new ProtocolException("schema of " + name + ": unknown kind " + kind);
      }
      int members = body.readUnsignedShort();
      if (members > body.readableBytes() / 4) {
        throw new ProtocolException("schema of " + name + ": " + members + " members in "
            + body.readableBytes() + " bytes");
      }
      List<String> names = new ArrayList<>(members);
      List<String> types = new ArrayList<>(members);
      for (int m = 0; m < members; m++) {
        names.add(Frames.readShortString(body));
        types.add(Frames.readShortString(body));
      }
      Shape shape = new Shape(id, name, kind, List.copyOf(names), List.copyOf(types));
      shape.wireBytes = body.readerIndex() - start;
      shapes.add(shape);
    }
    if (body.isReadable()) {
      throw new ProtocolException("schema frame has " + body.readableBytes() + " bytes too many");
    }
    return shapes;
  }

  /**
   * What a peer told of its classes, by wire id. Only its connection's I/O thread adds to it, in
   * the order the peer's frames come, so an event decoding a frame sees at least every shape
   * the peer sent before that frame. Adding costs what is added, not what is known: a peer that
   * sends its shapes in many small SCHEMA frames costs linear work, not quadratic.
   */
  public static final class Peer {
    /** The most shapes one peer may tell on one connection. */
    public static final int MAX_SHAPES = 16_384;

    public final ProcessId peer;
    private final Map<Integer, Shape> byId = new java.util.concurrent.ConcurrentHashMap<>();

    private Peer(ProcessId peer) {
      this.peer = peer;
    }

    public static Peer of(ProcessId peer, List<Shape> shapes) {
      return new Peer(peer).plus(shapes);
    }

    /**
     * Adds {@code more} shapes (replacing any of the same id) and returns this view; on the
     * connection's I/O thread.
     *
     * @throws dev.moonwire.rpc.ProtocolException past {@link #MAX_SHAPES}: nothing is added
     */
    public Peer plus(List<Shape> more) {
      if (byId.size() + more.size() > MAX_SHAPES) {
        int fresh = 0;
        for (Shape s : more) {
          fresh += byId.containsKey(s.id) ? 0 : 1;
        }
        if (byId.size() + fresh > MAX_SHAPES) {
          throw new dev.moonwire.rpc.ProtocolException("the peer's schema grew to "
              + (byId.size() + fresh) + " classes (expected: at most " + MAX_SHAPES + ")");
        }
      }
      for (Shape s : more) {
        byId.put(s.id, s);
      }
      return this;
    }

    /** The peer's shape of the class with this wire id, or null if it has not told one. */
    public Shape get(int id) {
      return byId.get(id);
    }

    public int size() {
      return byId.size();
    }
  }
}
