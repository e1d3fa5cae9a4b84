package dev.telos.mesos;

import java.io.IOException;

/** A RecordIO stream that does not follow the framing: the stream is unusable and is dropped. */
public final class RecordIoException extends IOException {
  private static final long serialVersionUID = 1L;

  RecordIoException(String message) {
    super(message);
  }
}
