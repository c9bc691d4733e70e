package dev.moonwire.rpc.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link WireSchema}: the shapes a process tells its peers, and the bounds on what a peer's
 * SCHEMA frame may make the I/O thread allocate (classes and members claimed against the bytes
 * that carry them, shapes per connection).
 */
class WireSchemaTest {
  record Point(int x, String label) {}

  enum Colour { RED, GREEN }

  static class Base {
    int middle;
    static int ignoredStatic;
  }

  static class Derived extends Base {
    String zulu;
    String apple;
    transient int ignoredTransient;
  }

  private static List<WireSchema.Shape> decode(ByteBuf body) {
    try {
      return WireSchema.decode(body);
    } finally {
      body.release();
    }
  }

  private static ProtocolException refused(ByteBuf body) {
    try {
      return assertThrows(ProtocolException.class, () -> WireSchema.decode(body));
    } finally {
      body.release();
    }
  }

  /** A class of the least bytes: id, an empty name, a kind, no members. */
  private static void leastClass(ByteBuf b, int id) {
    b.writeInt(id).writeShort(0).writeByte(WireSchema.FIELDS).writeShort(0);
  }

  @Test
  void shapes_sayWhatEachKindOfClassHas() {
    assertEquals(WireSchemaTest.class.getName() + "$Point(int x, java.lang.String label)",
        WireSchema.of(1, Point.class).describe());
    assertEquals(WireSchemaTest.class.getName() + "$Colour(RED, GREEN)",
        WireSchema.of(2, Colour.class).describe());
    // fields: inherited ones too, sorted by name (both sides agree whatever order reflection
    // gives); static and transient ones are not sent
    assertEquals(WireSchemaTest.class.getName()
        + "$Derived(java.lang.String apple, int middle, java.lang.String zulu)",
        WireSchema.of(3, Derived.class).describe());
  }

  @Test
  void shapes_areTheSameOnlyInKindNamesAndTypes() {
    WireSchema.Shape point = WireSchema.of(1, Point.class);
    assertTrue(point.sameAs(WireSchema.of(9, Point.class)));
    assertFalse(point.sameAs(new WireSchema.Shape(1, point.name, WireSchema.FIELDS, point.names,
        point.types)));
    assertFalse(point.sameAs(new WireSchema.Shape(1, point.name, WireSchema.RECORD,
        List.of("x", "name"), point.types)));
    assertFalse(point.sameAs(new WireSchema.Shape(1, point.name, WireSchema.RECORD,
        point.names, List.of("long", "java.lang.String"))));
  }

  @Test
  void aSchemaFrame_roundTrips_andEachShapeKnowsItsBytes() {
    List<WireSchema.Shape> shapes = List.of(WireSchema.of(1, Point.class),
        WireSchema.of(2, Colour.class), WireSchema.of(3, Derived.class));
    ByteBuf frame = WireSchema.encode(ByteBufAllocator.DEFAULT, shapes);
    int frameBytes = frame.readableBytes();
    frame.skipBytes(Frames.LENGTH_PREFIX_BYTES + 1);

    List<WireSchema.Shape> back = decode(frame);

    int sum = 0;
    for (int i = 0; i < shapes.size(); i++) {
      assertEquals(shapes.get(i).describe(), back.get(i).describe());
      assertEquals(shapes.get(i).id, back.get(i).id);
      sum += back.get(i).wireBytes();
    }
    // everything but the length, the kind and the count is some shape's
    assertEquals(frameBytes - Frames.LENGTH_PREFIX_BYTES - 1 - 4, sum);
    assertEquals(0, shapes.get(0).wireBytes(), "a local shape cost nothing on the wire");
  }

  @Test
  void classesOfTheLeastSize_asManyAsTheBytesHold_areRead() {
    ByteBuf body = Unpooled.buffer().writeInt(2);
    leastClass(body, 1);
    leastClass(body, 2);

    assertEquals(2, decode(body).size());
  }

  @Test
  void aSchemaOfNoClasses_isRead() {
    assertEquals(List.of(), decode(Unpooled.buffer().writeInt(0)));
  }

