package dev.telos.mesos;

/** A call was made while the client has no subscribed stream; it was not sent. */
public final class NotSubscribedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  NotSubscribedException(String callType, ConnectionState state) {
    super(callType + " not sent: the client is " + state + ", not SUBSCRIBED");
  }
}
