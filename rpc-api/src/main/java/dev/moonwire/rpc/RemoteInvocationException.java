package dev.moonwire.rpc;

import java.util.Objects;

/**
 * The remote handler threw. Carries the class name, message and stack trace of what the handler
 * threw, as text: the remote exception class need not exist on the caller's side.
 */
public final class RemoteInvocationException extends RpcException {
  private static final long serialVersionUID = 1L;

  private final String remoteClass;
  private final String remoteMessage;
  private final String remoteStack;

  /**
   * @param function the function that was called
   * @param remoteClass the class name of the exception the handler threw
   * @param remoteMessage its message, possibly null
   * @param remoteStack its stack trace as printed on the remote side
   */
  public RemoteInvocationException(
      String function, String remoteClass, String remoteMessage, String remoteStack) {
    super(Kind.REMOTE_INVOCATION,
        "function '" + function + "' threw " + remoteClass
            + (remoteMessage == null ? "" : ": " + remoteMessage),
        null);
    this.remoteClass = Objects.requireNonNull(remoteClass, "remoteClass");
    this.remoteMessage = remoteMessage;
    this.remoteStack = remoteStack == null ? "" : remoteStack;
  }

  /** The fully qualified class name of the exception the remote handler threw. */
  public String remoteClass() {
    return remoteClass;
  }

  /** The message of the remote exception; may be null. */
  public String remoteMessage() {
    return remoteMessage;
  }

  /** The remote stack trace, as the remote side printed it. */
  public String remoteStack() {
    return remoteStack;
  }
}
