package dev.telos.mesos;

/**
 * The master answered a request with an error status. {@link #kind()} types the answer; {@link
 * #masterMessage()} is the body the master sent, which says what was wrong.
 */
public final class MesosHttpException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What an error status means to a scheduler. */
  public enum Kind {
    /** 400: the call is malformed, has no or a wrong stream ID, or a principal mismatch. */
    BAD_REQUEST,
    /** 401: credentials are missing or wrong. */
    UNAUTHORIZED,
    /** 403: not authorized, or the framework is not subscribed. */
    FORBIDDEN,
    /** 404: no scheduler endpoint at this address. */
    NOT_FOUND,
    /** 405: the method is not POST. */
    METHOD_NOT_ALLOWED,
    /** 406: the master cannot answer in the requested {@code Accept} type. */
    NOT_ACCEPTABLE,
    /** 409: a conflicting call. */
    CONFLICT,
    /** 415: the {@code Content-Type} is not supported. */
    UNSUPPORTED_MEDIA_TYPE,
    /** Any other 4xx. */
    CLIENT_ERROR,
    /** 503: no leader elected yet, or the master is still recovering; retryable. */
    UNAVAILABLE,
    /** Any other 5xx; retryable. */
    SERVER_ERROR,
    /** A status the scheduler API never answers with. */
    UNEXPECTED;

    static Kind of(int status) {
      return switch (status) {
        case 400 -> BAD_REQUEST;
        case 401 -> UNAUTHORIZED;
        case 403 -> FORBIDDEN;
        case 404 -> NOT_FOUND;
        case 405 -> METHOD_NOT_ALLOWED;
        case 406 -> NOT_ACCEPTABLE;
        case 409 -> CONFLICT;
        case 415 -> UNSUPPORTED_MEDIA_TYPE;
        case 503 -> UNAVAILABLE;
        default -> {
          if (status >= 400 && status < 500) {
            yield CLIENT_ERROR;
          } else if (status >= 500 && status < 600) {
            yield SERVER_ERROR;
          }
          yield UNEXPECTED;
        }
      };
    }
  }

  private final int status;
  private final Kind kind;
  private final String masterMessage;

  MesosHttpException(String callType, int status, String masterMessage) {
    super(
        callType
            + " answered "
            + status
            + (masterMessage.isBlank() ? "" : ": " + masterMessage.strip()));
    this.status = status;
    this.kind = Kind.of(status);
    this.masterMessage = masterMessage;
  }

  /** The HTTP status code. */
  public int status() {
    return status;
  }

  /** What the status means. */
  public Kind kind() {
    return kind;
  }

  /** The body of the answer, as the master sent it (may be empty). */
  public String masterMessage() {
    return masterMessage;
  }

  /** Whether retrying the same request later may succeed (5xx). */
  public boolean retryable() {
    return kind == Kind.UNAVAILABLE || kind == Kind.SERVER_ERROR;
  }
}
