/**
 * Durable controller state: the framework ID and JSON documents (launched tasks, app histories,
 * sync records) as files under the data dir, each replaced atomically (write, fsync, rename), so a
 * crash at any moment leaves either the old or the new version, never a torn one.
 */
package dev.telos.store;
