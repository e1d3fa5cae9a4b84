package dev.telos.mesos;

import okhttp3.HttpUrl;

/** Makes URLs safe to log: no user info, no query, no fragment. */
final class Redact {
  private Redact() {}

  static String url(HttpUrl url) {
    return url.newBuilder().username("").password("").query(null).fragment(null).build().toString();
  }
}
