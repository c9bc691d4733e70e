package dev.moonwire.rpc;

import java.util.List;

/**
 * A child JVM started by {@link RpcProcess#spawn} did not open its process: it exited (its
 * {@code main} threw, or returned, or called {@code System.exit}) or did not open one within the
 * deadline. The message names the child, its exit code and its last lines of output; the other
 * children of that spawn were stopped.
 */
public final class SpawnFailedException extends RpcException {
  private static final long serialVersionUID = 1L;

  private final int child;
  private final int exitCode;
  private final List<String> lastOutput;

  /**
   * @param child the child's index in its spawn, from 0
   * @param exitCode its exit code, or -1 if it had not exited and was stopped
   * @param lastOutput its last lines of output (standard output and error), oldest first
   */
  public SpawnFailedException(String message, int child, int exitCode, List<String> lastOutput) {
    super(Kind.SPAWN_FAILED, message, null);
    this.child = child;
    this.exitCode = exitCode;
    this.lastOutput = List.copyOf(lastOutput);
  }

  /** As it arrives from a peer: the message only. */
  public SpawnFailedException(String message) {
    this(message, -1, -1, List.of());
  }

  /** The child's index in its spawn, from 0; -1 if not known. */
  public int child() {
    return child;
  }

  /** The child's exit code, or -1 if it had not exited (it was stopped). */
  public int exitCode() {
    return exitCode;
  }

  /** The child's last lines of output, oldest first. */
  public List<String> lastOutput() {
    return lastOutput;
  }
}
