package dev.telos.controller;

import java.time.Instant;

/**
 * One run of a Job or CronJob, newest first in an app's {@code runs}: the task that ran it (null
 * for a cron run that was skipped), when, for which spec, and how it ended ({@code Running}, {@code
 * Succeeded}, {@code Failed}, {@code Killed} or {@code Skipped}, with a message).
 *
 * @param fireTime the cron fire time the run was for, or null for a Job
 */
public record RunRecord(
    String taskId,
    String specHash,
    Instant fireTime,
    Instant startedAt,
    Instant finishedAt,
    String result,
    String message) {
  RunRecord end(Instant at, String how, String why) {
    return new RunRecord(taskId, specHash, fireTime, startedAt, at, how, why);
  }
}
