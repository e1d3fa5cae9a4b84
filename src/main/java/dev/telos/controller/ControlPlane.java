package dev.telos.controller;

import java.util.function.Consumer;

/**
 * What the API and the metrics see of a Telos instance: a {@link Controller} running alone, or,
 * with {@code --ha}, whichever controller this instance runs while it leads.
 */
public interface ControlPlane {
  /** The latest status (a standby's has {@code leader} false and no apps). */
  StatusView view();

  /** Fetches now and reconciles; see {@link Controller#requestSync()}. */
  long requestSync();

  /** Calls {@code watcher} with every new view; never blocks the loop. */
  void watch(Consumer<StatusView> watcher);

  void unwatch(Consumer<StatusView> watcher);

  /** Whether this instance acts on the cluster (always, without HA). */
  /**
   * Approves, once, the prune held back at {@code revision} (the revision that runs, a full or
   * abbreviated SHA). Returns null when approved, else why not.
   */
  default String approvePrune(String revision) {
    return "pruning cannot be approved here";
  }

  /**
   * Suspends the sync of new commits ({@code app} null) or one app ({@code NAMESPACE/NAME}): held
   * across restarts until resumed. Returns null when done, else why not.
   */
  default String suspend(String app) {
    return "this instance does not lead";
  }

  /** Resumes what {@link #suspend} held. Returns null when done, else why not. */
  default String resume(String app) {
    return "this instance does not lead";
  }

  /** The desired app {@code namespace/name} as the last good snapshot has it, or null. */
  default dev.telos.manifest.App desiredApp(String key) {
    return null;
  }

  /** The repository's URL without credentials, with one repository; null with several. */
  default String repository() {
    return null;
  }

  /** Calls to the Mesos master sent and not answered yet, or waiting to be sent. */
  default int mesosCallsPending() {
    return 0;
  }

  /** The leading Mesos master's base URL ({@code http://HOST:PORT}, no credentials), or null. */
  default String masterUrl() {
    return null;
  }

  default boolean leading() {
    return true;
  }

  /**
   * The base URL of the leader's API ({@code http://host:port}) when another instance leads, or
   * null: this instance leads, or no leader is known.
   */
  default String leaderAddress() {
    return null;
  }

  /** Times this instance became leader or stopped being it (0 without HA). */
  default long leaderChanges() {
    return 0;
  }

  /** The ZooKeeper connection state (CONNECTED, SUSPENDED, RECONNECTED, LOST), or null. */
  default String zkConnection() {
    return null;
  }
}
