package dev.telos.git;

import dev.telos.manifest.ManifestLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A git repository as the source of desired state: a bare mirror under the data dir, an ls-remote
 * check before each fetch, and {@link Snapshot}s read from commit trees.
 *
 * <p>Failures never lose the last good snapshot: an unreachable remote, a missing branch or path,
 * or history rewritten under the synced commit give {@link PollResult.Failed}; an invalid commit
 * gives {@link PollResult.Invalid}. The source files of each directory the last read used are kept,
 * parsed, with the tree they came from: the next commit is read by a tree diff against it, which
 * skips every unchanged subtree, so a commit that changes one file reads and parses one file.
 * Thread-safe (calls are serialised).
 */
public final class GitSource implements ManifestSource {
  private static final Logger log = LoggerFactory.getLogger(GitSource.class);

  /**
   * Where and what to read.
   *
   * @param url a local path, {@code file://}, {@code https://}, {@code ssh://} or scp-like URL
   * @param ref a branch, a tag, a full ref name, or a commit SHA
   * @param path the sub-directory holding the manifests ("" for the whole repository)
   * @param allowRewrittenHistory follow a branch even when the synced commit is no longer in its
   *     history (force-push); off by default, so the audit trail cannot be rewritten silently
   */
  public record Config(
      String url,
      String ref,
      String path,
      GitCredentials credentials,
      Path dataDir,
      boolean allowRewrittenHistory,
      Duration timeout) {
    /** A repository needing no credentials, history rewrites refused, a 30 s timeout. */
    public Config(String url, String ref, String path, Path dataDir) {
      this(url, ref, path, null, dataDir, false, Duration.ofSeconds(30));
    }

    public Config {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(ref, "ref");
      path = path == null ? "" : path.replaceAll("^/+|/+$", "");
      credentials = credentials == null ? new GitCredentials.None() : credentials;
      Objects.requireNonNull(dataDir, "dataDir");
      timeout = timeout == null ? Duration.ofSeconds(60) : timeout;
      if (ref.isBlank()) {
        throw new IllegalArgumentException("git ref must not be blank");
      }
    }

    @Override
    public String toString() {
      return "GitSource.Config{url="
          + Redaction.url(url)
          + ", ref="
          + ref
          + ", path="
          + path
          + ", credentials="
          + credentials
          + "}";
    }
  }

  /** A directory's source files at one tree, by path, as one read found them. */
  private record DirFiles(
      ObjectId tree, java.util.TreeMap<String, dev.telos.render.Assembler.TreeFile> files) {}

  private final Config config;
  private final ManifestLoader loader;
  private final Repository repo;
  private final Transport transport;
  private final AtomicLong parsedFiles = new AtomicLong();
  private Map<String, DirFiles> lastDirs = new HashMap<>();
  private SignatureVerifier verifier;
  private Snapshot lastGood;
  private PollResult lastResult;
  private ObjectId lastExamined;

  public GitSource(Config config, ManifestLoader loader) throws IOException {
    this.config = config;
    this.loader = loader;
    this.transport = new Transport(config.credentials(), config.timeout());
    Path mirror = config.dataDir().resolve("git").resolve(mirrorName(config.url()));
    Files.createDirectories(mirror);
    this.repo = new FileRepositoryBuilder().setGitDir(mirror.toFile()).setBare().build();
    if (!repo.getObjectDatabase().exists()) {
      repo.create(true);
    }
    // JGit's fetch would start a gc in the background after a fetch (its fetch.autogc), which
    // then keeps the packs it replaced for an hour: the mirror is repacked here instead, in
    // step with the polls (see compact), and replaced packs go at once (the mirror is ours alone).
    org.eclipse.jgit.lib.StoredConfig mirrorConfig = repo.getConfig();
    if (mirrorConfig.getBoolean("fetch", null, "autogc", true)
        || !"now".equals(mirrorConfig.getString("gc", null, "prunePackExpire"))) {
      mirrorConfig.setBoolean("fetch", null, "autogc", false);
      mirrorConfig.setString("gc", null, "prunePackExpire", "now");
      mirrorConfig.save();
    }
    this.charts =
        new ChartRepos(
            config.dataDir().resolve("charts"),
            transport,
            config.credentials(),
            loader.maxFileBytes(),
            () -> verifier);
  }

