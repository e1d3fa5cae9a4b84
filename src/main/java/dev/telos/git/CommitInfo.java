package dev.telos.git;

import java.time.Instant;
import java.util.Objects;

/** Who committed what, when: the audit facts of one commit. */
public record CommitInfo(String sha, String author, Instant time, String message) {
  public CommitInfo {
    Objects.requireNonNull(sha, "sha");
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(message, "message");
  }

  /** The first line of the message. */
  public String subject() {
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  /** The first 12 characters of the SHA. */
  public String shortSha() {
    return sha.substring(0, Math.min(12, sha.length()));
  }
}
