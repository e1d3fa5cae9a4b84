package dev.telos.cli;

import dev.telos.api.ApiServer;
import dev.telos.api.Metrics;
import dev.telos.controller.ControlPlane;
import dev.telos.controller.Controller;
import dev.telos.controller.ControllerSettings;
import dev.telos.git.GitCredentials;
import dev.telos.git.GitSource;
import dev.telos.manifest.ManifestLoader;
import dev.telos.mesos.ContentType;
import dev.telos.mesos.Credentials;
import dev.telos.mesos.MesosClientConfig;
import dev.telos.reconcile.PlannerSettings;
import dev.telos.store.FileStateStore;
import dev.telos.store.StateStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import picocli.CommandLine.Option;

/** The options {@code telos run} and {@code telos local} share, and the wiring they drive. */
final class ControllerOptions {
  @Option(
      names = "--repo",
      paramLabel = "DIR_OR_URL",
      description =
          "Git repository: a local path, file://, https:// or ssh:// URL (or give --source, once"
              + " per repository).")
  String repo;

  @Option(
      names = "--source",
      paramLabel = "name=N,repo=R[,branch=B][,path=P][,namespace=NS]...",
      description =
          "One of several sources (repeatable, instead of --repo): a repository, branch and path"
              + " whose apps must use the source's namespaces (namespace= repeatable, a name or a"
              + " prefix*; default: the source's name). A source whose commit is invalid or"
              + " which is unreachable keeps its apps as they are while the others sync.")
  java.util.List<String> sourceSpecs = java.util.List.of();

  @Option(
      names = "--branch",
      defaultValue = "main",
      description = "Branch, tag or commit to sync (default: ${DEFAULT-VALUE}).")
  String branch;

  @Option(
      names = "--path",
      defaultValue = "",
      paramLabel = "SUBDIR",
      description = "Directory of the manifests inside the repository (default: the root).")
  String path;

