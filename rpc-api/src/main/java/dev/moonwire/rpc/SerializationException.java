package dev.moonwire.rpc;

/**
 * An argument or result could not be serialized or deserialized, or the frame it made was over {@code maxFrameBytes}. When it concerns a class that is not registered, the message names the class and says how to register it with {@link RpcConfig#register(Class...)}. Raised at the caller before anything is sent when the caller's own arguments are at fault.
 */
public final class SerializationException extends RpcException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says what was expected. */
  public SerializationException(String message) {
    super(Kind.SERIALIZATION, message, null);
  }

  /** Creates the exception with a message and the cause. */
  public SerializationException(String message, Throwable cause) {
    super(Kind.SERIALIZATION, message, cause);
  }
}
