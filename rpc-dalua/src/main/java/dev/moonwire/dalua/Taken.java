package dev.moonwire.dalua;

/**
 * A tuple taken by {@link TupleSpace#take} and held on loan: it is out of the space — no other
 * {@code in}, {@code rd} or {@code take} sees it — until {@link #done()} makes the take final.
 * If the taking process leaves the group or dies first (as DALua's directory and failure
 * detector judge it), the tuple comes back into the space at its old place, as old as it was:
 * the tool a job farm needs, since {@code in} followed by {@code out(claim, whileAlive)} leaves
 * a window in which a crash loses the job. Call from any thread.
 */
public interface Taken {
  /** The tuple taken. */
  Tuple tuple();

  /**
   * Makes the take final; calling it again does nothing. In a replicated space this is an
   * operation of the group's total order: it returns once it is applied here (a suspension
   * point), so a leave after it keeps the take; a member that dies before it is ordered gives
   * the tuple back.
   *
   * @throws dev.moonwire.rpc.ProcessClosedException if the process closed (the loan then ends
   *     with it: the tuple comes back)
   */
  void done();
}
