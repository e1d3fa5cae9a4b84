/**
 * The embedded Mesos-compatible cluster behind {@code telos cluster} and {@code telos local}: a
 * master that speaks the Mesos v1 scheduler HTTP API (protobuf and JSON, RecordIO, heartbeats,
 * offers, acknowledgements, reconciliation, failover timeouts, 307 to a leader), agents that run
 * command tasks as real local processes, simulated agents for scale, and fault injection.
 *
 * <p>It depends only on the official Mesos wire classes and the JDK: production code reaches it
 * only through the network protocol, exactly as it would reach a real master. The entry point is
 * {@link dev.telos.local.LocalCluster}.
 */
package dev.telos.local;
