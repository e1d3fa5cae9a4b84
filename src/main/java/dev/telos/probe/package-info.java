/**
 * HTTP checks Telos makes of tasks itself (readiness checks): asked at intervals, bounded by
 * timeouts, on threads of their own; what a passed check means is decided elsewhere.
 */
package dev.telos.probe;
