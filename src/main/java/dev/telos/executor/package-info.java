/**
 * {@code telos executor}: the Telos executor, started by Mesos agents for apps with {@code
 * executor: telos}. It speaks the v1 executor HTTP API to its agent (SUBSCRIBE on a RecordIO
 * stream, UPDATE resent until ACKNOWLEDGED, re-SUBSCRIBE after an agent restart within the recovery
 * timeout), runs each task's command in its own process group, rotates its output, and reports exit
 * codes and the last lines of stderr in TaskStatus labels.
 *
 * <p>Shares only the RecordIO decoder and the Mesos wire types with {@code mesos}; never depends on
 * controller code.
 */
package dev.telos.executor;
