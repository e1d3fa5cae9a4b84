package dev.telos.manifest;

import java.util.Objects;

/**
 * One URI Mesos's fetcher puts in the sandbox of a command-executor task before it starts ({@code
 * CommandInfo.URI}).
 *
 * @param uri an {@code http(s)://}, {@code file://} or local path of the agent
 * @param extract (default: true unless executable) unpack an archive ({@code .tar}, {@code
 *     .tar.gz}, {@code .tgz}, {@code .tar.bz2}, {@code .tar.xz}, {@code .zip}) into the sandbox
 * @param executable mark the fetched file executable (then it is not extracted)
 * @param cache keep it in the agent's fetcher cache and reuse it
 * @param outputFile the file name in the sandbox, or null for the URI's last segment
 */
public record FetchSpec(
    String uri, boolean extract, boolean executable, boolean cache, String outputFile) {
  public FetchSpec {
    Objects.requireNonNull(uri, "uri");
  }
}