  @Test
  void aClassCountPastWhatTheBytesHold_isRefusedBeforeAllocating() {
    ByteBuf body = Unpooled.buffer().writeInt(3);
    leastClass(body, 1);
    leastClass(body, 2);
    assertTrue(refused(body).getMessage().contains("schema of 3 classes in 18 bytes"));

    ByteBuf huge = Unpooled.buffer().writeInt(Integer.MAX_VALUE).writeBytes(new byte[18]);
    assertTrue(refused(huge).getMessage().contains("schema of 2147483647 classes"));
    assertTrue(refused(Unpooled.buffer().writeInt(-1)).getMessage().contains("of -1 classes"));
  }

  @Test
  void membersOfTheLeastSize_asManyAsTheBytesHold_areRead_oneMoreIsRefused() {
    // each member is two empty strings: 4 bytes
    ByteBuf body = Unpooled.buffer().writeInt(1).writeInt(5).writeShort(0)
        .writeByte(WireSchema.RECORD).writeShort(3).writeZero(12);
    assertEquals(3, decode(body).get(0).names.size());

    ByteBuf more = Unpooled.buffer().writeInt(1).writeInt(5).writeShort(0)
        .writeByte(WireSchema.RECORD).writeShort(4).writeZero(12);
    assertTrue(refused(more).getMessage().contains("4 members in 12 bytes"));

    ByteBuf huge = Unpooled.buffer().writeInt(1).writeInt(5).writeShort(0)
        .writeByte(WireSchema.RECORD).writeShort(0xFFFF).writeZero(12);
    assertTrue(refused(huge).getMessage().contains("65535 members in 12 bytes"));
  }

  @Test
  void anUnknownKind_orBytesLeftOver_isRefused() {
    for (int kind : new int[] {0, 4}) {
      ByteBuf body = Unpooled.buffer().writeInt(1).writeInt(5).writeShort(0).writeByte(kind)
          .writeShort(0);
      assertTrue(refused(body).getMessage().contains("unknown kind " + kind));
    }
    ByteBuf extra = Unpooled.buffer().writeInt(1);
    leastClass(extra, 1);
    extra.writeZero(9);
    assertTrue(refused(extra).getMessage().contains("9 bytes too many"));
  }

  private static List<WireSchema.Shape> shapes(int from, int count) {
    List<WireSchema.Shape> shapes = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      shapes.add(new WireSchema.Shape(i, "c" + i, WireSchema.FIELDS, List.of(), List.of()));
    }
    return shapes;
  }

  @Test
  void aPeer_mayTellUpToTheMostShapes_oneMoreIsRefused_andNothingOfItAdded() {
    ProcessId id = ProcessId.of("localhost", 1);
    WireSchema.Peer peer = WireSchema.Peer.of(id, shapes(0, WireSchema.Peer.MAX_SHAPES - 1));
    peer.plus(shapes(WireSchema.Peer.MAX_SHAPES - 1, 1));
    assertEquals(WireSchema.Peer.MAX_SHAPES, peer.size());

    var e = assertThrows(ProtocolException.class,
        () -> peer.plus(shapes(WireSchema.Peer.MAX_SHAPES - 1, 2)));

    assertTrue(e.getMessage().contains("grew to " + (WireSchema.Peer.MAX_SHAPES + 1)
        + " classes (expected: at most " + WireSchema.Peer.MAX_SHAPES + ")"), e.getMessage());
    assertEquals(WireSchema.Peer.MAX_SHAPES, peer.size());
  }

  @Test
  void aFullPeer_mayStillReplaceShapesItTold() {
    WireSchema.Peer peer = WireSchema.Peer.of(ProcessId.of("localhost", 1),
        shapes(0, WireSchema.Peer.MAX_SHAPES));
    WireSchema.Shape again = shapes(7, 1).get(0);

    assertSame(peer, peer.plus(List.of(again)));

    assertSame(again, peer.get(7));
    assertEquals(WireSchema.Peer.MAX_SHAPES, peer.size());
  }
}
