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

  /** Starts the API with these options (any port, any security); returns it. */
  public dev.telos.api.ApiServer startApi(dev.telos.api.ApiServer.Options options)
      throws Exception {
    return h.startApi(options);
  }

  /**
   * Serves {@code GET /api/v1/plan} as {@code telos run --repo} does: {@code telos plan} of the
   * harness's repository against this API.
   */
  public void servePlans(String base) {
    h.api.plansWith(
        revision ->
            dev.telos.cli.PlanCommand.markdown(
                h.repo.url(), revision, "apps", null, null, h.api::read));
  }

  /** Commits a file on a new branch, then goes back to main; returns the commit. */
  public String commitOnBranch(String branch, String file, String yaml, String message)
      throws Exception {
    h.repo.branch(branch);
    String sha = h.commit(file, yaml, message);
    h.repo.checkout("main");
    return sha;
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
