package dev.telos.git;

import dev.telos.render.ChartRepositories;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The repositories charts come from: one bare mirror each under {@code DATA_DIR/charts/}, read with
 * the source's credentials and timeout. A chart is pinned by a tag or a full commit SHA, so a
 * commit held once is never fetched again: a restart or an outage of the chart's repository does
 * not stop a source that renders charts it already has. A tag is read as the mirror holds it (tags
 * are treated as immutable, as chart versions are); a branch is refused. When the source verifies
 * signatures, the chart's commit must be signed by a key of the same keyring. Not thread-safe: one
 * source's poll uses it at a time.
 */
public final class ChartRepos implements ChartRepositories, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChartRepos.class);

  private final Path dir;
  private final Transport transport;
  private final GitCredentials credentials;
  private final long maxFileBytes;
  private final Supplier<SignatureVerifier> verifier;
  private final Map<String, Repository> repos = new HashMap<>();

  ChartRepos(
      Path dir,
      Transport transport,
      GitCredentials credentials,
      long maxFileBytes,
      Supplier<SignatureVerifier> verifier) {
    this.dir = dir;
    this.transport = transport;
    this.credentials = credentials;
    this.maxFileBytes = maxFileBytes;
    this.verifier = verifier;
  }

  /** Public repositories only (no credentials, no signature check), for {@code telos validate}. */
  public ChartRepos(Path dir, long maxFileBytes) {
    this(
        dir,
        new Transport(new GitCredentials.None(), java.time.Duration.ofSeconds(60)),
        new GitCredentials.None(),
        maxFileBytes,
        () -> null);
  }

  @Override
  public Fetched open(String url, String ref) throws IOException {
    Repository repo = mirror(url);
    ObjectId id = resolve(repo, ref);
    if (id == null) {
      fetch(repo, url, ref);
      id = resolve(repo, ref);
    }
    if (id == null) {
      throw new IOException(
          "'"
              + ref
              + "' is no tag or commit of "
              + Redaction.url(url)
              + " (a chart is pinned by a tag or a full commit SHA; branches are refused)");
    }
    RevCommit commit;
    try (RevWalk walk = new RevWalk(repo)) {
      commit = walk.parseCommit(id);
    } catch (org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
      throw new IOException("'" + ref + "' of " + Redaction.url(url) + " is not a commit");
    }
    SignatureVerifier signatures = verifier.get();
    if (signatures != null) {
      java.util.Optional<String> problem = signatures.check(commit);
      if (problem.isPresent()) {
        throw new IOException(
            "chart commit " + commit.getName().substring(0, 12) + ": " + problem.get());
      }
    }
    return new Fetched(commit.getName(), new CommitTree(repo, commit, maxFileBytes));
  }

  private static boolean isSha(String ref) {
    return ref.matches("[0-9a-f]{40}");
  }

  private static ObjectId resolve(Repository repo, String ref) throws IOException {
    if (isSha(ref)) {
      ObjectId id = ObjectId.fromString(ref);
      return repo.getObjectDatabase().has(id) ? id : null;
    }
    Ref tag = repo.exactRef(Constants.R_TAGS + ref);
    if (tag == null) {
      return null;
    }
    Ref peeled = repo.getRefDatabase().peel(tag);
    return peeled.getPeeledObjectId() != null ? peeled.getPeeledObjectId() : tag.getObjectId();
  }

  private void fetch(Repository repo, String url, String ref) {
    long started = System.nanoTime();
    List<RefSpec> specs =
        isSha(ref)
            ? List.of(
                new RefSpec("+refs/heads/*:refs/remotes/origin/*"),
                new RefSpec("+refs/tags/*:refs/tags/*"))
            : List.of(new RefSpec("+refs/tags/*:refs/tags/*"));
    try (Git git = new Git(repo)) {
      transport.apply(git.fetch().setRemote(url).setRefSpecs(specs)).call();
    } catch (GitAPIException | RuntimeException e) {
      throw new Unavailable(
          "cannot fetch chart repository "
              + Redaction.url(url)
              + ": "
              + Redaction.text(GitSource.describe(e), credentials));
    }
    log.info(
        "chart repository fetched url={} ref={} ms={}",
        Redaction.url(url),
        ref,
        (System.nanoTime() - started) / 1_000_000);
  }

  private Repository mirror(String url) throws IOException {
    Repository repo = repos.get(url);
    if (repo == null) {
      Path mirror = dir.resolve(name(url));
      Files.createDirectories(mirror);
      repo = new FileRepositoryBuilder().setGitDir(mirror.toFile()).setBare().build();
      if (!repo.getObjectDatabase().exists()) {
        repo.create(true);
      }
      repos.put(url, repo);
    }
    return repo;
  }

  static String name(String url) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h).substring(0, 16) + ".git";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    repos.values().forEach(Repository::close);
    repos.clear();
  }
}
