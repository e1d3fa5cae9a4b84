package dev.telos.mesos;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where the framework ID lives between runs. The client saves the ID the master assigns before it
 * reports SUBSCRIBED to anyone, and subscribes with the saved ID on every later attempt.
 */
public interface FrameworkIdStore {
  /** The saved framework ID, if any. */
  Optional<String> load();

  /**
   * Saves the framework ID durably; returns only once it is safe.
   *
   * @throws java.io.UncheckedIOException when it cannot be saved; the client then drops the stream
   *     rather than run with an ID it could lose
   */
  void save(String frameworkId);

  /** A store that forgets on exit, for tests and one-shot tools. */
  static FrameworkIdStore inMemory() {
    AtomicReference<String> id = new AtomicReference<>();
    return new FrameworkIdStore() {
      @Override
      public Optional<String> load() {
        return Optional.ofNullable(id.get());
      }

      @Override
      public void save(String frameworkId) {
        id.set(frameworkId);
      }
    };
  }
}
