package dev.moonwire.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextTest {
  @Test
  void a_namesTypesAsAPersonWould() {
    assertEquals("an int", Text.a(int.class));
    assertEquals("an int", Text.a(Integer.class));
    assertEquals("a String", Text.a(String.class));
    assertEquals("an int[]", Text.a(int[].class));
    assertEquals("a java.util.List", Text.a(List.class));
    assertEquals("an Exception", Text.a(Exception.class));
    assertEquals("null", Text.aValueOf(null));
    assertEquals("a long", Text.aValueOf(5L));
  }

  @Test
  void duration_readsAsAPersonWritesIt() {
    assertEquals("1 ms", Text.duration(Duration.ofMillis(1)));
    assertEquals("250 µs", Text.duration(Duration.ofNanos(250_000)));
    assertEquals("1.5 µs", Text.duration(Duration.ofNanos(1_500)));
    assertEquals("30 s", Text.duration(Duration.ofSeconds(30)));
    assertEquals("2.5 s", Text.duration(Duration.ofMillis(2_500)));
    assertEquals("5 min", Text.duration(Duration.ofMinutes(5)));
    assertEquals("90 s", Text.duration(Duration.ofSeconds(90)));
    assertEquals("-5 ms", Text.duration(Duration.ofMillis(-5)));
    assertEquals("0 ns", Text.duration(Duration.ZERO));
    assertEquals("12.345 ms", Text.duration(Duration.ofNanos(12_345_000)));
  }
}
