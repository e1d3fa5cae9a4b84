package dev.telos.mesos;

/** Where the client's subscription stands, for the status API and metrics. */
public enum ConnectionState {
  /** No stream: not started, between attempts, or stopped. */
  DISCONNECTED,
  /** A SUBSCRIBE request is out and SUBSCRIBED has not arrived yet. */
  SUBSCRIBING,
  /** SUBSCRIBED received on the current stream; calls may be sent. */
  SUBSCRIBED,
  /** Stopped for good, by {@link MesosClient#close()} or by a fatal error from the master. */
  STOPPED
}
