/**
 * The desired state's origin: {@link dev.telos.git.GitSource} keeps a bare mirror of the repository
 * in the data dir, checks the remote ref before fetching, and reads an immutable {@link
 * dev.telos.git.Snapshot} of every manifest at one commit straight from its tree (atomic: one
 * invalid manifest makes the commit invalid), reusing the parse of every unchanged blob. Also:
 * credentials that never reach logs, and webhook payload parsing and verification.
 *
 * <p>It must not decide anything about tasks.
 */
package dev.telos.git;
