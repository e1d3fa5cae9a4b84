package dev.telos.local;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;
import org.apache.mesos.v1.scheduler.Protos.Call;

/**
 * Faults injected into the next calls of one type to the scheduler endpoint (fault injection for
 * tests and {@code telos bench faults}). Thread-safe.
 */
final class CallFaults {
  /** What happens to a call a fault is armed for. */
  enum Mode {
    /** Answered 503 before the master looks at it, as while it recovers: no effect. */
    UNAVAILABLE,
    /** Handled, then answered 500: the caller cannot tell that it took effect. */
    ERROR_AFTER_EFFECT,
    /** Answered 202 and dropped, as a call lost in a failover: no effect. */
    LOST
  }

  private final Map<Call.Type, Deque<Mode>> armed = new EnumMap<>(Call.Type.class);

  synchronized void arm(Call.Type type, Mode mode, int times) {
    Deque<Mode> queue = armed.computeIfAbsent(type, t -> new ArrayDeque<>());
    for (int i = 0; i < times; i++) {
      queue.addLast(mode);
    }
  }

  /** The fault for the next call of {@code type}, consumed; null when none is armed. */
  synchronized Mode next(Call.Type type) {
    Deque<Mode> queue = armed.get(type);
    return queue == null ? null : queue.pollFirst();
  }

  synchronized void clear() {
    armed.clear();
  }
}