  private final ChartRepos charts;

  private static String mirrorName(String url) {
    return ChartRepos.name(url);
  }

  /**
   * Refuses commits not signed by a key of the verifier's keyring ({@code --verify-signatures}).
   * Set before the first poll.
   */
  private dev.telos.secrets.SecretResolver secrets =
      new dev.telos.secrets.SecretResolver(null, dev.telos.manifest.YamlLimits.DEFAULT);

  /**
   * Decrypts the SOPS files that manifests' {@code spec.secrets} name with {@code keys}; without
   * them, a commit with secrets is rejected.
   */
  public synchronized void decryptSecretsWith(dev.telos.secrets.AgeKeys keys) {
    this.secrets =
        new dev.telos.secrets.SecretResolver(keys, dev.telos.manifest.YamlLimits.DEFAULT);
  }

  public synchronized void verifySignatures(SignatureVerifier signatures) {
    this.verifier = signatures;
  }

  /** How many files were parsed so far (cache misses), for tests and metrics. */
  public long parsedFiles() {
    return parsedFiles.get();
  }

  /** The last valid snapshot, if any. */
  public synchronized java.util.Optional<Snapshot> lastGood() {
    return java.util.Optional.ofNullable(lastGood);
  }

  /** What this source reads. */
  public Config config() {
    return config;
  }

  /** The repository URL without credentials. */
  @Override
  public String displayUrl() {
    return Redaction.url(config.url());
  }

  /**
   * Checks the remote and reads the configured ref's commit when it moved. Never throws for remote
   * or content problems: they come back as {@link PollResult.Failed} or {@link PollResult.Invalid}.
   */
  @Override
  public synchronized PollResult poll() {
    try {
      ObjectId target;
      if (isSha(config.ref())) {
        target = null;
        if (!hasCommit(ObjectId.fromString(config.ref()))) {
          fetch();
        }
      } else {
        // One round trip: the fetch's own ref advertisement names the target (a fetch with
        // nothing new costs what an ls-remote would), instead of an ls-remote, then a fetch.
        target = advertised(fetch(), config.ref());
        if (target == null) {
          throw new SourceException(
              "'"
                  + config.ref()
                  + "' is neither a branch nor a tag of "
                  + displayUrl()
                  + "; nothing changes until it exists");
        }
      }
      if (target != null && target.equals(lastExamined) && lastResult != null) {
        return lastResult instanceof PollResult.Updated u
            ? new PollResult.Unchanged(u.snapshot())
            : lastResult;
      }
      RevCommit commit = resolveLocal(config.ref(), target);
      if (lastGood != null
          && !config.allowRewrittenHistory()
          && !isSha(config.ref())
          && !commit.getName().equals(lastGood.commit().sha())
          && !isAncestor(lastGood.commit().sha(), commit)) {
        return new PollResult.Failed(
            "the history of '"
                + config.ref()
                + "' was rewritten: the"
                + " synced commit "
                + lastGood.commit().shortSha()
                + " is not an ancestor of "
                + commit.getName().substring(0, 12)
                + ". Telos keeps the synced state; push a commit"
                + " on top of "
                + lastGood.commit().shortSha()
                + ", or restart with"
                + " --allow-rewritten-history to follow it.");
      }
      PollResult result = read(commit);
      lastExamined = commit.getId().copy();
      lastResult = result;
      if (result instanceof PollResult.Updated u) {
        lastGood = u.snapshot();
      }
      return result;
    } catch (SourceException e) {
      return new PollResult.Failed(e.getMessage());
    } catch (GitAPIException | IOException | RuntimeException e) {
      String message = Redaction.text(describe(e), config.credentials());
      log.warn("git poll failed url={} ref={} error=\"{}\"", displayUrl(), config.ref(), message);
      return new PollResult.Failed(
          "cannot read " + displayUrl() + " (" + config.ref() + "): " + message);
    }
  }

