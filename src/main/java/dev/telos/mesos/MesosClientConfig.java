package dev.telos.mesos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import okhttp3.HttpUrl;
import org.apache.mesos.v1.Protos.FrameworkInfo;

/**
 * Everything a {@link MesosClient} needs, checked when built. Immutable. {@link #toString()} never
 * shows the credentials.
 */
public final class MesosClientConfig {
  final HttpUrl master;
  final FrameworkInfo frameworkInfo;
  final ContentType contentType;
  final Credentials credentials;
  final Path caBundle;
  final BackoffPolicy backoff;
  final int missedHeartbeats;
  final Duration initialHeartbeatTimeout;
  final long maxRecordBytes;
  final Duration callTimeout;
  final Duration connectTimeout;
  final int maxCallAttempts;
  final int maxRedirects;
  final FrameworkIdStore frameworkIdStore;
  final java.util.function.Supplier<java.util.Optional<String>> leaderDetector;

  private MesosClientConfig(Builder b) {
    this.leaderDetector = b.leaderDetector;
    this.master = b.master;
    this.frameworkInfo = b.frameworkInfo;
    this.contentType = b.contentType;
    this.credentials = b.credentials;
    this.caBundle = b.caBundle;
    this.backoff = b.backoff;
    this.missedHeartbeats = b.missedHeartbeats;
    this.initialHeartbeatTimeout = b.initialHeartbeatTimeout;
    this.maxRecordBytes = b.maxRecordBytes;
    this.callTimeout = b.callTimeout;
    this.connectTimeout = b.connectTimeout;
    this.maxCallAttempts = b.maxCallAttempts;
    this.maxRedirects = b.maxRedirects;
    this.frameworkIdStore = b.frameworkIdStore;
  }

  /**
   * Starts a builder for the master at {@code masterUrl} ({@code http(s)://host:port}, optionally
   * with a path prefix when the master sits behind a proxy) and the framework described by {@code
   * frameworkInfo}, which must have a {@code name} and a {@code user}.
   */
  public static Builder builder(String masterUrl, FrameworkInfo frameworkInfo) {
    return new Builder(masterUrl, frameworkInfo);
  }

  /** The master URL as configured, without user info or query. */
  public String master() {
    return Redact.url(master);
  }

  @Override
  public String toString() {
    return "MesosClientConfig{master="
        + master()
        + ", framework="
        + frameworkInfo.getName()
        + ", contentType="
        + contentType
        + ", principal="
        + (credentials == null ? "none" : credentials.principal())
        + ", caBundle="
        + caBundle
        + "}";
  }

  /** Builds a {@link MesosClientConfig}; each setter checks its value at once. */
  public static final class Builder {
    private final HttpUrl master;
    private final FrameworkInfo frameworkInfo;
    private ContentType contentType = ContentType.PROTOBUF;
    private Credentials credentials;
    private Path caBundle;
    private BackoffPolicy backoff = BackoffPolicy.DEFAULT;
    private int missedHeartbeats = 5;
    private Duration initialHeartbeatTimeout = Duration.ofSeconds(75);
    private long maxRecordBytes = 64L * 1024 * 1024;
    private Duration callTimeout = Duration.ofSeconds(75);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private int maxCallAttempts = 5;
    private int maxRedirects = 3;
    private FrameworkIdStore frameworkIdStore = FrameworkIdStore.inMemory();
    private java.util.function.Supplier<java.util.Optional<String>> leaderDetector;

    /** The framework description this builder subscribes with. */
    public FrameworkInfo frameworkInfo() {
      return frameworkInfo;
    }

    private Builder(String masterUrl, FrameworkInfo frameworkInfo) {
      Objects.requireNonNull(masterUrl, "masterUrl");
      HttpUrl url = HttpUrl.parse(masterUrl);
      if (url == null) {
        throw new IllegalArgumentException(
            "master URL must be http(s)://host:port, got something else");
      }
      this.master = url;
      this.frameworkInfo = Objects.requireNonNull(frameworkInfo, "frameworkInfo");
      if (frameworkInfo.getName().isEmpty()) {
        throw new IllegalArgumentException("FrameworkInfo.name is required");
      }
      if (frameworkInfo.getUser().isEmpty()) {
        throw new IllegalArgumentException(
            "FrameworkInfo.user is required for HTTP frameworks (set it explicitly)");
      }
      if (frameworkInfo.hasId()) {
        throw new IllegalArgumentException(
            "FrameworkInfo.id comes from the FrameworkIdStore, not from the template");
      }
    }

