/**
 * Notifications: sync results, app health changes, held prunes and invalid commits, found by
 * comparing successive status views and delivered to generic webhooks (JSON, optionally signed),
 * Slack-compatible webhooks and Git hosts' commit statuses (GitHub, GitLab, Gitea), from a bounded
 * queue with retries, never on the controller's loop.
 */
package dev.telos.notify;
