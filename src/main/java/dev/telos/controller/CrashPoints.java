package dev.telos.controller;

/**
 * Points of the loop where a fault harness may stop the controller as a SIGKILL would: nothing
 * after the point runs, nothing is cleaned up. {@link #NONE} (the default) never stops it.
 */
@FunctionalInterface
public interface CrashPoints {
  /** Never crashes. */
  CrashPoints NONE = point -> {};

  /** After launch intents were recorded, before the ACCEPT that launches them. */
  String BEFORE_ACCEPT = "before-accept";

  /** After a status update was recorded, before it is acknowledged. */
  String BEFORE_ACK = "before-ack";

  /**
   * Called on the loop thread at {@code point}; throw {@link Crash} to stop the loop there for good
   * (the harness then closes this controller and starts another on the same data dir).
   */
  void reached(String point);

  /** Ends the loop thread where it is thrown; never caught by the controller. */
  final class Crash extends Error {
    private static final long serialVersionUID = 1L;

    public Crash(String point) {
      super("crashed at " + point, null, false, false);
    }
  }
}
