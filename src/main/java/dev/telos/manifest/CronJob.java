package dev.telos.manifest;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;

/**
 * A job run on a schedule: a standard 5-field cron expression in {@code timezone} (default UTC).
 * {@code concurrencyPolicy} says what happens when a run is due while the previous one still runs
 * (default Allow); a run that could not start within {@code startingDeadline} of its time is
 * skipped and recorded (null: no deadline).
 */
public record CronJob(
    Metadata metadata,
    CronSchedule schedule,
    ConcurrencyPolicy concurrencyPolicy,
    Duration startingDeadline,
    TaskSpec task,
    int retries,
    Duration backoff,
    Location source,
    String specHash)
    implements App {
  @Override
  public CronJob withTasks(java.util.function.UnaryOperator<TaskSpec> f) {
    return new CronJob(
        metadata,
        schedule,
        concurrencyPolicy,
        startingDeadline,
        f.apply(task),
        retries,
        backoff,
        source);
  }

  @Override
  public CronJob withMetadata(Metadata m) {
    return new CronJob(
        m, schedule, concurrencyPolicy, startingDeadline, task, retries, backoff, source, specHash);
  }

  /** A cron job whose spec hash is computed from its task. */
  public CronJob(
      Metadata metadata,
      CronSchedule schedule,
      ConcurrencyPolicy concurrencyPolicy,
      Duration startingDeadline,
      TaskSpec task,
      int retries,
      Duration backoff,
      Location source) {
    this(
        metadata,
        schedule,
        concurrencyPolicy,
        startingDeadline,
        task,
        retries,
        backoff,
        source,
        SpecHash.of("CronJob", task));
  }

  /** What to do when a run is due and the previous one still runs. */
  public enum ConcurrencyPolicy {
    /** Start the new run anyway. */
    Allow,
    /** Skip the new run. */
    Forbid,
    /** Kill the running one, then start the new one. */
    Replace
  }

  public CronJob {
    Objects.requireNonNull(specHash, "specHash");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(concurrencyPolicy, "concurrencyPolicy");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(backoff, "backoff");
    Objects.requireNonNull(source, "source");
  }

  @Override
  public String kind() {
    return "CronJob";
  }

  /** The zone the schedule is evaluated in. */
  public ZoneId timezone() {
    return schedule.zone();
  }
}
