package dev.moonwire.benchmarks;

import org.openjdk.jmh.annotations.Fork;

/**
 * The same benchmarks with the opt-in fast path: the process's virtual threads carried by its
 * own I/O thread ({@code -Dmoonwire.eventLoopCarriers=true}, see {@code EventThreads}).
 */
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED",
    "-Dmoonwire.eventLoopCarriers=true"})
public class MoonwireCarriedBench extends MoonwireBench {
}
