/**
 * The manifest model and its loading: immutable records for {@code Service}, {@code Job} and {@code
 * CronJob}, YAML parsing with limits (size, documents, depth, alias expansion), validation with
 * {@code FILE:LINE:COLUMN} errors, documented defaults, and the spec hash.
 *
 * <p>It must not touch git, Mesos or the network: it turns bytes into values or errors. The entry
 * point is {@link dev.telos.manifest.ManifestLoader}.
 */
package dev.telos.manifest;