    /** Protobuf (default) or JSON, for requests and the event stream alike. */
    public Builder contentType(ContentType contentType) {
      this.contentType = Objects.requireNonNull(contentType, "contentType");
      return this;
    }

    /** HTTP basic authentication on every request; {@code null} for none. */
    public Builder credentials(Credentials credentials) {
      this.credentials = credentials;
      return this;
    }

    /** A PEM bundle of the CAs to trust for an {@code https} master, instead of the JDK's. */
    public Builder caBundle(Path caBundle) {
      this.caBundle = caBundle;
      return this;
    }

    /** The backoff between resubscriptions and between call retries. */
    public Builder backoff(BackoffPolicy backoff) {
      this.backoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /** How many heartbeat intervals without any event mean the stream is dead (default 5). */
    public Builder missedHeartbeats(int missedHeartbeats) {
      if (missedHeartbeats < 1) {
        throw new IllegalArgumentException(
            "missedHeartbeats must be >= 1, got " + missedHeartbeats);
      }
      this.missedHeartbeats = missedHeartbeats;
      return this;
    }

    /** How long to wait for SUBSCRIBED after the stream opens (default 75 s). */
    public Builder initialHeartbeatTimeout(Duration timeout) {
      requirePositive("initialHeartbeatTimeout", timeout);
      this.initialHeartbeatTimeout = timeout;
      return this;
    }

    /** The largest event record accepted (default 64 MiB). */
    public Builder maxRecordBytes(long maxRecordBytes) {
      if (maxRecordBytes < 1 || maxRecordBytes > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("maxRecordBytes out of range: " + maxRecordBytes);
      }
      this.maxRecordBytes = maxRecordBytes;
      return this;
    }

    /** The timeout of each call request (default 75 s, as the Mesos docs suggest). */
    public Builder callTimeout(Duration callTimeout) {
      requirePositive("callTimeout", callTimeout);
      this.callTimeout = callTimeout;
      return this;
    }

    /** The TCP connect timeout (default 10 s). */
    public Builder connectTimeout(Duration connectTimeout) {
      requirePositive("connectTimeout", connectTimeout);
      this.connectTimeout = connectTimeout;
      return this;
    }

    /** How many times a call is tried on 503, 5xx or a connection failure (default 5). */
    public Builder maxCallAttempts(int maxCallAttempts) {
      if (maxCallAttempts < 1) {
        throw new IllegalArgumentException("maxCallAttempts must be >= 1, got " + maxCallAttempts);
      }
      this.maxCallAttempts = maxCallAttempts;
      return this;
    }

    /** How many 307 redirects one request may follow (default 3). */
    public Builder maxRedirects(int maxRedirects) {
      if (maxRedirects < 0) {
        throw new IllegalArgumentException("maxRedirects must be >= 0, got " + maxRedirects);
      }
      this.maxRedirects = maxRedirects;
      return this;
    }

    /** Where the framework ID is kept between runs (default: in memory only). */
    public Builder frameworkIdStore(FrameworkIdStore store) {
      this.frameworkIdStore = Objects.requireNonNull(store, "frameworkIdStore");
      return this;
    }

    /**
     * Asks {@code detector} for the leading master's URL before every subscription (for masters
     * found through ZooKeeper); empty means no leader is known yet, and the client backs off.
     */
    public Builder leaderDetector(
        java.util.function.Supplier<java.util.Optional<String>> detector) {
      this.leaderDetector = detector;
      return this;
    }

    /** Checks the combination and builds the config. */
    public MesosClientConfig build() {
      if (caBundle != null && !master.isHttps()) {
        throw new IllegalArgumentException(
            "a CA bundle is set but the master URL is not https: " + Redact.url(master));
      }
      if (credentials != null
          && frameworkInfo.hasPrincipal()
          && !frameworkInfo.getPrincipal().equals(credentials.principal())) {
        throw new IllegalArgumentException(
            "FrameworkInfo.principal ("
                + frameworkInfo.getPrincipal()
                + ") differs from the credential's principal ("
                + credentials.principal()
                + "); Mesos answers 400 to that");
      }
      return new MesosClientConfig(this);
    }

    private static void requirePositive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be > 0, got " + value);
      }
    }
  }
}
