package dev.telos.mesos;

import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * Receives everything the client learns, in order, on the client's one event thread. Methods must
 * not block for long: the next event waits for them.
 */
public interface SchedulerListener {
  /**
   * An event of the current stream, including SUBSCRIBED (after the framework ID was saved) and
   * HEARTBEAT.
   */
  void onEvent(Event event);

  /** The stream was lost or refused; the client will resubscribe after a backoff. */
  default void onDisconnected(String reason) {}

  /**
   * The client stopped for good because the master said so (the framework was removed, or another
   * instance took over). It will not resubscribe; a human must act.
   */
  default void onFatal(MesosFatalException error) {}
}
