package dev.moonwire.dalua.internal.space;

/**
 * A replicated space's functions, exported by every DALua process under {@link #PREFIX} with
 * the runtime's typed export, so the records below are registered for the wire (DESIGN §4: only
 * registered classes cross it). The operations come only from the process itself, delivering
 * its group's total order; {@code state} and {@code status} come from other members.
 */
public interface SpacePeer {
  String PREFIX = "dalua.space";

  void out(SpaceOp.Out op);

  void ask(SpaceOp.Ask op);

  void cancel(SpaceOp.Cancel op);

  void done(SpaceOp.Done op);

  void expire(SpaceOp.Expire op);

  void gone(SpaceOp.Gone op);

  void sync(SpaceOp.Sync op);

  /** A chunk of the state, to a joiner; answers true once taken. */
  Boolean state(StateChunk chunk);

  /** Whether this member holds {@code group}'s state: synced, syncing:ID, or none. */
  String status(String group);

  /** The function the total order delivers {@code op} to. */
  static String functionOf(SpaceOp op) {
    return PREFIX + "." + switch (op) {
      case SpaceOp.Out o -> "out";
      case SpaceOp.Ask a -> "ask";
      case SpaceOp.Cancel c -> "cancel";
      case SpaceOp.Done d -> "done";
      case SpaceOp.Expire e -> "expire";
      case SpaceOp.Gone g -> "gone";
      case SpaceOp.Sync s -> "sync";
    };
  }
}
