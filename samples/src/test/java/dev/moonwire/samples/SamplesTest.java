package dev.moonwire.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

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

  @ParameterizedTest
  @ValueSource(strings = {"central", "distributed", "decentralized"})
  void philosophers(String waiter) {
    assertEquals(0, Samples.run("philosophers", "--waiter", waiter, "--n", "3", "--seconds",
        "2"));
  }

  @ParameterizedTest
  @CsvSource({"centralized, 2", "centralized, 4", "symmetric, 2", "symmetric, 4", "ring, 2",
      "ring, 3", "ring, 5"})
  void minmax_sendsTheSeedsNumberOfMessages(String shape, int n) {
    assertEquals(0, Samples.run("minmax", "--shape", shape, "--n", String.valueOf(n), "--stats",
        "true"));
  }

  @Test
  void boundedBuffer() {
    assertEquals(0, Samples.run("bounded-buffer", "--n", "2", "--items", "10"));
  }

  @Test
  void timeServer() {
    assertEquals(0, Samples.run("time-server", "--sleepers", "2", "--naps", "5"));
  }

  @Test
  void readersWriters() {
    assertEquals(0, Samples.run("readers-writers", "--readers", "3", "--writers", "2",
        "--writes", "5"));
  }

  @Test
  void cspAlt() {
    assertEquals(0, Samples.run("csp-alt", "--rounds", "20"));
  }

  @Test
  void sieve() {
    assertEquals(0, Samples.run("sieve", "--n", "300", "--room", "8"));
  }

  @Test
  void producerConsumer() {
    assertEquals(0, Samples.run("producer-consumer", "--n", "400"));
  }

  @Test
  void jobFarm() {
    assertEquals(0, Samples.run("job-farm", "--workers", "3", "--jobs", "30", "--kill", "1",
        "--seed", "7"));
  }

  @Test
  void anUnknownSample_failsWithTheList() {
    assertEquals(2, Samples.run("nope"));
  }
}
