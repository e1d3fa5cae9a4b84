/**
 * The planner: a pure function from desired state (a snapshot's apps), live state (tasks and
 * offers) and {@code now} to a {@link dev.telos.reconcile.Plan}. Rollouts, restart backoff,
 * placement (resources, ports, constraints), task environment, jobs and cron schedules, and pruning
 * all live here.
 *
 * <p>It must not do I/O, read a clock or keep state between calls: identical inputs give identical
 * plans, which is what {@code telos plan} prints.
 */
package dev.telos.reconcile;