  @Option(
      names = "--http-port",
      defaultValue = "8080",
      description = "Port of the HTTP API (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int httpPort;

  @Option(
      names = "--http-address",
      description =
          "Address the API binds (default: 127.0.0.1). telos run refuses a non-loopback address"
              + " without --tls-cert/--tls-key or --insecure.")
  String httpAddress;

  @Option(
      names = "--poll",
      converter = DurationConverter.class,
      description =
          "How often the repository is checked (default: 5s for telos local, 30s for"
              + " telos run).")
  Duration poll;

  @Option(
      names = "--task-launch-timeout",
      defaultValue = "5m",
      converter = DurationConverter.class,
      description =
          "A launched task not RUNNING within this long is reconciled, killed and replaced"
              + " (default: ${DEFAULT-VALUE}).")
  Duration taskLaunchTimeout;

  @Option(
      names = "--max-prune",
      defaultValue = "50",
      description =
          "Largest share of running apps (percent) one commit may remove"
              + " (default: ${DEFAULT-VALUE}).")
  double maxPrunePercent;

  @Option(
      names = "--allow-mass-prune",
      description = "Prune even when a commit removes more than --max-prune of the apps.")
  boolean allowMassPrune;

  @Option(
      names = "--allow-rewritten-history",
      description = "Follow a branch whose history was rewritten under the synced commit.")
  boolean allowRewrittenHistory;

  @Option(
      names = "--git-token-file",
      description = "HTTPS token for the repository (read from this file only).")
  Path gitTokenFile;

  @Option(
      names = "--git-username",
      description =
          "User name sent with the token (default:" + " x-access-token; GitLab wants oauth2).")
  String gitUsername;

  @Option(names = "--git-ssh-key", description = "Private key for ssh:// repositories.")
  Path gitSshKey;

  @Option(
      names = "--git-known-hosts",
      description = "known_hosts for ssh:// repositories" + " (default: ~/.ssh/known_hosts).")
  Path gitKnownHosts;

  @Option(
      names = "--verify-signatures",
      paramLabel = "KEYRING",
      description =
          "Sync only commits signed by a key of this OpenPGP public keyring (gpg --export"
              + " [--armor]); others are refused like invalid commits.")
  Path verifySignatures;

  @Option(
      names = "--api-token-file",
      description =
          "One admin token: required on write endpoints (POST /api/v1/sync, ...); read from"
              + " this file.")
  Path apiTokenFile;

  @Option(
      names = "--api-tokens-file",
      paramLabel = "FILE",
      description =
          "API tokens with roles, one 'ROLE TOKEN' a line (read: every GET and event stream;"
              + " admin: also sync, suspend, resume, approve). '#' starts a comment.")
  Path apiTokensFile;

  @Option(
      names = "--age-key-file",
      paramLabel = "FILE",
      description =
          "age identities (AGE-SECRET-KEY-1... lines, as age-keygen writes them) that decrypt the"
              + " SOPS files manifests' spec.secrets name.")
  Path ageKeyFile;

  @Option(
      names = "--require-auth",
      description = "Reads need a token too (read or admin); /healthz, /readyz stay open.")
  boolean requireAuth;

  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      description = "Serve the API over HTTPS with this certificate chain (read again on change).")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "PEM",
      description = "The private key of --tls-cert (PKCS #8, BEGIN PRIVATE KEY).")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "PEM",
      description = "Mutual TLS: require client certificates signed by these CAs.")
  Path tlsClientCa;

  @Option(
      names = "--insecure",
      description =
          "telos run: serve plain HTTP on a non-loopback --http-address (say it out loud).")
  boolean insecure;

  @Option(
      names = "--audit-log",
      paramLabel = "FILE",
      description =
          "JSON lines of every write call and every refused call (default: audit.log in the"
              + " data directory).")
  Path auditLog;

  @Option(
      names = "--api-rate-limit",
      defaultValue = "10",
      paramLabel = "PER_SECOND",
      description =
          "Write calls, webhooks, plans and bad tokens allowed per second per client address"
              + " (bursts of twice that; default: ${DEFAULT-VALUE}).")
  double apiRateLimit;

  @Option(
      names = "--http-read-timeout",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "The longest a request's head and body may take to arrive (default:"
              + " ${DEFAULT-VALUE}).")
  Duration httpReadTimeout;

  @Option(
      names = "--http-max-connections",
      defaultValue = "1024",
      description = "API connections held at once (default: ${DEFAULT-VALUE}).")
  int httpMaxConnections;

  @Option(names = "--webhook-secret-file", description = "Verify git webhooks with this secret.")
  Path webhookSecretFile;

  @Option(
      names = "--mesos-credential-file",
      description =
          "Mesos principal and secret ('principal secret'); credentials are read from files"
              + " only, never from flags or the environment.")
  Path mesosCredentialFile;

  @Option(names = "--mesos-ca-bundle", description = "PEM bundle of CAs for an https master.")
  Path mesosCaBundle;

  @Option(
      names = "--mesos-content-type",
      defaultValue = "PROTOBUF",
      description = "PROTOBUF or JSON (default: ${DEFAULT-VALUE}).")
  ContentType mesosContentType;

  @Option(names = "--user", description = "Unix user tasks run as (default: this process's).")
  String user;

  @Option(
      names = "--roles",
      defaultValue = "*",
      split = ",",
      description =
          "Mesos roles to receive offers for (MULTI_ROLE); an app's role must be one"
              + " of them (default: ${DEFAULT-VALUE}).")
  java.util.List<String> roles;

  @Option(
      names = "--executor-uri",
      description =
          "Where agents fetch telos.jar for apps with executor: telos (default: this Telos's own"
              + " API, http://HOST:PORT/executor/telos.jar).")
  String executorUri;

  @Option(
      names = "--executor-java",
      defaultValue = "java",
      description =
          "The java command on the agents that runs the Telos executor (default: ${DEFAULT-VALUE}).")
  String executorJava;

  @Option(
      names = "--notifications",
      paramLabel = "FILE",
      description =
          "Notify webhooks, Slack and Git hosts' commit statuses of syncs, health changes, held"
              + " prunes and invalid commits, as FILE (YAML) says.")
  Path notifications;

  /** The notifier of {@code --notifications}, watching {@code plane}; null without. */
  dev.telos.notify.Notifier notifier(ControlPlane plane) throws IOException {
    if (notifications == null) {
      return null;
    }
    dev.telos.notify.Notifier n =
        sourceSpecs.isEmpty()
            ? dev.telos.notify.Notifier.load(notifications, repositoryUrl(repo))
            : dev.telos.notify.Notifier.load(notifications, null, false);
    plane.watch(n::observe);
    return n;
  }

  /** Set by {@code telos run} for masters found through ZooKeeper. */
  java.util.function.Supplier<java.util.Optional<String>> leaderDetector;

  /**
   * A running instance with its API; close it to stop both.
   *
   * @param plane the controller, or with {@code --ha} the instance that runs one while it leads
   * @param resources what the instance holds besides (its store, its data dir lock)
   */
  record Running(ControlPlane plane, ApiServer api, AutoCloseable resources, AutoCloseable notifier)
      implements AutoCloseable {
    @Override
    public void close() {
      api.close();
      try {
        if (notifier != null) {
          notifier.close();
        }
        if (plane instanceof AutoCloseable c) {
          c.close();
        }
        resources.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing failed: " + e.getMessage(), e);
      }
    }
  }

  Running start(String masterUrl, Path dataDir, String defaultBind, Duration defaultPoll)
      throws IOException {
    // Locked first: a second process on this data dir must not even fetch into it.
    FileStateStore store = FileStateStore.open(dataDir);
    try {
      return start(masterUrl, dataDir, defaultBind, defaultPoll, store);
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** Starts with a store the caller opened (and locked) already; the result closes it. */
  Running start(
      String masterUrl,
      Path dataDir,
      String defaultBind,
      Duration defaultPoll,
      FileStateStore store)
      throws IOException {
    Controller controller = controller(masterUrl, dataDir, defaultPoll, store);
    Metrics metrics = new Metrics(controller);
    controller.events(metrics);
    dev.telos.notify.Notifier notifier = notifier(controller);
    controller.start();
    ApiServer api = api(controller, metrics, defaultBind, dataDir);
    controller.useExecutor(executorLaunch(api, defaultBind));
    return new Running(controller, api, store, notifier);
  }

  /**
   * Starts one instance of several ({@code telos run --ha}): the API at once, the controller only
   * while this instance leads. {@code dataDir} (locked) keeps only this instance's git clone.
   */
  Running startHa(
      String masterUrl,
      Path dataDir,
      String defaultBind,
      Duration defaultPoll,
      dev.telos.ha.HaNode.Options ha,
      String haId)
      throws Exception {
    dev.telos.store.DataDirLock lock =
        dev.telos.store.DataDirLock.acquire(Files.createDirectories(dataDir));
    dev.telos.ha.HaNode node = null;
    ApiServer api = null;
    try {
      java.util.concurrent.atomic.AtomicReference<Metrics> metrics =
          new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.atomic.AtomicReference<ApiServer> server =
          new java.util.concurrent.atomic.AtomicReference<>();
      node =
          new dev.telos.ha.HaNode(
              ha,
              store -> {
                Controller c = controller(masterUrl, dataDir, defaultPoll, store);
                c.events(metrics.get());
                c.start();
                c.useExecutor(executorLaunch(server.get(), defaultBind));
                return c;
              });
      metrics.set(new Metrics(node));
      dev.telos.notify.Notifier notifier = notifier(node);
      api = api(node, metrics.get(), defaultBind, dataDir);
      node.useScheme(api.secure() ? "https" : "http");
      server.set(api);
      node.start(haId != null ? haId : defaultHaId(api.port(), defaultBind));
      return new Running(node, api, lock, notifier);
    } catch (Exception | Error e) {
      if (api != null) {
        api.close();
      }
      if (node != null) {
        node.close();
      }
      lock.close();
      throw e;
    }
  }

  /**
   * This instance's API as others reach it, {@code host:port}: the bound address or the host name.
   */
  String defaultHaId(int port, String defaultBind) {
    String uri = selfUri(false, port, httpAddress, defaultBind);
    return java.net.URI.create(uri).getAuthority();
  }

  /** The controller over {@code store}, not started. */
  Controller controller(String masterUrl, Path dataDir, Duration defaultPoll, StateStore store)
      throws IOException {
    Duration poll = this.poll != null ? this.poll : defaultPoll;
    GitCredentials credentials =
        gitSshKey != null
            ? new GitCredentials.SshKey(gitSshKey, gitKnownHosts)
            : GitCredentials.token(gitUsername, gitTokenFile);
    java.util.List<SourceSpec> specs = sources();
    dev.telos.git.ManifestSource source;
    if (specs.isEmpty()) {
      source = gitSource(repositoryUrl(repo), branch, path, credentials, dataDir);
    } else {
      java.util.List<dev.telos.git.SourceSet.Member> members = new java.util.ArrayList<>();
      for (SourceSpec spec : specs) {
        // Each source its own mirror directory: two may read one URL at different branches.
        members.add(
            new dev.telos.git.SourceSet.Member(
                spec.name(),
                gitSource(
                    repositoryUrl(spec.repo()),
                    spec.branch(),
                    spec.path(),
                    credentials,
                    dataDir.resolve("sources").resolve(spec.name())),
                spec.namespaces()));
      }
      source = new dev.telos.git.SourceSet(members);
    }
    PlannerSettings planner =
        new PlannerSettings(
            maxPrunePercent / 100d,
            allowMassPrune,
            PlannerSettings.DEFAULT.unreachableTimeout(),
            PlannerSettings.DEFAULT.restart(),
            PlannerSettings.DEFAULT.killRetry(),
            taskLaunchTimeout,
            java.util.Set.copyOf(roles));
    ControllerSettings settings = ControllerSettings.defaults(poll).withPlanner(planner);
    if (user != null) {
      settings =
          new ControllerSettings(
              settings.frameworkName(),
              user,
              settings.failoverTimeout(),
              settings.poll(),
              settings.reconcileInterval(),
              planner);
    }
    Credentials mesosCredentials =
        mesosCredentialFile != null
            ? Credentials.fromFile(mesosCredentialFile)
            : Credentials.refuseEnvironment(System.getenv());
    MesosClientConfig.Builder mesos =
        MesosClientConfig.builder(masterUrl, Controller.frameworkInfo(settings, roles))
            .contentType(mesosContentType)
            .credentials(mesosCredentials)
            .caBundle(mesosCaBundle)
            .leaderDetector(leaderDetector);
    Controller controller = new Controller(settings, source, mesos, store, InstantSource.system());
    controller.syncWindows(syncWindows());
    return controller;
  }

  @Option(
      names = "--sync-window",
      paramLabel = "'allow|deny MIN HOUR DOM MON DOW DURATION'",
      description =
          "When new commits may be synced (repeatable): a deny window holds them while it is"
              + " open; with allow windows, they are synced only while one is open. E.g."
              + " 'deny 0 22 * * * 10h'. What runs meanwhile is kept running.")
  java.util.List<String> syncWindowSpecs = java.util.List.of();

  @Option(
      names = "--sync-window-zone",
      defaultValue = "UTC",
      description = "The time zone of --sync-window schedules (default: ${DEFAULT-VALUE}).")
  java.time.ZoneId syncWindowZone;

  java.util.List<dev.telos.controller.SyncWindow> syncWindows() {
    java.util.List<dev.telos.controller.SyncWindow> out = new java.util.ArrayList<>();
    for (String spec : syncWindowSpecs) {
      out.add(dev.telos.controller.SyncWindow.parse(spec, syncWindowZone));
    }
    return out;
  }

  ApiServer.Options apiOptions(String defaultBind, Path dataDir) throws IOException {
    return new ApiServer.Options(
        httpAddress != null ? httpAddress : defaultBind,
        httpPort,
        secret(apiTokenFile),
        secret(webhookSecretFile),
        sourceSpecs.isEmpty() ? branch : null,
        new ApiServer.Security(
            tlsCert,
            tlsKey,
            tlsClientCa,
            apiTokensFile,
            requireAuth,
            auditLog != null ? auditLog : dataDir.resolve("audit.log"),
            apiRateLimit,
            httpReadTimeout,
            httpMaxConnections));
  }

  /**
   * Refuses plain HTTP on an address other hosts can reach unless {@code --insecure} says so: the
   * API's tokens would cross the network in clear.
   */
  void checkExposure(String defaultBind) {
    String bind = httpAddress != null ? httpAddress : defaultBind;
    if (tlsClientCa != null && tlsCert == null) {
      throw new IllegalArgumentException("--tls-client-ca needs --tls-cert and --tls-key");
    }
    if (tlsCert == null && !insecure && !loopback(bind)) {
      throw new IllegalArgumentException(
          "refusing to serve the API over plain HTTP on "
              + bind
              + ": give --tls-cert and --tls-key, bind a loopback --http-address, or say"
              + " --insecure");
    }
  }

  static boolean loopback(String address) {
    try {
      return java.net.InetAddress.getByName(address).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  ApiServer api(ControlPlane plane, Metrics metrics, String defaultBind, Path dataDir)
      throws IOException {
    ApiServer api = new ApiServer(plane, apiOptions(defaultBind, dataDir), metrics);
    if (repo != null) {
      // GET /api/v1/plan: telos plan of this repository against this instance's own reads.
      api.plansWith(
          revision ->
              PlanCommand.markdown(repo, revision, path, gitTokenFile, ageKeyFile, api::read));
    }
    return api;
  }

  dev.telos.reconcile.ExecutorLaunch executorLaunch(ApiServer api, String defaultBind) {
    return new dev.telos.reconcile.ExecutorLaunch(
        executorUri != null
            ? executorUri
            : selfUri(api.secure(), api.port(), httpAddress, defaultBind),
        executorJava,
        dev.telos.reconcile.ExecutorLaunch.DEFAULT_CPUS,
        dev.telos.reconcile.ExecutorLaunch.DEFAULT_MEM);
  }

  /** This API's executor jar URL as agents can reach it: the bound address, or this host's name. */
  static String selfUri(boolean tls, int port, String httpAddress, String defaultBind) {
    String bind = httpAddress != null ? httpAddress : defaultBind;
    String host = bind;
    if (bind.equals("0.0.0.0") || bind.equals("::")) {
      try {
        host = java.net.InetAddress.getLocalHost().getCanonicalHostName();
      } catch (java.net.UnknownHostException e) {
        host = "127.0.0.1";
      }
    }
    return (tls ? "https://" : "http://") + host + ":" + port + "/executor/telos.jar";
  }

  private GitSource gitSource(
      String url, String ref, String subdir, GitCredentials credentials, Path dir)
      throws IOException {
    GitSource source =
        new GitSource(
            new GitSource.Config(
                url, ref, subdir, credentials, dir, allowRewrittenHistory, Duration.ofSeconds(60)),
            new ManifestLoader());
    if (verifySignatures != null) {
      source.verifySignatures(dev.telos.git.SignatureVerifier.fromKeyring(verifySignatures));
    }
    if (ageKeyFile != null) {
      source.decryptSecretsWith(dev.telos.secrets.AgeKeys.load(ageKeyFile));
    }
    return source;
  }

  /** One {@code --source}. */
  record SourceSpec(
      String name, String repo, String branch, String path, java.util.List<String> namespaces) {}

  /**
   * The {@code --source} options, parsed; checks that exactly one of {@code --repo} and {@code
   * --source} is given.
   */
  java.util.List<SourceSpec> sources() {
    if ((repo == null) == sourceSpecs.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this),
          repo == null
              ? "Give --repo, or --source once per repository"
              : "--repo and --source exclude each other: give each repository as a --source");
    }
    java.util.List<SourceSpec> out = new java.util.ArrayList<>();
    for (String spec : sourceSpecs) {
      out.add(parseSource(spec));
    }
    return out;
  }

  static SourceSpec parseSource(String spec) {
    String name = null;
    String repository = null;
    String ref = "main";
    String subdir = "";
    java.util.List<String> namespaces = new java.util.ArrayList<>();
    for (String part : spec.split(",")) {
      int eq = part.indexOf('=');
      String key = eq < 0 ? part.strip() : part.substring(0, eq).strip();
      String value = eq < 0 ? "" : part.substring(eq + 1).strip();
      if (value.isEmpty()) {
        throw new IllegalArgumentException(
            "--source " + spec + ": '" + part + "' is not KEY=VALUE");
      }
      switch (key) {
        case "name" -> name = value;
        case "repo" -> repository = value;
        case "branch" -> ref = value;
        case "path" -> subdir = value;
        case "namespace" -> namespaces.add(value);
        default ->
            throw new IllegalArgumentException(
                "--source "
                    + spec
                    + ": unknown key '"
                    + key
                    + "' (name, repo, branch, path, namespace)");
      }
    }
    if (name == null || repository == null) {
      throw new IllegalArgumentException("--source " + spec + ": name= and repo= are required");
    }
    return new SourceSpec(name, repository, ref, subdir, namespaces);
  }

  /** What the start-up line says is synced. */
  String describeSources() {
    if (sourceSpecs.isEmpty()) {
      return repo + " (" + branch + ")" + (path.isEmpty() ? "" : " path " + path);
    }
    java.util.List<String> out = new java.util.ArrayList<>();
    for (SourceSpec s : sources()) {
      out.add(
          s.name()
              + "="
              + s.repo()
              + " ("
              + s.branch()
              + ")"
              + (s.path().isEmpty() ? "" : " path " + s.path()));
    }
    return String.join(", ", out);
  }

  /** A local directory as an absolute path (JGit reads it as a remote); URLs unchanged. */
  static String repositoryUrl(String repo) {
    if (!repo.contains("://") && !repo.contains("@") && Files.isDirectory(Path.of(repo))) {
      return Path.of(repo).toAbsolutePath().normalize().toString();
    }
    return repo;
  }

  private static String secret(Path file) throws IOException {
    if (file == null) {
      return null;
    }
    String s = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("secret file " + file + " is empty");
    }
    return s;
  }
}
