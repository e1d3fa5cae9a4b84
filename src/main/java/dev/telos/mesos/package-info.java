/**
 * The Mesos v1 scheduler HTTP API client: the subscription stream (RecordIO over a chunked HTTP
 * response), calls on their own connections, {@code Mesos-Stream-Id}, the heartbeat watchdog,
 * leader redirects, reconnection with jittered backoff, protobuf and JSON content types, and HTTP
 * basic authentication over HTTP or HTTPS.
 *
 * <p>It speaks the official wire classes of {@code org.apache.mesos:mesos:1.11.0}. It must not know
 * about manifests, git or the planner: it moves Mesos calls and events, nothing more. The public
 * surface is {@link dev.telos.mesos.MesosClient}, its {@link dev.telos.mesos.MesosClientConfig},
 * the {@link dev.telos.mesos.SchedulerListener} it reports to, and the error types.
 */
package dev.telos.mesos;
