package dev.moonwire.rpc;

/**
 * A group operation asked for what is not so: creating a group that exists, or joining,
 * leaving, listing or destroying one that does not. Nothing changed.
 */
public final class GroupException extends RpcException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says what was expected. */
  public GroupException(String message) {
    super(Kind.GROUP, message, null);
  }
}
