/**
 * The event loop that makes the cluster match the repository: one thread owns all state; snapshots,
 * Mesos events, timers and API requests are queued to it; each pass asks the planner for a plan and
 * applies it through the Mesos client; records are persisted before they are relied on. Publishes
 * an immutable {@link dev.telos.controller.StatusView} for the API.
 *
 * <p>It must not parse YAML or speak HTTP itself.
 */
package dev.telos.controller;
