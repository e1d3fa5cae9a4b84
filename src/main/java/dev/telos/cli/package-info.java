/**
 * The {@code telos} command line (picocli): one class per command, each a thin shell over the
 * packages that do the work. It must not contain logic that the HTTP API lacks.
 */
package dev.telos.cli;
