package dev.moonwire.rpc.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link WireRegistry}: which classes an exported or called interface brings to the wire, and
 * that each is registered, and told to peers, once.
 */
class WireRegistryTest {
  record Request(Nested nested) {}

  record Nested(List<Deep> deep) {}

  record Deep(int v) {}

  record Reply(String s) {}

  enum Level { LOW }

  record Item() {}

  record Tag() {}

  record Box() {}

  record Node(List<Node> children) {}

  record Hidden() {}

  record Pair<A>(A first, A second) {}

  interface Service {
    Reply call(Request r);

    List<Map<String, Level>> levels();

    Item[] items(Optional<? extends Tag> tag);

    <T> void generic(List<Box>[] lists, T t);

    Node tree();

    Pair<String> pair();

    static Hidden helper() {
      return null;
    }
  }

  private static Set<Class<?>> registered(WireRegistry registry) {
    return registry.entries().stream().map(WireRegistry.Entry::type).collect(Collectors.toSet());
  }

  @Test
  void addSignatures_registersTheRecordsAndEnumsOfEveryParameterAndResult() {
    WireRegistry registry = new WireRegistry(List.of(), WireKryo.BUILT_IN);

    registry.addSignatures(Service.class);

    // inside generic types, arrays, generic arrays, wildcards and records' components; a
    // record that contains itself once; a static method's types are not the interface's
    assertEquals(Set.of(Request.class, Nested.class, Deep.class, Reply.class, Level.class,
        Item.class, Tag.class, Box.class, Node.class, Pair.class), registered(registry));
  }

  @Test
  void add_aClassOfAnotherLoaderWithARegisteredName_isRefusedNamingBothLoaders()
      throws Exception {
    WireRegistry registry = new WireRegistry(List.of(Reply.class), WireKryo.BUILT_IN);
    URL classes = Reply.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader other = new URLClassLoader(new URL[] {classes}, null)) {
      Class<?> twin = other.loadClass(Reply.class.getName());

      var e = assertThrows(IllegalArgumentException.class, () -> registry.add(List.of(twin)));

      assertTrue(e.getMessage().contains("a class of that name from "
          + Reply.class.getClassLoader() + " is registered already"), e.getMessage());
    }
  }

  @Test
  void add_skipsBuiltInsAndPrimitives() {
    WireRegistry registry = new WireRegistry(List.of(int.class, String.class, ArrayList.class,
        Reply.class), WireKryo.BUILT_IN);

    assertEquals(Set.of(Reply.class), registered(registry));
  }

  @Test
  void add_tellsItsListenerOfEachGroupAdded_once() {
    WireRegistry registry = new WireRegistry(List.of(Reply.class), WireKryo.BUILT_IN);
    List<List<WireSchema.Shape>> told = new ArrayList<>();
    registry.listen(told::add);

    registry.add(List.of(Item.class, Tag.class, Reply.class));
    registry.add(List.of(Item.class, Tag.class));

    assertEquals(1, told.size(), "the second group added nothing");
    assertEquals(List.of(Item.class.getName(), Tag.class.getName()),
        told.get(0).stream().map(s -> s.name).toList());
    assertEquals(3, registry.entries().size());
  }

  @Test
  void withShapes_givesEveryShapeRegistered() {
    WireRegistry registry = new WireRegistry(List.of(Reply.class, Level.class),
        WireKryo.BUILT_IN);
    List<String> names = new ArrayList<>();

    registry.withShapes(shapes -> shapes.forEach(s -> names.add(s.name)));

    assertEquals(List.of(Reply.class.getName(), Level.class.getName()), names);
    assertTrue(registry.shapes().get(0).id >= WireRegistry.USER_ID_BASE);
  }
}
