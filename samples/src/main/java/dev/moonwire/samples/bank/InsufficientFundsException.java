package dev.moonwire.samples.bank;

/** Declared by {@link Bank#withdraw}: thrown again, as itself, at the caller. */
public final class InsufficientFundsException extends Exception {
  private static final long serialVersionUID = 1L;

  public InsufficientFundsException(String message) {
    super(message);
  }
}
