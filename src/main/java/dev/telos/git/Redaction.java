package dev.telos.git;

import java.net.URI;
import java.util.regex.Pattern;

/** Keeps secrets out of messages: URL user info, and any known secret text. */
final class Redaction {
  private static final Pattern USERINFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)[^/@\\s]+@");

  private Redaction() {}

  /** A repository URL without user info or query, safe to log. */
  static String url(String url) {
    String s = USERINFO.matcher(url).replaceAll("$1");
    try {
      URI uri = URI.create(s);
      if (uri.getRawQuery() != null) {
        s = s.substring(0, s.indexOf('?'));
      }
    } catch (IllegalArgumentException e) {
      // scp-like or local paths: no query to strip
    }
    return s;
  }

  /** {@code text} with every URL's user info and the given secrets replaced. */
  static String text(String text, GitCredentials credentials) {
    if (text == null) {
      return "";
    }
    String s = USERINFO.matcher(text).replaceAll("$1");
    if (credentials instanceof GitCredentials.Basic b && !b.password().isEmpty()) {
      s = s.replace(b.password(), "****");
    }
    return s;
  }
}
