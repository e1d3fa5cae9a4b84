package dev.telos.local;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Function;
import org.apache.mesos.v1.Protos.TaskStatus;

/**
 * Reliable status updates, as Mesos's status update manager delivers them: per task, updates queue
 * in order; only the head is sent, and sent again with backoff ({@code initial} doubling to {@code
 * max}) until the framework acknowledges its uuid; then the next goes. A resubscribed framework
 * gets every head again at once.
 *
 * <p>Its state lives on each {@link Master.Task} and is guarded by the master's lock: every method
 * is called with it held, and retries take it through {@code later}.
 */
final class StatusUpdateManager {
  /** Per-task delivery state. */
  static final class Queue {
    final ArrayDeque<TaskStatus> pending = new ArrayDeque<>();
    ScheduledFuture<?> retry;
    int attempt;

    boolean isEmpty() {
      return pending.isEmpty();
    }
  }

  /** Runs an action after a delay with the master's lock held. */
  interface Later {
    ScheduledFuture<?> run(Runnable action, long delayMillis);
  }

  /** Sends an update event on a framework's stream, if it is connected. */
  interface Sender {
    void send(Master.Framework framework, TaskStatus status);
  }

  private final Duration initial;
  private final Duration max;
  private final Later later;
  private final Sender sender;
  private final Function<String, Master.Framework> frameworks;

  StatusUpdateManager(
      Duration initial,
      Duration max,
      Later later,
      Sender sender,
      Function<String, Master.Framework> frameworks) {
    this.initial = initial;
    this.max = max;
    this.later = later;
    this.sender = sender;
    this.frameworks = frameworks;
  }

  /** Queues an update of {@code task}; it is sent now when nothing before it waits for an ACK. */
  void enqueue(Master.Framework framework, Master.Task task, TaskStatus status) {
    task.updates.pending.addLast(status);
    if (task.updates.pending.size() == 1) {
      deliverHead(framework, task);
    }
  }

  /**
   * Applies an acknowledgement. Returns whether it was for the head (an old or duplicate one
   * changes nothing); the next update, if any, is sent then.
   */
  boolean acknowledge(Master.Framework framework, Master.Task task, ByteString uuid) {
    Queue q = task.updates;
    TaskStatus head = q.pending.peekFirst();
    if (head == null || !head.getUuid().equals(uuid)) {
      return false;
    }
    q.pending.pollFirst();
    cancel(q);
    q.attempt = 0;
    if (!q.pending.isEmpty()) {
      deliverHead(framework, task);
    }
    return true;
  }

  /** The framework subscribed again: what it has not acknowledged is sent again now. */
  void resubscribed(Master.Framework framework, Master.Task task) {
    if (!task.updates.pending.isEmpty()) {
      task.updates.attempt = 0;
      deliverHead(framework, task);
    }
  }

  /** The framework is gone: nothing of this task is sent again. */
  void forget(Master.Task task) {
    cancel(task.updates);
    task.updates.pending.clear();
  }

  private static void cancel(Queue q) {
    if (q.retry != null) {
      q.retry.cancel(false);
      q.retry = null;
    }
  }

  private void deliverHead(Master.Framework framework, Master.Task task) {
    Queue q = task.updates;
    TaskStatus head = q.pending.peekFirst();
    if (head == null) {
      return;
    }
    sender.send(framework, head);
    long delay = initial.toMillis() << Math.min(q.attempt, 20);
    delay = Math.min(delay, max.toMillis());
    cancel(q);
    q.retry = later.run(() -> retry(framework.id, task, head), delay);
  }

  private void retry(String frameworkId, Master.Task task, TaskStatus head) {
    Master.Framework framework = frameworks.apply(frameworkId);
    if (framework == null || task.updates.pending.peekFirst() != head) {
      return;
    }
    task.updates.attempt++;
    deliverHead(framework, task);
  }
}
