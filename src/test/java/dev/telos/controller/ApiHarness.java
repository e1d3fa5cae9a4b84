package dev.telos.controller;

import java.nio.file.Path;

/** {@link Harness} for tests outside this package (the API's). */
public final class ApiHarness implements AutoCloseable {
  private final Harness h;

  public ApiHarness(Path dir) throws Exception {
    this.h = new Harness(dir, 1);
  }

  public String commit(String file, String yaml, String message) throws Exception {
    return h.commit(file, yaml, message);
  }

  public void start() throws Exception {
    h.start();
  }

  public String startApi(String token, String secret) throws Exception {
    return h.startApi(token, secret);
  }

  public void awaitSynced(String revision) {
    h.awaitSynced(revision);
  }

  public StatusView view() {
    return h.view();
  }

  @Override
  public void close() {
    h.close();
  }
}
