/**
 * Charts and releases: a {@code kind: Release} in git names a chart (a directory of the repository
 * or one Telos ships, {@code telos/NAME}) and its values; {@link dev.telos.render.Releases} renders
 * its templates with Pebble, sandboxed ({@link dev.telos.render.TemplateEngine}), into ordinary
 * manifests that go through the same validation as hand-written ones. Pure apart from reading the
 * chart's files through {@link dev.telos.render.RepoFiles}.
 */
package dev.telos.render;
