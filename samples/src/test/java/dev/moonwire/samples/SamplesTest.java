package dev.moonwire.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Each sample runs, small, and its property holds (exit code 0: it printed "ok: ..."). */
class SamplesTest {
  @Test
  void averaging() {
    assertEquals(0, Samples.run("averaging"));
  }

  @Test
  void ricartAgrawala() {
    assertEquals(0, Samples.run("ricart-agrawala", "--n", "3", "--rounds", "5"));
  }

  @Test
  void groups() {
    assertEquals(0, Samples.run("groups", "--n", "3"));
  }

  @Test
  void anUnknownSample_failsWithTheList() {
    assertEquals(2, Samples.run("nope"));
  }
}
