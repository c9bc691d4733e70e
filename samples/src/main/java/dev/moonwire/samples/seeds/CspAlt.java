package dev.moonwire.samples.seeds;

import dev.moonwire.csp.Alt;
import dev.moonwire.csp.Channel;
import dev.moonwire.csp.Csp;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.samples.Samples;
import java.util.concurrent.TimeUnit;

/**
 * Seed 002's Csp.lua example: a {@code Par} of two fibers — one waits in an {@code Alt} over
 * {@code ch1} and {@code ch2}, the other writes {@code 'world'} to {@code ch2} — as events of
 * one process:
 * <pre>
 *   Par({ function () Alt({ ch1:read → print('ch1: hello '..x),
 *                           ch2:read → print('ch2: hello '..x) }) end,
 *         function () ch2:write('world') end },
 *       { ch1=Channel(1), ch2=Channel(1) })
 * </pre>
 * Checks that the Alt took exactly the branch whose channel was written, each round, and that
 * nothing is left in either channel.
 */
public final class CspAlt implements Samples.Sample {
  @Override
  public String about() {
    return "seed 002: Par of an Alt over ch1/ch2 and a writer of 'world'   [--rounds 1]";
  }

  @Override
  public String run(Samples.Options options) throws Exception {
    int rounds = options.integer("rounds", 1);
    try (RpcProcess process = Rpc.open(RpcConfig.defaults())) {
      String last = "";
      for (int round = 0; round < rounds; round++) {
        boolean toCh1 = round % 2 == 1; // every other round the writer takes ch1
        String said = process.submit(() -> {
          Channel<String> ch1 = Channel.create(1);
          Channel<String> ch2 = Channel.create(1);
          String[] heard = new String[1];
          Csp.par(
              () -> heard[0] = Alt.select(
                  Alt.read(ch1, x -> "ch1: hello " + x),
                  Alt.read(ch2, x -> "ch2: hello " + x)),
              () -> (toCh1 ? ch1 : ch2).write("world"));
          if (ch1.poll().isPresent() || ch2.poll().isPresent()) {
            return "a value left in a channel";
          }
          return heard[0];
        }).get(10, TimeUnit.SECONDS);
        String expected = (toCh1 ? "ch1" : "ch2") + ": hello world";
        if (rounds <= 4 || round < 2) {
          System.out.println(said);
        }
        if (!said.equals(expected)) {
          throw new Samples.Failed("round " + round + ": the Alt said '" + said
              + "' (expected: '" + expected + "')");
        }
        last = said;
      }
      return rounds + " round(s), each Alt took the written channel and only it (last: '"
          + last + "')";
    }
  }
}
