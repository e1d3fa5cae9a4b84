/**
 * The HTTP face of a running controller: health, readiness, the JSON API of DESIGN.md section 7,
 * the git webhook and server-sent events. It holds no state of its own: every answer is read from
 * the controller's published {@link dev.telos.controller.StatusView}.
 */
package dev.telos.api;
