/**
 * The cluster as Telos sees it through Mesos events: {@link dev.telos.cluster.LiveState} holds
 * tasks, agents and outstanding offers; {@link dev.telos.cluster.TaskIds} encodes and decodes the
 * task IDs from which a restarted controller recovers everything it needs.
 *
 * <p>It must not call Mesos: it is updated by the controller and read by the planner.
 */
package dev.telos.cluster;