  /**
   * Restores the last good snapshot a previous run synced, from the local mirror only (no network):
   * after a restart while the newest commit is invalid or the repository unreachable, that is what
   * Telos keeps managing, and the first poll's force-push check compares against it. Call before
   * the first {@link #poll}.
   *
   * @return the snapshot, or empty when the mirror lacks the commit or it is no longer valid (then
   *     the first good poll decides, as on a first start)
   */
  @Override
  public synchronized java.util.Optional<Snapshot> restore(String sha) {
    try {
      ObjectId id = ObjectId.fromString(sha);
      if (!hasCommit(id)) {
        log.warn("last synced commit not in the local mirror; not restored revision={}", sha);
        return java.util.Optional.empty();
      }
      RevCommit commit;
      try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(repo)) {
        commit = walk.parseCommit(id);
      }
      PollResult result = read(commit);
      if (!(result instanceof PollResult.Updated u)) {
        log.warn("last synced commit no longer reads as valid; not restored revision={}", sha);
        return java.util.Optional.empty();
      }
      lastGood = u.snapshot();
      lastExamined = commit.getId().copy();
      lastResult = result;
      return java.util.Optional.of(lastGood);
    } catch (IOException | RuntimeException e) {
      log.warn("cannot restore the last synced commit revision={} error=\"{}\"", sha, describe(e));
      return java.util.Optional.empty();
    }
  }

  /**
   * Reads the snapshot at any revision without changing what {@link #poll} tracks: a branch or a
   * tag of the remote, a full or abbreviated SHA, {@code HEAD} (the tip of the ref Telos tracks),
   * or any of them with {@code ~N}, {@code ^N} as {@code git rev-parse} takes them (branches and
   * tags are the remote's). Fetches when the revision is not known yet. For {@code telos plan}.
   */
  public synchronized PollResult readRevision(String revision) {
    try {
      ObjectId target = isSha(revision) ? null : findRemote(revision);
      if (target == null && !isSha(revision)) {
        fetch();
        return read(resolveExpression(revision));
      }
      if (target == null || !hasCommit(target)) {
        fetch();
      }
      return read(resolveLocal(revision, target));
    } catch (SourceException e) {
      return new PollResult.Failed(e.getMessage());
    } catch (GitAPIException | IOException | RuntimeException e) {
      return new PollResult.Failed(
          "cannot read "
              + displayUrl()
              + " ("
              + revision
              + "): "
              + Redaction.text(describe(e), config.credentials()));
    }
  }

  static String describe(Throwable e) {
    StringBuilder s =
        new StringBuilder(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    Throwable cause = e.getCause();
    if (cause != null && cause.getMessage() != null && !s.toString().contains(cause.getMessage())) {
      s.append(": ").append(cause.getMessage());
    }
    return s.toString();
  }

  /** The commit a branch or tag of the remote points at, or null when it has none so named. */
  private ObjectId findRemote(String ref) throws GitAPIException {
    Collection<Ref> refs =
        transport
            .apply(Git.lsRemoteRepository().setRemote(config.url()).setHeads(true).setTags(true))
            .call();
    Map<String, Ref> byName = new HashMap<>();
    refs.forEach(r -> byName.put(r.getName(), r));
    return pick(byName::get, ref);
  }

  /**
   * The commit a branch or tag named {@code ref} points at among advertised refs ({@code lookup} by
   * full name), a tag peeled to its commit; null when there is none.
   */
  private static ObjectId pick(java.util.function.Function<String, Ref> lookup, String ref) {
    for (String name : candidates(ref)) {
      Ref r = lookup.apply(name);
      if (r != null) {
        Ref peeled = lookup.apply(name + "^{}");
        if (peeled != null) {
          return peeled.getObjectId();
        }
        return r.getPeeledObjectId() != null ? r.getPeeledObjectId() : r.getObjectId();
      }
    }
    return null;
  }

  /**
   * A revision expression resolved in the local clone after a fetch: its base ({@code HEAD}, a
   * branch or tag of the remote, or an abbreviated SHA) then {@code ~N}/{@code ^N} as git does.
   */
  private RevCommit resolveExpression(String expression) throws IOException {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("([^~^:@\\s]+)([~^0-9]*)").matcher(expression);
    if (!m.matches()) {
      throw new SourceException(
          "'" + expression + "' is not a revision (a branch, tag, SHA or HEAD, with ~N or ^N)");
    }
    String base = m.group(1);
    String full = base.equals("HEAD") ? localRef(config.ref()) : localRef(base);
    if (full == null && base.equals("HEAD")) {
      full = remoteHead(); // telos plan: the ref tracked is the expression itself
    }
    if (full == null && base.matches("[0-9a-f]{4,39}")) {
      full = base;
    }
    if (full == null) {
      throw new SourceException(
          "'" + expression + "': no branch, tag or commit '" + base + "' in " + displayUrl());
    }
    ObjectId id;
    try {
      id = repo.resolve(full + m.group(2) + "^{commit}");
    } catch (org.eclipse.jgit.errors.AmbiguousObjectException e) {
      throw new SourceException(
          "'" + expression + "' is ambiguous in " + displayUrl() + ": give more of the SHA");
    } catch (org.eclipse.jgit.errors.RevisionSyntaxException e) {
      throw new SourceException("'" + expression + "' is not a revision");
    }
    if (id == null) {
      throw new SourceException("'" + expression + "' names no commit of " + displayUrl());
    }
    try (RevWalk walk = new RevWalk(repo)) {
      return walk.parseCommit(id);
    }
  }

  /** {@code name} as the local clone knows it: a full SHA, a fetched branch or a tag; or null. */
  private String localRef(String name) throws IOException {
    if (isSha(name)) {
      return name;
    }
    for (String full : List.of(Constants.R_REMOTES + "origin/" + name, Constants.R_TAGS + name)) {
      if (repo.exactRef(full) != null) {
        return full;
      }
    }
    return null;
  }

  /** The SHA the remote's HEAD points at, or null when it has none. */
  private String remoteHead() {
    try {
      Ref head =
          transport.apply(Git.lsRemoteRepository().setRemote(config.url())).callAsMap().get("HEAD");
      return head == null ? null : head.getObjectId().getName();
    } catch (GitAPIException e) {
      throw new SourceException(
          "cannot list the refs of "
              + displayUrl()
              + ": "
              + Redaction.text(describe(e), config.credentials()));
    }
  }

  private static List<String> candidates(String ref) {
    if (ref.startsWith("refs/")) {
      return List.of(ref);
    }
    return List.of(Constants.R_HEADS + ref, Constants.R_TAGS + ref);
  }

  private static boolean isSha(String ref) {
    return ref.matches("[0-9a-f]{40}");
  }

  private boolean hasCommit(ObjectId id) throws IOException {
    return repo.getObjectDatabase().has(id);
  }

  private FetchResult fetch() throws GitAPIException {
    long started = System.nanoTime();
    FetchResult result;
    try (Git git = new Git(repo)) {
      result =
          transport
              .apply(
                  git.fetch()
                      .setRemote(config.url())
                      .setRefSpecs(
                          new RefSpec("+refs/heads/*:refs/remotes/origin/*"),
                          new RefSpec("+refs/tags/*:refs/tags/*"))
                      .setRemoveDeletedRefs(true))
              .call();
    }
    if (!result.getTrackingRefUpdates().isEmpty()) {
      log.info(
          "git fetch done url={} ms={} updated_refs={}",
          displayUrl(),
          (System.nanoTime() - started) / 1_000_000,
          result.getTrackingRefUpdates().size());
    }
    int packs = packs();
    if (packs > (result.getTrackingRefUpdates().isEmpty() ? PACK_LIMIT : 4 * PACK_LIMIT)) {
      compact(packs);
    }
    return result;
  }

  /**
   * Each fetch that brings objects adds a pack to the mirror, and every object lookup searches
   * every pack: beyond {@value #PACK_LIMIT} of them, the mirror is repacked into one, on a poll
   * that brought nothing new (off a commit's way), or beyond four times as many when commits never
   * stop; so a long-running Telos reads commits as fast on its thousandth fetch as on its first.
   */
  private void compact(int packs) {
    long started = System.nanoTime();
    try (Git git = new Git(repo)) {
      git.gc().call();
      log.info(
          "git mirror repacked url={} packs_before={} packs={} ms={}",
          displayUrl(),
          packs,
          packs(),
          (System.nanoTime() - started) / 1_000_000);
    } catch (GitAPIException | RuntimeException e) {
      // Only slower reads follow: the next fetch tries again.
      log.warn("git mirror repack failed url={} error=\"{}\"", displayUrl(), describe(e));
    }
  }

  /** How many packs the mirror holds. */
  private int packs() {
    try (var files = Files.list(repo.getDirectory().toPath().resolve("objects").resolve("pack"))) {
      return (int) files.filter(f -> f.getFileName().toString().endsWith(".pack")).count();
    } catch (IOException e) {
      return 0;
    }
  }

  static final int PACK_LIMIT = 16;

  /** The commit a branch or tag named {@code ref} points at in a fetch's ref advertisement. */
  private static ObjectId advertised(FetchResult fetched, String ref) {
    return pick(fetched::getAdvertisedRef, ref);
  }

  private RevCommit resolveLocal(String ref, ObjectId target) throws IOException {
    ObjectId id = target;
    if (id == null) {
      id = isSha(ref) ? ObjectId.fromString(ref) : null;
      if (id == null || !hasCommit(id)) {
        throw new SourceException("commit " + ref + " is not in " + displayUrl());
      }
    }
    try (RevWalk walk = new RevWalk(repo)) {
      return walk.parseCommit(id);
    } catch (org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
      throw new SourceException("'" + ref + "' does not point at a commit");
    }
  }

  private boolean isAncestor(String ancestorSha, RevCommit commit) throws IOException {
    ObjectId ancestor = ObjectId.fromString(ancestorSha);
    if (!hasCommit(ancestor)) {
      return false;
    }
    try (RevWalk walk = new RevWalk(repo)) {
      return walk.isMergedInto(walk.parseCommit(ancestor), walk.parseCommit(commit));
    }
  }

  private PollResult read(RevCommit commit) throws IOException {
    CommitInfo info =
        new CommitInfo(
            commit.getName(),
            commit.getAuthorIdent().getName()
                + " <"
                + commit.getAuthorIdent().getEmailAddress()
                + ">",
            commit.getCommitterIdent().getWhenAsInstant(),
            commit.getFullMessage().strip());
    if (verifier != null) {
      java.util.Optional<String> problem = verifier.check(commit);
      if (problem.isPresent()) {
        log.warn(
            "commit rejected: signature revision={} reason=\"{}\"", info.shortSha(), problem.get());
        return new PollResult.Invalid(
            info,
            List.of(
                new dev.telos.manifest.ManifestError(
                    new dev.telos.manifest.Location("commit " + info.shortSha(), 1, 1),
                    problem.get())));
      }
    }
    String root = config.path();
    if (!root.isEmpty()) {
      try (TreeWalk probe = TreeWalk.forPath(repo, root, commit.getTree())) {
        if (probe == null || !probe.isSubtree()) {
          throw new SourceException(
              "path '"
                  + root
                  + "' is not a directory at commit "
                  + info.shortSha()
                  + " of "
                  + displayUrl()
                  + "; nothing changes until it exists");
        }
      }
    }
    CommitFiles tree = new CommitFiles(commit);
    ManifestLoader.LoadResult load = assembler.assemble(tree, root);
    // Keep what this commit uses; a commit back and forth re-parses at most its own changes.
    lastDirs = tree.next;
    lastLoad = load;
    lastRendered = Map.of();
    Map<String, Map<String, Object>> values = Map.of();
    if (!load.releases().isEmpty()) {
      // Charts and values files are read from the same commit, anywhere in the repository.
      dev.telos.render.Releases.Result rendered;
      try {
        rendered = releases.render(load.releases(), tree, charts);
      } catch (dev.telos.render.ChartRepositories.Unavailable e) {
        // An outage, not an invalid commit: nothing changes and the next poll tries again.
        throw new SourceException(e.getMessage() + "; nothing changes until it can be read");
      }
      lastRendered = rendered.rendered();
      values = rendered.values();
      load = ManifestLoader.withRendered(load, rendered.apps(), rendered.errors());
    }
    if (dev.telos.secrets.SecretResolver.needed(load.apps())) {
      dev.telos.secrets.SecretResolver.Result r = secrets.resolve(load.apps(), tree::file);
      List<dev.telos.manifest.ManifestError> errors = new java.util.ArrayList<>(load.errors());
      errors.addAll(r.errors());
      load = new ManifestLoader.LoadResult(r.apps(), errors, load.releases(), load.documents());
    }
    if (!load.valid()) {
      log.warn(
          "commit rejected: invalid manifests revision={} errors={}",
          info.shortSha(),
          load.errors().size());
      return new PollResult.Invalid(info, load.errors());
    }
    return new PollResult.Updated(new Snapshot(info, load.apps(), values));
  }

  private Map<String, Map<String, String>> lastRendered = Map.of();
  private ManifestLoader.LoadResult lastLoad = new ManifestLoader.LoadResult(List.of(), List.of());

  /**
   * The documents of the commit read last as syncing applies them (overlays applied, releases not
   * rendered), for {@code telos render}.
   */
  public synchronized List<dev.telos.manifest.Document> documents() {
    return lastLoad.documents();
  }

  /**
   * What the releases of the commit read last rendered: by release key, each template's text (for
   * {@code telos render}).
   */
  public synchronized Map<String, Map<String, String>> rendered() {
    return lastRendered;
  }

  private final dev.telos.render.Releases releases =
      new dev.telos.render.Releases(new ManifestLoader(), dev.telos.manifest.YamlLimits.DEFAULT);

  private final dev.telos.render.Assembler assembler =
      new dev.telos.render.Assembler(dev.telos.manifest.YamlLimits.DEFAULT);

  /** The files of one commit: its manifests (parsed through the cache), charts, values files. */
  private final class CommitFiles extends CommitTree implements dev.telos.render.Assembler.Tree {
    private final RevCommit commit;
    final Map<String, DirFiles> next = new HashMap<>();

    @Override
    public List<dev.telos.render.Assembler.TreeFile> files(String dir) throws IOException {
      DirFiles files = next.get(dir);
      if (files == null) {
        files = dirFiles(dir);
        if (files == null) {
          return new ArrayList<>();
        }
        next.put(dir, files);
      }
      return new ArrayList<>(files.files().values());
    }

    /** {@code dir}'s source files, from the last read's by a tree diff when it had them. */
    private DirFiles dirFiles(String dir) throws IOException {
      try (ObjectReader reader = repo.newObjectReader()) {
        ObjectId tree = commit.getTree();
        if (!dir.isEmpty()) {
          try (TreeWalk probe = TreeWalk.forPath(reader, dir, tree)) {
            if (probe == null || !probe.isSubtree()) {
              return null;
            }
            tree = probe.getObjectId(0);
          }
        }
        DirFiles known = lastDirs.get(dir);
        if (known != null && known.tree().equals(tree)) {
          return known;
        }
        var files =
            known == null
                ? new java.util.TreeMap<String, dev.telos.render.Assembler.TreeFile>()
                : new java.util.TreeMap<>(known.files());
        try (TreeWalk walk = new TreeWalk(repo, reader)) {
          if (known != null) {
            walk.addTree(known.tree());
            walk.setFilter(org.eclipse.jgit.treewalk.filter.TreeFilter.ANY_DIFF);
          }
          int at = walk.addTree(tree);
          walk.setRecursive(true);
          while (walk.next()) {
            String relative = walk.getPathString();
            String path = dir.isEmpty() ? relative : dir + "/" + relative;
            FileMode mode = walk.getFileMode(at);
            if (!ManifestLoader.isSourceFile(relative)
                || (mode != FileMode.REGULAR_FILE && mode != FileMode.EXECUTABLE_FILE)) {
              files.remove(path); // deleted, or no longer a regular file
              continue;
            }
            ObjectId blob = walk.getObjectId(at);
            long size = reader.getObjectSize(blob, Constants.OBJ_BLOB);
            ManifestLoader.FileResult result =
                size > loader.maxFileBytes()
                    ? loader.oversized(path, size)
                    : loader.parseFile(path, reader.open(blob, Constants.OBJ_BLOB).getBytes());
            parsedFiles.incrementAndGet();
            files.put(path, new dev.telos.render.Assembler.TreeFile(path, result));
          }
        }
        return new DirFiles(tree.copy(), files);
      }
    }

    @Override
    public byte[] read(String path) throws IOException {
      return file(path);
    }

    CommitFiles(RevCommit commit) {
      super(repo, commit, loader.maxFileBytes());
      this.commit = commit;
    }
  }

  @Override
  public void close() {
    charts.close();
    repo.close();
  }

  /** A problem with the source itself, already phrased for the operator. */
  private static final class SourceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SourceException(String message) {
      super(message);
    }
  }
}
