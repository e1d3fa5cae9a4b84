package dev.telos.manifest;

/** Namespace of the manifest value types; see the records in this package. */
final class Model {
  /** The only {@code apiVersion} this release reads. */
  static final String API_VERSION = "telos.dev/v1";

  /** A DNS label (RFC 1123): what names and namespaces must be. */
  static final java.util.regex.Pattern DNS_LABEL =
      java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private Model() {}
}
