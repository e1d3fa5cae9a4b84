package dev.telos.mesos;

/**
 * The master ended this framework's subscription for good: an ERROR event such as "Framework has
 * been removed" or "Framework failed over". Retrying cannot help; the message says what to do.
 */
public final class MesosFatalException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String masterMessage;

  MesosFatalException(String message, String masterMessage) {
    super(message);
    this.masterMessage = masterMessage;
  }

  /** The ERROR event's message, as the master sent it. */
  public String masterMessage() {
    return masterMessage;
  }
}
